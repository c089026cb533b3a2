#include "pipeline/server/feed_catalog.h"

#include <algorithm>
#include <tuple>
#include <utility>

#include "pipeline/base/rfc3339.h"

namespace imprint {

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
    : catalog_(std::move(out_dir), "feeds"), model_(std::make_shared<const FeedModel>()) {}

std::shared_ptr<const FeedModel> FeedCatalog::Current(const TrustedKeys& trusted, uint64_t generation) {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<std::vector<SnapshotEntry>> entries = catalog_.Changed(trusted, generation);
  if (!entries) return model_;
  for (const SnapshotEntry& e : *entries) {
    if (e.withdrawn) withdrawn_.insert(e.edition);  // added to, never taken from
  }
  auto model = std::make_shared<FeedModel>(MakeFeedModel(std::move(*entries), withdrawn_));
  model->identity = catalog_.identity();
  model_ = std::move(model);
  return model_;
}

}  // namespace imprint
