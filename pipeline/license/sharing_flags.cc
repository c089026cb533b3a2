#include "pipeline/license/sharing_flags.h"

#include <algorithm>
#include <deque>
#include <set>
#include <tuple>

#include "pipeline/base/rfc3339.h"
#include "pipeline/license/audit_query.h"

namespace imprint {
namespace {

// A flag's networks named in its sentence at the most.
constexpr size_t kNamedNetworks = 8;

std::string Hours(int64_t seconds) {
  const int64_t h = seconds / 3600;
  return std::to_string(h) + (h == 1 ? " hour" : " hours");
}

struct Episode {
  bool open = false;
  int64_t first_at = 0, last_at = 0, observed = 0;
  std::set<std::string> networks;  // named ones, kNamedNetworks at the most
};

struct EditionState {
  std::deque<int64_t> times;  // the last downloads_per_edition downloads
  Episode episode;
};

}  // namespace

struct SharingDetector::LicenseState {
  std::string license_id, subscriber_id, tier;
  const SharingLimits* limits = nullptr;  // nullptr: never flagged
  int64_t last_at = INT64_MIN;
  // In the window: each network's first and last row, and the same by last
  // row, so that leaving the window costs O(log n) per network, not a scan.
  std::map<std::string, std::pair<int64_t, int64_t>> networks;
  std::set<std::pair<int64_t, std::string>> networks_by_last;
  Episode network_episode;
  std::map<std::string, EditionState> editions;  // those downloaded in the window
  std::set<std::pair<int64_t, std::string>> editions_by_last;
};

namespace {

SharingFlag NetworksFlag(const std::string& license, const std::string& subscriber, const std::string& tier,
                         const SharingLimits& limits, const Episode& e) {
  SharingFlag f{license, subscriber, tier, "networks", "", "", e.first_at, e.last_at, e.observed, limits.networks};
  std::string named;
  for (const std::string& n : e.networks) named += (named.empty() ? "" : ", ") + n;
  if (e.networks.size() >= kNamedNetworks) named += ", ...";
  f.detail = std::to_string(e.observed) + " client networks within " + Hours(limits.window_seconds) + " (" + named +
             ") between " + FormatTime(e.first_at) + " and " + FormatTime(e.last_at) + "; the " + tier +
             " tier allows " + std::to_string(limits.networks) + " in " + Hours(limits.window_seconds);
  return f;
}

SharingFlag DownloadsFlag(const std::string& license, const std::string& subscriber, const std::string& tier,
                          const std::string& edition, const SharingLimits& limits, const Episode& e) {
  SharingFlag f{license, subscriber,  tier, "downloads", "", edition, e.first_at, e.last_at, e.observed,
                limits.downloads_per_edition};
  f.detail = std::to_string(e.observed) + " downloads of " + edition + " between " + FormatTime(e.first_at) +
             " and " + FormatTime(e.last_at) + ", more than " + std::to_string(limits.downloads_per_edition) +
             " within " + Hours(limits.window_seconds) + "; the " + tier + " tier allows " +
             std::to_string(limits.downloads_per_edition) + " of one edition in " + Hours(limits.window_seconds);
  return f;
}

}  // namespace

SharingDetector::SharingDetector(const RightsPolicy& policy, LicenseTierLookup tier_of)
    : policy_(policy), tier_of_(std::move(tier_of)) {}

SharingDetector::~SharingDetector() = default;

SharingDetector::LicenseState* SharingDetector::StateOf(const AuditRow& row) {
  auto it = licenses_.find(row.license_id);
  if (it == licenses_.end()) {
    auto state = std::make_unique<LicenseState>();
    state->license_id = row.license_id;
    if (const std::optional<std::string> tier = tier_of_(row.license_id)) {
      state->tier = *tier;
      const auto t = policy_.tiers.find(*tier);
      if (t != policy_.tiers.end() && t->second.sharing && t->second.sharing->window_seconds > 0) {
        state->limits = &*t->second.sharing;
      }
    }
    it = licenses_.emplace(row.license_id, std::move(state)).first;
  }
  it->second->subscriber_id = row.subscriber_id;
  return it->second.get();
}

void SharingDetector::Add(const AuditRow& row) {
  if (row.decision != AuditDecision::kPermit || row.license_id.empty() || !IsEditionRow(row)) return;
  LicenseState& s = *StateOf(row);
  if (s.limits == nullptr) return;
  const SharingLimits& limits = *s.limits;
  const int64_t t = std::max(row.at, s.last_at);
  s.last_at = t;
  if (limits.networks > 0 && !row.client_net.empty()) AddNetwork(s, row.client_net, t);
  if (limits.downloads_per_edition > 0 && row.item == "copy" && row.method == "GET") AddDownload(s, row.edition, t);
}

void SharingDetector::AddNetwork(LicenseState& s, const std::string& client_net, int64_t t) {
  const SharingLimits& limits = *s.limits;
  const int64_t window_start = t - limits.window_seconds;  // a row at or before it is out of the window
  while (!s.networks_by_last.empty() && s.networks_by_last.begin()->first <= window_start) {
    s.networks.erase(s.networks_by_last.begin()->second);
    s.networks_by_last.erase(s.networks_by_last.begin());
  }
  const auto [n, fresh] = s.networks.emplace(client_net, std::make_pair(t, t));
  if (!fresh) s.networks_by_last.erase({n->second.second, client_net});
  n->second.second = t;
  s.networks_by_last.emplace(t, client_net);
  Episode& e = s.network_episode;
  const auto distinct = static_cast<int64_t>(s.networks.size());
  if (distinct > limits.networks) {
    if (!e.open) {  // once an episode: the networks of its first window
      e = Episode{true, t, t, 0, {}};
      for (const auto& [net, seen] : s.networks) {
        e.first_at = std::min(e.first_at, seen.first);
        if (e.networks.size() < kNamedNetworks) e.networks.insert(net);
      }
    }
    e.last_at = t;
    e.observed = std::max(e.observed, distinct);
    if (e.networks.size() < kNamedNetworks) e.networks.insert(client_net);
  } else if (e.open) {
    flags_.push_back(NetworksFlag(s.license_id, s.subscriber_id, s.tier, limits, e));
    e.open = false;
  }
}

void SharingDetector::AddDownload(LicenseState& s, const std::string& edition, int64_t t) {
  const SharingLimits& limits = *s.limits;
  const int64_t window_start = t - limits.window_seconds;
  // Editions whose last download left the window are done with: their episode ends.
  while (!s.editions_by_last.empty() && s.editions_by_last.begin()->first <= window_start) {
    const auto ed = s.editions.find(s.editions_by_last.begin()->second);
    if (ed->second.episode.open) {
      flags_.push_back(DownloadsFlag(s.license_id, s.subscriber_id, s.tier, ed->first, limits, ed->second.episode));
    }
    s.editions.erase(ed);
    s.editions_by_last.erase(s.editions_by_last.begin());
  }
  EditionState& es = s.editions[edition];
  if (!es.times.empty()) s.editions_by_last.erase({es.times.back(), edition});
  s.editions_by_last.emplace(t, edition);
  const auto most = static_cast<size_t>(limits.downloads_per_edition);
  Episode& e = es.episode;
  if (es.times.size() == most && es.times.front() > window_start) {
    if (!e.open) e = Episode{true, es.times.front(), t, static_cast<int64_t>(most), {}};
    e.observed += 1;
    e.last_at = t;
  } else if (e.open) {
    flags_.push_back(DownloadsFlag(s.license_id, s.subscriber_id, s.tier, edition, limits, e));
    e.open = false;
  }
  es.times.push_back(t);
  if (es.times.size() > most) es.times.pop_front();
}

std::vector<SharingFlag> SharingDetector::Finish() {
  for (auto& [id, s] : licenses_) {
    if (s->limits == nullptr) continue;
    if (s->network_episode.open) {
      flags_.push_back(NetworksFlag(s->license_id, s->subscriber_id, s->tier, *s->limits, s->network_episode));
      s->network_episode.open = false;
    }
    for (auto& [edition, es] : s->editions) {
      if (!es.episode.open) continue;
      flags_.push_back(DownloadsFlag(s->license_id, s->subscriber_id, s->tier, edition, *s->limits, es.episode));
      es.episode.open = false;
    }
  }
  std::vector<SharingFlag> flags = std::move(flags_);
  flags_.clear();
  std::sort(flags.begin(), flags.end(), [](const SharingFlag& a, const SharingFlag& b) {
    return std::tie(a.first_at, a.license_id, a.kind, a.edition) < std::tie(b.first_at, b.license_id, b.kind, b.edition);
  });
  return flags;
}

std::vector<SharingFlag> FindSharingFlags(LicenseStore& store, const RightsPolicy& policy, const AuditFilter& period) {
  AuditFilter permits = period;
  permits.decision = AuditDecision::kPermit;
  permits.reason.clear();
  SharingDetector detector(policy, [&store](const std::string& id) -> std::optional<std::string> {
    const std::optional<StoredLicense> found = store.FindLicense(id);
    if (!found) return std::nullopt;
    return found->license.tier;
  });
  ForEachAuditRow(store, permits, [&detector](const AuditRow& row) { detector.Add(row); });
  return detector.Finish();
}

const std::vector<RecordColumn>& SharingFlagColumns() {
  static const std::vector<RecordColumn> columns = {
      {"license"}, {"subscriber"}, {"tier"}, {"kind"}, {"edition"}, {"first"},
      {"last"},    {"observed", true}, {"allowed", true}, {"detail"}};
  return columns;
}

std::vector<std::string> SharingFlagRecord(const SharingFlag& f) {
  return {f.license_id, f.subscriber_id, f.tier, f.kind, f.edition, FormatTime(f.first_at), FormatTime(f.last_at),
          std::to_string(f.observed), std::to_string(f.allowed), f.detail};
}

}  // namespace imprint
