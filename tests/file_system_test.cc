// Whole-file reads, atomic writes and finding inputs, on a real folder.
#define BOOST_TEST_MODULE file_system
#include "pipeline/base/file_system.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <poll.h>
#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <filesystem>
#include <cstdlib>
#include <thread>

#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
namespace fs = std::filesystem;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

ino_t Inode(const std::string& path) {
  struct stat st {};
  BOOST_REQUIRE(::stat(path.c_str(), &st) == 0);
  return st.st_ino;
}

// The error WriteFileAtomic(path) throws; fails the test when there is none.
Diagnostic WriteError(const std::string& path) {
  try {
    WriteFileAtomic(path, "new");
  } catch (const Error& e) {
    return e.diagnostic();
  }
  BOOST_ERROR("no error writing " << path);
  return {};
}

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

// Regression (issue 20): the temporary file was renamed over whatever the path
// named, so `--out /dev/null` run as root made /dev/null a regular file.
BOOST_AUTO_TEST_CASE(atomic_write_to_a_device_writes_in_place_and_keeps_the_device) {
  TempDir dir;
  if (MakeCharDevice(dir / "null", 1, 3)) {
    WriteFileAtomic(dir / "null", "a license");
    // On our own copy first: the system's /dev/null is tried only if it survived.
    BOOST_REQUIRE(FileKind(dir / "null") == 'c');
    BOOST_TEST(FilesBelow(dir.path()).empty());  // no temporary left beside it
  } else {
    BOOST_TEST_MESSAGE("not root: no device node of our own, trying /dev/null alone");
  }
  WriteFileAtomic("/dev/null", "a license");
  BOOST_TEST(FileKind("/dev/null") == 'c');
}

BOOST_AUTO_TEST_CASE(atomic_write_to_a_full_device_is_an_error_naming_it) {
  TempDir dir;
  if (!MakeCharDevice(dir / "full", 1, 7)) {
    BOOST_TEST_MESSAGE("not root: skipped");
    return;
  }
  const Diagnostic d = WriteError(dir / "full");
  BOOST_REQUIRE(FileKind(dir / "full") == 'c');
  BOOST_TEST(d.file == dir / "full");
  BOOST_TEST(Contains(d.message, "No space left"), d.message);
  BOOST_TEST(WriteError("/dev/full").file == "/dev/full");
  BOOST_TEST(FileKind("/dev/full") == 'c');
}

BOOST_AUTO_TEST_CASE(atomic_write_to_a_fifo_writes_to_its_reader) {
  TempDir dir;
  FifoReader reader(dir / "fifo");
  WriteFileAtomic(dir / "fifo", std::string("through\0the pipe", 16));
  BOOST_TEST(reader.Finish() == std::string("through\0the pipe", 16));
  BOOST_TEST(FileKind(dir / "fifo") == 'p');
}

BOOST_AUTO_TEST_CASE(atomic_write_to_a_socket_sends_to_its_listener) {
  TempDir dir;
  const std::string path = dir / "socket";
  SocketListener listener(path);
  BOOST_CHECK_NO_THROW(WriteFileAtomic(path, "to the socket"));
  const std::string got = listener.Finish();
  BOOST_TEST(got == "to the socket");
  BOOST_TEST(FileKind(path) == 's');
}

BOOST_AUTO_TEST_CASE(atomic_write_refuses_a_folder_or_a_link_to_one_naming_it) {
  TempDir dir;
  WriteAll(dir / "folder/inside.txt", "kept");
  fs::create_directory_symlink(dir / "folder", dir / "to-folder");
  for (const std::string& path : {dir / "folder", dir / "to-folder"}) {
    const Diagnostic d = WriteError(path);
    BOOST_TEST(d.file == path);
    BOOST_TEST(Contains(d.message, "is a folder"), d.message);
  }
  BOOST_TEST(FileKind(dir / "to-folder") == 'l');
  BOOST_TEST(FileKind(dir / "folder") == 'd');
  BOOST_TEST(ReadFile(dir / "folder/inside.txt") == "kept");
  BOOST_TEST(FileKind(dir / "folder/to-folder") == '-');
}

// A dangling link is refused: see file_system.h for why.
BOOST_AUTO_TEST_CASE(atomic_write_refuses_a_dangling_link_and_creates_nothing) {
  TempDir dir;
  fs::create_symlink(dir / "missing/target.license", dir / "absolute.license");
  fs::create_symlink("gone.license", dir / "relative.license");
  for (const auto& [link, target] : {std::pair{dir / "absolute.license", dir / "missing/target.license"},
                                     std::pair{dir / "relative.license", std::string("gone.license")}}) {
    const Diagnostic d = WriteError(link);
    BOOST_TEST(d.file == link);
    BOOST_TEST(Contains(d.message, "a link to " + target + ", which does not exist"), d.message);
    BOOST_TEST(FileKind(link) == 'l');
  }
  BOOST_TEST(FileKind(dir / "missing") == '-');
  BOOST_TEST(FileKind(dir / "gone.license") == '-');
  fs::create_symlink(dir / "loop", dir / "loop");  // a link to itself: refused too, not followed forever
  BOOST_TEST(Contains(WriteError(dir / "loop").message, "cannot follow the link"));
  BOOST_TEST(FileKind(dir / "loop") == 'l');
}

// Found attacking issue 20: /dev/fd/N and its kin are links to whatever the
// descriptor is open on; a regular file there was replaced by a rename,
// losing what an appending descriptor had written and cutting it off.
BOOST_AUTO_TEST_CASE(atomic_write_to_an_own_descriptors_name_writes_to_the_descriptor) {
  TempDir dir;
  WriteAll(dir / "log", "before\n");
  const int fd = ::open((dir / "log").c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  BOOST_REQUIRE(fd >= 0);
  struct stat before {}, after {};
  ::stat((dir / "log").c_str(), &before);
  fs::create_symlink("/dev/fd/" + std::to_string(fd), dir / "to-fd");
  for (const std::string& name : {"/dev/fd/" + std::to_string(fd), "/proc/self/fd/" + std::to_string(fd),
                                  "/proc/thread-self/fd/" + std::to_string(fd), dir / "to-fd"}) {
    BOOST_CHECK_NO_THROW(WriteFileAtomic(name, name + "\n"));
    BOOST_CHECK_NO_THROW(WriteFileDurably(name, "durably\n"));
  }
  ::stat((dir / "log").c_str(), &after);
  BOOST_TEST(before.st_ino == after.st_ino);
  BOOST_TEST(::fcntl(fd, F_GETFD) >= 0, "the descriptor was closed");
  ::close(fd);
  const std::string n = std::to_string(fd);
  BOOST_TEST(ReadFile(dir / "log") == "before\n/dev/fd/" + n + "\ndurably\n/proc/self/fd/" + n +
                                          "\ndurably\n/proc/thread-self/fd/" + n + "\ndurably\n" + dir / "to-fd" +
                                          "\ndurably\n");
  BOOST_TEST(FileKind(dir / "to-fd") == 'l');
  BOOST_TEST(FilesBelow(dir.path()) == std::vector<std::string>{"log"}, boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(atomic_write_through_a_link_replaces_its_target_and_keeps_the_link) {
  TempDir dir;
  WriteAll(dir / "real/ada.license", "old");
  fs::create_symlink("real/ada.license", dir / "ada.license");     // relative, as `ln -s` makes them
  fs::create_symlink(dir / "ada.license", dir / "chain.license");  // a link to that link
  const ino_t before = Inode(dir / "real/ada.license");
  WriteFileAtomic(dir / "ada.license", "new");
  BOOST_TEST(FileKind(dir / "ada.license") == 'l');
  BOOST_TEST(ReadFile(dir / "real/ada.license") == "new");
  BOOST_TEST(Inode(dir / "real/ada.license") != before);  // replaced by a rename, never half-written
  WriteFileAtomic(dir / "chain.license", "newer");
  BOOST_TEST(FileKind(dir / "chain.license") == 'l');
  BOOST_TEST(FileKind(dir / "ada.license") == 'l');
  BOOST_TEST(ReadFile(dir / "real/ada.license") == "newer");
  BOOST_TEST(FilesBelow(dir / "real") == std::vector<std::string>{"ada.license"},
             boost::test_tools::per_element());  // no temporary left
}

// A reader that leaves early: the write fails naming the FIFO, where SIGPIPE
// would have killed the program without a word.
BOOST_AUTO_TEST_CASE(atomic_write_to_a_fifo_whose_reader_leaves_is_an_error_not_a_death) {
  TempDir dir;
  const std::string fifo = dir / "fifo";
  BOOST_REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
  std::thread reader([&] {  // leaves once something came, or after 5 s
    const int fd = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    pollfd p{fd, POLLIN, 0};
    ::poll(&p, 1, 5000);
    ::close(fd);
  });
  // More than a pipe holds, so the write is still going when the reader leaves.
  try {
    WriteFileAtomic(fifo, std::string(4 << 20, 'x'));
    BOOST_ERROR("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == fifo);
    BOOST_TEST(Contains(e.diagnostic().message, "Broken pipe"), e.diagnostic().message);
  }
  reader.join();
  sigset_t pending;
  sigpending(&pending);
  BOOST_TEST(!sigismember(&pending, SIGPIPE));  // none left over for later
}

// A license is a bearer credential: replacing one its owner made private must
// not make it readable by everyone.
BOOST_AUTO_TEST_CASE(atomic_write_never_widens_the_replaced_files_permissions) {
  TempDir dir;
  const std::string path = dir / "ada.license";
  WriteAll(path, "old");
  ::chmod(path.c_str(), 0600);
  WriteFileAtomic(path, "new");
  struct stat st {};
  ::stat(path.c_str(), &st);
  BOOST_TEST((st.st_mode & 0777) == 0600u);
  BOOST_TEST(ReadFile(path) == "new");
  if (::geteuid() != 0) return;  // only root may give a file away
  ::chmod(path.c_str(), 0640);
  BOOST_REQUIRE(::chown(path.c_str(), 4321, 4321) == 0);
  WriteFileAtomic(path, "newer");
  ::stat(path.c_str(), &st);
  BOOST_TEST(st.st_uid == 4321u);
  BOOST_TEST(st.st_gid == 4321u);
  BOOST_TEST((st.st_mode & 0777) == 0640u);
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
  // A missing path is listed like a file: reading it is that input's error.
  const auto missing = FindInputs({dir / "missing"});
  BOOST_REQUIRE_EQUAL(missing.size(), 1u);
  BOOST_TEST(missing[0].path == dir / "missing");
  BOOST_CHECK_THROW(ReadRegularFile(dir / "missing"), Error);
}

// Odd entries in an input folder were skipped silently (a FIFO, a dangling
// link) or stopped the whole search (a link loop): each is now an input, and
// reading it is its own error. Links to folders are not entered.
BOOST_AUTO_TEST_CASE(find_inputs_lists_odd_entries_for_the_read_to_refuse) {
  TempDir dir;
  WriteAll(dir / "real/a.txt", "");
  BOOST_REQUIRE(mkfifo((dir / "real/fifo.txt").c_str(), 0600) == 0);
  fs::create_symlink("nowhere.txt", dir / "real/dangling.txt");
  fs::create_symlink("loop.txt", dir / "real/loop.txt");
  fs::create_symlink("a.txt", dir / "real/linked.txt");
  fs::create_symlink("..", dir / "real/up");  // a folder loop, never entered
  fs::create_symlink("..", dir / "real/up.txt");  // named like an input: listed, refused on reading
  std::vector<std::string> paths;
  for (const InputFile& f : FindInputs({dir / "real"})) {
    BOOST_TEST(f.error.empty());
    paths.push_back(f.path);
  }
  BOOST_TEST(paths == (std::vector<std::string>{dir / "real/a.txt", dir / "real/dangling.txt", dir / "real/fifo.txt",
                                                dir / "real/linked.txt", dir / "real/loop.txt", dir / "real/up.txt"}),
             boost::test_tools::per_element());
}

// An entry whose path is too long to examine (deeper than PATH_MAX) was
// skipped silently; it may be a folder of inputs: it is an input with its
// error now, and the search goes on.
BOOST_AUTO_TEST_CASE(a_folder_that_cannot_be_listed_is_an_input_with_its_error) {
  TempDir dir;
  WriteAll(dir / "top/a.txt", "");
  const std::string name(200, 'd');
  int fd = open((dir / "top").c_str(), O_RDONLY | O_DIRECTORY);
  std::string deep = dir / "top";
  while (deep.size() < 5000) {
    BOOST_REQUIRE(mkdirat(fd, name.c_str(), 0700) == 0);
    const int next = openat(fd, name.c_str(), O_RDONLY | O_DIRECTORY);
    close(fd);
    fd = next;
    deep += "/" + name;
  }
  close(fd);
  std::vector<InputFile> found;
  BOOST_CHECK_NO_THROW(found = FindInputs({dir / "top"}));
  BOOST_REQUIRE_GE(found.size(), 2u);
  BOOST_TEST(found[0].path == dir / "top/a.txt");
  BOOST_TEST(found.back().error == "cannot examine: File name too long");
  BOOST_TEST(found.back().path.size() > 4096u);
  BOOST_TEST(std::system(("rm -rf " + dir / "top").c_str()) == 0);  // std::filesystem cannot: the paths are too long
}

std::string ReadError(const std::string& path) {
  try {
    ReadRegularFile(path);
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == path);
    return e.diagnostic().message;
  }
  return "(read)";
}

BOOST_AUTO_TEST_CASE(read_regular_file_refuses_all_but_regular_files_without_blocking) {
  TempDir dir;
  WriteAll(dir / "a.txt", "text");
  BOOST_REQUIRE(mkfifo((dir / "fifo.txt").c_str(), 0600) == 0);
  fs::create_symlink("nowhere.txt", dir / "dangling.txt");
  fs::create_symlink("loop.txt", dir / "loop.txt");
  fs::create_symlink("a.txt", dir / "linked.txt");
  fs::create_directory(dir / "folder.txt");
  BOOST_TEST(ReadRegularFile(dir / "a.txt") == "text");
  BOOST_TEST(ReadRegularFile(dir / "linked.txt") == "text");  // a link to a regular file is followed
  BOOST_TEST(ReadError(dir / "fifo.txt") == "is a FIFO (named pipe), not a regular file; only regular files are read");
  BOOST_TEST(ReadError(dir / "folder.txt") == "is a folder, not a regular file; only regular files are read");
  BOOST_TEST(ReadError(dir / "dangling.txt") == "is a link to nowhere.txt, which does not exist; nothing to read");
  BOOST_TEST(ReadError(dir / "loop.txt") == "is a symbolic link loop (its links never reach a file); nothing to read");
  BOOST_TEST(ReadError(dir / "missing.txt") == "no such file or folder");
  BOOST_TEST(ReadError("/dev/null") == "is a character device, not a regular file; only regular files are read");
}

BOOST_AUTO_TEST_CASE(durable_writes_replace_atomically_and_temporaries_are_removable) {
  TempDir dir;
  WriteFileDurably(dir / "f", "one");
  WriteFileDurably(dir / "f", "two");
  BOOST_TEST(ReadFile(dir / "f") == "two");
  WriteAll(dir / ".imprint-tmp-99999-0-f", "left by a killed write");
  WriteAll(dir / "keep", "");
  RemoveTemporaries(dir.path());
  BOOST_TEST(FilesBelow(dir.path()) == (std::vector<std::string>{"f", "keep"}), boost::test_tools::per_element());
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

// The server's reads (catalog.json, the public key): inside the folder, as a
// regular file, bounded; never through a link out, never waiting on a FIFO.
BOOST_AUTO_TEST_CASE(reads_inside_a_folder_stay_inside_and_never_wait) {
  TempDir dir;
  const std::string root = std::filesystem::canonical(dir.path()).string() + "/out";
  WriteAll(root + "/catalog.json", "{}");
  WriteAll(dir / "secret.txt", "private");
  std::filesystem::create_symlink(dir / "secret.txt", root + "/leak.json");
  BOOST_REQUIRE_EQUAL(::mkfifo((root + "/fifo.json").c_str(), 0600), 0);
  WriteAll(root + "/big.json", std::string(2000, 'x'));
  BOOST_TEST(ReadInsideFolder(root, "catalog.json", 100).value_or("?") == "{}");
  BOOST_TEST(!ReadInsideFolder(root, "../secret.txt", 100).has_value());
  BOOST_TEST(!ReadInsideFolder(root, "leak.json", 100).has_value());
  BOOST_TEST(!ReadInsideFolder(root, "fifo.json", 100).has_value());
  BOOST_TEST(!ReadInsideFolder(root, "big.json", 1000).has_value());
  BOOST_TEST(!ReadInsideFolder(root, "missing.json", 100).has_value());
}

}  // namespace
}  // namespace imprint
