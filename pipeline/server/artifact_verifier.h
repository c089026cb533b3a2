// The download server's guard on the built files it personalises and signs:
// a base artifact is handed out only when its edition's manifest.json and
// manifest.json.minisig, read from inside the output folder, verify with the
// trusted keys (revoked keys refused), the manifest is the requested
// edition's, and it lists the file with exactly its size and SHA-256. A file
// changed in the output folder (a script inserted into an HTML edition, an
// older build of another edition swapped in, a manifest re-signed by another
// key, a symlink leading out) is refused rather than signed afresh.
//
// Verification is paid once per change: the result (the verified bytes, or
// the refusal) is cached under the identity of the artifact, the manifest and
// its signature (device, inode, size, mtime and ctime to the nanosecond) and
// the trusted keys' generation. Any write moves ctime (even when mtime is put
// back), a rebuild renamed into place is a new inode, and a key revocation
// moves the generation. A file that changes while it is read is read again.
// What the cache returns is always the bytes that were hashed, never a fresh
// read. Files changed within the last second are verified but not cached
// (timestamps are coarser than writes). The cache is bounded in bytes and
// entries, least recently used out.
//
// Thread-safe: Read() may run on many threads at once. Verification runs
// outside the lock, so two threads missing together both verify.
#ifndef IMPRINT_PIPELINE_SERVER_ARTIFACT_VERIFIER_H_
#define IMPRINT_PIPELINE_SERVER_ARTIFACT_VERIFIER_H_

#include <atomic>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "pipeline/base/file_stamp.h"
#include "pipeline/license/decision.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

class ArtifactVerifier {
 public:
  struct Result {
    enum class Code {
      kOk,          // bytes hold the verified artifact
      kNotFound,    // no such file in the edition (or not a file name)
      kUnverified,  // there, but not proven by the edition's signed manifest
    };
    Code code = Code::kUnverified;
    std::shared_ptr<const std::string> bytes;  // when kOk; shared with the cache
    std::string sha256;                        // of bytes, lower-case hex, when kOk
    // The release time of the edition (its manifest's `embargo`), or "";
    // set only once the manifest's signature verified, whatever the code (a
    // file of an edition under embargo that fails its check is still one the
    // server must not speak of).
    std::string embargo;
    // Why, for the server's log only: names files relative to the output
    // folder and keys by id; never for an answer.
    std::string detail;
    bool ok() const { return code == Code::kOk; }
  };

  struct Limits {
    size_t max_bytes = size_t{64} << 20;  // cached artifact bytes
    size_t max_entries = 4096;
  };

  // `out_root`: the output folder. Throws imprint::Error when it does not
  // exist.
  explicit ArtifactVerifier(const std::string& out_root) : ArtifactVerifier(out_root, Limits()) {}
  ArtifactVerifier(const std::string& out_root, Limits limits);
  ArtifactVerifier(const ArtifactVerifier&) = delete;
  ArtifactVerifier& operator=(const ArtifactVerifier&) = delete;

  // The artifact `file_name` (a plain name such as "monitor-v05-i077.html")
  // of `edition`, when `trusted` proves it. `trusted_generation` names the
  // version of `trusted`: pass a new number whenever the keys change (see
  // LiveKeys), or cached verdicts stay those of the old keys.
  Result Read(const EditionRef& edition, const std::string& file_name, const TrustedKeys& trusted,
              uint64_t trusted_generation);

  // How many times files were read and checked (cache misses), for tests.
  uint64_t verifications() const { return verifications_.load(); }

  // (device, inode, size, mtime, ctime) of a file, for the cache's entries.
  using Identity = FileStamp;

 private:
  struct Entry {
    Identity files[3];  // artifact, manifest, signature
    uint64_t generation = 0;
    Result result;
    size_t cost = 0;
    std::list<std::string>::iterator lru;
  };

  enum class Pass { kFinal, kCacheable, kRetry };
  Result Verify(const std::string& edition_path, const std::string& file_name, const TrustedKeys& trusted,
                Identity files[3], Pass* pass);
  bool Lookup(const std::string& key, uint64_t generation, Result* result);
  void Store(const std::string& key, Entry entry);

  const std::string root_;  // canonical, no trailing slash
  const Limits limits_;
  std::atomic<uint64_t> verifications_{0};
  std::mutex mu_;
  std::list<std::string> order_;                    // GUARDED_BY(mu_), most recent first
  std::unordered_map<std::string, Entry> entries_;  // GUARDED_BY(mu_)
  size_t bytes_ = 0;                                // GUARDED_BY(mu_)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_ARTIFACT_VERIFIER_H_
