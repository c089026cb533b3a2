// The audit log as a rights officer queries it: the rows an AuditFilter
// selects, read a page at a time (the log may hold millions of rows; memory
// stays constant), and each row as the record `imprint audit` writes
// (pipeline/base/record_writer.h): one decision, its reason (empty for a
// permit, whose reason is always "permit"), the kind of download ("epub",
// "epub signature") and the method, the client's network.
//
// The filter runs in the database (LicenseStore::AuditPage with a filter:
// one statement, parameterised); AuditFilterSelects() says the same in
// memory, for tests and callers that hold rows already. Thread-compatible.
#ifndef IMPRINT_PIPELINE_LICENSE_AUDIT_QUERY_H_
#define IMPRINT_PIPELINE_LICENSE_AUDIT_QUERY_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "pipeline/base/record_writer.h"
#include "pipeline/license/license_store.h"

namespace imprint {

// Calls `each` for every row `filter` selects with an id at most `through_id`,
// in id order (oldest first), `page` rows read at a time. Returns the last
// id passed to `each` (kBeforeAnyAuditId when none).
int64_t ForEachAuditRow(LicenseStore& store, const AuditFilter& filter,
                        const std::function<void(const AuditRow&)>& each, int64_t through_id = INT64_MAX,
                        int64_t page = 2000);

// Whether `filter` selects `row`: what the store's statement decides.
bool AuditFilterSelects(const AuditFilter& filter, const AuditRow& row);

// "book" for a copy, "signature" for its .minisig; any other item as it is
// ("license", "rights", "feed", "search").
std::string DownloadItem(const AuditRow& row);
// "epub", "epub signature": the format, and "signature" for a signature; any
// other item as it is ("feed").
std::string DownloadKind(const AuditRow& row);

// The columns of an audit record, in order: id, time, decision, reason,
// license, subscriber, edition, download, method, client_net, sha256.
const std::vector<RecordColumn>& AuditRecordColumns();
std::vector<std::string> AuditRecord(const AuditRow& row);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_AUDIT_QUERY_H_
