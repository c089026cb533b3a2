// Verification of signed editions: what `imprint verify` and `imprint publish`
// run. An edition folder is checked through its manifest: the manifest's own
// signature, then every artifact's size, SHA-256 and signature, and no file in
// the folder that the manifest does not list. A single artifact is checked by
// its signature and, when a manifest stands beside it, by its listed hash.
// Signatures by revoked keys fail with the revocation's reason. Pure given the
// file system; thread-safe.
#ifndef IMPRINT_PIPELINE_VERIFY_H_
#define IMPRINT_PIPELINE_VERIFY_H_

#include <string>
#include <vector>

#include "pipeline/keystore.h"

namespace imprint {

struct Verdict {
  std::string path;
  bool ok = false;
  std::string reason;  // why it failed; for an ok file, the key that signed it
};

std::vector<Verdict> VerifyPaths(const std::vector<std::string>& paths, const TrustedKeys& trusted);

// The trusted comment Imprint signs for a file: "file:NAME<TAB>edition:E<TAB>
// inputs:sha256:HEX". Holds no clock, so signatures are reproducible.
std::string TrustedComment(const std::string& name, const std::string& edition,
                           const std::string& inputs_sha256);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_VERIFY_H_
