// The server's look at catalog.json (signed_catalog.h), shared by the
// withdrawn list and the feeds: re-read only when the files change, believed
// only when signed by a trusted key, and never waiting on a FIFO.
#define BOOST_TEST_MODULE signed_catalog
#include "pipeline/server/signed_catalog.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <thread>

#include "pipeline/server/feed_catalog.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/server/withdrawn_list.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(a_signed_catalog_is_read_once_per_change_and_an_unsigned_one_never) {
  TempDir dir;
  const ProcessResult built = ImprintWithKeys(dir / "keys", {"build", "--out", dir / "out", SourceDir() + "/samples/archive"});
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.err);
  const TrustedKeys trusted = LoadTrustedKeys({dir / "out/keys/keyring.json"});
  SignedCatalogWatch watch(dir / "out", "test");
  const auto first = watch.Changed(trusted, 1);
  BOOST_REQUIRE(first.has_value());
  BOOST_TEST(first->size() == 4u);
  BOOST_TEST(!watch.Changed(trusted, 1).has_value());  // nothing changed
  BOOST_TEST(watch.Changed(trusted, 2).has_value());   // the keys did
  WriteAll(dir / "out/catalog.json", ReadAll(dir / "out/catalog.json") + " ");
  BOOST_TEST(!watch.Changed(trusted, 2).has_value());  // changed, but no longer as signed
  BOOST_TEST(!SignedCatalogWatch(dir / "out", "test").Changed(TrustedKeys{}, 1).has_value());
}

// Regression: the watch knew a file by (device, inode, size, modification
// time), so a signature rewritten in place with the same size and its
// modification time put back (touch -d) went unseen for as long as the
// server ran. The change time gives it away, and a file changed within the
// last two seconds is read again (at most every 100 ms) rather than trusted;
// reading the same bytes again is no change.
BOOST_AUTO_TEST_CASE(a_signature_rewritten_in_place_with_its_time_put_back_is_seen) {
  TempDir dir;
  const ProcessResult built = ImprintWithKeys(dir / "keys", {"build", "--out", dir / "out", SourceDir() + "/samples/archive"});
  BOOST_REQUIRE_MESSAGE(built.exit_code == 0, built.err);
  const Keystore keys(dir / "keys");
  const SigningKey key = keys.LoadSigningKey();
  const TrustedKeys trusted = keys.Trusted();
  const std::string catalog = ReadAll(dir / "out/catalog.json");
  const std::string signature = dir / "out/catalog.json.minisig";
  auto sign = [&](const char* comment) { return SignMinisign(key.signer, key.key.id, catalog, comment); };
  BOOST_REQUIRE_EQUAL(sign("file:catalog.json\tv:1").size(), sign("file:catalog.json\tv:2").size());
  WriteAll(signature, sign("file:catalog.json\tv:1"));
  SignedCatalogWatch watch(dir / "out", "test");
  BOOST_REQUIRE(watch.Changed(trusted, 1).has_value());
  std::this_thread::sleep_for(std::chrono::milliseconds(150));
  BOOST_TEST(!watch.Changed(trusted, 1).has_value());  // read again (not settled), but the same
  struct stat before;
  BOOST_REQUIRE_EQUAL(::stat(signature.c_str(), &before), 0);
  WriteAll(signature, sign("file:catalog.json\tv:2"));  // in place: same inode, same size
  const struct timespec times[2] = {before.st_atim, before.st_mtim};
  BOOST_REQUIRE_EQUAL(::utimensat(AT_FDCWD, signature.c_str(), times, 0), 0);
  struct stat after;
  BOOST_REQUIRE_EQUAL(::stat(signature.c_str(), &after), 0);
  BOOST_REQUIRE(after.st_ino == before.st_ino && after.st_size == before.st_size);
  BOOST_TEST(watch.Changed(trusted, 1).has_value());
}

// Regression: a FIFO put in place of catalog.json (or its signature) blocked
// the server's first edition request in open() for ever, on an I/O thread
// and under the withdrawn list's lock, and the feeds' first request likewise
// (they read it with ReadFileAtMost, which waits for a FIFO's writer).
BOOST_AUTO_TEST_CASE(a_fifo_in_place_of_the_catalog_blocks_no_request) {
  for (const std::string name : {"catalog.json", "catalog.json.minisig"}) {
    TempDir dir;
    WriteAll(dir / "catalog.json", "{\"editions\": []}\n");
    WriteAll(dir / "catalog.json.minisig", "none\n");
    std::filesystem::remove(dir / name);
    BOOST_REQUIRE_EQUAL(::mkfifo((dir / name).c_str(), 0644), 0);
    WithdrawnList list(dir.path());
    FeedCatalog feeds(dir.path());
    const std::function<bool()> looks[] = {
        [&] { return list.Find("monitor/v05/i077", TrustedKeys{}, 1).has_value(); },
        [&] { return !feeds.Current(TrustedKeys{}, 1)->recent.empty(); }};
    for (const auto& look : looks) {
      auto found = std::async(std::launch::async, look);
      const bool answered = found.wait_for(std::chrono::seconds(5)) == std::future_status::ready;
      BOOST_TEST(answered, name);
      if (!answered) {  // let the blocked open() return, so the test ends
        const int fd = ::open((dir / name).c_str(), O_WRONLY | O_NONBLOCK);
        if (fd >= 0) ::close(fd);
      }
      BOOST_TEST(!found.get());
    }
  }
}

}  // namespace
}  // namespace imprint
