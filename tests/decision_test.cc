// The redistribution gate with real license files through the real program
// (`imprint license issue|check|revoke`): every reason code of the spec, from
// the bundled tiers of rights/, and the same decisions from Decide() itself.
#define BOOST_TEST_MODULE decision
#include "pipeline/license/decision.h"

#include <algorithm>
#include <boost/test/unit_test.hpp>
#include <cctype>
#include <set>

#include "pipeline/license/license_store.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

struct Foundation {
  Foundation() { BOOST_REQUIRE_EQUAL(Imprint({"keys", "init", "--dev"}).exit_code, 0); }

  ProcessResult Imprint(std::vector<std::string> args) {
    if (args[0] == "license" && std::find(args.begin(), args.end(), "--db") == args.end()) {
      args.insert(args.end(), {"--db", "sqlite:" + dir / "store.db"});
    }
    return ImprintWithKeys(dir / "keys", args);
  }
  // Issues a license through the program and returns its file.
  std::string Issue(const std::string& name, const std::string& tier, const std::string& publications,
                    const std::string& from = "2026-01-01", const std::string& until = "2026-12-31") {
    const std::string file = dir / (name + ".license");
    const ProcessResult r = Imprint({"license", "issue", "--subscriber", "id-" + name, "--name", name,
                                     "--email", name + "@example.org", "--tier", tier, "--publications",
                                     publications, "--from", from, "--until", until, "--allow-expired",
                                     "--out", file});  // decided --at fixed times: the clock does not matter
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return file;
  }
  // "permit" or the deny reason, checked against the exit status.
  std::string Check(const std::string& file, const std::string& edition, const std::string& action,
                    const std::string& format = "", const std::string& at = "2026-06-01T12:00:00Z") {
    std::vector<std::string> args = {"license", "check", file, edition, "--action", action, "--at", at};
    if (!format.empty()) args.insert(args.end(), {"--format", format});
    const ProcessResult r = Imprint(args);
    BOOST_TEST(r.exit_code == (r.out.rfind("permit", 0) == 0 ? 0 : 1), r.out << r.err);
    if (r.out.rfind("permit", 0) == 0) return "permit";
    BOOST_REQUIRE_MESSAGE(r.out.rfind("deny: ", 0) == 0, r.out << r.err);
    return r.out.substr(6, r.out.find(' ', 6) - 6);
  }
  TempDir dir;
};

BOOST_FIXTURE_TEST_CASE(every_reason_code, Foundation) {
  const std::string ada = Issue("ada", "individual", "monitor");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "epub") == "permit");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "print") == "permit");
  BOOST_TEST(Check(ada, "prism/v04/i012", "read", "html") == "publication_not_covered");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "distribute", "html") == "action_not_permitted");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "translate") == "action_not_permitted");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "md", "2027-01-01T00:00:00Z") == "expired");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "md", "2025-12-31T23:59:59Z") == "not_yet_valid");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "md", "2026-12-31T23:59:59Z") == "permit");  // last second

  const std::string press = Issue("press", "syndication", "monitor,prism");
  BOOST_TEST(Check(press, "prism/v04/i012", "distribute", "html") == "permit");
  BOOST_TEST(Check(press, "prism/v04/i012", "distribute", "epub") == "format_not_permitted");
  BOOST_TEST(Check(press, "prism/v04/i012", "print") == "action_not_permitted");

  const std::string uni = Issue("uni", "institutional", "prism");
  BOOST_TEST(Check(uni, "prism/v04/i012", "share", "epub") == "permit");
  BOOST_TEST(Check(uni, "prism/v04/i012", "distribute") == "action_not_permitted");
}

BOOST_FIXTURE_TEST_CASE(revoked_from_the_moment_of_revocation, Foundation) {
  const std::string ada = Issue("ada", "individual", "monitor");
  const std::string now = FormatTime(time(nullptr) + 5);
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "", FormatTime(time(nullptr))) == "permit");
  const std::string id = ReadAll(ada).substr(7, 36);
  const ProcessResult r = Imprint({"license", "revoke", id, "--reason", "card declined"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "", now) == "revoked");
  // The gate says the code and the public wording; the reason is the foundation's note.
  const std::string said = Imprint({"license", "check", ada, "monitor/v05/i077", "--action", "read"}).out;
  BOOST_TEST(said.find("card declined") == std::string::npos, said);
  BOOST_TEST(said.find("revoked by the foundation") != std::string::npos, said);
  // Before the revocation it was still good.
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "", "2026-06-01T00:00:00Z") == "permit");
}

BOOST_FIXTURE_TEST_CASE(a_renewed_license_permits_in_its_new_window, Foundation) {
  const std::string ada = Issue("ada", "individual", "monitor");
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "", "2027-06-01T00:00:00Z") == "expired");
  const std::string id = ReadAll(ada).substr(7, 36);
  const ProcessResult r = Imprint({"license", "renew", id, "--until", "2027-12-31", "--out", ada});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_TEST(Check(ada, "monitor/v05/i077", "read", "", "2027-06-01T00:00:00Z") == "permit");
  BOOST_TEST(Imprint({"license", "status", id}).out.find("\"type\": \"renewed\"") != std::string::npos);
  BOOST_TEST(Imprint({"license", "renew", id, "--until", "2020-01-01"}).exit_code == 2);
}

BOOST_FIXTURE_TEST_CASE(changed_fields_are_bad_signatures_and_other_keys_unknown, Foundation) {
  const std::string ada = Issue("ada", "individual", "monitor");
  const std::string text = ReadAll(ada);
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"name\":\"ada\"", "\"name\":\"eve\""},
           {"\"publications\":[\"monitor\"]", "\"publications\":[\"monitor\",\"prism\"]"},
           {"\"end\":\"2026-12-31T23:59:59Z\"", "\"end\":\"2099-12-31T23:59:59Z\""},
           {"\"start\":\"2026-01-01T00:00:00Z\"", "\"start\":\"2020-01-01T00:00:00Z\""}}) {
    std::string changed = text;
    BOOST_REQUIRE(changed.find(from) != std::string::npos);
    changed.replace(changed.find(from), from.size(), to);
    WriteAll(dir / "changed.license", changed);
    BOOST_TEST(Check(dir / "changed.license", "monitor/v05/i077", "read") == "bad_signature", to);
  }
  // A license made by another foundation's key.
  TempDir other;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(other / "keys", {"license", "issue", "--db", "sqlite:" + other / "s.db",
      "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications", "monitor", "--from",
      "2026-01-01", "--until", "2026-12-31", "--allow-expired", "--out", other / "x.license"}).exit_code, 0);
  BOOST_TEST(Check(other / "x.license", "monitor/v05/i077", "read") == "unknown_key");
}

BOOST_FIXTURE_TEST_CASE(a_tier_the_policy_does_not_know, Foundation) {
  // Signed by the foundation, but for a tier that rights/ no longer has.
  License l = ParseLicense(ReadAll(Issue("ada", "individual", "monitor")), "ada");
  l.tier = "corporate";
  WriteAll(dir / "corporate.license", SignLicense(l, Keystore(dir / "keys").LoadSigningKey()));
  BOOST_TEST(Check(dir / "corporate.license", "monitor/v05/i077", "read") == "unknown_tier");
}

BOOST_FIXTURE_TEST_CASE(decide_is_the_same_function_in_the_library, Foundation) {
  const std::string text = ReadAll(Issue("ada", "individual", "monitor"));
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const TrustedKeys trusted = LoadTrustedKeys({dir / "keys/keyring.json"});
  const auto none = [](const std::string&, int64_t) -> std::optional<std::string> { return std::nullopt; };
  const int64_t june = *ParseTime("2026-06-01");
  Decision d = Decide({&text, *ParseEditionRef("monitor/v05/i077"), "read", "epub", june}, policy, trusted, none);
  BOOST_TEST(d.permit);
  BOOST_REQUIRE(d.license.has_value());
  BOOST_TEST(d.license->subscriber_name == "ada");
  d = Decide({&text, *ParseEditionRef("monitor/v5/i77"), "read", "epub", june}, policy, trusted,
             [](const std::string&, int64_t) -> std::optional<std::string> { return "test"; });
  BOOST_TEST((d.reason == DecisionReason::kRevoked));
  BOOST_TEST(!ParseEditionRef("monitor/v05").has_value());
  BOOST_TEST(!ParseEditionRef("../v05/i077").has_value());
  BOOST_TEST(!ParseEditionRef("monitor/v00/i001").has_value());
}

// Regression: after `imprint license renew`, the subscriber's old file was
// refused as expired while the status said active. The store's renewed
// window counts for a document whose signature checks out and whose id the
// store knows, and for no other.
BOOST_FIXTURE_TEST_CASE(license_check_honours_a_renewal_recorded_in_the_store, Foundation) {
  const std::string old_file = Issue("ada", "individual", "monitor");
  const License old = ParseLicense(ReadAll(old_file), "ada");
  const std::string later = "2027-06-01T12:00:00Z";
  BOOST_TEST(Check(old_file, "monitor/v05/i077", "read", "epub", later) == "expired");
  const ProcessResult renewed = Imprint({"license", "renew", old.id, "--until", "2027-12-31", "--allow-expired",
                                         "--out", dir / "renewed.license"});
  BOOST_REQUIRE_MESSAGE(renewed.exit_code == 0, renewed.err);
  BOOST_TEST(Check(old_file, "monitor/v05/i077", "read", "epub", later) == "permit");
  BOOST_TEST(Check(old_file, "monitor/v05/i077", "read", "epub", "2028-01-02T00:00:00Z") == "expired");
  BOOST_TEST(Check(old_file, "prism/v04/i012", "read", "html", later) == "publication_not_covered");
  // Signed by the foundation but unknown to the store: its own window only.
  License stranger = old;
  stranger.id = "00000000-0000-4000-8000-000000000001";
  WriteAll(dir / "stranger.license", SignLicense(stranger, Keystore(dir / "keys").LoadSigningKey()));
  BOOST_TEST(Check(dir / "stranger.license", "monitor/v05/i077", "read", "epub", later) == "expired");
  // A changed old document (its end moved by hand) is a bad signature, renewal or not.
  std::string forged = ReadAll(old_file);
  forged.replace(forged.find("2026-12-31"), 10, "2027-12-31");
  WriteAll(dir / "forged.license", forged);
  BOOST_TEST(Check(dir / "forged.license", "monitor/v05/i077", "read", "epub", later) == "bad_signature");
  // Revoked: nothing is extended.
  BOOST_REQUIRE_EQUAL(Imprint({"license", "revoke", old.id}).exit_code, 0);
  BOOST_TEST(Check(old_file, "monitor/v05/i077", "read", "epub", later) == "revoked");
}

// The codes are typed; their one spelling is the one docs/licenses.md tables.
BOOST_AUTO_TEST_CASE(every_reason_code_has_one_spelling_both_ways) {
  std::set<std::string> documented;
  const std::string doc = ReadAll(SourceDir() + "/docs/licenses.md");
  // The rows "| N | `code` | when |" of the table of checks.
  for (size_t at = doc.find("\n| "); at != std::string::npos; at = doc.find("\n| ", at + 1)) {
    size_t digits = at + 3;
    while (digits < doc.size() && std::isdigit(static_cast<unsigned char>(doc[digits]))) ++digits;
    if (digits == at + 3 || doc.compare(digits, 4, " | `") != 0) continue;
    documented.insert(doc.substr(digits + 4, doc.find('`', digits + 4) - digits - 4));
  }
  BOOST_TEST(documented.size() == 10u);
  documented.insert("permit");
  std::set<std::string> spelled;
  for (int i = 0; i <= static_cast<int>(DecisionReason::kFormatNotPermitted); ++i) {
    const auto code = static_cast<DecisionReason>(i);
    spelled.insert(ToString(code));
    BOOST_TEST((ParseDecisionReason(ToString(code)) == code), ToString(code));
  }
  BOOST_TEST(spelled == documented, boost::test_tools::per_element());
  for (const char* other : {"", "Permit", "expired ", "unknown", "deny", "not_modified"}) {
    BOOST_TEST(!ParseDecisionReason(other).has_value(), other);
  }
  BOOST_TEST(IsSignatureFailure(DecisionReason::kUnknownKey));
  BOOST_TEST(!IsSignatureFailure(DecisionReason::kRevoked));
}

BOOST_FIXTURE_TEST_CASE(bad_input_to_every_subcommand, Foundation) {
  struct Case {
    std::vector<std::string> args;
    int exit;
    std::string message;
  };
  const std::string ada = Issue("ada", "individual", "monitor");
  const std::vector<Case> cases = {
      {{"license", "issue", "--name", "x", "--tier", "individual", "--publications", "monitor", "--from",
        "2026-01-01", "--until", "2026-12-31"}, 2, "--subscriber is required"},
      {{"license", "issue", "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications",
        "monitor", "--from", "2026-02-30", "--until", "2026-12-31"}, 2, "--from takes a date"},
      {{"license", "issue", "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications",
        "monitor", "--from", "2026-01-01", "--until", "soon"}, 2, "--until takes a date"},
      {{"license", "issue", "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications",
        "monitor", "--from", "2026-12-01", "--until", "2026-01-01"}, 2, "--until is before --from"},
      {{"license", "issue", "--subscriber", "x", "--name", "x", "--tier", "platinum", "--publications",
        "monitor", "--from", "2026-01-01", "--until", "2026-12-31"}, 2, "unknown tier 'platinum'"},
      {{"license", "issue", "--subscriber", "x", "--name", "x", "--tier", "individual", "--publications",
        "gazette", "--from", "2026-01-01", "--until", "2026-12-31"}, 2, "unknown publication 'gazette'"},
      {{"license", "show", dir / "missing.license"}, 1, "missing.license: error: no such file"},
      {{"license", "show"}, 2, "give one license FILE"},
      {{"license", "check", ada, "monitor/v05/i077"}, 2, "--action is required"},
      {{"license", "check", ada, "monitor-5-77", "--action", "read"}, 2, "EDITION looks like"},
      {{"license", "check", ada, "monitor/v05/i077", "--action", "read", "--at", "noon"}, 2, "--at takes"},
      {{"license", "check", ada, "monitor/v05/i077", "--action", "read", "--format", "pdf"}, 2, "--format is"},
      {{"license", "check", dir / "missing.license", "monitor/v05/i077", "--action", "read"}, 1,
       "missing.license: error: no such file"},
      {{"license", "revoke", "no-such-id"}, 1, "no such license"},
      {{"license", "revoke"}, 2, "give one license ID"},
      {{"license", "status", "no-such-id"}, 1, "no such license"},
      {{"license", "list", "--db", "mysql://x"}, 1, "not a store URL"},
  };
  for (const Case& c : cases) {
    const ProcessResult r = Imprint(c.args);
    BOOST_TEST(r.exit_code == c.exit, c.args[1] << " " << c.message << ": " << r.err);
    BOOST_TEST(r.err.find(c.message) != std::string::npos, c.message << " not in: " << r.err);
  }
  WriteAll(dir / "garbage.license", "{\"not\": \"a license\"}");
  const ProcessResult shown = Imprint({"license", "show", dir / "garbage.license"});
  BOOST_TEST(shown.exit_code == 1);
  BOOST_TEST(shown.err.find("bad signature") != std::string::npos, shown.err);
  BOOST_TEST(Imprint({"license", "show", ada}).out.find("status:       ") != std::string::npos);
}

}  // namespace
}  // namespace imprint
