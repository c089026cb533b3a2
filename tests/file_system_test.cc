// Whole-file reads, atomic writes and finding inputs, on a real folder.
#define BOOST_TEST_MODULE file_system
#include "pipeline/file_system.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(atomic_write_creates_folders_replaces_and_leaves_nothing_else) {
  TempDir dir;
  const std::string path = dir / "a/b/c.txt";
  WriteFileAtomic(path, "first");
  WriteFileAtomic(path, std::string("second\0with nul", 15));
  BOOST_TEST(ReadFile(path) == std::string("second\0with nul", 15));
  BOOST_TEST(FilesBelow(dir.path()) == std::vector<std::string>{"a/b/c.txt"},
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(failed_write_is_an_error_and_leaves_no_temporary) {
  TempDir dir;
  WriteFileAtomic(dir / "x.txt", "old");
  WriteAll(dir / "folder/inside.txt", "kept");
  BOOST_CHECK_THROW(WriteFileAtomic(dir / "x.txt/y", "new"), Error);  // parent is a file
  BOOST_CHECK_THROW(WriteFileAtomic(dir / "folder", "new"), Error);   // target is a folder
  BOOST_TEST(ReadFile(dir / "x.txt") == "old");
  BOOST_TEST(FilesBelow(dir.path()) == (std::vector<std::string>{"folder/inside.txt", "x.txt"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(find_inputs_searches_folders_for_txt_sorted_and_unique) {
  TempDir dir;
  WriteAll(dir / "b.txt", "");
  WriteAll(dir / "sub/a.txt", "");
  WriteAll(dir / "sub/deeper/c.txt", "");
  WriteAll(dir / "sub/notes.md", "");
  const auto found = FindInputs({dir.path(), dir / "b.txt", dir / "sub/notes.md"});
  std::vector<std::string> paths, keys;
  for (const InputFile& f : found) paths.push_back(f.path), keys.push_back(f.key);
  BOOST_TEST(paths == (std::vector<std::string>{dir / "b.txt", dir / "sub/a.txt",
                                                dir / "sub/deeper/c.txt", dir / "sub/notes.md"}),
             boost::test_tools::per_element());
  // Keys do not depend on where the archive is checked out.
  BOOST_TEST(keys == (std::vector<std::string>{"b.txt", "sub/a.txt", "sub/deeper/c.txt", "notes.md"}),
             boost::test_tools::per_element());
  BOOST_CHECK_THROW(FindInputs({dir / "missing"}), Error);
}

BOOST_AUTO_TEST_CASE(replace_directory_swaps_whole_folders) {
  TempDir dir;
  WriteAll(dir / "staged1/a", "new a");
  WriteAll(dir / "staged1/b", "new b");
  ReplaceDirectory(dir / "staged1", dir / "out/x/y");  // a first edition: a rename
  BOOST_TEST(ReadFile(dir / "out/x/y/a") == "new a");
  WriteAll(dir / "staged2/a", "newer a");
  ReplaceDirectory(dir / "staged2", dir / "out/x/y");  // a rebuild: an exchange
  BOOST_TEST(FilesBelow(dir.path()) == (std::vector<std::string>{"out/x/y/a"}),
             boost::test_tools::per_element());
  BOOST_TEST(ReadFile(dir / "out/x/y/a") == "newer a");
  WriteNewFile(dir / "n", "1");
  BOOST_CHECK_THROW(WriteNewFile(dir / "n", "2"), Error);  // must be new
}

BOOST_AUTO_TEST_CASE(read_errors_name_the_file) {
  try {
    ReadFile("/nonexistent/file.txt");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == "/nonexistent/file.txt");
  }
}

}  // namespace
}  // namespace imprint
