// Checking the download server's audit log: its hash chain, and every signed
// checkpoint of it (pipeline/signing/checkpoint.h), those the store keeps and those
// kept elsewhere, against the rows.
//
// Positions are by id order: a checkpoint of size N states that the log's
// first N rows (oldest first, whatever gaps their ids have) end in its hash.
// A log cut short, edited and re-chained, or with rows forged below a
// checkpoint disagrees with it; rows after the newest checkpoint are not
// anchored yet (a running server signs within its interval; a stopped one
// signed them at shutdown), which the check also reports as a failure.
// Streams rows and checkpoints in pages: constant memory for any log.
// Not thread-safe (it uses the store given); call from one thread.
#ifndef IMPRINT_PIPELINE_LICENSE_AUDIT_CHECK_H_
#define IMPRINT_PIPELINE_LICENSE_AUDIT_CHECK_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/signing/keystore.h"
#include "pipeline/license/license_store.h"

namespace imprint {

// A checkpoint kept outside the store, and what to call it in messages.
struct OutsideCheckpoint {
  std::string name;  // e.g. the file's path
  std::string note;
};

struct AuditCheckResult {
  bool ok = false;
  int64_t rows = 0;         // rows read
  int64_t checkpoints = 0;  // checkpoints checked
  int64_t anchored = 0;     // the largest size a checkpoint vouched for
  int64_t not_counted = 0;  // stored checkpoints signed by a key since revoked
  std::string origin;       // of the largest checkpoint
  std::string problem;      // the first disagreement, when not ok
};

AuditCheckResult CheckAuditLog(LicenseStore& store, const TrustedKeys& trusted,
                               const std::vector<OutsideCheckpoint>& outside);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_AUDIT_CHECK_H_
