// A file's identity as a cache would key on it, and whether that identity
// can be trusted to show the file's next change: the one rule the server's
// caches of files share (the signed artifacts it verifies, the signed
// catalog it learns withdrawals and feeds from, the keyring it reloads).
//
// A stamp is (device, inode, size, modification time, change time), the
// times to the nanosecond. A rewrite in place that keeps the size, within
// the file system's timestamp granularity after a look, leaves the stamp as
// it was: so a stamp whose change time is less than `racy_seconds` old is
// not settled, and a cache reads the file again rather than trust it (as
// git does for its index). The change time also moves when the modification
// time is put back by hand (touch -d), which the modification time alone
// would miss. Pure but for the stat and the clock.
#ifndef IMPRINT_PIPELINE_BASE_FILE_STAMP_H_
#define IMPRINT_PIPELINE_BASE_FILE_STAMP_H_

#include <sys/stat.h>

#include <cstdint>
#include <optional>
#include <string>

namespace imprint {

struct FileStamp {
  uint64_t dev = 0, ino = 0, size = 0;
  int64_t mtime_sec = 0, mtime_nsec = 0, ctime_sec = 0, ctime_nsec = 0;

  bool operator==(const FileStamp& o) const;
  bool operator!=(const FileStamp& o) const { return !(*this == o); }
  // "dev:ino:size:mtime:ctime", for identities built of several files.
  std::string ToString() const;
  // Whether the file last changed at least `racy_seconds` ago (now, by the
  // real-time clock, to the nanosecond), so that a later change will show.
  bool Settled(int64_t racy_seconds) const;
};

FileStamp StampOf(const struct stat& st);
// The stamp of what `path` names (links followed); nullopt when it cannot
// be stat'ed.
std::optional<FileStamp> StampPath(const std::string& path);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_FILE_STAMP_H_
