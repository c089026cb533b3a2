// The editions the feeds list (opds_feeds.h), learnt as the withdrawn list
// learns withdrawals (withdrawn_list.h): from the signed catalog.json of the
// output folder, read strictly (ParseCatalogSnapshot), believed only when its
// signature checks out against the trusted keys, and re-read when its file's
// identity or its signature's or the keys' generation change. The catalog
// lists only released editions (catalog.h: an embargoed one is left out until
// its time); a withdrawn one is left out, and stays out while the server
// runs even if an older signed catalog is put back. A catalog that is
// missing, unsigned or unreadable keeps the last good model (empty at start).
//
// The model is immutable once made and shared: a request renders from the
// snapshot it got, while another thread may swap in a newer one.
// Thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_FEED_CATALOG_H_
#define IMPRINT_PIPELINE_SERVER_FEED_CATALOG_H_

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "pipeline/edition/snapshot_check.h"
#include "pipeline/server/signed_catalog.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

struct FeedModel {
  // Every live edition, newest first: by date (undated last), then by
  // publication, volume and issue, each descending.
  std::vector<SnapshotEntry> recent;
  // Per publication slug: indexes into `recent`, by volume and issue
  // descending (so a volume's editions are a contiguous run).
  std::map<std::string, std::vector<size_t>> by_publication;
  // Per publication slug: its display name.
  std::map<std::string, std::string> names;
  // Per publication slug ("" for all): when its newest entry last changed
  // (UpdatedTime()), so a feed's `updated` costs no pass over the list.
  std::map<std::string, std::string> newest;
  std::string identity;  // of the catalog files it was made from; "" when none
};

// When an entry last changed, as Atom dates it: its last correction's date,
// else its issue date, at midnight UTC; the epoch for an undated one.
std::string UpdatedTime(const SnapshotEntry& e);

// The model of `entries` (a catalog's, as read), without withdrawn ones and
// without those named in `withdrawn`. Pure.
FeedModel MakeFeedModel(std::vector<SnapshotEntry> entries, const std::set<std::string>& withdrawn);

class FeedCatalog {
 public:
  // `out_dir`: the output folder whose catalog.json is read.
  explicit FeedCatalog(std::string out_dir);

  std::shared_ptr<const FeedModel> Current(const TrustedKeys& trusted, uint64_t generation);

 private:
  std::mutex mu_;
  SignedCatalogWatch catalog_;              // GUARDED_BY(mu_)
  std::set<std::string> withdrawn_;        // GUARDED_BY(mu_): every signed catalog's since start
  std::shared_ptr<const FeedModel> model_;  // GUARDED_BY(mu_)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_FEED_CATALOG_H_
