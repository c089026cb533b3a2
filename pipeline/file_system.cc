#include "pipeline/file_system.h"

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "pipeline/error.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

constexpr char kTemporaryMarker[] = ".imprint-tmp-";

std::string ErrnoText() { return std::strerror(errno); }

// Writes all of `bytes` to `fd` and closes it; false (errno set) on failure.
bool WriteAndClose(int fd, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int saved = errno;
      ::close(fd);
      errno = saved;
      return false;
    }
    done += static_cast<size_t>(n);
  }
  return ::close(fd) == 0;
}

}  // namespace

std::string ReadFile(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(path, 0, "cannot open: " + ErrnoText());
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
  }
  ::close(fd);
  return bytes;
}

void WriteFileAtomic(const std::string& path, const std::string& bytes) {
  static std::atomic<unsigned> counter{0};
  const fs::path target(path);
  std::error_code ec;
  if (target.has_parent_path()) {
    fs::create_directories(target.parent_path(), ec);
    if (ec) throw Error(path, 0, "cannot create its folder: " + ec.message());
  }
  const std::string temp = (target.parent_path() /
                            (kTemporaryMarker + std::to_string(::getpid()) + "-" +
                             std::to_string(counter++) + "-" +
                             target.filename().string()))
                               .string();
  const int fd = ::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(path, 0, "cannot write: " + ErrnoText());
  if (!WriteAndClose(fd, bytes) || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp.c_str());
    throw Error(path, 0, "cannot write: " + why);
  }
}

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
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(path, 0, "no such file or folder");
    if (!fs::is_directory(status)) {
      found.push_back({path, fs::path(path).filename().string()});
      continue;
    }
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".txt") {
        found.push_back({it->path().string(), it->path().lexically_relative(path).string()});
      }
    }
    if (ec) throw Error(path, 0, "cannot list: " + ec.message());
  }
  std::sort(found.begin(), found.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  found.erase(std::unique(found.begin(), found.end(),
                          [](const InputFile& a, const InputFile& b) { return a.path == b.path; }),
              found.end());
  return found;
}

}  // namespace imprint
