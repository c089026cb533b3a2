#include "pipeline/base/file_stamp.h"

#include <time.h>

namespace imprint {

bool FileStamp::operator==(const FileStamp& o) const {
  return dev == o.dev && ino == o.ino && size == o.size && mtime_sec == o.mtime_sec && mtime_nsec == o.mtime_nsec &&
         ctime_sec == o.ctime_sec && ctime_nsec == o.ctime_nsec;
}

std::string FileStamp::ToString() const {
  return std::to_string(dev) + ":" + std::to_string(ino) + ":" + std::to_string(size) + ":" +
         std::to_string(mtime_sec) + "." + std::to_string(mtime_nsec) + ":" + std::to_string(ctime_sec) + "." +
         std::to_string(ctime_nsec);
}

bool FileStamp::Settled(int64_t racy_seconds) const {
  struct timespec now;
  ::clock_gettime(CLOCK_REALTIME, &now);
  // To the nanosecond: the seconds alone would make a file changed 1.9 s
  // ago look settled after 1 s.
  const int64_t ago = (now.tv_sec - ctime_sec) * 1000000000 + (now.tv_nsec - ctime_nsec);
  return ago >= racy_seconds * 1000000000;
}

FileStamp StampOf(const struct stat& st) {
  FileStamp s;
  s.dev = st.st_dev;
  s.ino = st.st_ino;
  s.size = static_cast<uint64_t>(st.st_size);
  s.mtime_sec = st.st_mtim.tv_sec;
  s.mtime_nsec = st.st_mtim.tv_nsec;
  s.ctime_sec = st.st_ctim.tv_sec;
  s.ctime_nsec = st.st_ctim.tv_nsec;
  return s;
}

std::optional<FileStamp> StampPath(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  return StampOf(st);
}

}  // namespace imprint
