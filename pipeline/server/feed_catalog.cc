#include "pipeline/server/feed_catalog.h"

#include <sys/stat.h>

#include <algorithm>
#include <tuple>
#include <utility>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/edition/verify.h"
#include "pipeline/server/serve_log.h"

namespace imprint {
namespace {

constexpr size_t kMaxCatalog = 64 << 20;  // as withdrawn_list.cc

// "device:inode:size:mtime" of `path`, "-" when it cannot be stat'ed.
std::string FileIdentity(const std::string& path) {
  struct stat st;
  if (::stat(path.c_str(), &st) != 0) return "-";
  return std::to_string(st.st_dev) + ":" + std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" +
         std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec);
}

}  // namespace

std::string UpdatedTime(const SnapshotEntry& e) {
  const std::string& date = e.corrected.empty() ? e.date : e.corrected;
  return IsCalendarDate(date) ? date + "T00:00:00Z" : "1970-01-01T00:00:00Z";
}

FeedModel MakeFeedModel(std::vector<SnapshotEntry> entries, const std::set<std::string>& withdrawn) {
  entries.erase(std::remove_if(entries.begin(), entries.end(),
                               [&](const SnapshotEntry& e) { return e.withdrawn || withdrawn.count(e.edition) > 0; }),
                entries.end());
  std::sort(entries.begin(), entries.end(), [](const SnapshotEntry& a, const SnapshotEntry& b) {
    return std::tie(a.date, a.publication, a.volume, a.issue) > std::tie(b.date, b.publication, b.volume, b.issue);
  });
  FeedModel model;
  model.recent = std::move(entries);
  for (size_t i = 0; i < model.recent.size(); ++i) {
    const SnapshotEntry& e = model.recent[i];
    model.by_publication[e.publication].push_back(i);
    if (model.names[e.publication].empty()) model.names[e.publication] = e.publication_name;
    for (const std::string& key : {std::string(), e.publication}) {
      std::string& newest = model.newest[key];
      newest = std::max(newest, UpdatedTime(e));
    }
  }
  for (auto& [publication, list] : model.by_publication) {
    std::sort(list.begin(), list.end(), [&model](size_t a, size_t b) {
      const SnapshotEntry &x = model.recent[a], &y = model.recent[b];
      return std::tie(x.volume, x.issue) > std::tie(y.volume, y.issue);
    });
  }
  return model;
}

FeedCatalog::FeedCatalog(std::string out_dir)
    : out_dir_(std::move(out_dir)), model_(std::make_shared<const FeedModel>()) {}

std::shared_ptr<const FeedModel> FeedCatalog::Current(const TrustedKeys& trusted, uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  const std::string path = out_dir_ + "/" + kCatalogJsonName;
  const std::string identity =
      FileIdentity(path) + "|" + FileIdentity(path + kSignatureSuffix) + "|" + std::to_string(generation);
  if (identity == identity_) return model_;
  identity_ = identity;
  try {
    const std::string bytes = ReadFileAtMost(path, kMaxCatalog, "a catalog");
    const std::string signature = ReadFileAtMost(path + kSignatureSuffix, 4096, "a signature");
    std::string signer;
    const std::string problem = CheckSignature(kCatalogJsonName, bytes, signature, trusted, &signer);
    if (!problem.empty()) throw Error(path, 0, "the signature: " + problem);
    std::vector<SnapshotEntry> entries = ParseCatalogSnapshot(bytes, path);
    for (const SnapshotEntry& e : entries) {
      if (e.withdrawn) withdrawn_.insert(e.edition);  // added to, never taken from
    }
    auto model = std::make_shared<FeedModel>(MakeFeedModel(std::move(entries), withdrawn_));
    model->identity = identity;
    model_ = std::move(model);
  } catch (const Error& e) {
    Log("feeds not updated: " + e.diagnostic().ToString());
  }
  return model_;
}

}  // namespace imprint
