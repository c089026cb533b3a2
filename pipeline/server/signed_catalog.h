// The output folder's catalog.json as the server believes it, for the parts
// that learn from it (withdrawn_list.h, feed_catalog.h): re-read only when
// the stamp (base/file_stamp.h: device, inode, size, modification and
// change times) of the catalog or of its signature, or the trusted keys'
// generation, changed since the last look, and while a stamp is not yet
// settled (changed under 2 s ago) at most every 100 ms; read only as regular files (a FIFO put in their place is never
// waited for), at most 64 MB; believed only when the signature checks out
// against the trusted keys; parsed by the one strict reader
// (ParseCatalogSnapshot). A catalog that is missing, unsigned or unreadable
// is logged once per change and gives nothing. Not thread-safe: each owner
// calls it under its own lock.
#ifndef IMPRINT_PIPELINE_SERVER_SIGNED_CATALOG_H_
#define IMPRINT_PIPELINE_SERVER_SIGNED_CATALOG_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/edition/snapshot_check.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

class SignedCatalogWatch {
 public:
  // `out_dir`: the output folder; `what`: what its owner learns, for the log
  // ("withdrawals" logs "withdrawals not updated: ...").
  SignedCatalogWatch(std::string out_dir, std::string what);

  // The catalog's entries when it changed since the last call and checks
  // out; nullopt when it did not change, or does not check out.
  std::optional<std::vector<SnapshotEntry>> Changed(const TrustedKeys& trusted, uint64_t generation);

  // The identity of the files last looked at ("" before the first look).
  const std::string& identity() const { return identity_; }

 private:
  const std::string out_dir_;
  const std::string what_;
  std::string identity_;
  std::string content_;     // digests of the files last read, and the generation
  bool settled_ = false;    // identity_ was settled when read
  int64_t reread_at_ = 0;   // steady clock, ns: the next read while not settled
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SIGNED_CATALOG_H_
