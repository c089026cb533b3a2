#include "pipeline/signing/mark_key.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"

namespace imprint {
namespace {

constexpr char kComment[] = "untrusted comment: imprint mark key - keep private, never publish\n";
// The keystore removes what a killed command left under this prefix.
constexpr char kTemporaryPrefix[] = ".imprint-tmp-mark-";

std::string SystemError() { return std::strerror(errno); }

std::string FormatSecret(const std::string& secret) { return kComment + Base64Encode(secret) + "\n"; }

// Writes `bytes` to a new file only its owner can read, durably.
void WriteNewPrivate(const std::string& path, const std::string& bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) throw Error(path, 0, "cannot create the mark key: " + SystemError());
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool ok = done == bytes.size() && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) {
    ::unlink(path.c_str());
    throw Error(path, 0, "cannot write the mark key: " + SystemError());
  }
}

}  // namespace

MarkKey MarkKey::FromSecret(std::string_view secret) {
  MarkKey key;
  key.tag_key_ = HmacSha256(secret, "imprint mark tag v1");
  key.gap_key_ = HmacSha256(secret, "imprint mark gap v1").substr(0, 16);
  return key;
}

std::optional<MarkKey> MarkKey::Load(const std::string& dir) {
  const std::string path = dir + "/" + kFileName;
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return std::nullopt;
    throw Error(path, 0, "cannot read the mark key: " + SystemError());
  }
  if (!S_ISREG(st.st_mode)) throw Error(path, 0, "the mark key is not a regular file");
  if ((st.st_mode & 077) != 0) throw Error(path, 0, "the mark key is readable by others; run chmod 600 on it");
  const std::string text = ReadFileAtMost(path, 4096, "larger than a mark key");
  std::string secret;
  const size_t line = text.find('\n');
  if (text.compare(0, line + 1, kComment) != 0 || text.size() < line + 2 || text.back() != '\n' ||
      !Base64Decode(text.substr(line + 1, text.size() - line - 2), &secret) || secret.size() != kSecretSize) {
    throw Error(path, 2, "not an imprint mark key");  // the file's text is never echoed
  }
  return FromSecret(secret);
}

MarkKey MarkKey::LoadOrCreate(const std::string& dir) {
  if (std::optional<MarkKey> key = Load(dir)) return *key;
  const std::string path = dir + "/" + kFileName;
  const std::string temporary = dir + "/" + kTemporaryPrefix + std::to_string(::getpid()) + "-" + Hex(RandomBytes(8));
  WriteNewPrivate(temporary, FormatSecret(RandomBytes(kSecretSize)));
  // link() never replaces: of two processes making the key at once, one
  // wins and both load the winner's.
  const bool linked = ::link(temporary.c_str(), path.c_str()) == 0;
  const int link_errno = errno;
  ::unlink(temporary.c_str());
  if (!linked && link_errno != EEXIST) {
    errno = link_errno;
    throw Error(path, 0, "cannot create the mark key: " + SystemError());
  }
  if (std::optional<MarkKey> key = Load(dir)) return *key;
  throw Error(path, 0, "the mark key vanished while it was made");
}

std::string MarkKey::Tag(std::string_view license_id) const { return HmacSha256(tag_key_, license_id); }

uint64_t MarkKey::Gaps::Of(std::string_view before, std::string_view after) {
  char words[2 * kGapWord + 1];  // no allocation: a copy hashes every gap
  before = before.substr(0, kGapWord), after = after.substr(0, kGapWord);
  before.copy(words, before.size());
  words[before.size()] = '\x1f';
  after.copy(words + before.size() + 1, after.size());
  return hasher_.Hash(std::string_view(words, before.size() + 1 + after.size()));
}

}  // namespace imprint
