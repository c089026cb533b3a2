#include "tests/special_files.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <stdexcept>

namespace imprint {
namespace testing {

FifoReader::FifoReader(const std::string& path) {
  if (::mkfifo(path.c_str(), 0600) != 0) throw std::runtime_error("cannot make the FIFO " + path);
  // Non-blocking: the open does not wait for a writer, and a read with no
  // writer yet returns at once instead of blocking the thread forever.
  fd_ = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd_ < 0) throw std::runtime_error("cannot open the FIFO " + path);
  thread_ = std::thread([this] {
    for (;;) {
      const bool last = stop_;  // read once more after the stop, for what came before it
      pollfd p{fd_, POLLIN, 0};
      ::poll(&p, 1, 20);
      char buf[4096];
      ssize_t n;
      while ((n = ::read(fd_, buf, sizeof buf)) > 0) bytes_.append(buf, static_cast<size_t>(n));
      if (last) return;
      if (n == 0) ::usleep(5000);  // no writer (yet, or any more): poll would not wait
    }
  });
}

FifoReader::~FifoReader() { Finish(); }

std::string FifoReader::Finish() {
  if (thread_.joinable()) {
    stop_ = true;
    thread_.join();
    ::close(fd_);
  }
  return bytes_;
}

SocketListener::SocketListener(const std::string& path) : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (fd_ < 0 || path.size() >= sizeof address.sun_path) throw std::runtime_error("cannot make the socket " + path);
  path.copy(address.sun_path, path.size());
  if (::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 || ::listen(fd_, 1) != 0) {
    ::close(fd_);
    throw std::runtime_error("cannot listen on the socket " + path);
  }
  thread_ = std::thread([this] {
    pollfd p{fd_, POLLIN, 0};
    if (::poll(&p, 1, 20000) != 1) return;
    const int connection = ::accept(fd_, nullptr, nullptr);
    char buf[4096];
    for (ssize_t n; (n = ::read(connection, buf, sizeof buf)) > 0;) got_.append(buf, static_cast<size_t>(n));
    ::close(connection);
  });
}

SocketListener::~SocketListener() { Finish(); }

std::string SocketListener::Finish() {
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  return got_;
}

}  // namespace testing
}  // namespace imprint
