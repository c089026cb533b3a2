// The operator log: "imprint serve: LINE" on standard error, whole lines even
// from many threads at once (standard error redirected to a file here).
#define BOOST_TEST_MODULE serve_log
#include "pipeline/server/serve_log.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <sstream>
#include <thread>
#include <vector>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(lines_from_many_threads_do_not_interleave) {
  TempDir dir;
  const std::string file = dir / "stderr";
  const int saved = ::dup(2);
  const int fd = ::open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  BOOST_REQUIRE(saved >= 0 && fd >= 0);
  ::dup2(fd, 2);
  ::close(fd);
  const std::string long_text(2000, 'x');
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([t, &long_text] {
      for (int i = 0; i < 500; ++i) Log("thread " + std::to_string(t) + " " + long_text);
    });
  }
  for (std::thread& t : threads) t.join();
  ::dup2(saved, 2);
  ::close(saved);
  std::istringstream lines(ReadAll(file));
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) {
    const size_t digits = line.size() > 23 && line[23] == ' ' ? 1 : 2;  // "thread 7 " or "thread 12 "
    BOOST_REQUIRE_MESSAGE(line.rfind("imprint serve: thread ", 0) == 0 && line.size() == 22 + digits + 1 + 2000 &&
                              line.find_first_not_of('x', 22 + digits + 1) == std::string::npos,
                          "line " << n << " is mixed: " << line.substr(0, 60));
  }
  BOOST_TEST(n == 16 * 500);
}

}  // namespace
}  // namespace imprint
