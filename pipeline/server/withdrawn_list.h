// The withdrawn editions as the download server knows them, learnt from
// public data only: the signed catalog.json of the output folder (whose
// withdrawn entries carry a date and a public notice, never the reason).
// The catalog is re-read when its file's identity or its signature's
// (device, inode, size, modification time) or the trusted keys' generation
// change, so `imprint withdraw` takes effect without a restart, and believed
// only when its signature checks out against the trusted keys. A catalog
// that is missing, unsigned or unreadable changes nothing, and the list only
// grows while the server runs: a withdrawal is never undone by a damaged
// file, nor by an older signed catalog put back in place (a rollback).
// Thread-safe: Find() may run on many threads at once.
#ifndef IMPRINT_PIPELINE_SERVER_WITHDRAWN_LIST_H_
#define IMPRINT_PIPELINE_SERVER_WITHDRAWN_LIST_H_

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "pipeline/server/signed_catalog.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

class WithdrawnList {
 public:
  struct Entry {
    std::string date;    // YYYY-MM-DD
    std::string notice;  // public
  };

  // `out_dir`: the output folder whose catalog.json is read.
  explicit WithdrawnList(std::string out_dir);

  // The withdrawal of `edition` ("monitor/v05/i077"), or nullopt.
  std::optional<Entry> Find(const std::string& edition, const TrustedKeys& trusted, uint64_t generation);

 private:
  void Refresh(const TrustedKeys& trusted, uint64_t generation);  // REQUIRES: mu_ held

  std::mutex mu_;
  SignedCatalogWatch catalog_;             // GUARDED_BY(mu_)
  std::map<std::string, Entry> editions_;  // GUARDED_BY(mu_): every signed catalog's since start
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_WITHDRAWN_LIST_H_
