// File stamps (file_stamp.h): what changes them, and when one is settled.
#define BOOST_TEST_MODULE file_stamp
#include "pipeline/base/file_stamp.h"

#include <fcntl.h>
#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <thread>

#include "tests/support.h"

namespace imprint {
namespace {

using testing::TempDir;
using testing::WriteAll;

BOOST_AUTO_TEST_CASE(a_missing_file_has_no_stamp) {
  TempDir dir;
  BOOST_TEST(!StampPath(dir / "none").has_value());
}

BOOST_AUTO_TEST_CASE(a_rewrite_with_its_modification_time_put_back_changes_the_stamp) {
  TempDir dir;
  const std::string path = dir / "f";
  WriteAll(path, "abc");
  const FileStamp first = *StampPath(path);
  BOOST_TEST((first == *StampPath(path)));
  BOOST_TEST(first.ToString() == StampPath(path)->ToString());
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  WriteAll(path, "xyz");
  const struct timespec times[2] = {{first.mtime_sec, first.mtime_nsec}, {first.mtime_sec, first.mtime_nsec}};
  BOOST_REQUIRE_EQUAL(::utimensat(AT_FDCWD, path.c_str(), times, 0), 0);
  const FileStamp second = *StampPath(path);
  BOOST_TEST((second.ino == first.ino && second.size == first.size && second.mtime_nsec == first.mtime_nsec));
  BOOST_TEST((second != first));  // the change time moved
  BOOST_TEST(second.ToString() != first.ToString());
}

BOOST_AUTO_TEST_CASE(a_file_just_changed_is_not_settled) {
  TempDir dir;
  WriteAll(dir / "f", "abc");
  const FileStamp s = *StampPath(dir / "f");
  BOOST_TEST(!s.Settled(2));
  BOOST_TEST(s.Settled(0));
  FileStamp old = s;
  old.ctime_sec -= 3;
  BOOST_TEST(old.Settled(2));
}

}  // namespace
}  // namespace imprint
