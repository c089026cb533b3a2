#include "pipeline/server/withdrawn_list.h"

#include <sys/stat.h>

#include <utility>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/snapshot_check.h"
#include "pipeline/edition/verify.h"
#include "pipeline/server/serve_log.h"

namespace imprint {
namespace {

// A catalog of ten thousand editions is a few megabytes.
constexpr size_t kMaxCatalog = 64 << 20;

// "device:inode:size:mtime" of `path`, "-" when it cannot be stat'ed.
std::string FileIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

WithdrawnList::WithdrawnList(std::string out_dir) : out_dir_(std::move(out_dir)) {}

std::optional<WithdrawnList::Entry> WithdrawnList::Find(const std::string& edition, const TrustedKeys& trusted,
                                                        uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  Refresh(trusted, generation);
  auto it = editions_.find(edition);
  if (it == editions_.end()) return std::nullopt;
  return it->second;
}

void WithdrawnList::Refresh(const TrustedKeys& trusted, uint64_t generation) {
  const std::string path = out_dir_ + "/" + kCatalogJsonName;
  const std::string identity =
      FileIdentity(path) + "|" + FileIdentity(path + kSignatureSuffix) + "|" + std::to_string(generation);
  if (identity == identity_) return;
  identity_ = identity;
  try {
    // Regular files only, opened without blocking: a FIFO put in their place
    // would hold this lock, and every edition request behind it, for ever.
    const std::string bytes = ReadRegularFile(path, kMaxCatalog, "a catalog");
    const std::string signature = ReadRegularFile(path + kSignatureSuffix, 4096, "a signature");
    std::string signer;
    const std::string problem = CheckSignature(kCatalogJsonName, bytes, signature, trusted, &signer);
    if (!problem.empty()) throw Error(path, 0, "the signature: " + problem);
    // Added to, never taken from: an older signed catalog put back (or one
    // a build that started before the withdrawal wrote) does not bring an
    // edition back while the server runs.
    for (SnapshotEntry& e : ParseCatalogSnapshot(bytes, path)) {
      if (e.withdrawn) editions_[e.edition] = Entry{std::move(e.withdrawn_date), std::move(e.notice)};
    }
  } catch (const Error& e) {
    Log("withdrawals not updated: " + e.diagnostic().ToString());
  }
}

}  // namespace imprint
