#include "pipeline/server/artifact_verifier.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/edition/verify.h"

namespace imprint {
namespace fs = std::filesystem;
using Code = ArtifactVerifier::Result::Code;
using Identity = ArtifactVerifier::Identity;

namespace {

constexpr uint64_t kMaxManifestBytes = uint64_t{4} << 20;
constexpr uint64_t kMaxSignatureBytes = 64 << 10;
constexpr int64_t kRacySeconds = 1;  // changed this recently: verified, not cached
constexpr int kAttempts = 3;         // reads of a file that keeps changing

bool StatPath(const std::string& path, Identity* id) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
  *id = StampOf(st);
  return true;
}

bool IsPlainName(const std::string& name) {
  return !name.empty() && name != "." && name != ".." && name.find('/') == std::string::npos &&
         name.find('\0') == std::string::npos;
}

// A file under the output folder, opened only when its real path lies inside
// it and it is a regular file (what the server's ReadInside checks), and
// checked again through the open descriptor, so a folder swapped for a
// symlink between the check and the open is caught.
struct InsideFile {
  enum State { kOpen, kMissing, kRefused, kChanged };
  State state = kRefused;
  int fd = -1;
  Identity id;
  std::string why;

  InsideFile() = default;
  InsideFile(const InsideFile&) = delete;
  InsideFile& operator=(const InsideFile&) = delete;
  ~InsideFile() {
    if (fd >= 0) ::close(fd);
  }
  // Whether the open file is still what was opened.
  bool Unchanged() const {
    struct stat st;
    return ::fstat(fd, &st) == 0 && StampOf(st) == id;
  }
  // The whole file, when it is at most `limit` bytes; pread, so the file
  // position does not matter.
  bool ReadAll(uint64_t limit, std::string* bytes) const {
    if (id.size > limit) return false;
    bytes->resize(id.size);
    size_t done = 0;
    while (done < bytes->size()) {
      const ssize_t n = ::pread(fd, bytes->data() + done, bytes->size() - done, static_cast<off_t>(done));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return false;  // shrank, or failed: Unchanged() will say so
      done += static_cast<size_t>(n);
    }
    return true;
  }
};

bool Inside(const std::string& root, const std::string& path) {
  return path.size() > root.size() + 1 && path.compare(0, root.size(), root) == 0 && path[root.size()] == '/';
}

void OpenInside(const std::string& root, const std::string& relative, InsideFile* file) {
  std::error_code ec;
  const std::string real = fs::canonical(root + "/" + relative, ec).string();
  if (ec) {
    const bool missing = ec.value() == ENOENT || ec.value() == ENOTDIR;
    file->state = missing ? InsideFile::kMissing : InsideFile::kRefused;
    file->why = relative + (missing ? ": no such file" : ": cannot resolve: " + ec.message());
    return;
  }
  if (!Inside(root, real)) {
    file->why = relative + ": leads outside the output folder";
    return;
  }
  // O_NONBLOCK: opening a FIFO planted in the folder must not hang a thread.
  file->fd = ::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  struct stat st;
  if (file->fd < 0 || ::fstat(file->fd, &st) != 0) {
    file->state = InsideFile::kChanged;
    file->why = relative + ": cannot open";
    return;
  }
  if (!S_ISREG(st.st_mode)) {
    file->why = relative + ": not a regular file";
    return;
  }
  char opened[4096];
  const ssize_t n = ::readlink(("/proc/self/fd/" + std::to_string(file->fd)).c_str(), opened, sizeof opened);
  if (n <= 0 || n >= static_cast<ssize_t>(sizeof opened) || std::string(opened, n) != real) {
    file->state = InsideFile::kChanged;
    file->why = relative + ": moved while it was opened";
    return;
  }
  file->id = StampOf(st);
  file->state = InsideFile::kOpen;
}

bool Racy(const Identity& id) { return !id.Settled(kRacySeconds); }

ArtifactVerifier::Result Refused(Code code, std::string detail) {
  ArtifactVerifier::Result r;
  r.code = code;
  r.detail = std::move(detail);
  return r;
}

// The artifact against its entry in the verified manifest `parsed`.
ArtifactVerifier::Result CheckArtifact(const std::string& path, const std::string& file_name, const Manifest& parsed,
                                       const InsideFile& artifact, const std::string& signer) {
  const ManifestArtifact* listed = nullptr;
  for (const ManifestArtifact& a : parsed.artifacts) {
    if (a.name == file_name) listed = &a;
  }
  if (listed == nullptr) return Refused(Code::kUnverified, path + ": not listed in the manifest");
  // The size first, so a grown file is refused without reading it.
  if (artifact.id.size != listed->size) {
    return Refused(Code::kUnverified, path + ": size " + std::to_string(artifact.id.size) +
                                          " differs from the manifest's " + std::to_string(listed->size));
  }
  std::string bytes;
  if (!artifact.ReadAll(listed->size, &bytes)) return Refused(Code::kUnverified, path + ": unreadable");
  const std::string differs = CheckListed(bytes, *listed);
  if (!differs.empty()) return Refused(Code::kUnverified, path + ": " + differs);
  ArtifactVerifier::Result result;
  result.code = Code::kOk;
  result.sha256 = listed->sha256;
  result.bytes = std::make_shared<const std::string>(std::move(bytes));
  result.detail = path + ": listed in the manifest signed by " + signer;
  return result;
}

// The checks proper, on files opened inside the output folder.
ArtifactVerifier::Result Check(const std::string& dir, const std::string& file_name, const TrustedKeys& trusted,
                               const InsideFile& artifact, const InsideFile& manifest,
                               const InsideFile& signature) {
  const std::string manifest_path = dir + "/" + kManifestName;
  const std::string path = dir + "/" + file_name;
  std::string manifest_text, signature_text;
  if (!manifest.ReadAll(kMaxManifestBytes, &manifest_text)) {
    return Refused(Code::kUnverified, manifest_path + ": unreadable or too large");
  }
  if (!signature.ReadAll(kMaxSignatureBytes, &signature_text)) {
    return Refused(Code::kUnverified, manifest_path + kSignatureSuffix + ": unreadable or too large");
  }
  std::string signer;
  const std::string bad = CheckSignature(kManifestName, manifest_text, signature_text, trusted, &signer);
  if (!bad.empty()) return Refused(Code::kUnverified, manifest_path + ": " + bad);
  Manifest parsed;
  try {
    parsed = ParseManifest(manifest_text, manifest_path);
  } catch (const Error& e) {
    return Refused(Code::kUnverified, manifest_path + ": " + e.diagnostic().message);
  }
  if (parsed.edition != dir) {
    return Refused(Code::kUnverified, manifest_path + ": is the manifest of edition '" + parsed.edition + "'");
  }
  ArtifactVerifier::Result result = CheckArtifact(path, file_name, parsed, artifact, signer);
  result.embargo = parsed.embargo;
  return result;
}

}  // namespace

ArtifactVerifier::ArtifactVerifier(const std::string& out_root, Limits limits)
    : root_([&out_root] {
        std::error_code ec;
        const fs::path root = fs::canonical(out_root, ec);
        if (ec || !fs::is_directory(root, ec)) throw Error(out_root, 0, "no output folder here");
        return root.string();
      }()),
      limits_(limits) {}

ArtifactVerifier::Result ArtifactVerifier::Read(const EditionRef& edition, const std::string& file_name,
                                                const TrustedKeys& trusted, uint64_t trusted_generation) {
  if (!IsPlainName(file_name)) return Refused(Code::kNotFound, "not a file name");
  const std::string dir = edition.Path();
  const std::string key = dir + "/" + file_name;
  Result result;
  if (Lookup(key, trusted_generation, &result)) return result;
  for (int attempt = 0; attempt < kAttempts; ++attempt) {
    Entry entry;
    Pass pass = Pass::kFinal;
    result = Verify(dir, file_name, trusted, entry.files, &pass);
    ++verifications_;
    if (pass == Pass::kRetry) continue;
    if (pass == Pass::kCacheable) {
      entry.generation = trusted_generation;
      entry.result = result;
      Store(key, std::move(entry));
    }
    return result;
  }
  return result;
}

// Reads and checks the three files. *pass: kRetry when one changed while it
// was read; kCacheable when their identities are known and not racy.
ArtifactVerifier::Result ArtifactVerifier::Verify(const std::string& dir, const std::string& file_name,
                                                  const TrustedKeys& trusted, Identity files[3], Pass* pass) {
  const std::string manifest_name = kManifestName;
  InsideFile artifact, manifest, signature;
  OpenInside(root_, dir + "/" + file_name, &artifact);
  if (artifact.state == InsideFile::kMissing) return Refused(Code::kNotFound, artifact.why);
  OpenInside(root_, dir + "/" + manifest_name, &manifest);
  OpenInside(root_, dir + "/" + manifest_name + kSignatureSuffix, &signature);
  for (const InsideFile* f : {&artifact, &manifest, &signature}) {
    if (f->state == InsideFile::kChanged) *pass = Pass::kRetry;
    if (f->state != InsideFile::kOpen) return Refused(Code::kUnverified, f->why);
  }
  Result result = Check(dir, file_name, trusted, artifact, manifest, signature);
  for (const InsideFile* f : {&artifact, &manifest, &signature}) {
    if (!f->Unchanged()) {
      *pass = Pass::kRetry;
      return Refused(Code::kUnverified, dir + ": a file kept changing while it was read");
    }
  }
  files[0] = artifact.id;
  files[1] = manifest.id;
  files[2] = signature.id;
  if (!Racy(artifact.id) && !Racy(manifest.id) && !Racy(signature.id)) *pass = Pass::kCacheable;
  return result;
}

bool ArtifactVerifier::Lookup(const std::string& key, uint64_t generation, Result* result) {
  const std::string dir = key.substr(0, key.rfind('/'));
  Identity now[3];
  if (!StatPath(root_ + "/" + key, &now[0]) || !StatPath(root_ + "/" + dir + "/" + kManifestName, &now[1]) ||
      !StatPath(root_ + "/" + dir + "/" + kManifestName + kSignatureSuffix, &now[2])) {
    return false;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return false;
  const Entry& e = it->second;
  if (e.generation != generation || !(e.files[0] == now[0]) || !(e.files[1] == now[1]) ||
      !(e.files[2] == now[2])) {
    return false;
  }
  order_.splice(order_.begin(), order_, e.lru);
  *result = e.result;
  return true;
}

void ArtifactVerifier::Store(const std::string& key, Entry entry) {
  entry.cost = 256 + (entry.result.bytes ? entry.result.bytes->size() : 0);
  if (entry.cost > limits_.max_bytes) return;
  std::lock_guard<std::mutex> lock(mu_);
  if (auto old = entries_.find(key); old != entries_.end()) {
    bytes_ -= old->second.cost;
    order_.erase(old->second.lru);
    entries_.erase(old);
  }
  while (!order_.empty() && (bytes_ + entry.cost > limits_.max_bytes || entries_.size() >= limits_.max_entries)) {
    auto last = entries_.find(order_.back());
    bytes_ -= last->second.cost;
    entries_.erase(last);
    order_.pop_back();
  }
  order_.push_front(key);
  entry.lru = order_.begin();
  bytes_ += entry.cost;
  entries_.emplace(key, std::move(entry));
}

}  // namespace imprint
