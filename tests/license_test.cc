// License documents: signed over their canonical form, parsed, and refused
// when any field changes or the key is not trusted.
#define BOOST_TEST_MODULE license
#include "pipeline/license.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/canonical_json.h"
#include "pipeline/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Keys {
  Keys() : keystore(dir / "keys") {
    keystore.Init(true);
    trusted = LoadTrustedKeys({dir / "keys/keyring.json"});
  }
  License Sample() const {
    License l;
    l.id = NewLicenseId();
    l.issued = "2026-11-28T05:00:00Z";
    l.provider = "https://jamestown.org/";
    l.subscriber_id = "s-1";
    l.subscriber_name = "Ada Lovelace";
    l.subscriber_email = "ada@example.org";
    l.tier = "individual";
    l.publications = {"monitor", "prism"};
    l.start = "2026-01-01T00:00:00Z";
    l.end = "2026-12-31T23:59:59Z";
    return l;
  }
  TempDir dir;
  Keystore keystore;
  TrustedKeys trusted;
};

BOOST_FIXTURE_TEST_CASE(signed_licenses_verify_and_parse_back, Keys) {
  const std::string doc = SignLicense(Sample(), keystore.LoadSigningKey());
  BOOST_TEST(doc.back() == '\n');
  BOOST_TEST(Canonicalize(doc, "l") + "\n" == doc);  // canonical JSON
  BOOST_TEST((VerifyLicense(doc, trusted) == SignatureVerdict::kGood));
  const License back = ParseLicense(doc, "l");
  BOOST_TEST(back.subscriber_name == "Ada Lovelace");
  BOOST_TEST(back.publications == (std::vector<std::string>{"monitor", "prism"}), boost::test_tools::per_element());
  BOOST_TEST(back.key_id == keystore.Keys()[0].key.IdText());
  // White space and member order do not matter: the canonical form is signed.
  std::string spaced = doc;
  spaced.insert(1, "\n  ");
  BOOST_TEST((VerifyLicense(spaced, trusted) == SignatureVerdict::kGood));
}

BOOST_FIXTURE_TEST_CASE(any_changed_field_is_a_bad_signature, Keys) {
  const std::string doc = SignLicense(Sample(), keystore.LoadSigningKey());
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"Ada Lovelace", "Eve Lovelace"},
           {"[\"monitor\",\"prism\"]", "[\"monitor\",\"prism\",\"other\"]"},
           {"2026-12-31T23:59:59Z", "2036-12-31T23:59:59Z"},
           {"2026-01-01T00:00:00Z", "2020-01-01T00:00:00Z"},
           {"\"individual\"", "\"syndication\""}}) {
    std::string changed = doc;
    changed.replace(changed.find(from), from.size(), to);
    BOOST_TEST((VerifyLicense(changed, trusted) == SignatureVerdict::kBad), to);
  }
  BOOST_TEST((VerifyLicense("not json", trusted) == SignatureVerdict::kBad));
  BOOST_TEST((VerifyLicense("{\"id\":\"x\"}", trusted) == SignatureVerdict::kBad));
}

BOOST_FIXTURE_TEST_CASE(another_key_is_unknown_and_a_revoked_key_is_refused, Keys) {
  TempDir other;
  Keystore stranger(other / "keys");
  stranger.Init(true);
  BOOST_TEST((VerifyLicense(SignLicense(Sample(), stranger.LoadSigningKey()), trusted) ==
              SignatureVerdict::kUnknownKey));
  const std::string doc = SignLicense(Sample(), keystore.LoadSigningKey());
  keystore.Rotate();
  keystore.Revoke(keystore.Keys()[0].key.IdText(), "stolen");
  BOOST_TEST((VerifyLicense(doc, LoadTrustedKeys({dir / "keys/keyring.json"})) == SignatureVerdict::kRevokedKey));
}

BOOST_AUTO_TEST_CASE(times) {
  BOOST_TEST(*ParseTime("2026-01-01") == 1767225600);
  BOOST_TEST(*ParseTime("2026-01-01", true) == 1767225600 + 86399);
  BOOST_TEST(*ParseTime("2026-01-01T01:00:00Z") == 1767229200);
  BOOST_TEST(*ParseTime("2026-01-01T03:00:00+02:00") == 1767229200);
  BOOST_TEST(FormatTime(1767229200) == "2026-01-01T01:00:00Z");
  for (const char* bad : {"", "2026-13-01", "2026-02-30", "yesterday", "2026-01-01 01:00", "01/01/2026"}) {
    BOOST_TEST(!ParseTime(bad).has_value(), bad);
  }
}

BOOST_AUTO_TEST_CASE(ids_are_random_uuids) {
  const std::string a = NewLicenseId(), b = NewLicenseId();
  BOOST_TEST(a.size() == 36u);
  BOOST_TEST(a[14] == '4');
  BOOST_TEST(a != b);
}

BOOST_AUTO_TEST_CASE(malformed_documents_are_errors_naming_the_file) {
  for (const char* text : {"", "[]", "{\"id\":1}", "{\"id\":\"x\",\"issued\":\"t\"}"}) {
    try {
      ParseLicense(text, "bad.license");
      BOOST_FAIL("no error");
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == "bad.license");
    }
  }
}

}  // namespace
}  // namespace imprint
