#include "pipeline/server/signed_catalog.h"

#include <sys/stat.h>

#include <utility>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
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

SignedCatalogWatch::SignedCatalogWatch(std::string out_dir, std::string what)
    : out_dir_(std::move(out_dir)), what_(std::move(what)) {}

std::optional<std::vector<SnapshotEntry>> SignedCatalogWatch::Changed(const TrustedKeys& trusted,
                                                                      uint64_t generation) {
  const std::string path = out_dir_ + "/" + kCatalogJsonName;
  const std::string identity =
      FileIdentity(path) + "|" + FileIdentity(path + kSignatureSuffix) + "|" + std::to_string(generation);
  if (identity == identity_) return std::nullopt;
  identity_ = identity;
  try {
    // Regular files only, opened without blocking: a FIFO put in their place
    // would hold the owner's lock, and every request behind it, for ever.
    const std::string bytes = ReadRegularFile(path, kMaxCatalog, "a catalog");
    const std::string signature = ReadRegularFile(path + kSignatureSuffix, 4096, "a signature");
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
