// Access keys (issue 16): the unit's functions, and the license commands that
// make them: `license issue` and `renew` print a new key once, on standard
// error (so that `--out -` still writes a pure license document), `license
// key ID` replaces it, and the store keeps only its hash.
#define BOOST_TEST_MODULE access_key
#include "pipeline/license/access_key.h"

#include <boost/test/unit_test.hpp>
#include <string>

#include "pipeline/license/license_store.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(access_keys_are_random_base64url_and_hashed_with_sha256) {
  const std::string a = NewAccessKey(), b = NewAccessKey();
  BOOST_TEST(a.size() == 43u);
  BOOST_TEST(a != b);
  BOOST_TEST(a.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") == std::string::npos);
  BOOST_TEST(AccessKeyHash("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  BOOST_TEST(AccessKeyMatches(a, AccessKeyHash(a)));
  BOOST_TEST(!AccessKeyMatches(b, AccessKeyHash(a)));
  BOOST_TEST(!AccessKeyMatches("", ""));  // a license without a key lets nothing in
  BOOST_TEST(!AccessKeyMatches(a, AccessKeyHash(a).substr(1)));
}

// The key printed on the line "access key for ID: KEY" in `err`; "" when none.
std::string PrintedKey(const std::string& err, const std::string& id) {
  const std::string label = "access key for license " + id + " (shown only now): ";
  const size_t at = err.find(label);
  if (at == std::string::npos) return "";
  return err.substr(at + label.size(), err.find('\n', at) - at - label.size());
}

struct Cli {
  TempDir dir;
  std::string db = "sqlite:" + dir / "imprint.db";
  ProcessResult Imprint(std::vector<std::string> args) {
    args.insert(args.end(), {"--db", db, "--editions", dir / "site"});
    return ImprintWithKeys(dir / "keys", args);
  }
  ProcessResult Issue(const std::string& out) {
    return Imprint({"license", "issue", "--subscriber", "s-1", "--name", "Ada", "--tier", "individual",
                    "--publications", "monitor", "--from", "2026-01-01", "--until", "2099-12-31", "--out", out});
  }
  std::string KeyHash(const std::string& id) { return LicenseStore::Open(db)->FindKeyedLicense(id)->key_hash; }
};

BOOST_AUTO_TEST_CASE(license_issue_prints_a_key_once_on_stderr_and_stores_its_hash) {
  Cli cli;
  const ProcessResult r = cli.Issue("-");
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string id = r.out.substr(7, 36);  // {"id":"...
  const std::string key = PrintedKey(r.err, id);
  BOOST_REQUIRE_MESSAGE(key.size() == 43, r.err);
  BOOST_TEST(r.out.find(key) == std::string::npos);   // standard output: the license only
  BOOST_TEST(r.out.find("access key") == std::string::npos);
  BOOST_TEST(r.out.front() == '{');
  BOOST_TEST(cli.KeyHash(id) == AccessKeyHash(key));
  BOOST_TEST(ReadAll(cli.dir / "imprint.db").find(key) == std::string::npos);
  // Shown once: nothing else prints it again.
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"license", "list"}, {"license", "status", id}, {"audit", "--license", id}}) {
    const ProcessResult again = cli.Imprint(args);
    BOOST_TEST(again.out.find(key) == std::string::npos);
    BOOST_TEST(again.err.find(key) == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(license_renew_and_license_key_replace_the_key) {
  Cli cli;
  ProcessResult r = cli.Issue(cli.dir / "ada.license");
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string id = ReadAll(cli.dir / "ada.license").substr(7, 36);
  const std::string first = PrintedKey(r.err, id);
  BOOST_REQUIRE(!first.empty());
  r = cli.Imprint({"license", "renew", id, "--until", "2100-12-31", "--out", "-"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string second = PrintedKey(r.err, id);
  BOOST_TEST(second.size() == 43u);
  BOOST_TEST(second != first);
  BOOST_TEST(r.out.find(second) == std::string::npos);
  BOOST_TEST(cli.KeyHash(id) == AccessKeyHash(second));
  r = cli.Imprint({"license", "key", id});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string third = PrintedKey(r.err, id);
  BOOST_TEST(third.size() == 43u);
  BOOST_TEST(third != second);
  BOOST_TEST(cli.KeyHash(id) == AccessKeyHash(third));
  BOOST_TEST(ReadAll(cli.dir / "imprint.db").find(third) == std::string::npos);
}

BOOST_AUTO_TEST_CASE(license_key_refuses_an_unknown_or_missing_id) {
  Cli cli;
  ProcessResult r = cli.Imprint({"license", "key", "6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61"});
  BOOST_TEST(r.exit_code == 1, r.err);
  BOOST_TEST(r.err.find("no such license in the store") != std::string::npos, r.err);
  BOOST_TEST(r.err.find("access key for") == std::string::npos, r.err);
  BOOST_TEST(cli.Imprint({"license", "key"}).exit_code == 2);
  r = RunImprint({"license", "key", "--help"});
  BOOST_TEST(r.exit_code == 0);
  BOOST_TEST(r.out.find("Usage: imprint license key ID") != std::string::npos, r.out);
}

}  // namespace
}  // namespace imprint
