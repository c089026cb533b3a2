// Signals that a license is shared: its use, read from the audit log, looks
// like more than the one reader or institution its tier is for. Two kinds,
// each against its tier's <sharing> limits in rights/policy.xml (never in
// code; a tier without them is never flagged):
//
//   "networks"   more distinct client networks (AuditRow::client_net, a /24
//                or /48) than `networks` within any window of window-hours;
//   "downloads"  more book downloads of one edition (permitted GETs of the
//                copy, not signatures, not HEADs) than downloads-per-edition
//                within any window.
//
// Only permits of edition files count (IsEditionRow): a denial proves
// nothing about who holds the license (anyone may send any license id), and
// a feed or search polled from a phone is no download. A flag is one episode: from the first
// row of the first window over the limit to the last row while over it;
// `observed` is the most networks seen in one window, or the downloads in
// the episode. Rows are taken in id order; one whose time is earlier than
// its license's last row counts as at that time (clocks step back).
//
// Memory is bounded by the licenses and, per license, by the networks and
// editions in one window (downloads keep the last downloads-per-edition
// times per edition), never by the number of rows. SharingDetector is not
// thread-safe; FindSharingFlags reads the store a page at a time.
#ifndef IMPRINT_PIPELINE_LICENSE_SHARING_FLAGS_H_
#define IMPRINT_PIPELINE_LICENSE_SHARING_FLAGS_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/base/record_writer.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/license/license_store.h"

namespace imprint {

struct SharingFlag {
  std::string license_id, subscriber_id, tier;
  std::string kind;    // "networks" or "downloads"
  std::string detail;  // a plain sentence: what was seen and what the tier allows
  std::string edition; // for "downloads"; "" for "networks"
  int64_t first_at = 0, last_at = 0;  // seconds since the epoch
  int64_t observed = 0, allowed = 0;
};

// A license's tier, or nullopt when the store has no such license.
using LicenseTierLookup = std::function<std::optional<std::string>(const std::string& license_id)>;

class SharingDetector {
 public:
  // `policy` must outlive the detector.
  SharingDetector(const RightsPolicy& policy, LicenseTierLookup tier_of);
  ~SharingDetector();
  // REQUIRES: rows in id order.
  void Add(const AuditRow& row);
  // Closes every open episode; the flags ordered by first_at, license, kind, edition.
  std::vector<SharingFlag> Finish();

 private:
  struct LicenseState;
  LicenseState* StateOf(const AuditRow& row);
  void AddNetwork(LicenseState& state, const std::string& client_net, int64_t at);
  void AddDownload(LicenseState& state, const std::string& edition, int64_t at);

  const RightsPolicy& policy_;
  LicenseTierLookup tier_of_;
  std::map<std::string, std::unique_ptr<LicenseState>> licenses_;
  std::vector<SharingFlag> flags_;
};

// The flags of the rows `period` selects (its decision and reason are set
// aside: only permits count), the licenses' tiers read from `store`.
std::vector<SharingFlag> FindSharingFlags(LicenseStore& store, const RightsPolicy& policy, const AuditFilter& period);

// The columns of a flag as `imprint audit --flagged` writes it: license,
// subscriber, tier, kind, edition, first, last, observed, allowed, detail.
const std::vector<RecordColumn>& SharingFlagColumns();
std::vector<std::string> SharingFlagRecord(const SharingFlag& flag);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_SHARING_FLAGS_H_
