#include "pipeline/license/audit_report.h"

#include <algorithm>
#include <map>
#include <set>
#include <unordered_map>

#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/json_string.h"
#include "pipeline/base/rfc3339.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kAuditPageRows = 2000;
const char* const kNoLicense = "(none)";
const char* const kUnknown = "(unknown)";

// What the report knows of a license: never its subscriber's name or e-mail.
struct LicenseFacts {
  std::string subscriber_id;
  std::string tier;
};

// Running totals by name, and by license.
struct Tally {
  std::map<std::string, ReportCount> days, tiers, publications, editions, reasons;
  std::unordered_map<std::string, ReportLicense> licenses;
};

void Count(std::map<std::string, ReportCount>* by, const std::string& name, bool download, bool denial) {
  ReportCount& c = (*by)[name];
  c.name = name;
  c.downloads += download ? 1 : 0;
  c.denials += denial ? 1 : 0;
}

std::string PublicationOf(const std::string& edition) {
  const auto ref = ParseEditionRef(edition);
  return ref ? ref->publication : kUnknown;
}

// One row of the period into the tally and the report's totals.
void Add(const AuditRow& r, const std::unordered_map<std::string, LicenseFacts>& known, Tally* t, ReportData* out) {
  ++out->rows;
  if (!IsEditionRow(r)) return;  // a license presented to another route: no download, no denial of one
  const bool permit = r.decision == AuditDecision::kPermit;
  const bool download = permit && r.item == "copy" && r.method == "GET";
  const bool denial = !permit;
  out->downloads += download ? 1 : 0;
  out->denials += denial ? 1 : 0;
  out->signature_requests += permit && r.item == "signature" ? 1 : 0;
  out->head_requests += permit && r.item == "copy" && r.method == "HEAD" ? 1 : 0;
  if (!download && !denial) return;
  const auto facts = known.find(r.license_id);
  const std::string tier = r.license_id.empty() ? kNoLicense : facts == known.end() ? kUnknown : facts->second.tier;
  Count(&t->days, FormatDate(r.at), download, denial);
  Count(&t->tiers, tier, download, denial);
  Count(&t->publications, PublicationOf(r.edition), download, denial);
  Count(&t->editions, r.edition, download, denial);
  if (denial) Count(&t->reasons, r.reason, false, true);
  if (r.license_id.empty()) return;
  ReportLicense& l = t->licenses[r.license_id];
  if (l.license_id.empty()) {
    l.license_id = r.license_id;
    l.subscriber_id = facts == known.end() ? r.subscriber_id : facts->second.subscriber_id;
    l.tier = tier;
  }
  l.downloads += download ? 1 : 0;
  l.denials += denial ? 1 : 0;
}

// Most downloads first, then most denials, then by name.
std::vector<ReportCount> Ranked(const std::map<std::string, ReportCount>& by) {
  std::vector<ReportCount> out;
  for (const auto& [name, c] : by) out.push_back(c);
  std::stable_sort(out.begin(), out.end(), [](const ReportCount& a, const ReportCount& b) {
    return a.downloads != b.downloads ? a.downloads > b.downloads : a.denials > b.denials;
  });
  return out;
}

// `ranked` cut to its kListedNames first, the rest summed into one last
// entry "(N others)".
std::vector<ReportCount> Listed(std::vector<ReportCount> ranked) {
  if (ranked.size() <= kListedNames) return ranked;
  ReportCount others{"(" + std::to_string(ranked.size() - kListedNames) + " others)", 0, 0};
  for (size_t i = kListedNames; i < ranked.size(); ++i) {
    others.downloads += ranked[i].downloads;
    others.denials += ranked[i].denials;
  }
  ranked.resize(kListedNames);
  ranked.push_back(others);
  return ranked;
}

// Every day from since's to the last second's, with zeros where nothing happened.
std::vector<ReportCount> EveryDay(const std::map<std::string, ReportCount>& by, int64_t since, int64_t until) {
  std::vector<ReportCount> out;
  for (int64_t day = since - since % kDay; day < until; day += kDay) {
    const std::string name = FormatDate(day);
    const auto it = by.find(name);
    out.push_back(it == by.end() ? ReportCount{name, 0, 0} : it->second);
  }
  return out;
}

std::vector<ReportLicense> Top(const std::unordered_map<std::string, ReportLicense>& licenses) {
  std::vector<ReportLicense> all;
  for (const auto& [id, l] : licenses) all.push_back(l);
  std::sort(all.begin(), all.end(), [](const ReportLicense& a, const ReportLicense& b) {
    if (a.downloads != b.downloads) return a.downloads > b.downloads;
    if (a.denials != b.denials) return a.denials > b.denials;
    return a.license_id < b.license_id;
  });
  if (all.size() > kTopLicenses) all.resize(kTopLicenses);
  return all;
}

// Unrevoked licenses whose window ends between now and kNearExpiryDays on.
std::vector<ExpiringLicense> Expiring(const std::vector<StoredLicense>& licenses, const std::set<std::string>& revoked,
                                      int64_t now) {
  std::vector<ExpiringLicense> out;
  for (const StoredLicense& s : licenses) {
    const License& l = s.license;
    const std::optional<int64_t> end = ParseTime(l.end);
    if (!end || *end < now || *end > now + kNearExpiryDays * kDay || revoked.count(l.id)) continue;
    out.push_back({l.id, l.subscriber_id, l.tier, l.end, (*end - now) / kDay});
  }
  std::sort(out.begin(), out.end(), [](const ExpiringLicense& a, const ExpiringLicense& b) {
    return a.end != b.end ? *ParseTime(a.end) < *ParseTime(b.end) : a.license_id < b.license_id;
  });
  return out;
}

}  // namespace

ReportData BuildReport(LicenseStore& store, const RightsPolicy& policy, int64_t since, int64_t until, int64_t now) {
  if (until <= since) throw Error("report", 0, "the period is empty: --until must be after --since");
  if (until - since > kMaxReportDays * kDay) {
    throw Error("report", 0, "the period is longer than " + std::to_string(kMaxReportDays) + " days");
  }
  ReportData out;
  out.since = since;
  out.until = until;
  out.made_at = now;
  std::unordered_map<std::string, LicenseFacts> known;
  const std::vector<StoredLicense> licenses = store.ListLicenses();
  for (const StoredLicense& s : licenses) known[s.license.id] = {s.license.subscriber_id, s.license.tier};
  AuditFilter period;
  period.since = since;
  period.until = until - 1;  // the filter's bound is inclusive, the report's not
  Tally tally;
  std::vector<AuditRow> page;  // the period's rows only: the store picks them
  for (int64_t after = LicenseStore::kBeforeAnyAuditId;
       !(page = store.AuditPage(period, after, kAuditPageRows)).empty(); after = page.back().id) {
    for (const AuditRow& r : page) {
      if (r.at >= since && r.at < until) Add(r, known, &tally, &out);
    }
  }
  out.days = EveryDay(tally.days, since, until);
  out.tiers = Ranked(tally.tiers);
  out.publications = Listed(Ranked(tally.publications));
  out.editions = Listed(Ranked(tally.editions));
  out.reasons = Ranked(tally.reasons);
  out.top_licenses = Top(tally.licenses);
  std::set<std::string> revoked;
  for (const Revocation& r : store.Revocations()) revoked.insert(r.license_id);  // ids only, never reasons
  out.expiring = Expiring(licenses, revoked, now);
  out.flags = FindSharingFlags(store, policy, period);
  return out;
}

namespace {

void Field(std::string* json, const char* name, int64_t value, bool first = false) {
  *json += std::string(first ? "" : ",") + "\"" + name + "\":" + std::to_string(value);
}
void Field(std::string* json, const char* name, const std::string& value, bool first = false) {
  *json += std::string(first ? "" : ",") + "\"" + name + "\":";
  AppendJsonString(WellFormedUtf8(value), json);  // a store edited by hand may hold other bytes
}

template <typename T, typename Fn>
void Array(std::string* json, const char* name, const std::vector<T>& items, Fn write) {
  *json += std::string(",\"") + name + "\":[";
  for (size_t i = 0; i < items.size(); ++i) {
    *json += i ? ",{" : "{";
    write(items[i]);
    *json += "}";
  }
  *json += "]";
}

}  // namespace

std::string ReportJson(const ReportData& r) {
  std::string j = "{";
  Field(&j, "since", FormatTime(r.since), true);
  Field(&j, "until", FormatTime(r.until));
  Field(&j, "made_at", FormatTime(r.made_at));
  Field(&j, "rows", r.rows);
  Field(&j, "downloads", r.downloads);
  Field(&j, "denials", r.denials);
  Field(&j, "signature_requests", r.signature_requests);
  Field(&j, "head_requests", r.head_requests);
  const auto count = [&j](const ReportCount& c) {
    Field(&j, "name", c.name, true);
    Field(&j, "downloads", c.downloads);
    Field(&j, "denials", c.denials);
  };
  Array(&j, "days", r.days, count);
  Array(&j, "tiers", r.tiers, count);
  Array(&j, "publications", r.publications, count);
  Array(&j, "editions", r.editions, count);
  Array(&j, "reasons", r.reasons, [&j](const ReportCount& c) {
    Field(&j, "name", c.name, true);
    Field(&j, "denials", c.denials);
  });
  Array(&j, "top_licenses", r.top_licenses, [&j](const ReportLicense& l) {
    Field(&j, "license_id", l.license_id, true);
    Field(&j, "subscriber_id", l.subscriber_id);
    Field(&j, "tier", l.tier);
    Field(&j, "downloads", l.downloads);
    Field(&j, "denials", l.denials);
  });
  Array(&j, "expiring", r.expiring, [&j](const ExpiringLicense& l) {
    Field(&j, "license_id", l.license_id, true);
    Field(&j, "subscriber_id", l.subscriber_id);
    Field(&j, "tier", l.tier);
    Field(&j, "end", l.end);
    Field(&j, "days_left", l.days_left);
  });
  Array(&j, "flags", r.flags, [&j](const SharingFlag& f) {
    Field(&j, "license_id", f.license_id, true);
    Field(&j, "subscriber_id", f.subscriber_id);
    Field(&j, "tier", f.tier);
    Field(&j, "kind", f.kind);
    Field(&j, "detail", f.detail);
    Field(&j, "edition", f.edition);
    Field(&j, "first_at", FormatTime(f.first_at));
    Field(&j, "last_at", FormatTime(f.last_at));
    Field(&j, "observed", f.observed);
    Field(&j, "allowed", f.allowed);
  });
  return j + "}\n";
}

}  // namespace imprint
