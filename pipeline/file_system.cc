#include "pipeline/file_system.h"

#include <fcntl.h>
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
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = ErrnoText();
      ::close(fd);
      ::unlink(temp.c_str());
      throw Error(path, 0, "cannot write: " + why);
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0 || ::rename(temp.c_str(), path.c_str()) != 0) {
    const std::string why = ErrnoText();
    ::unlink(temp.c_str());
    throw Error(path, 0, "cannot write: " + why);
  }
}

bool IsTemporaryName(const std::string& name) {
  return name.rfind(kTemporaryMarker, 0) == 0;
}

std::vector<std::string> FindInputs(const std::vector<std::string>& paths) {
  std::vector<std::string> found;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status status = fs::status(path, ec);
    if (ec || !fs::exists(status)) throw Error(path, 0, "no such file or folder");
    if (!fs::is_directory(status)) {
      found.push_back(path);
      continue;
    }
    for (fs::recursive_directory_iterator it(path, ec), end; !ec && it != end;
         it.increment(ec)) {
      if (it->is_regular_file() && it->path().extension() == ".txt") {
        found.push_back(it->path().string());
      }
    }
    if (ec) throw Error(path, 0, "cannot list: " + ec.message());
  }
  std::sort(found.begin(), found.end());
  found.erase(std::unique(found.begin(), found.end()), found.end());
  return found;
}

}  // namespace imprint
