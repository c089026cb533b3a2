// The rights office's report (`imprint report`, the server's /admin/): the
// audit log's figures for a period, aggregated into a ReportData that the
// JSON here and the HTML page (pipeline/server/report_page.h) both render,
// so that the two always say the same numbers.
//
// BuildReport() reads the period's rows of the log (the store picks them), a
// page at a time (LicenseStore::AuditPage):
// its memory grows with the licenses, editions and reasons it meets, never
// with the number of rows. What counts (docs/http.md, "The audit row each
// request leaves"):
//   - a download is a permitted GET of a book copy (item "copy"); a
//     signature (.minisig) or a HEAD is no download, and is counted apart
//     (signature_requests, head_requests, permitted ones only);
//   - a denial is any denied row of an edition file (copy or signature, GET
//     or HEAD); the rows of a license presented to another route (items
//     "license", "rights", "feed", "search") count among the rows only;
//   - a row belongs to the period when since <= at < until.
// Tiers come from each license's stored document ("(none)" for a request
// with no license, "(unknown)" for an id the store does not know);
// publications from the edition path. Nothing private is read into a
// ReportData: no revocation reason, no subscriber name or e-mail (a
// subscriber is named by id only). Pure but for the store it reads; not
// thread-safe on one store (a store is one connection).
#ifndef IMPRINT_PIPELINE_LICENSE_AUDIT_REPORT_H_
#define IMPRINT_PIPELINE_LICENSE_AUDIT_REPORT_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/edition/rights_policy.h"
#include "pipeline/license/license_store.h"
#include "pipeline/license/sharing_flags.h"

namespace imprint {

// The longest period a report covers, in days (a year, leap day included).
constexpr int64_t kMaxReportDays = 366;
// A license "near expiry" ends within this many days of the report's making.
constexpr int64_t kNearExpiryDays = 30;
// How many licenses "top licenses" lists.
constexpr size_t kTopLicenses = 10;
// How many names the publication and edition lists keep; the rest are folded
// into one last entry, "(N others)": the log's editions are whatever paths
// were asked for, and anyone may ask for any.
constexpr size_t kListedNames = 100;

struct ReportCount {
  std::string name;  // a day (YYYY-MM-DD), tier, publication, edition or reason
  int64_t downloads = 0;
  int64_t denials = 0;
};

struct ReportLicense {
  std::string license_id;
  std::string subscriber_id;
  std::string tier;
  int64_t downloads = 0;
  int64_t denials = 0;
};

struct ExpiringLicense {
  std::string license_id;
  std::string subscriber_id;
  std::string tier;
  std::string end;  // RFC 3339, as the license states it
  int64_t days_left = 0;  // whole days from the report's making, rounded down
};

// A license whose use looks shared (the same fields as the sharing signals'
// SharingFlag, pipeline/license/sharing_flags.h, on another branch).
struct ReportData {
  int64_t since = 0;  // the period: since <= at < until, seconds since the epoch
  int64_t until = 0;
  int64_t made_at = 0;  // when the report was made (near expiry is counted from it)
  int64_t rows = 0;  // audit rows in the period, of every item
  int64_t downloads = 0;
  int64_t denials = 0;
  int64_t signature_requests = 0;  // permitted requests of a signature (not downloads)
  int64_t head_requests = 0;       // permitted HEADs of a copy (not downloads)
  std::vector<ReportCount> days;   // every UTC day the period touches, oldest first
  std::vector<ReportCount> tiers, publications, editions;  // by downloads, then denials, then name;
  // publications and editions: at most kListedNames, then "(N others)" if any
  std::vector<ReportCount> reasons;  // denials by reason (downloads 0), most first
  std::vector<ReportLicense> top_licenses;  // the kTopLicenses most downloaded (denials break ties)
  std::vector<ExpiringLicense> expiring;    // unrevoked, ending within kNearExpiryDays, soonest first
  std::vector<SharingFlag> flags;  // the period's, as imprint audit --flagged lists them
};

// The report of rows with since <= at < until, made at `now`. Throws
// imprint::Error for an empty period or one over kMaxReportDays, and what
// the store throws.
ReportData BuildReport(LicenseStore& store, const RightsPolicy& policy, int64_t since, int64_t until, int64_t now);

// The report as JSON (one object, keys as ReportData's fields, times as RFC
// 3339), and a newline.
std::string ReportJson(const ReportData& report);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_AUDIT_REPORT_H_
