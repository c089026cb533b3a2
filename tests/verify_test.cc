// Signed editions end to end, with the real program and the stock minisign:
// every artifact and manifest verifies; one flipped bit anywhere fails and is
// named; other keys, rotation and revocation behave; no secret reaches the
// output.
#define BOOST_TEST_MODULE verify
#include "pipeline/edition/verify.h"

#include <sys/stat.h>

#include <cstdio>
#include <filesystem>

#include <boost/test/unit_test.hpp>

#include "pipeline/base/crypto.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/signing/minisign.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// Builds every good input with the keystore `keys` into `out`.
void BuildAll(const std::string& keys, const std::string& out) {
  const ProcessResult r = ImprintWithKeys(keys, {"build", "--out", out, SourceDir() + "/samples/archive",
                                                 TestDataDir() + "/good"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
}

std::vector<std::string> Editions(const std::string& out) {
  std::vector<std::string> editions;
  for (const std::string& f : FilesBelow(out)) {
    if (f.size() > 14 && f.substr(f.size() - 14) == "/manifest.json") editions.push_back(out + "/" + f.substr(0, f.size() - 14));
  }
  return editions;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Built {
  Built() { BuildAll(dir / "keys", dir / "out"); }
  TempDir dir;
};

BOOST_FIXTURE_TEST_CASE(stock_minisign_accepts_every_artifact_and_manifest, Built) {
  int checked = 0;
  for (const std::string& f : FilesBelow(dir / "out")) {
    if (f.rfind("keys/", 0) == 0 || f.rfind(".imprint/", 0) == 0 || f.substr(f.size() - 8) == ".minisig") {
      continue;
    }
    const ProcessResult r = Run("/usr/bin/minisign", {"-H", "-V", "-p", dir / "out/keys/imprint.pub", "-m", dir / ("out/" + f)});
    BOOST_TEST(r.exit_code == 0, f << ": " << r.err);
    BOOST_TEST(Contains(r.out, "Trusted comment: file:"), f);
    ++checked;
  }
  BOOST_TEST(checked == 7 * 4 + 2);  // and the catalog's two files
}

BOOST_FIXTURE_TEST_CASE(imprint_verify_accepts_every_edition, Built) {
  std::vector<std::string> args = {"verify", "--pubkey", dir / "out/keys/imprint.pub"};
  for (const std::string& e : Editions(dir / "out")) args.push_back(e);
  BOOST_REQUIRE_EQUAL(args.size(), 3u + 7u);
  const ProcessResult r = ImprintWithKeys(dir / "keys", args);
  BOOST_TEST(r.exit_code == 0, r.out);
  BOOST_TEST(!Contains(r.out, "FAILED"));
  // Without --pubkey, the keystore's keyring is trusted.
  BOOST_TEST(ImprintWithKeys(dir / "keys", {"verify", Editions(dir / "out")[0]}).exit_code == 0);
}

BOOST_FIXTURE_TEST_CASE(a_flipped_bit_anywhere_fails_and_names_the_file, Built) {
  int cases = 0;
  for (const std::string& edition : Editions(dir / "out")) {
    for (const std::string& name : FilesBelow(edition)) {
      if (name.substr(name.size() - 8) == ".minisig") continue;
      const std::string path = edition + "/" + name;
      const std::string original = ReadAll(path);
      for (const size_t at : {size_t{0}, original.size() / 2, original.size() - 1}) {
        std::string flipped = original;
        flipped[at] = static_cast<char>(flipped[at] ^ 0x01);
        WriteAll(path, flipped);
        for (const std::string& target : {edition, path}) {
          const ProcessResult r = ImprintWithKeys(dir / "keys", {"verify", "--pubkey", dir / "out/keys/imprint.pub", target});
          BOOST_TEST(r.exit_code == 1, path << " at " << at);
          BOOST_TEST(Contains(r.out, "FAILED  " + path), path << " at " << at << ":\n" << r.out);
        }
        ++cases;
      }
      WriteAll(path, original);
    }
  }
  BOOST_TEST(cases == 7 * 4 * 3);
}

BOOST_FIXTURE_TEST_CASE(changed_signatures_stray_files_and_swapped_names_fail, Built) {
  const std::string edition = Editions(dir / "out")[0];
  const auto names = FilesBelow(edition);
  const std::string md = edition + "/" + names[names.size() - 2];  // *.md
  BOOST_REQUIRE(md.substr(md.size() - 3) == ".md");
  const std::string sig = ReadAll(md + ".minisig");
  std::string bad = sig;
  bad[bad.size() - 10] = bad[bad.size() - 10] == 'A' ? 'B' : 'A';  // the global signature
  WriteAll(md + ".minisig", bad);
  ProcessResult r = ImprintWithKeys(dir / "keys", {"verify", edition});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "FAILED  " + md + ": trusted comment signature verification failed"), r.out);
  WriteAll(md + ".minisig", sig);

  WriteAll(edition + "/extra.html", "<p>not ours</p>");
  r = ImprintWithKeys(dir / "keys", {"verify", edition});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "FAILED  " + edition + "/extra.html: not listed in the manifest"), r.out);
  std::remove((edition + "/extra.html").c_str());

  // A genuine file and signature under another name.
  WriteAll(edition + "/copy.md", ReadAll(md));
  WriteAll(edition + "/copy.md.minisig", sig);
  r = ImprintWithKeys(dir / "keys", {"verify", "--pubkey", dir / "out/keys/imprint.pub", edition + "/copy.md"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "not listed in the manifest"), r.out);
  std::remove((edition + "/copy.md").c_str());
  std::remove((edition + "/copy.md.minisig").c_str());

  std::remove((md + ".minisig").c_str());
  r = ImprintWithKeys(dir / "keys", {"verify", edition});
  BOOST_TEST(Contains(r.out, "FAILED  " + md + ": no signature file"), r.out);
}

// A signed manifest that lists a file not named for its edition: verify says
// which names are, the formats as the writer table has them (the list was
// once spelled out again in verify.cc).
BOOST_FIXTURE_TEST_CASE(an_artifact_not_named_for_the_edition_is_refused_by_name, Built) {
  const std::string edition = dir / "out/monitor/v05/i077";
  std::string manifest = ReadAll(edition + "/manifest.json");
  const size_t at = manifest.find("\"monitor-v05-i077.md\"");
  BOOST_REQUIRE(at != std::string::npos);
  manifest.replace(at, 21, "\"monitor-v05-i077.mdx\"");
  const SigningKey key = Keystore(dir / "keys").LoadSigningKey();
  WriteAll(edition + "/manifest.json", manifest);
  WriteAll(edition + "/manifest.json.minisig",
           SignMinisign(key.signer, key.key.id, manifest, TrustedComment("manifest.json", "monitor/v05/i077", "x")));
  const ProcessResult r = ImprintWithKeys(dir / "keys", {"verify", edition});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "FAILED  " + edition + "/monitor-v05-i077.mdx: the file is not named for edition "
                             "monitor/v05/i077 (monitor-v05-i077.md, .html or .epub)"), r.out);
}

BOOST_FIXTURE_TEST_CASE(another_key_is_an_unknown_key, Built) {
  TempDir other;
  BuildAll(other / "keys", other / "out");
  const ProcessResult r = ImprintWithKeys(dir / "keys", {"verify", "--pubkey", dir / "out/keys/imprint.pub",
                                                         Editions(other / "out")[0]});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, ": unknown key "), r.out);
}

BOOST_AUTO_TEST_CASE(after_rotation_both_keys_verify_after_revocation_the_old_fails) {
  TempDir dir;
  BuildAll(dir / "keys", dir / "old");
  // The id as minisign prints it: no leading zeros, so not always 16 digits.
  const std::string old_id = ParsePublicKey(ReadAll(dir / "old/keys/imprint.pub"), "imprint.pub").IdText();
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "rotate"}).exit_code, 0);
  BuildAll(dir / "keys", dir / "new");
  std::vector<std::string> both = {"verify", "--pubkey", dir / "new/keys/keyring.json"};
  for (const std::string& e : Editions(dir / "old")) both.push_back(e);
  for (const std::string& e : Editions(dir / "new")) both.push_back(e);
  ProcessResult r = ImprintWithKeys(dir / "keys", both);
  BOOST_TEST(r.exit_code == 0, r.out);

  r = ImprintWithKeys(dir / "keys", {"keys", "revoke", old_id, "--reason", "key leaked"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"build", "--out", dir / "new", SourceDir() + "/samples/archive"}).exit_code, 0);
  r = ImprintWithKeys(dir / "keys", {"verify", "--pubkey", dir / "new/keys/keyring.json", Editions(dir / "old")[0]});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.out, "signed by revoked key " + old_id + " (key leaked)"), r.out);
  r = ImprintWithKeys(dir / "keys", {"verify", "--pubkey", dir / "new/keys/keyring.json", Editions(dir / "new")[0]});
  BOOST_TEST(r.exit_code == 0, r.out);
  // The keystore's own keyring knows of the revocation too.
  BOOST_TEST(ImprintWithKeys(dir / "keys", {"verify", Editions(dir / "old")[0]}).exit_code == 1);
}

BOOST_FIXTURE_TEST_CASE(no_secret_in_the_output, Built) {
  const auto files = FilesBelow(dir / "keys");
  std::string secret_file;
  for (const std::string& f : files) {
    if (f.size() > 4 && f.substr(f.size() - 4) == ".key") secret_file = dir / ("keys/" + f);
  }
  BOOST_REQUIRE(!secret_file.empty());
  struct stat st;
  BOOST_REQUIRE(stat(secret_file.c_str(), &st) == 0);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  const std::string line = ReadAll(secret_file).substr(ReadAll(secret_file).find('\n') + 1, 56);
  std::string raw;
  BOOST_REQUIRE(Base64Decode(line, &raw));
  const std::string seed = raw.substr(10, 32);
  const std::vector<std::string> needles = {seed, Base64Encode(seed), line, Hex(seed),
                                            Base64Encode(seed).substr(0, 40)};
  int searched = 0;
  for (const std::string& f : FilesBelow(dir / "out")) {
    const std::string bytes = ReadAll(dir / ("out/" + f));
    for (const std::string& n : needles) BOOST_TEST(!Contains(bytes, n), f);
    ++searched;
  }
  // 7 editions of 8 files; the catalog and its signatures, the keys, the
  // state and the search index.
  BOOST_TEST(searched == 7 * 8 + 8);
}

BOOST_AUTO_TEST_CASE(keystore_inside_the_output_is_refused) {
  TempDir dir;
  const ProcessResult r = ImprintWithKeys(dir / "out/keys-here", {"build", "--out", dir / "out", SourceDir() + "/samples/archive"});
  BOOST_TEST(r.exit_code == 1);
  BOOST_TEST(Contains(r.err, "inside the output folder"), r.err);
  BOOST_TEST(FilesBelow(dir.path()).empty());
}

BOOST_AUTO_TEST_CASE(keys_init_refuses_to_overwrite) {
  TempDir dir;
  BOOST_TEST(ImprintWithKeys(dir / "k", {"keys", "init"}).exit_code == 0);
  const ProcessResult again = ImprintWithKeys(dir / "k", {"keys", "init"});
  BOOST_TEST(again.exit_code == 1);
  BOOST_TEST(Contains(again.err, "refusing to overwrite"));
  const ProcessResult list = ImprintWithKeys(dir / "k", {"keys", "list"});
  BOOST_TEST(Contains(list.out, "  current"), list.out);
}

BOOST_AUTO_TEST_CASE(signatures_are_reproducible) {
  TempDir dir;
  BuildAll(dir / "keys", dir / "a");
  BuildAll(dir / "keys", dir / "b");
  for (const std::string& f : FilesBelow(dir / "a")) {
    BOOST_TEST(ReadAll(dir / ("a/" + f)) == ReadAll(dir / ("b/" + f)), f);
  }
}

// ---- issue 12, point 10: a folder is its edition's, by path and names -----

BOOST_FIXTURE_TEST_CASE(verify_ties_folder_to_edition, Built) {
  const std::string pub = dir / "out/keys/imprint.pub";
  const auto verify = [&](const std::string& target) {
    return ImprintWithKeys(dir / "keys", {"verify", "--pubkey", pub, target});
  };
  const std::string i145 = dir / "out/monitor/v03/i145";
  BOOST_REQUIRE_EQUAL(verify(i145).exit_code, 0);
  // Another edition's files, whole and signed, in this edition's folder.
  const std::string i077 = dir / "out/monitor/v05/i077";
  RemoveAll(i077);
  CopyTree(i145, i077);
  ProcessResult r = verify(i077);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + ": the manifest is edition monitor/v03/i145, but the folder is "
                             "monitor/v05/i077"), r.out);
  r = verify(i077 + "/monitor-v03-i145.epub");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "monitor/v05/i077"), r.out);
  // Under another publication, or with the numbers written otherwise.
  for (const std::string& elsewhere : {dir / "out/prism/v03/i145", dir / "out/monitor/v03/i0145",
                                       dir / "out/monitor/v3/i145"}) {
    std::filesystem::create_directories(elsewhere);
    CopyTree(i145, elsewhere);
    r = verify(elsewhere);
    BOOST_TEST(r.exit_code == 1, elsewhere << ": " << r.out);
    BOOST_TEST(Contains(r.out, "FAILED  " + elsewhere + ": the manifest is edition monitor/v03/i145"), r.out);
    RemoveAll(elsewhere);
  }
  // A link named for one edition leading to another's folder.
  RemoveAll(i077);
  std::filesystem::create_directory_symlink(i145, i077);
  r = verify(i077);
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "but the folder is monitor/v05/i077"), r.out);
  BOOST_TEST(verify(i077 + "/").exit_code == 1);
  std::filesystem::remove(i077);
  // A folder outside an output tree claims no edition by its path: it verifies
  // by its manifest and its files' names.
  std::filesystem::create_directories(dir / "loose/copy");
  CopyTree(i145, dir / "loose/copy");
  r = verify(dir / "loose/copy");
  BOOST_TEST(r.exit_code == 0, r.out);
  // But a file there under another edition's name is not this edition's.
  std::rename((dir / "loose/copy/monitor-v03-i145.md").c_str(), (dir / "loose/copy/monitor-v05-i077.md").c_str());
  r = verify(dir / "loose/copy");
  BOOST_TEST(r.exit_code == 1, r.out);
}

// Found attacking issue 12, point 10: verifying one file of a folder that
// claims an edition tied only an artifact beside a manifest to it. i145's
// manifest alone in i077's folder verified OK, and so did an i145 file with
// its signature there once the manifest was gone.
BOOST_FIXTURE_TEST_CASE(verify_ties_a_lone_manifest_or_file_to_its_folder, Built) {
  const std::string pub = dir / "out/keys/imprint.pub";
  const auto verify = [&](const std::string& target) {
    return ImprintWithKeys(dir / "keys", {"verify", "--pubkey", pub, target});
  };
  const std::string i145 = dir / "out/monitor/v03/i145", i077 = dir / "out/monitor/v05/i077";
  BOOST_REQUIRE_EQUAL(verify(i145 + "/manifest.json").exit_code, 0);
  BOOST_REQUIRE_EQUAL(verify(i077 + "/monitor-v05-i077.md").exit_code, 0);
  RemoveAll(i077);
  CopyTree(i145, i077);
  ProcessResult r = verify(i077 + "/manifest.json");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + "/manifest.json: the manifest is edition monitor/v03/i145, but the "
                             "folder is monitor/v05/i077"), r.out);
  BOOST_TEST(verify(i077 + "/manifest.json.minisig").exit_code == 1);
  // No manifest beside it: the file's name must still be the folder's edition's.
  std::filesystem::remove(i077 + "/manifest.json");
  std::filesystem::remove(i077 + "/manifest.json.minisig");
  r = verify(i077 + "/monitor-v03-i145.md");
  BOOST_TEST(r.exit_code == 1, r.out);
  BOOST_TEST(Contains(r.out, "FAILED  " + i077 + "/monitor-v03-i145.md: the file is not named for edition "
                             "monitor/v05/i077"), r.out);
  // Renamed for the folder, its signature names the other file.
  std::rename((i077 + "/monitor-v03-i145.md").c_str(), (i077 + "/monitor-v05-i077.md").c_str());
  std::rename((i077 + "/monitor-v03-i145.md.minisig").c_str(), (i077 + "/monitor-v05-i077.md.minisig").c_str());
  BOOST_TEST(verify(i077 + "/monitor-v05-i077.md").exit_code == 1);
  // Outside an output tree a lone file claims nothing by its folder.
  std::filesystem::create_directories(dir / "loose");
  CopyTree(i145, dir / "loose");
  std::filesystem::remove(dir / "loose/manifest.json");
  BOOST_TEST(verify(dir / "loose/monitor-v03-i145.md").exit_code == 0);
  BOOST_TEST(verify(i145 + "/manifest.json").exit_code == 0);
}

}  // namespace
}  // namespace imprint
