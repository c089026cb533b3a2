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

#include "pipeline/server/feed_catalog.h"
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
