#include "pipeline/license/audit_query.h"

#include "pipeline/base/rfc3339.h"

namespace imprint {

int64_t ForEachAuditRow(LicenseStore& store, const AuditFilter& filter,
                        const std::function<void(const AuditRow&)>& each, int64_t through_id, int64_t page) {
  int64_t after = LicenseStore::kBeforeAnyAuditId;
  int64_t last = LicenseStore::kBeforeAnyAuditId;
  for (;;) {
    const std::vector<AuditRow> rows = store.AuditPage(filter, after, page);
    for (const AuditRow& r : rows) {
      if (r.id > through_id) return last;
      each(r);
      last = r.id;
    }
    if (static_cast<int64_t>(rows.size()) < page) return last;
    after = rows.back().id;
  }
}

bool AuditFilterSelects(const AuditFilter& f, const AuditRow& r) {
  const auto is = [](const std::string& wanted, const std::string& value) {
    return wanted.empty() || wanted == value;
  };
  const bool in_publication =
      f.publication.empty() || r.edition.compare(0, f.publication.size() + 1, f.publication + "/") == 0;
  return r.at >= f.since && r.at <= f.until && is(f.license_id, r.license_id) &&
         is(f.subscriber_id, r.subscriber_id) && is(f.edition, r.edition) && in_publication &&
         (!f.decision || *f.decision == r.decision) && is(f.reason, r.reason);
}

std::string DownloadItem(const AuditRow& row) {
  if (row.item == "copy") return "book";
  return row.item;
}

std::string DownloadKind(const AuditRow& row) {
  if (row.item == "copy") return row.format;
  return row.item == "signature" ? row.format + " signature" : row.item;
}

const std::vector<RecordColumn>& AuditRecordColumns() {
  static const std::vector<RecordColumn> columns = {
      {"id", true},          {"time"},   {"decision"}, {"reason"},     {"license"}, {"subscriber"},
      {"edition"},           {"download"}, {"method"}, {"client_net"}, {"sha256"}};
  return columns;
}

std::vector<std::string> AuditRecord(const AuditRow& r) {
  // A permit's reason is always "permit": said once, by the decision.
  const std::string reason = r.decision == AuditDecision::kPermit && r.reason == "permit" ? "" : r.reason;
  return {std::to_string(r.id), FormatTime(r.at), AuditDecisionName(r.decision), reason, r.license_id,
          r.subscriber_id,      r.edition,        DownloadKind(r),              r.method, r.client_net,
          r.sha256};
}

}  // namespace imprint
