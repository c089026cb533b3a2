// The artifact verifier against editions built by the real program, on the
// real file system, with real keystores: a genuine artifact is read once and
// then served from the cache; every way of changing the output folder that an
// attacker with write access has (issue 12: a script inserted into an HTML
// edition, with or without its mtime put back, a re-signed or borrowed
// manifest, another edition's build, a symlink out, a FIFO) is refused; a
// rebuild and a key revocation are seen.
#define BOOST_TEST_MODULE artifact_verifier
#include "pipeline/server/artifact_verifier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/edition/verify.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Code = ArtifactVerifier::Result::Code;

const EditionRef kEdition{"monitor", 5, 77};
const char kHtml[] = "monitor-v05-i077.html";

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The sample archive built into DIR/out with the keystore DIR/keys, then aged
// past the verifier's racy window so that what it verifies it caches.
struct Built {
  Built() {
    Build({});
    std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  }
  void Build(std::vector<std::string> extra) {
    std::vector<std::string> args = {"build", "--out", dir / "out"};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(SourceDir() + "/samples/archive");
    const ProcessResult r = ImprintWithKeys(dir / "keys", args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  std::string Edition(const std::string& path) const { return dir / ("out/" + path); }
  std::string Html() const { return Edition("monitor/v05/i077/") + kHtml; }
  TrustedKeys Trusted() const { return Keystore(dir / "keys").Trusted(); }
  ArtifactVerifier::Result Read(const std::string& name = kHtml, uint64_t generation = 1) {
    return verifier.Read(kEdition, name, Trusted(), generation);
  }

  static std::string MakeOut(const TempDir& dir) {
    BOOST_REQUIRE(mkdir((dir / "out").c_str(), 0700) == 0);
    return dir / "out";
  }

  TempDir dir;
  ArtifactVerifier verifier{MakeOut(dir)};
};

// The page with a script inserted after <body>; as long as the original when
// `same_size` (the script replaces as many bytes of the page's end).
std::string WithScript(const std::string& html, bool same_size) {
  std::string tampered = html;
  const std::string script = "<script>alert(document.cookie)</script>";
  tampered.insert(tampered.find("<body>") + 6, script);
  if (same_size) tampered.resize(html.size());
  return tampered;
}

// Overwrites a file in place (the same inode), as `cat >` would.
void Overwrite(const std::string& path, const std::string& bytes) {
  FILE* f = std::fopen(path.c_str(), "r+");
  BOOST_REQUIRE(f != nullptr);
  BOOST_REQUIRE(std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size());
  BOOST_REQUIRE(ftruncate(fileno(f), static_cast<off_t>(bytes.size())) == 0);
  std::fclose(f);
}

void ExpectUnverified(const ArtifactVerifier::Result& r, const std::string& why) {
  BOOST_TEST(!r.ok());
  BOOST_TEST((r.code == Code::kUnverified), r.detail);
  BOOST_TEST(r.bytes == nullptr);
  BOOST_TEST(Contains(r.detail, why), r.detail);
}

BOOST_FIXTURE_TEST_CASE(a_genuine_file_is_verified_once_then_cached_and_reverified_after_a_rebuild, Built) {
  ArtifactVerifier::Result r = Read();
  BOOST_REQUIRE_MESSAGE(r.ok(), r.detail);
  BOOST_TEST(*r.bytes == ReadAll(Html()));
  BOOST_TEST(r.sha256 == Sha256Hex(*r.bytes));
  BOOST_TEST(verifier.verifications() == 1u);
  for (int i = 0; i < 5; ++i) BOOST_TEST(Read().bytes == r.bytes);  // the very same bytes
  BOOST_TEST(verifier.verifications() == 1u);
  // Another format of the edition is its own entry.
  BOOST_TEST(Read("monitor-v05-i077.epub").ok());
  BOOST_TEST(verifier.verifications() == 2u);

  struct stat before, after;
  BOOST_REQUIRE(stat(Html().c_str(), &before) == 0);
  Build({"--force"});  // every edition renamed into place anew
  BOOST_REQUIRE(stat(Html().c_str(), &after) == 0);
  BOOST_REQUIRE(before.st_ino != after.st_ino);
  r = Read();
  BOOST_TEST(r.ok(), r.detail);
  BOOST_TEST(Read().ok());  // files changed within the last second are not cached
  BOOST_TEST(verifier.verifications() == 4u);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  BOOST_TEST(Read().ok());
  BOOST_TEST(Read().ok());
  BOOST_TEST(verifier.verifications() == 5u);
}

BOOST_FIXTURE_TEST_CASE(tampered_html_with_an_inserted_script_is_refused, Built) {
  const std::string html = ReadAll(Html());
  BOOST_REQUIRE(Read().ok());  // cached before the attack
  Overwrite(Html(), WithScript(html, false));
  ExpectUnverified(Read(), "differs from the manifest's");
  Overwrite(Html(), WithScript(html, true));
  ExpectUnverified(Read(), "SHA-256 differs from the manifest's");
  ExpectUnverified(Read(), "SHA-256 differs");  // and stays refused
  Overwrite(Html(), html);
  BOOST_TEST(Read().ok());
}

BOOST_FIXTURE_TEST_CASE(tampered_html_with_its_mtime_restored_is_refused, Built) {
  const std::string html = ReadAll(Html());
  BOOST_REQUIRE(Read().ok());
  struct stat before;
  BOOST_REQUIRE(stat(Html().c_str(), &before) == 0);
  Overwrite(Html(), WithScript(html, true));
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  BOOST_REQUIRE(utimensat(AT_FDCWD, Html().c_str(), times, 0) == 0);
  struct stat after;
  BOOST_REQUIRE(stat(Html().c_str(), &after) == 0);
  BOOST_REQUIRE(after.st_ino == before.st_ino);
  BOOST_REQUIRE(after.st_size == before.st_size);
  BOOST_REQUIRE(after.st_mtim.tv_sec == before.st_mtim.tv_sec);
  BOOST_REQUIRE(after.st_mtim.tv_nsec == before.st_mtim.tv_nsec);
  ExpectUnverified(Read(), "SHA-256 differs from the manifest's");
}

BOOST_FIXTURE_TEST_CASE(a_manifest_edited_and_resigned_by_an_attackers_key_is_refused, Built) {
  const std::string manifest_path = Edition("monitor/v05/i077/manifest.json");
  const std::string manifest = ReadAll(manifest_path);
  BOOST_REQUIRE(Read().ok());
  const std::string html = ReadAll(Html());
  const std::string tampered = WithScript(html, false);
  Overwrite(Html(), tampered);
  // The manifest lists the tampered page...
  std::string edited = manifest;
  const ManifestArtifact genuine = DescribeArtifact(kHtml, html);
  const ManifestArtifact forged = DescribeArtifact(kHtml, tampered);
  edited.replace(edited.find(genuine.sha256), genuine.sha256.size(), forged.sha256);
  const std::string old_size = "\"size\":" + std::to_string(genuine.size);
  edited.replace(edited.find(old_size, edited.find(forged.sha256)), old_size.size(),
                 "\"size\":" + std::to_string(forged.size));
  WriteAll(manifest_path, edited);
  // ...under the genuine signature,
  ExpectUnverified(Read(), "manifest.json: ");
  // and re-signed with the attacker's own key, as the build would.
  Keystore attacker(dir / "attacker");
  attacker.Init(false);
  const SigningKey key = attacker.LoadSigningKey();
  WriteAll(manifest_path + ".minisig",
           SignMinisign(key.signer, key.key.id, edited, TrustedComment("manifest.json", "monitor/v05/i077", "0")));
  ExpectUnverified(Read(), "unknown key");
  // The attacker's manifest is otherwise good: trusting the attacker's key
  // (which nobody does) would pass it.
  BOOST_TEST(verifier.Read(kEdition, kHtml, attacker.Trusted(), 7).ok());
}

BOOST_FIXTURE_TEST_CASE(the_manifest_of_another_edition_copied_in_is_refused, Built) {
  BOOST_REQUIRE(Read().ok());
  for (const std::string name : {"manifest.json", "manifest.json.minisig"}) {
    WriteAll(Edition("monitor/v05/i077/") + name, ReadAll(Edition("monitor/v03/i145/") + name));
  }
  ExpectUnverified(Read(), "is the manifest of edition 'monitor/v03/i145'");
}

BOOST_FIXTURE_TEST_CASE(a_file_swapped_for_another_editions_older_signed_build_is_refused, Built) {
  // Kept from the first build, then the archive rebuilt.
  TempDir old;
  CopyTree(Edition("monitor/v03/i145"), old.path());
  Build({"--force"});
  BOOST_REQUIRE(Read().ok());
  // Another edition's genuine, signed page under this edition's name.
  WriteAll(Html(), ReadAll(old / "monitor-v03-i145.html"));
  ExpectUnverified(Read(), "differs from the manifest's");
  // With its manifest and signature too, the whole set genuine.
  WriteAll(Edition("monitor/v05/i077/manifest.json"), ReadAll(old / "manifest.json"));
  WriteAll(Edition("monitor/v05/i077/manifest.json.minisig"), ReadAll(old / "manifest.json.minisig"));
  ExpectUnverified(Read(), "is the manifest of edition 'monitor/v03/i145'");
}

BOOST_FIXTURE_TEST_CASE(a_symlink_out_of_the_output_folder_is_refused, Built) {
  BOOST_REQUIRE(Read().ok());
  // The genuine edition, moved out and linked back: every byte of it good,
  // but read from outside the output folder.
  const std::string outside = dir / "outside";
  CopyTree(Edition("monitor/v05/i077"), outside);
  RemoveAll(Edition("monitor/v05/i077"));
  BOOST_REQUIRE(symlink(outside.c_str(), Edition("monitor/v05/i077").c_str()) == 0);
  ExpectUnverified(Read(), "leads outside the output folder");
  // The same for one file, and for the manifest alone.
  RemoveAll(Edition("monitor/v05/i077"));
  CopyTree(outside, Edition("monitor/v05/i077"));
  BOOST_REQUIRE(Read().ok());
  std::remove(Html().c_str());
  BOOST_REQUIRE(symlink((outside + "/" + kHtml).c_str(), Html().c_str()) == 0);
  ExpectUnverified(Read(), "leads outside the output folder");
  std::remove(Html().c_str());
  WriteAll(Html(), ReadAll(outside + "/" + kHtml));
  BOOST_REQUIRE(Read().ok());
  const std::string manifest = Edition("monitor/v05/i077/manifest.json");
  std::remove(manifest.c_str());
  BOOST_REQUIRE(symlink((outside + "/manifest.json").c_str(), manifest.c_str()) == 0);
  ExpectUnverified(Read(), "manifest.json: leads outside the output folder");
  // A symlink that stays inside is followed, as the server's other reads do.
  std::remove(manifest.c_str());
  WriteAll(dir / "out/elsewhere.json", ReadAll(outside + "/manifest.json"));
  BOOST_REQUIRE(symlink("../../../elsewhere.json", manifest.c_str()) == 0);
  BOOST_TEST(Read().ok(), Read().detail);
}

BOOST_FIXTURE_TEST_CASE(a_revoked_keys_manifest_is_refused_once_the_generation_moves, Built) {
  const TrustedKeys before = Trusted();
  BOOST_REQUIRE(verifier.Read(kEdition, kHtml, before, 1).ok());
  const std::string old_id = before.entries.at(0).key.IdText();
  ProcessResult r = ImprintWithKeys(dir / "keys", {"keys", "rotate"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  r = ImprintWithKeys(dir / "keys", {"keys", "revoke", old_id, "--reason", "leaked"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const TrustedKeys after = Trusted();
  // The generation is the caller's word for the keys: unchanged, the cache
  // still answers (no file changed).
  BOOST_TEST(verifier.Read(kEdition, kHtml, after, 1).ok());
  BOOST_TEST(verifier.verifications() == 1u);
  ExpectUnverified(verifier.Read(kEdition, kHtml, after, 2), "signed by revoked key " + old_id + " (leaked)");
  ExpectUnverified(verifier.Read(kEdition, kHtml, after, 2), "revoked");
  // Rebuilt with the new key, the edition verifies again.
  Build({"--force"});
  BOOST_TEST(verifier.Read(kEdition, kHtml, after, 2).ok());
}

BOOST_FIXTURE_TEST_CASE(missing_files_are_not_found_and_unlisted_or_unsigned_ones_unverified, Built) {
  const TrustedKeys trusted = Trusted();
  BOOST_TEST((Read("monitor-v05-i077.pdf").code == Code::kNotFound));
  BOOST_TEST((verifier.Read({"monitor", 5, 78}, kHtml, trusted, 1).code == Code::kNotFound));
  for (const std::string& bad : std::vector<std::string>{"", ".", "..", "../i077/monitor-v05-i077.html", "a/b", std::string("x\0y", 3)}) {
    BOOST_TEST((Read(bad).code == Code::kNotFound), bad);
  }
  // Genuine files the manifest does not list as artifacts.
  ExpectUnverified(Read("monitor-v05-i077.html.minisig"), "not listed in the manifest");
  ExpectUnverified(Read("manifest.json"), "not listed in the manifest");
  WriteAll(Edition("monitor/v05/i077/extra.html"), "<p>not ours</p>");
  ExpectUnverified(Read("extra.html"), "not listed in the manifest");
  std::remove(Edition("monitor/v05/i077/manifest.json.minisig").c_str());
  ExpectUnverified(Read(), "manifest.json.minisig: no such file");
  std::remove(Edition("monitor/v05/i077/manifest.json").c_str());
  ExpectUnverified(Read(), "manifest.json: no such file");
}

BOOST_FIXTURE_TEST_CASE(a_fifo_in_place_of_a_file_is_refused_without_blocking, Built) {
  std::remove(Html().c_str());
  BOOST_REQUIRE(mkfifo(Html().c_str(), 0600) == 0);
  ExpectUnverified(Read(), "not a regular file");
}

BOOST_FIXTURE_TEST_CASE(the_cache_is_bounded, Built) {
  ArtifactVerifier small(dir / "out", {/*max_bytes=*/1 << 20, /*max_entries=*/1});
  const TrustedKeys trusted = Trusted();
  for (const char* name : {kHtml, "monitor-v05-i077.md", kHtml}) BOOST_TEST(small.Read(kEdition, name, trusted, 1).ok());
  BOOST_TEST(small.verifications() == 3u);
  BOOST_TEST(small.Read(kEdition, kHtml, trusted, 1).ok());
  BOOST_TEST(small.verifications() == 3u);
  // An artifact larger than the whole cache is verified every time.
  ArtifactVerifier tiny(dir / "out", {/*max_bytes=*/1000, /*max_entries=*/16});
  BOOST_TEST(tiny.Read(kEdition, kHtml, trusted, 1).ok());
  BOOST_TEST(tiny.Read(kEdition, kHtml, trusted, 1).ok());
  BOOST_TEST(tiny.verifications() == 2u);
}

BOOST_FIXTURE_TEST_CASE(many_threads_read_at_once, Built) {
  const TrustedKeys trusted = Trusted();
  const std::string html = ReadAll(Html());
  std::vector<std::thread> threads;
  std::atomic<int> good{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        const auto r = verifier.Read(kEdition, i % 2 ? kHtml : "monitor-v05-i077.md", trusted, 1);
        if (r.ok() && (i % 2 == 0 || *r.bytes == html)) ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_TEST(good.load() == 400);
  BOOST_TEST(verifier.verifications() <= 16u);
}

// Issue 15: the server answers an edition under embargo as a missing one,
// from the embargo its signed manifest carries, whether or not the file
// itself checks out; a manifest that does not verify gives no embargo.
BOOST_AUTO_TEST_CASE(the_signed_manifests_embargo_comes_with_every_verdict) {
  TempDir dir;
  std::string raw = ReadAll(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  raw.replace(0, raw.find('\n'), "Publication: Monitor Volume: 5 Issue: 90\nEmbargo: 2099-01-01T00:00:00+01:00");
  WriteAll(dir / "in/monitor-v05-i090.txt", raw);
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"build", "--out", dir / "out", dir / "in"}).exit_code, 0);
  ArtifactVerifier verifier(dir / "out");
  const TrustedKeys trusted = Keystore(dir / "keys").Trusted();
  const EditionRef edition{"monitor", 5, 90};
  const auto read = [&](const std::string& name) { return verifier.Read(edition, name, trusted, 1); };
  BOOST_TEST(read("monitor-v05-i090.md").ok());
  BOOST_TEST(read("monitor-v05-i090.md").embargo == "2098-12-31T23:00:00Z");
  WriteAll(dir / "out/monitor/v05/i090/monitor-v05-i090.html", "<p>changed</p>");
  BOOST_TEST((read("monitor-v05-i090.html").code == Code::kUnverified));
  BOOST_TEST(read("monitor-v05-i090.html").embargo == "2098-12-31T23:00:00Z");
  BOOST_TEST((read("monitor-v05-i090.epub.none").code == Code::kNotFound));
  std::string manifest = ReadAll(dir / "out/monitor/v05/i090/manifest.json");
  manifest.replace(manifest.find("2098-12-31T23:00:00Z"), 20, "1999-12-31T23:00:00Z");
  WriteAll(dir / "out/monitor/v05/i090/manifest.json", manifest);
  BOOST_TEST((read("monitor-v05-i090.md").code == Code::kUnverified));
  BOOST_TEST(read("monitor-v05-i090.md").embargo == "");
}

BOOST_AUTO_TEST_CASE(a_missing_output_folder_is_an_error) {
  TempDir dir;
  BOOST_CHECK_THROW(ArtifactVerifier(dir / "none"), Error);
}

}  // namespace
}  // namespace imprint
