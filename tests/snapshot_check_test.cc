// No silent rollback (issue 15, docs/editions.md): `imprint verify DIR` over
// an output folder checks catalog.json's signature and every edition folder
// against it, with the real program over a real build of the sample archive;
// and the strict reader of catalog.json on its own.
#define BOOST_TEST_MODULE snapshot_check
#include "pipeline/edition/snapshot_check.h"

#include <sys/stat.h>

#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/edition/verify.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/signing/minisign.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The sample archive built into dir/out with the keystore dir/keys.
struct Archive {
  Archive() {
    const ProcessResult r = Build(out, SourceDir() + "/samples/archive");
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  ProcessResult Build(const std::string& to, const std::string& input) const {
    return ImprintWithKeys(dir / "keys", {"build", "--out", to, input});
  }
  ProcessResult Verify(const std::string& target) const {
    return ImprintWithKeys(dir / "keys", {"verify", "--pubkey", out + "/keys/keyring.json", target});
  }
  // A raw issue file named for its edition, in a folder of its own.
  std::string Raw(const std::string& name, const std::string& text) const {
    fs::create_directories(dir / ("raw-" + name));
    const std::string path = dir / ("raw-" + name + "/" + name + ".txt");
    WriteAll(path, text);
    return path;
  }
  // Signs `text` as the catalog and writes both files.
  void SignCatalog(const std::string& text) const {
    const SigningKey key = Keystore(dir / "keys").LoadSigningKey();
    WriteAll(out + "/catalog.json", text);
    WriteAll(out + "/catalog.json.minisig",
             SignMinisign(key.signer, key.key.id, text, TrustedComment("catalog.json", "catalog", Sha256Hex(text))));
  }
  void ExpectOthersOk(const ProcessResult& r) const {
    for (const char* e : {"monitor/v01/i003", "monitor/v03/i145", "prism/v04/i012"}) {
      BOOST_TEST(Contains(r.out, "OK      " + out + "/" + e + " (revision 1, as the catalog names)"), e << ":\n" << r.out);
      BOOST_TEST(Contains(r.out, "OK      " + out + "/" + e + "/manifest.json (signed by"), e << ":\n" << r.out);
    }
  }
  TempDir dir;
  std::string out = dir / "out";
  std::string i077 = out + "/monitor/v05/i077";
};

BOOST_FIXTURE_TEST_CASE(verify_over_an_output_folder_checks_every_edition_against_the_catalog, Archive) {
  const ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(!Contains(r.out, "FAILED"), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + out + "/catalog.json (signed by "), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + out + "/index.html (signed by "), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + i077 + " (revision 1, as the catalog names)"), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + i077 + "/monitor-v05-i077.epub (signed by"), r.out);
  ExpectOthersOk(r);
  // The same with a trailing slash.
  BOOST_TEST(Verify(out + "/").exit_code == 0);
}

// The attack the check exists for: an older, genuinely signed revision put
// back in place of the current one. The folder verifies on its own.
BOOST_FIXTURE_TEST_CASE(a_folder_rolled_back_to_an_earlier_revision_fails_naming_it, Archive) {
  BOOST_REQUIRE_EQUAL(Build(dir / "r1", SourceDir() + "/samples/archive/monitor-v05-i077.txt").exit_code, 0);
  const std::string r1 = ReadAll(dir / "r1/monitor/v05/i077/manifest.json");
  std::string text = ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  const size_t at = text.find("An Russian");
  BOOST_REQUIRE(at != std::string::npos);
  text.replace(at, 10, "A Russian");
  text.insert(text.find('\n') + 1, "Correction: 2026-11-29 " + Sha256Hex(r1) + " \"An Russian\" now reads \"A Russian\".\n");
  ProcessResult r = Build(out, Raw("monitor-v05-i077", text));
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string r2 = ReadAll(i077 + "/manifest.json");
  BOOST_REQUIRE(Contains(r2, "\"revision\":2"));
  BOOST_REQUIRE_EQUAL(Verify(out).exit_code, 0);

  RemoveAll(i077);
  CopyTree(dir / "r1/monitor/v05/i077", i077);
  BOOST_REQUIRE_EQUAL(Verify(i077).exit_code, 0);  // on its own, a good edition
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": revision 1 (manifest sha256 " + Sha256Hex(r1).substr(0, 12) +
                                 "...) is in place, the catalog names revision 2 (" + Sha256Hex(r2).substr(0, 12) +
                                 "...)"), r.out);
  ExpectOthersOk(r);
  // Only the manifest put back, or a link to the old folder: the same.
  RemoveAll(i077);
  fs::create_directory_symlink(dir / "r1/monitor/v05/i077", i077);
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": revision 1 (manifest sha256 "), r.out);
}

BOOST_FIXTURE_TEST_CASE(another_editions_folder_in_its_place_fails, Archive) {
  const std::string i145 = out + "/monitor/v03/i145";
  RemoveAll(i077);
  CopyTree(i145, i077);
  ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": monitor/v03/i145 revision 1 (manifest sha256 "), r.out);
  BOOST_TEST(Contains(r.out, "is in place, the catalog names revision 1 ("), r.out);
  ExpectOthersOk(r);
  // A link to it, and a manifest that is a link to its manifest.
  RemoveAll(i077);
  fs::create_directory_symlink(i145, i077);
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": monitor/v03/i145 revision 1"), r.out);
  fs::remove(i077);
  BOOST_REQUIRE_EQUAL(Build(out, SourceDir() + "/samples/archive/monitor-v05-i077.txt").exit_code, 0);
  fs::remove(i077 + "/manifest.json");
  fs::create_symlink(i145 + "/manifest.json", i077 + "/manifest.json");
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": monitor/v03/i145 revision 1"), r.out);
}

BOOST_FIXTURE_TEST_CASE(a_missing_edition_folder_fails, Archive) {
  RemoveAll(i077);
  const ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": missing: the catalog names revision 1 ("), r.out);
  ExpectOthersOk(r);
}

BOOST_FIXTURE_TEST_CASE(a_folder_not_in_the_catalog_fails_unless_under_embargo, Archive) {
  const std::string head = "Publication: Monitor Volume: 9 Issue: 1 Date: 2026-11-29\n";
  const auto add = [&](const std::string& embargo) {
    TempDir other;
    const std::string raw = Raw("monitor-v09-i001", head + embargo + "\nA paragraph.\n");
    const ProcessResult b = ImprintWithKeys(dir / "keys", {"build", "--out", other / "out", raw});
    BOOST_REQUIRE_MESSAGE(b.exit_code == 0, b.err);
    RemoveAll(out + "/monitor/v09");
    fs::create_directories(out + "/monitor/v09");
    CopyTree(other / "out/monitor/v09/i001", out + "/monitor/v09/i001");
    return Verify(out);
  };
  const std::string stray = out + "/monitor/v09/i001";
  ProcessResult r = add("");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + stray + ": not in the catalog"), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + stray + "/manifest.json (signed by"), r.out);
  ExpectOthersOk(r);
  r = add("Embargo: 2026-01-01T00:00:00Z\n");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + stray + ": not in the catalog, and its embargo ended at 2026-01-01T00:00:00Z "
                             "(the next `imprint catalog` lists it)"), r.out);
  r = add("Embargo: 2099-01-01T06:00:00+02:00\n");
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(Contains(r.out, "OK      " + stray + " (not in the catalog: embargoed until 2099-01-01T04:00:00Z)"), r.out);
  // A folder named like an edition with no manifest, or an unpadded spelling.
  RemoveAll(out + "/monitor/v09");
  fs::create_directories(out + "/monitor/v09/i002");
  WriteAll(out + "/monitor/v09/i002/monitor-v09-i002.html", "<p>hello</p>");
  fs::create_directories(out + "/monitor/v3");
  CopyTree(out + "/monitor/v03/i145", out + "/monitor/v3/i145");
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/monitor/v09/i002: not in the catalog"), r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/monitor/v3/i145: not in the catalog"), r.out);
}

BOOST_FIXTURE_TEST_CASE(a_tampered_catalog_fails_on_its_signature, Archive) {
  std::string catalog = ReadAll(out + "/catalog.json");
  const size_t at = catalog.find("\"revision\": 1");
  BOOST_REQUIRE(at != std::string::npos);
  catalog.replace(at, 13, "\"revision\": 2");
  WriteAll(out + "/catalog.json", catalog);
  ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: signature verification failed"), r.out);
  // The editions are still verified each on its own.
  BOOST_TEST(Contains(r.out, "OK      " + i077 + "/manifest.json (signed by"), r.out);
  // The page too.
  SignCatalog(catalog.replace(at, 13, "\"revision\": 1"));
  WriteAll(out + "/index.html", ReadAll(out + "/index.html") + "<!-- -->");
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/index.html: signature verification failed"), r.out);
  std::remove((out + "/catalog.json.minisig").c_str());
  r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: no signature file catalog.json.minisig"), r.out);
}

BOOST_FIXTURE_TEST_CASE(a_catalog_signed_by_a_revoked_key_fails, Archive) {
  const std::string old_id = ParsePublicKey(ReadAll(out + "/keys/imprint.pub"), "imprint.pub").IdText();
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "rotate"}).exit_code, 0);
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "revoke", old_id, "--reason", "key leaked"}).exit_code, 0);
  const ProcessResult r = ImprintWithKeys(dir / "keys", {"verify", out});
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: signed by revoked key " + old_id + " (key leaked)"),
             r.out);
}

// A signed catalog that names a withdrawn edition: its folder must be gone.
BOOST_FIXTURE_TEST_CASE(a_withdrawn_editions_folder_fails, Archive) {
  std::string catalog = ReadAll(out + "/catalog.json");
  const size_t from = catalog.find("\"files\"", catalog.find("\"edition\": \"monitor/v05/i077\""));
  const size_t to = catalog.find("\n", catalog.find("\"revision\"", from));
  BOOST_REQUIRE(from != std::string::npos && to != std::string::npos);
  catalog.replace(from, to - from, "\"withdrawn\": {\"date\": \"2026-11-29\", \"notice\": \"Withdrawn.\"}");
  SignCatalog(catalog);
  ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": withdrawn on 2026-11-29, but its folder is in place"), r.out);
  ExpectOthersOk(r);
  RemoveAll(i077);
  r = Verify(out);
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(Contains(r.out, "OK      " + i077 + " (withdrawn on 2026-11-29, no folder)"), r.out);
}

// Earlier revisions live inside the edition folder (revisions/rN/): the
// DIR-level check leaves them to the folder's own verification.
BOOST_FIXTURE_TEST_CASE(what_is_inside_an_edition_folder_is_the_folders_own, Archive) {
  fs::create_directories(i077 + "/revisions/r1");
  CopyTree(out + "/monitor/v03/i145", i077 + "/revisions/r1");
  const ProcessResult r = Verify(out);
  BOOST_TEST(Contains(r.out, "OK      " + i077 + " (revision 1, as the catalog names)"), r.out);
  // The folder's own verification judges it: a revision 1 below revision 1.
  BOOST_TEST(Contains(r.out, "revisions/r1: not a revision folder r<N> below revision 1"), r.out);
  BOOST_TEST(!Contains(r.out, "not in the catalog"), r.out);
}

// Signed, with the right digest, but the wrong revision: the catalog
// contradicts the manifest it names.
BOOST_FIXTURE_TEST_CASE(a_catalog_naming_the_right_digest_with_another_revision_fails, Archive) {
  std::string catalog = ReadAll(out + "/catalog.json");
  const size_t at = catalog.find("\"revision\": 1", catalog.find("\"edition\": \"monitor/v05/i077\""));
  BOOST_REQUIRE(at != std::string::npos);
  SignCatalog(catalog.replace(at, 13, "\"revision\": 2"));
  const ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": revision 1 (manifest sha256 "), r.out);
  BOOST_TEST(Contains(r.out, "is in place, with the digest the catalog names for revision 2"), r.out);
  ExpectOthersOk(r);
}

// Signed, but with an entry that reaches out of its place.
BOOST_FIXTURE_TEST_CASE(a_signed_catalog_naming_paths_outside_the_layout_fails, Archive) {
  const std::string good = ReadAll(out + "/catalog.json");
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"\"edition\": \"monitor/v05/i077\"", "\"edition\": \"monitor/v05/../v03/i145\""},
           {"\"edition\": \"monitor/v05/i077\"", "\"edition\": \"monitor/v5/i77\""},
           {"\"manifest\": \"monitor/v05/i077/manifest.json\"", "\"manifest\": \"../manifest.json\""},
           {"\"md\": \"monitor/v05/i077/monitor-v05-i077.md\"", "\"md\": \"/etc/passwd\""}}) {
    std::string catalog = good;
    const size_t at = catalog.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    SignCatalog(catalog.replace(at, from.size(), to));
    const ProcessResult r = Verify(out);
    BOOST_TEST(r.exit_code == 1, to << ":\n" << r.out);
    BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: the catalog's entry 3 "), to << ":\n" << r.out);
    BOOST_TEST(Contains(r.out, "OK      " + i077 + "/manifest.json (signed by"), r.out);
  }
}

// What is in place of a file or a folder is no file at all: a FIFO (which
// would block a reader forever), a link loop, a dangling link. Each fails by
// name, and verify ends.
BOOST_FIXTURE_TEST_CASE(a_fifo_or_a_link_loop_in_the_output_folder_fails_without_hanging, Archive) {
  const auto verify = [&] {
    return RunWithin({ImprintBin(), "verify", "--pubkey", out + "/keys/keyring.json", out}, 30);
  };
  const std::string i145 = out + "/monitor/v03/i145";
  fs::remove(i077 + "/manifest.json");
  BOOST_REQUIRE(::mkfifo((i077 + "/manifest.json").c_str(), 0600) == 0);
  fs::remove(i145 + "/monitor-v03-i145.md");
  BOOST_REQUIRE(::mkfifo((i145 + "/monitor-v03-i145.md").c_str(), 0600) == 0);
  BoundedResult r = verify();
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": no readable manifest.json; the catalog names revision 1"), r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i145 + "/monitor-v03-i145.md: "), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + out + "/prism/v04/i012 (revision 1, as the catalog names)"), r.out);
  RemoveAll(i077);
  fs::create_directory_symlink(i077, i077);
  fs::remove(out + "/catalog.json");
  BOOST_REQUIRE(::mkfifo((out + "/catalog.json").c_str(), 0600) == 0);
  r = verify();
  BOOST_TEST(!r.timed_out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: missing or unreadable: "), r.out);
  BOOST_TEST(Contains(r.out, "OK      " + out + "/prism/v04/i012/manifest.json (signed by"), r.out);
  fs::remove(out + "/catalog.json");
  fs::create_symlink(out + "/nothing.json", out + "/catalog.json");
  r = verify();
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + out + "/catalog.json: missing or unreadable: "), r.out);
}

// A manifest in place is not trusted before its signature is checked: its
// text reaches the terminal only when it reads as an edition.
BOOST_FIXTURE_TEST_CASE(an_unsigned_manifests_edition_text_is_not_echoed, Archive) {
  const std::string original = ReadAll(i077 + "/manifest.json");
  std::string manifest = original;
  const std::string from = "\"edition\":\"monitor/v05/i077\"";
  const size_t at = manifest.find(from);
  BOOST_REQUIRE(at != std::string::npos);
  WriteAll(i077 + "/manifest.json", manifest.replace(at, from.size(), "\"edition\":\"\\u001b]0;pwned\\u0007\""));
  const ProcessResult r = Verify(out);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": another edition's revision 1 (manifest sha256 "), r.out);
  BOOST_TEST(!Contains(r.out, "\x1b"), r.out);
  BOOST_TEST(!Contains(r.out, "pwned"), r.out);
  // The same for a file name it lists.
  const std::string name = "\"name\":\"monitor-v05-i077.md\"";
  manifest = original;
  const size_t listed = manifest.find(name);
  BOOST_REQUIRE(listed != std::string::npos);
  WriteAll(i077 + "/manifest.json", manifest.replace(listed, name.size(), "\"name\":\"\\u001b]0;pwned\\u0007\""));
  const ProcessResult named = Verify(i077);
  BOOST_TEST(named.exit_code == 1, named.out);
  BOOST_TEST(!Contains(named.out, "\x1b"), named.out);
  BOOST_TEST(Contains(named.out, "FAILED  " + i077 + "/?]0;pwned?: the file is not named for edition"), named.out);
}

// The clock comes in as `now`: an embargo holds until its very second.
BOOST_FIXTURE_TEST_CASE(an_embargo_holds_until_its_second_and_no_longer, Archive) {
  TempDir other;
  const std::string raw = Raw("monitor-v09-i001", "Publication: Monitor Volume: 9 Issue: 1\n"
                                                  "Embargo: 2030-01-01T06:00:00Z\n\nA paragraph.\n");
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"build", "--out", other / "out", raw}).exit_code, 0);
  fs::create_directories(out + "/monitor/v09");
  CopyTree(other / "out/monitor/v09/i001", out + "/monitor/v09/i001");
  const TrustedKeys trusted = Keystore(dir / "keys").Trusted();
  const int64_t release = 1893477600;  // 2030-01-01T06:00:00Z
  const auto verdict_at = [&](int64_t now) {
    const SnapshotReport report = CheckSnapshot(out, trusted, now);
    BOOST_REQUIRE_EQUAL(report.catalog.size(), 2u);
    BOOST_TEST(report.catalog[0].ok, report.catalog[0].reason);
    BOOST_TEST(report.absent.empty());
    BOOST_REQUIRE_EQUAL(report.folders.size(), 5u);
    BOOST_TEST(report.folders[3].path == out + "/monitor/v09/i001");
    BOOST_TEST(report.folders[3].manifest.has_value());  // read once, for the folder's own verification
    return *report.folders[3].verdict;
  };
  BOOST_TEST(verdict_at(release - 1).ok);
  BOOST_TEST(verdict_at(release - 1).reason == "not in the catalog: embargoed until 2030-01-01T06:00:00Z");
  BOOST_TEST(!verdict_at(release).ok);
  BOOST_TEST(!verdict_at(release + 86400).ok);
}

// ---- the reader of catalog.json -----------------------------------------------

const std::string kSha(64, 'a');

std::string Entry(const std::string& edition, const std::string& rest) {
  return "{\"edition\": \"" + edition + "\", \"publication\": \"monitor\", \"volume\": 5, \"issue\": 77, " + rest + "}";
}
std::string Catalog(const std::string& entries) {
  return "{\"format\": \"imprint-catalog/1\", \"editions\": [" + entries + "]}";
}
const std::string kListed = "\"files\": {\"md\": \"monitor/v05/i077/monitor-v05-i077.md\"}, "
                            "\"manifest\": \"monitor/v05/i077/manifest.json\", \"manifest_sha256\": \"" + kSha +
                            "\", \"revision\": 2";

BOOST_AUTO_TEST_CASE(the_catalog_reader_reads_current_and_withdrawn_entries) {
  const auto entries = ParseCatalogSnapshot(
      Catalog(Entry("monitor/v05/i077", kListed) + ", " +
              Entry("monitor/v05/i078", "\"withdrawn\": {\"date\": \"2026-11-29\", \"notice\": \"x\"}")),
      "catalog.json");
  BOOST_REQUIRE_EQUAL(entries.size(), 2u);
  BOOST_TEST(entries[0].edition == "monitor/v05/i077");
  BOOST_TEST(entries[0].revision == 2);
  BOOST_TEST(entries[0].manifest_sha256 == kSha);
  BOOST_TEST(!entries[0].withdrawn);
  BOOST_TEST(entries[1].withdrawn);
  BOOST_TEST(entries[1].withdrawn_date == "2026-11-29");
}

BOOST_AUTO_TEST_CASE(the_catalog_reader_refuses_what_is_not_a_catalog_naming_the_file) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "not valid JSON"},
      {"[]", "not a JSON object"},
      {"{\"format\": \"imprint-catalog/2\", \"editions\": []}", "not an imprint catalog"},
      {"{\"format\": \"imprint-catalog/1\"}", "no 'editions'"},
      {Catalog("1"), "entry 1 is not an object"},
      {Catalog(Entry("monitor/v05/i077/", kListed)), "not an edition path"},
      {Catalog(Entry("../v05/i077", kListed)), "not an edition path"},
      {Catalog(Entry("monitor/v5/i77", kListed)), "not an edition path"},
      {Catalog(Entry("monitor/v05/i077", kListed) + "," + Entry("monitor/v05/i077", kListed)), "twice"},
      {Catalog(Entry("monitor/v05/i077", "\"revision\": 1")), "no 'manifest_sha256'"},
      {Catalog(Entry("monitor/v05/i077", "\"manifest_sha256\": \"" + kSha + "\"")), "no 'revision'"},
      {Catalog(Entry("monitor/v05/i077", "\"manifest_sha256\": \"AB\", \"revision\": 1")), "not a SHA-256"},
      {Catalog(Entry("monitor/v05/i077", "\"manifest_sha256\": \"" + kSha + "\", \"revision\": 0")), "revision"},
      {Catalog(Entry("monitor/v05/i077", "\"manifest_sha256\": \"" + kSha + "\", \"revision\": \"1\"")), "revision"},
      {Catalog(Entry("monitor/v05/i077", kListed + ", \"withdrawn\": {\"date\": \"2026-11-29\"}")), "withdrawn"},
      {Catalog(Entry("monitor/v05/i077", "\"withdrawn\": \"yes\"")), "withdrawn"},
      {Catalog(Entry("monitor/v05/i077", "\"withdrawn\": {\"date\": \"\\u001b[2J\"}")), "not a date"},
      {Catalog(Entry("monitor/v05/i077", "\"manifest\": \"monitor/v05/i078/manifest.json\", \"manifest_sha256\": \"" +
                                             kSha + "\", \"revision\": 1")), "'manifest'"},
      {Catalog(Entry("monitor/v05/i077", "\"files\": {\"md\": \"../monitor-v05-i077.md\"}, \"manifest_sha256\": \"" +
                                             kSha + "\", \"revision\": 1")), "not one of monitor/v05/i077's files"},
  };
  for (const auto& [text, why] : cases) {
    try {
      ParseCatalogSnapshot(text, "out/catalog.json");
      BOOST_ERROR("accepted: " << text);
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == "out/catalog.json", text);
      BOOST_TEST(Contains(e.diagnostic().message, why), text << ": " << e.diagnostic().message);
    }
  }
}

}  // namespace
}  // namespace imprint
