#include "pipeline/base/file_system.h"

#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipeline/base/error.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

constexpr char kTemporaryMarker[] = ".imprint-tmp-";

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes` to `fd`; false (errno set) on failure.
bool WriteAllOf(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

// Writes all of `bytes` to `fd` (then, when `sync`, flushes them to the
// disk) and closes it; false (errno set) on failure.
bool WriteAndClose(int fd, const std::string& bytes, bool sync = false) {
  if (!WriteAllOf(fd, bytes)) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  if (sync && ::fsync(fd) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    return false;
  }
  return ::close(fd) == 0;
}

// Flushes a folder's entries (a rename, a new file) to the disk.
bool SyncFolder(const std::string& folder) {
  const int fd = ::open(folder.empty() ? "." : folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return false;
  const bool ok = ::fsync(fd) == 0;
  const int saved = errno;
  ::close(fd);
  errno = saved;
  return ok;
}

// What a write's destination turned out to be.
struct Destination {
  enum Kind { kAbsent, kRegular, kInPlace, kDescriptor } kind;
  std::string file;       // what a new file is renamed to: the path, or the file a link leads to
  struct stat there {};  // kRegular, kInPlace: what is there now (links followed)
  int descriptor = -1;    // kDescriptor: the program's own open file it names
};

// The program's own descriptor that `path` names, as /dev/stdout,
// /dev/fd/N, /proc/self/fd/N or /proc/thread-self/fd/N do (or a link that
// leads to one of them), else nullopt. Such a name is a link to whatever the
// descriptor is open on, often a regular file (`>> log`); renaming a new file
// over that would lose what it held and cut the descriptor off from it. The
// links are followed one at a time, each one's folder resolved.
std::optional<int> OwnDescriptor(const std::string& path) {
  const std::string own = "/proc/" + std::to_string(::getpid());
  fs::path at(path);
  for (int hop = 0; hop < 40; ++hop) {
    std::error_code ec;
    const std::string folder = fs::canonical(at.parent_path().empty() ? "." : at.parent_path(), ec).string();
    const std::string name = at.filename().string();
    const bool descriptors = folder == own + "/fd" || (folder.rfind(own + "/task/", 0) == 0 && folder.size() > 3 &&
                                                       folder.compare(folder.size() - 3, 3, "/fd") == 0);
    if (!ec && descriptors && !name.empty() && name.size() < 10 &&
        name.find_first_not_of("0123456789") == std::string::npos) {
      return std::stoi(name);
    }
    struct stat st {};
    if (::lstat(at.c_str(), &st) != 0 || !S_ISLNK(st.st_mode)) return std::nullopt;
    const fs::path target = fs::read_symlink(at, ec);
    if (ec) return std::nullopt;
    at = target.is_absolute() ? target : at.parent_path() / target;
  }
  return std::nullopt;
}

std::string LinkText(const std::string& link) {
  std::error_code ec;
  const fs::path target = fs::read_symlink(link, ec);
  return ec ? "?" : target.string();
}

// `path` is a symbolic link: the kernel follows it (so fs.protected_symlinks
// holds as it would for an open), and O_PATH neither reads nor blocks on a FIFO.
Destination FollowLink(const std::string& path) {
  const int fd = ::open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0 && errno == ENOENT) {
    throw Error(path, 0, "is a link to " + LinkText(path) +
                             ", which does not exist; Imprint does not create files through a dangling "
                             "link: remove the link, or name the file itself");
  }
  if (fd < 0) throw Error(path, 0, "cannot follow the link: " + ErrnoText());
  struct stat st {};
  const bool ok = ::fstat(fd, &st) == 0;
  std::error_code ec;
  const fs::path file = fs::read_symlink("/proc/self/fd/" + std::to_string(fd), ec);
  ::close(fd);
  if (!ok) throw Error(path, 0, "cannot follow the link: " + ErrnoText());
  if (S_ISDIR(st.st_mode)) {
    throw Error(path, 0, "is a folder (the link leads to " + LinkText(path) + "); name a file to write");
  }
  if (!S_ISREG(st.st_mode)) return {Destination::kInPlace, path, st};
  // The file is replaced where it is, by its own name, so the link stays a link.
  struct stat there {};
  if (ec || ::stat(file.c_str(), &there) != 0 || there.st_dev != st.st_dev || there.st_ino != st.st_ino) {
    throw Error(path, 0, "the file the link leads to has no name to replace (removed or moved meanwhile)");
  }
  return {Destination::kRegular, file.string(), st};
}

// Throws for what a file is never written to: a folder, a link to one, a dangling link.
Destination Examine(const std::string& path) {
  if (path.empty()) throw Error(path, 0, "no file named");
  if (const std::optional<int> fd = OwnDescriptor(path)) return {Destination::kDescriptor, path, {}, *fd};
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno != ENOENT) throw Error(path, 0, "cannot examine: " + ErrnoText());
    if (fs::path(path).filename().empty()) throw Error(path, 0, "is a folder; name a file to write");
    return {Destination::kAbsent, path};
  }
  if (S_ISLNK(st.st_mode)) return FollowLink(path);
  if (S_ISDIR(st.st_mode)) throw Error(path, 0, "is a folder; name a file to write");
  if (S_ISREG(st.st_mode)) return {Destination::kRegular, path, st};
  return {Destination::kInPlace, path, st};
}

// A replacement never lets more people read than could read the file it
// replaces (a license is a bearer credential its owner may have made 0600):
// it keeps the old owner and group where it may, and its permissions are at
// most both the old ones and what the umask allows a new file.
void KeepOwnerAndNarrowMode(int fd, const struct stat& old) {
  const bool kept = ::fchown(fd, old.st_uid, old.st_gid) == 0;  // permitted to root, or to the same owner
  struct stat made {};
  if (::fstat(fd, &made) != 0) return;
  mode_t mode = made.st_mode & old.st_mode & 0777;
  if (!kept && made.st_gid != old.st_gid) mode &= ~static_cast<mode_t>(070);  // another group: none of its bits
  ::fchmod(fd, mode);
}

// Writes `bytes` to a temporary file beside `d.file` and renames it over
// `d.file`; errors name `path`, the name the caller gave.
// With `sync`, the new file's bytes reach the disk before the rename, and the
// rename before it returns.
void ReplaceFile(const std::string& path, const Destination& d, const std::string& bytes, bool sync) {
  static std::atomic<unsigned> counter{0};
  const std::string& file = d.file;
  const fs::path target(file);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(path, 0, "cannot create its folder: " + ec.message());
  }
  const std::string temp = (target.parent_path() /
                            (kTemporaryMarker + std::to_string(::getpid()) + "-" +
                             std::to_string(counter++) + "-" + target.filename().string()))
                               .string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path, 0, "cannot write: " + ErrnoText());
  if (d.kind == Destination::kRegular) KeepOwnerAndNarrowMode(fd, d.there);
  if (!WriteAndClose(fd, bytes, sync) || ::rename(temp.c_str(), file.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp.c_str());
    throw Error(path, 0, "cannot write: " + why);
  }
  if (sync && !SyncFolder(target.parent_path().string())) {
    throw Error(path, 0, "written, but its folder cannot be flushed to the disk: " + ErrnoText());
  }
}

// A socket takes the bytes over one connection, as `nc -U` would send them.
void SendToSocket(const std::string& path, const std::string& bytes) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) throw Error(path, 0, "a socket's path this long cannot be connected to");
  path.copy(address.sun_path, path.size());
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw Error(path, 0, "cannot connect to the socket: " + ErrnoText());
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
    const std::string why = ErrnoText();
    ::close(fd);
    throw Error(path, 0, "cannot connect to the socket: " + why);
  }
  for (size_t done = 0; done < bytes.size();) {
    const ssize_t n = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = ErrnoText();
      ::close(fd);
      throw Error(path, 0, "cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  ::close(fd);
}

// Writes `bytes` to `fd` (closing it when `close_after`) with SIGPIPE held
// back, so a reader that went away is an error naming the file, not a silent
// death; "" when written, else why not.
std::string WriteHoldingSigpipe(int fd, const std::string& bytes, bool close_after) {
  sigset_t pipe_signal, old;
  sigemptyset(&pipe_signal);
  sigaddset(&pipe_signal, SIGPIPE);
  pthread_sigmask(SIG_BLOCK, &pipe_signal, &old);
  std::string why;
  if (!(close_after ? WriteAndClose(fd, bytes) : WriteAllOf(fd, bytes))) {
    const int error = errno;
    why = std::string("cannot write: ") + std::strerror(error);
    const timespec now{0, 0};
    if (error == EPIPE) sigtimedwait(&pipe_signal, nullptr, &now);  // take back the one this write raised
  }
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return why;
}

// A device or a FIFO is opened and written where it is, as the shell's `>`
// does; a FIFO waits for its reader.
void WriteInPlace(const std::string& path, mode_t mode, const std::string& bytes) {
  if (S_ISSOCK(mode)) return SendToSocket(path, bytes);
  const int fd = ::open(path.c_str(), O_WRONLY | O_NOCTTY | O_CLOEXEC);
  struct stat st {};
  if (fd < 0) throw Error(path, 0, "cannot open: " + ErrnoText());
  if (::fstat(fd, &st) != 0 || S_ISREG(st.st_mode)) {
    ::close(fd);  // opened without O_TRUNC, so nothing was changed
    throw Error(path, 0, "became a regular file meanwhile; write again");
  }
  const std::string why = WriteHoldingSigpipe(fd, bytes, /*close_after=*/true);
  if (!why.empty()) throw Error(path, 0, why);
}

// The program's own descriptor, written where it stands (its offset, its
// append mode) and left open, as `--out -` writes standard output.
void WriteToDescriptor(const std::string& path, int fd, const std::string& bytes) {
  if (::fcntl(fd, F_GETFD) < 0) throw Error(path, 0, "names descriptor " + std::to_string(fd) + ", which is not open");
  const std::string why = WriteHoldingSigpipe(fd, bytes, /*close_after=*/false);
  if (!why.empty()) throw Error(path, 0, why);
}

// Writes `bytes` where `d` says: in place, to a descriptor, or by a rename.
void WriteDestination(const std::string& path, const Destination& d, const std::string& bytes, bool sync) {
  if (d.kind == Destination::kDescriptor) return WriteToDescriptor(path, d.descriptor, bytes);
  if (d.kind == Destination::kInPlace) return WriteInPlace(path, d.there.st_mode, bytes);
  ReplaceFile(path, d, bytes, sync);
}

// Reads `fd` to its end, or fails past `max_bytes` (saying `what`), and
// closes it; errors name `path`.
std::string ReadAndClose(int fd, const std::string& path, size_t max_bytes = std::string::npos,
                         const std::string& what = "") {
  std::string bytes;
  char buf[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = ErrnoText();
      ::close(fd);
      throw Error(path, 0, "cannot read: " + why);
    }
    if (n == 0) break;
    bytes.append(buf, static_cast<size_t>(n));
    if (bytes.size() > max_bytes) {
      ::close(fd);
      throw Error(path, 0, "over " + std::to_string(max_bytes) + " bytes: " + what);
    }
  }
  ::close(fd);
  return bytes;
}

std::string KindOf(mode_t mode) {
  if (S_ISFIFO(mode)) return "a FIFO (named pipe)";
  if (S_ISSOCK(mode)) return "a socket";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISDIR(mode)) return "a folder";
  return "not a file";
}

// Why `path` cannot be examined (stat failed with `error`), in the user's terms.
Error CannotExamine(const std::string& path, int error) {
  struct stat link {};
  if (error == ELOOP) {
    return Error(path, 0, "is a symbolic link loop (its links never reach a file); nothing to read");
  }
  if (error == ENOENT && ::lstat(path.c_str(), &link) == 0 && S_ISLNK(link.st_mode)) {
    return Error(path, 0, "is a link to " + LinkText(path) + ", which does not exist; nothing to read");
  }
  if (error == ENOENT) return Error(path, 0, "no such file or folder");
  return Error(path, 0, std::string("cannot examine: ") + std::strerror(error));
}

Error NotRegular(const std::string& path, mode_t mode) {
  return Error(path, 0, "is " + KindOf(mode) + ", not a regular file; only regular files are read");
}

}  // namespace

std::string ReadFile(const std::string& path) { return ReadFileAtMost(path, std::string::npos, ""); }

std::string ReadFileAtMost(const std::string& path, size_t max_bytes, const std::string& what) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path, 0, "cannot open: " + ErrnoText());
  return ReadAndClose(fd, path, max_bytes, what);
}

std::string ReadRegularFile(const std::string& path) { return ReadRegularFile(path, std::string::npos, ""); }

std::string ReadRegularFile(const std::string& path, size_t max_bytes, const std::string& what) {
  struct stat before {};
  if (::stat(path.c_str(), &before) != 0) throw CannotExamine(path, errno);
  if (!S_ISREG(before.st_mode)) throw NotRegular(path, before.st_mode);
  // It may have been replaced since: O_NONBLOCK keeps a FIFO from blocking
  // the open, O_NOCTTY a terminal from becoming ours, and fstat decides.
  const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
  if (fd < 0) {
    const int error = errno;
    if (error == ELOOP || error == ENOENT) throw CannotExamine(path, error);
    throw Error(path, 0, std::string("cannot open: ") + std::strerror(error));
  }
  struct stat opened {};
  if (::fstat(fd, &opened) != 0 || !S_ISREG(opened.st_mode)) {
    const mode_t mode = opened.st_mode;
    ::close(fd);
    throw NotRegular(path, mode);
  }
  return ReadAndClose(fd, path, max_bytes, what);
}

std::optional<std::string> ReadInsideFolder(const std::string& root, const std::string& relative,
                                            uint64_t max_bytes) {
  const std::filesystem::path base(root);
  std::error_code ec;
  const std::filesystem::path real = std::filesystem::canonical(base / relative, ec);
  if (ec) return std::nullopt;
  if (std::mismatch(base.begin(), base.end(), real.begin(), real.end()).first != base.end()) return std::nullopt;
  const int fd = ::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return std::nullopt;
  std::optional<std::string> bytes;
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= max_bytes) {
    bytes.emplace();
    char buf[1 << 16];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 || bytes->size() + static_cast<size_t>(n) > max_bytes) {  // failed, or grew
        bytes.reset();
        break;
      }
      bytes->append(buf, static_cast<size_t>(n));
    }
  }
  ::close(fd);
  return bytes;
}

void RemoveUnlessRegular(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0 || S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) return;
  if (::unlink(path.c_str()) != 0 && errno != ENOENT) {
    throw Error(path, 0, "is not a regular file and cannot be removed: " + ErrnoText());
  }
}

void WriteFileAtomic(const std::string& path, const std::string& bytes) {
  WriteDestination(path, Examine(path), bytes, /*sync=*/false);
}

void WriteFileDurably(const std::string& path, const std::string& bytes) {
  WriteDestination(path, Examine(path), bytes, /*sync=*/true);
}

void RemoveTemporaries(const std::string& folder) {
  std::error_code ec;
  for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(kTemporaryMarker, 0) == 0 && ::unlink(it->path().c_str()) != 0 && errno != ENOENT) {
      throw Error(it->path().string(), 0, "cannot remove this leftover temporary file: " + ErrnoText());
    }
  }
}

void CheckDestination(const std::string& path) { Examine(path); }

void WriteNewFile(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path, 0, "cannot create: " + ErrnoText());
  if (!WriteAndClose(fd, bytes)) throw Error(path, 0, "cannot write: " + ErrnoText());
}

void RemoveTree(const std::string& path) {
  std::error_code ec;
  fs::remove_all(path, ec);
}

void ReplaceDirectory(const std::string& staged, const std::string& target) {
  const fs::path target_path(target);
  std::error_code ec;
  fs::create_directories(target_path.parent_path(), ec);
  if (ec) throw Error(target, 0, "cannot create its folder: " + ec.message());
  if (::rename(staged.c_str(), target.c_str()) == 0) return;  // there was none
  if (errno != ENOTEMPTY && errno != EEXIST) {
    throw Error(target, 0, "cannot put the edition in place: " + ErrnoText());
  }
  if (::renameat2(AT_FDCWD, staged.c_str(), AT_FDCWD, target.c_str(), RENAME_EXCHANGE) == 0) {
    RemoveTree(staged);  // now the old contents
    return;
  }
  // No exchange on this file system: each file is still replaced atomically.
  for (const auto& entry : fs::directory_iterator(staged)) {
    const fs::path to = target_path / entry.path().filename();
    if (::rename(entry.path().c_str(), to.c_str()) != 0) {
      throw Error(to.string(), 0, "cannot write: " + ErrnoText());
    }
  }
  RemoveTree(staged);
}

std::vector<InputFile> FindInputs(const std::vector<std::string>& paths) {
  std::vector<InputFile> found;
  for (const std::string& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      found.push_back({path, fs::path(path).filename().string(), ""});
      continue;
    }
    // Depth first with a stack of folders: no recursion, and a folder that
    // cannot be listed is an input of its own, not the end of the search.
    std::vector<fs::path> folders = {fs::path(path)};
    while (!folders.empty()) {
      const fs::path folder = std::move(folders.back());
      folders.pop_back();
      std::error_code ec;
      for (fs::directory_iterator it(folder, ec), end; !ec && it != end; it.increment(ec)) {
        std::error_code kind_ec;
        const fs::file_status own = it->symlink_status(kind_ec);  // links not followed
        if (kind_ec) {  // a folder, perhaps, with inputs in it: never skipped silently
          found.push_back({it->path().string(), it->path().lexically_relative(path).string(),
                           "cannot examine: " + kind_ec.message()});
        } else if (fs::is_directory(own)) {
          folders.push_back(it->path());
        } else if (it->path().extension() == ".txt") {
          found.push_back({it->path().string(), it->path().lexically_relative(path).string(), ""});
        }
      }
      if (ec) {
        found.push_back({folder.string(), folder.lexically_relative(path).string(),
                         "cannot list the folder: " + ec.message()});
      }
    }
  }
  std::sort(found.begin(), found.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const InputFile& a, const InputFile& b) { return a.path == b.path; }),
              found.end());
  return found;
}

}  // namespace imprint
