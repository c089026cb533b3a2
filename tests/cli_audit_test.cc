// The audit log's commands as a user meets them: `imprint audit verify` on a
// large log and on checkpoint files of any kind, and `imprint trace` on
// hostile copies (their memory and what they may read).
#define BOOST_TEST_MODULE cli_audit
#include "pipeline/cli/cli.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <zlib.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <sstream>

#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license_store.h"
#include "pipeline/base/zip_writer.h"
#include "tests/support.h"

extern char** environ;

namespace imprint {
namespace {

using namespace testing;

// A bound on a child's peak memory. The sanitizer build's processes carry
// shadow memory and a quarantine of freed memory (256 MB) besides: there the
// bound only tells bounded from unbounded (the bugs below took gigabytes).
long MemoryBound(long normal) {
#ifdef IMPRINT_SANITIZED
  return 3 * normal + (768L << 20);
#else
  return normal;
#endif
}

// Regression: verify loaded the whole log (531 MB for 354,000 rows). It now
// pages through rows and checkpoints: memory stays flat whatever the size.
BOOST_AUTO_TEST_CASE(audit_verify_streams_300000_rows_in_bounded_memory) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "init", "--dev"}).exit_code, 0);
  const SigningKey key = Keystore(dir / "keys").LoadSigningKey();
  const std::string url = "sqlite:" + dir / "imprint.db";
  const auto started = std::chrono::steady_clock::now();
  {
    auto store = LicenseStore::Open(url);
    AuditRow row;
    row.at = 1764300000;
    row.license_id = "6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61";
    row.subscriber_id = "s-104";
    row.edition = "monitor/v05/i077";
    row.format = "epub";
    row.decision = AuditDecision::kPermit;
    row.reason = "permit";
    row.sha256 = std::string(64, 'a');
    for (int batch = 0; batch < 30; ++batch) {
      std::vector<AuditRow> rows(10000, row);
      store->AppendAudit(&rows);
    }
    const AuditHead head = store->Head();
    BOOST_REQUIRE_EQUAL(head.size, 300000);
    std::string raw;
    for (size_t i = 0; i < 64; i += 2) raw += static_cast<char>(std::stoi(head.hash.substr(i, 2), nullptr, 16));
    StoredCheckpoint c{0, 1764300000, head.size, SignCheckpoint({"test.example/audit", head.size, raw}, key.signer)};
    store->AddCheckpoint(&c);
  }
  const auto [exit_code, peak] = ExitAndPeakMemory(dir / "keys", {"audit", "verify", "--db", url});
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  BOOST_TEST_MESSAGE("audit verify of 300,000 rows: peak " << peak / (1024 * 1024) << " MB; test " << seconds << " s");
  BOOST_TEST(exit_code == 0);
  BOOST_TEST(peak < MemoryBound(64L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
}

// Regression: a trace inflated every entry named like one of the book's
// three licensee entries, each up to 16 MB, and kept them all: a 0.4 MB
// "EPUB" of 24 package documents of zeros took 400 MB (a 64 MB one, 64 GB).
// (Its zip is deflated a chunk at a time: a child's peak as measured counts
// this process's own, posix_spawn sharing its memory until the exec.)
BOOST_AUTO_TEST_CASE(trace_of_an_epub_bomb_of_repeated_licensee_entries_stays_in_bounded_memory) {
  TempDir dir;
  constexpr uint32_t kSize = 16 << 20;
  const std::string chunk(1 << 16, '\0');
  std::string deflated;
  uLong crc = crc32(0L, Z_NULL, 0);
  z_stream z{};
  BOOST_REQUIRE_EQUAL(deflateInit2(&z, 9, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
  for (uint32_t done = 0; done < kSize; done += chunk.size()) {
    crc = crc32(crc, reinterpret_cast<const Bytef*>(chunk.data()), static_cast<uInt>(chunk.size()));
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(chunk.data()));
    z.avail_in = static_cast<uInt>(chunk.size());
    char out[1 << 14];
    do {
      z.next_out = reinterpret_cast<Bytef*>(out);
      z.avail_out = sizeof out;
      deflate(&z, done + chunk.size() >= kSize ? Z_FINISH : Z_NO_FLUSH);
      deflated.append(out, sizeof out - z.avail_out);
    } while (z.avail_out == 0);
  }
  deflateEnd(&z);
  ZipWriter zip(2026, 11, 29);
  for (int i = 0; i < 24; ++i) zip.AddRaw("OEBPS/package.opf", 8, static_cast<uint32_t>(crc), kSize, deflated);
  WriteAll(dir / "bomb.epub", zip.Finish());
  const auto [exit_code, peak] = ExitAndPeakMemory(dir / "keys", {"trace", dir / "bomb.epub"});
  BOOST_TEST(exit_code == 1);  // names no license
  BOOST_TEST(peak < MemoryBound(128L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
}

// Regression: audit verify read a --checkpoint FILE whole, whatever its
// size (a checkpoint is a few hundred bytes, refused past 64 KB): a wrong
// 512 MB file took a gigabyte, and /dev/zero ran until memory ran out.
BOOST_AUTO_TEST_CASE(audit_verify_reads_no_more_of_a_checkpoint_file_than_a_checkpoint_can_be) {
  TempDir dir;
  BOOST_REQUIRE_EQUAL(ImprintWithKeys(dir / "keys", {"keys", "init", "--dev"}).exit_code, 0);
  const std::string big = dir / "big.txt";
  WriteAll(big, "");
  BOOST_REQUIRE_EQUAL(::truncate(big.c_str(), 512L << 20), 0);  // sparse: no disk used
  const auto [exit_code, peak] =
      ExitAndPeakMemory(dir / "keys", {"audit", "verify", "--db", "sqlite:" + dir / "imprint.db", "--checkpoint", big});
  BOOST_TEST(exit_code == 1);
  BOOST_TEST(peak < MemoryBound(64L << 20), "peak resident memory " << peak / (1024 * 1024) << " MB");
  const ProcessResult r = ImprintWithKeys(dir / "keys", {"audit", "verify", "--db", "sqlite:" + dir / "imprint.db",
                                                         "--checkpoint", big});
  BOOST_TEST(r.err.find(big + ": error: over 65536 bytes: not a checkpoint") != std::string::npos, r.err);
}

// Regression: trace read whatever it was given to its end: a copy.md that
// was a link to /dev/zero (or a FIFO no one writes) never finished, and took
// memory until there was none. A copy is a file; its format is its name's.
BOOST_AUTO_TEST_CASE(trace_refuses_a_device_or_fifo_instead_of_reading_it_forever) {
  TempDir dir;
  const std::string link = dir / "copy.md", fifo = dir / "copy.html";
  BOOST_REQUIRE_EQUAL(::symlink("/dev/zero", link.c_str()), 0);
  BOOST_REQUIRE_EQUAL(::mkfifo(fifo.c_str(), 0644), 0);
  for (const std::string& copy : {link, fifo}) {
    // Bounded, so that the old behaviour fails rather than hangs the suite
    // (in memory too, but for the sanitizer build, whose shadow memory needs
    // the address space).
#ifdef IMPRINT_SANITIZED
    const std::string bound = "exec timeout 10 \"$0\" trace \"$1\"";
#else
    const std::string bound = "ulimit -v 1000000; exec timeout 10 \"$0\" trace \"$1\"";
#endif
    const ProcessResult r = Run("/bin/sh", {"-c", bound, ImprintBin(), copy});
    BOOST_TEST(r.exit_code == 1, copy << ": " << r.exit_code << " " << r.err);
    BOOST_TEST(r.err.find(copy + ": error: not a regular file") != std::string::npos, r.err);
  }
}

}  // namespace
}  // namespace imprint
