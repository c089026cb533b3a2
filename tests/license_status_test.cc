// A license's public status and its status document, read from a real
// (SQLite) store: the status at a moment, the wording, and that a
// revocation's private reason never reaches the document.
#define BOOST_TEST_MODULE license_status
#include "pipeline/license/license_status.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// A store in a fresh folder holding license "a", valid through 2026.
struct Store {
  Store() : store(LicenseStore::Open("sqlite:" + dir / "store.db")) {
    const std::string doc =
        "{\"id\":\"a\",\"issued\":\"2026-11-28T05:00:00Z\",\"provider\":\"p\",\"publications\":[\"monitor\"],"
        "\"rights\":{\"end\":\"2026-12-31T23:59:59Z\",\"start\":\"2026-01-01T00:00:00Z\"},"
        "\"subscriber\":{\"id\":\"s-a\",\"name\":\"Ada\"},\"tier\":\"individual\"}";
    store->AddLicense({ParseLicense(doc, "a"), doc}, 100);
  }
  License license() { return store->FindLicense("a")->license; }
  TempDir dir;
  std::unique_ptr<LicenseStore> store;
};

BOOST_AUTO_TEST_CASE(status_documents) {
  Store s;
  const int64_t in_2026 = *ParseTime("2026-06-01");
  BOOST_TEST(LicenseStatus(*s.store, s.license(), in_2026) == "active");
  BOOST_TEST(LicenseStatus(*s.store, s.license(), *ParseTime("2027-06-01")) == "expired");
  BOOST_TEST(LicenseStatus(*s.store, s.license(), *ParseTime("2025-06-01")) == "not_yet_valid");
  s.store->Revoke("a", "ended", in_2026);
  const std::string doc = LicenseStatusDocument(*s.store, "a", in_2026 + 1);
  BOOST_TEST(doc.find("\"status\": \"revoked\"") != std::string::npos, doc);
  BOOST_TEST(doc.find("\"type\": \"issued\"") < doc.find("\"type\": \"revoked\""));
  // The reason is private: neither the message nor the event carries it.
  BOOST_TEST(doc.find("ended") == std::string::npos, doc);
  BOOST_TEST(s.store->Events("a").back().detail == "ended");  // still in the store
  // Before the revocation the license was active.
  BOOST_TEST(LicenseStatus(*s.store, s.license(), in_2026 - 1) == "active");
  BOOST_CHECK_THROW(LicenseStatusDocument(*s.store, "nobody", in_2026), Error);
}

BOOST_AUTO_TEST_CASE(the_document_says_when_the_license_and_its_status_last_changed) {
  Store s;
  const std::string doc = LicenseStatusDocument(*s.store, "a", *ParseTime("2025-06-01"));
  BOOST_TEST(doc.find("\"message\": \"The license is valid from 2026-01-01T00:00:00Z\"") != std::string::npos, doc);
  BOOST_TEST(doc.find("\"license\": \"2026-11-28T05:00:00Z\"") != std::string::npos, doc);
  BOOST_TEST(doc.find("\"status\": \"1970-01-01T00:01:40Z\"") != std::string::npos, doc);  // the issued event, at 100
  BOOST_TEST(doc.find("\"detail\": \"tier individual\"") != std::string::npos, doc);
  BOOST_TEST(doc.back() == '\n');
}

// As Readium LCP's: a link to the current signed license, and updated.license
// moves when a renewal replaces the document (the page fetches it then).
BOOST_AUTO_TEST_CASE(the_document_links_to_the_current_license_and_dates_its_renewal) {
  Store s;
  std::string doc = LicenseStatusDocument(*s.store, "a", *ParseTime("2026-06-01"));
  BOOST_TEST(doc.find("\"links\": [\n    {\n      \"rel\": \"license\",\n      \"href\": \"/licenses/a/license\",\n"
                      "      \"type\": \"application/vnd.imprint.license+json\"") != std::string::npos, doc);
  StoredLicense renewed = *s.store->FindLicense("a");
  renewed.license.end = "2027-12-31T23:59:59Z";
  renewed.document.replace(renewed.document.find("2026-12-31"), 4, "2027");
  s.store->RenewLicense(renewed, *ParseTime("2026-12-01"));
  doc = LicenseStatusDocument(*s.store, "a", *ParseTime("2027-06-01"));
  BOOST_TEST(doc.find("\"license\": \"2026-12-01T00:00:00Z\"") != std::string::npos, doc);
  BOOST_TEST(doc.find("\"status\": \"active\"") != std::string::npos, doc);
}

BOOST_AUTO_TEST_CASE(only_a_revocations_detail_is_private) {
  BOOST_TEST(PublicEventDetail({"a", "revoked", 1, "leaked copy found on a forum"}) == "revoked by the foundation");
  BOOST_TEST(PublicEventDetail({"a", "renewed", 1, "until 2027-12-31T23:59:59Z"}) == "until 2027-12-31T23:59:59Z");
}

}  // namespace
}  // namespace imprint
