// The license routes of the download server over a real socket (the fixture
// is tests/served.h: the real `imprint serve`, real licenses, real SQLite):
// renewal continuity (an old document honoured with the window its renewal
// recorded in the store), GET /licenses/<id>/license (the current signed
// document, for its own license only), GET /licenses/<id>/rights (what the
// license may take, for the subscribers' page) and the status document's link.
#define BOOST_TEST_MODULE license_routes
#include "pipeline/server/license_routes.h"

#include <string>

#include "pipeline/base/crypto.h"
#include "pipeline/license/license.h"
#include "pipeline/signing/keystore.h"
#include "tests/served.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

std::string IdOf(const std::string& document) { return ParseLicense(document, "license").id; }

// Regression: after `imprint license renew`, the subscriber's old file was
// refused as "expired" while /licenses/<id>/status said "active".
BOOST_FIXTURE_TEST_CASE(an_old_document_is_honoured_after_its_renewal_in_the_store, Served) {
  const std::string id = IdOf(expired);
  BOOST_TEST(Reason(Get(kMd, expired)) == "expired");
  const ProcessResult renewed = Imprint({"license", "renew", id, "--until", "2099-12-31", "--out", dir / "renewed.license"});
  BOOST_REQUIRE_MESSAGE(renewed.exit_code == 0, renewed.err);
  BOOST_TEST(Get("/licenses/" + id + "/status").body.find("\"status\": \"active\"") != std::string::npos);
  const Reply copy = Get(kMd, expired);
  BOOST_TEST(copy.status == 200, copy.body);
  BOOST_TEST(copy.body.find("license " + id) != std::string::npos);  // the watermark names it
  BOOST_TEST(Get(kMd, ReadAll(dir / "renewed.license")).status == 200);
  // What the tier does not allow stays refused, renewal or not.
  BOOST_TEST(Reason(Get("/editions/prism/v04/i012/prism-v04-i012.md", expired)) == "publication_not_covered");
  // Revoked: nothing is extended.
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", "card declined"}).exit_code, 0);
  BOOST_TEST(Get(kMd, expired).status == 403);
  BOOST_TEST(Reason(Get(kMd, expired)) == "revoked");
}

// An attacker who can write the store, but not sign: a stored document with a
// later end but no valid signature, or another license's valid document put
// in its place, extends nothing.
BOOST_FIXTURE_TEST_CASE(a_store_document_that_is_not_the_licenses_own_signed_renewal_extends_nothing, Served) {
  const std::string id = IdOf(expired);
  std::string forged = expired;
  forged.replace(forged.find("2020-12-31"), 10, "2099-12-31");
  Sql("UPDATE licenses SET document = '" + forged + "', rights_end = '2099-12-31T23:59:59Z' WHERE id = '" + id + "'");
  BOOST_TEST(Reason(Get(kMd, expired)) == "expired");
  Sql("UPDATE licenses SET document = '" + ada + "' WHERE id = '" + id + "'");  // signed, but ada's
  BOOST_TEST(Reason(Get(kMd, expired)) == "expired");
  // A presented document with a bad signature is 401 whatever the store holds.
  std::string tampered = expired;
  tampered.replace(tampered.find("\"old\""), 5, "\"eve\"");
  BOOST_TEST(Get(kMd, tampered).status == 401);
  // Signed by the foundation, for an id the store does not know.
  License stranger = ParseLicense(expired, "x");
  stranger.id = "00000000-0000-4000-8000-000000000001";
  BOOST_TEST(Reason(Get(kMd, SignLicense(stranger, Keystore(dir / "keys").LoadSigningKey()))) == "expired");
}

BOOST_FIXTURE_TEST_CASE(the_status_document_links_to_the_current_license, Served) {
  const std::string id = IdOf(expired);
  const std::string link = "/licenses/" + id + "/license";
  const Reply status = Get("/licenses/" + id + "/status");
  BOOST_TEST(status.body.find("\"rel\": \"license\"") != std::string::npos, status.body);
  BOOST_TEST(status.body.find("\"href\": \"" + link + "\"") != std::string::npos, status.body);
  BOOST_TEST(status.body.find("\"type\": \"" + std::string(kLicenseMediaType) + "\"") != std::string::npos);
  // Not a bearer secret: served only to its own license.
  Reply anonymous = Get(link);
  BOOST_TEST(anonymous.status == 401);
  BOOST_TEST(anonymous.headers["WWW-Authenticate"] == "License");
  BOOST_TEST(Get(link, ada).status == 403);  // another license
  std::string tampered = expired;
  tampered.replace(tampered.find("\"old\""), 5, "\"eve\"");
  BOOST_TEST(Get(link, tampered).status == 401);
  // The old (expired) document fetches itself, then its renewal.
  Reply current = Get(link, expired);
  BOOST_TEST(current.status == 200);
  BOOST_TEST(current.body == expired);
  BOOST_TEST(current.headers["Content-Type"] == kLicenseMediaType);
  BOOST_TEST(current.headers["Cache-Control"] == "no-store");
  BOOST_REQUIRE_EQUAL(Imprint({"license", "renew", id, "--until", "2099-12-31", "--out", dir / "renewed.license"}).exit_code, 0);
  current = Get(link, expired);
  BOOST_TEST(current.body == ReadAll(dir / "renewed.license"));
  BOOST_TEST(Get("/licenses/" + id + "/status").body.find("\"type\": \"renewed\"") != std::string::npos);
  // Revoked: refused, with the public wording only.
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", id, "--reason", "card declined"}).exit_code, 0);
  const Reply revoked = Get(link, expired);
  BOOST_TEST(revoked.status == 403);
  BOOST_TEST(revoked.body.find("card declined") == std::string::npos);
  BOOST_TEST(Get("/licenses/00000000-0000-4000-8000-000000000001/license", ada).status == 403);
}

BOOST_FIXTURE_TEST_CASE(rights_say_what_each_license_may_take, Served) {
  const std::string ada_id = IdOf(ada), bob_id = IdOf(bob);
  const Reply mine = Get("/licenses/" + ada_id + "/rights", ada);
  BOOST_TEST(mine.status == 200, mine.body);
  BOOST_TEST(mine.body.find("\"decision\":\"permit\"") != std::string::npos, mine.body);
  BOOST_TEST(mine.body.find("\"monitor\":{\"read\":[\"md\",\"html\",\"epub\"]") != std::string::npos, mine.body);
  BOOST_TEST(mine.body.find("\"prism\"") == std::string::npos, mine.body);  // not covered
  const Reply syndication = Get("/licenses/" + bob_id + "/rights", bob);
  BOOST_TEST(syndication.body.find("\"prism\":{\"read\":[\"md\",\"html\"]") != std::string::npos, syndication.body);
  BOOST_TEST(syndication.body.find("\"distribute\":[\"md\",\"html\"]") != std::string::npos, syndication.body);
  const Reply old = Get("/licenses/" + IdOf(expired) + "/rights", expired);
  BOOST_TEST(old.status == 200);
  BOOST_TEST(old.body.find("\"reason\":\"expired\"") != std::string::npos, old.body);
  BOOST_TEST(old.body.find("\"publications\":{}") != std::string::npos, old.body);
  BOOST_TEST(Get("/licenses/" + ada_id + "/rights").status == 401);
  BOOST_TEST(Get("/licenses/" + ada_id + "/rights", bob).status == 403);
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", ada_id, "--reason", "card declined"}).exit_code, 0);
  const Reply revoked = Get("/licenses/" + ada_id + "/rights", ada);
  BOOST_TEST(revoked.body.find("\"reason\":\"revoked\"") != std::string::npos, revoked.body);
  BOOST_TEST(revoked.body.find("card declined") == std::string::npos, revoked.body);
}

}  // namespace
}  // namespace imprint
