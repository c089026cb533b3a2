// Tests' readers behind special files a program may be pointed at: a FIFO
// held open for reading, a listening Unix socket. Each collects on a thread
// what is written to it; Finish() returns it and never waits for ever.
#ifndef IMPRINT_TESTS_SPECIAL_FILES_H_
#define IMPRINT_TESTS_SPECIAL_FILES_H_

#include <atomic>
#include <string>
#include <thread>

namespace imprint {
namespace testing {

// Makes a FIFO at `path` and holds it open for reading, so a writer never
// blocks, and collects on a thread whatever is written to it. Finish() stops
// and returns the bytes; it never waits for a writer that does not come.
class FifoReader {
 public:
  explicit FifoReader(const std::string& path);
  ~FifoReader();
  FifoReader(const FifoReader&) = delete;
  FifoReader& operator=(const FifoReader&) = delete;
  std::string Finish();

 private:
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::string bytes_;
  std::thread thread_;
};

// A listening Unix socket at `path` that takes one connection (within 20 s)
// and keeps what it is sent; Finish() returns that (empty if nobody came).
class SocketListener {
 public:
  explicit SocketListener(const std::string& path);
  ~SocketListener();
  SocketListener(const SocketListener&) = delete;
  SocketListener& operator=(const SocketListener&) = delete;
  std::string Finish();

 private:
  int fd_;
  std::string got_;
  std::thread thread_;
};

}  // namespace testing
}  // namespace imprint

#endif  // IMPRINT_TESTS_SPECIAL_FILES_H_
