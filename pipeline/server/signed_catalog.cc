#include "pipeline/server/signed_catalog.h"

#include <chrono>
#include <utility>

#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_stamp.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/verify.h"
#include "pipeline/server/serve_log.h"

namespace imprint {
namespace {

// A catalog of ten thousand editions is a few megabytes.
constexpr size_t kMaxCatalog = 64 << 20;

// A catalog that changed this recently may change again unseen (a rewrite
// of the same size within the clock's granularity): read again, but no more
// often than kRacyRereadNanos, so that a server under load does not verify a
// large catalog for every request of the seconds after a build.
constexpr int64_t kRacySeconds = 2;
constexpr int64_t kRacyRereadNanos = 100 * 1000 * 1000;

int64_t SteadyNanos() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// `path`'s stamp as text ("-" when it cannot be stat'ed); clears *settled
// when it changed too recently to be trusted.
std::string Identity(const std::string& path, bool* settled) {
  const std::optional<FileStamp> stamp = StampPath(path);
  if (!stamp) return "-";
  if (!stamp->Settled(kRacySeconds)) *settled = false;
  return stamp->ToString();
}

}  // namespace

SignedCatalogWatch::SignedCatalogWatch(std::string out_dir, std::string what)
    : out_dir_(std::move(out_dir)), what_(std::move(what)) {}

std::optional<std::vector<SnapshotEntry>> SignedCatalogWatch::Changed(const TrustedKeys& trusted,
                                                                      uint64_t generation) {
  const std::string path = out_dir_ + "/" + kCatalogJsonName;
  bool settled = true;
  const std::string identity = Identity(path, &settled) + "|" + Identity(path + kSignatureSuffix, &settled) + "|" +
                               std::to_string(generation);
  const int64_t now = SteadyNanos();
  if (identity == identity_ && (settled_ || now < reread_at_)) return std::nullopt;
  identity_ = identity;
  settled_ = settled;
  reread_at_ = now + kRacyRereadNanos;
  try {
    // Regular files only, opened without blocking: a FIFO put in their place
    // would hold the owner's lock, and every request behind it, for ever.
    const std::string bytes = ReadRegularFile(path, kMaxCatalog, "a catalog");
    const std::string signature = ReadRegularFile(path + kSignatureSuffix, 4096, "a signature");
    // Read again while not settled, the same files are no change.
    std::string content = Sha256Hex(bytes) + Sha256Hex(signature) + std::to_string(generation);
    if (content == content_) return std::nullopt;
    content_ = std::move(content);
    std::string signer;
    const std::string problem = CheckSignature(kCatalogJsonName, bytes, signature, trusted, &signer);
    if (!problem.empty()) throw Error(path, 0, "the signature: " + problem);
    return ParseCatalogSnapshot(bytes, path);
  } catch (const Error& e) {
    Log(what_ + " not updated: " + e.diagnostic().ToString());
    return std::nullopt;
  }
}

}  // namespace imprint
