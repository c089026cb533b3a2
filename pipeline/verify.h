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
#include <string_view>
#include <vector>

#include "pipeline/keystore.h"
#include "pipeline/manifest.h"

namespace imprint {

struct Verdict {
  std::string path;
  bool ok = false;
  std::string reason;  // why it failed; for an ok file, the key that signed it
};

std::vector<Verdict> VerifyPaths(const std::vector<std::string>& paths, const TrustedKeys& trusted);

// Checks `signature` (the text of a .minisig) over `bytes`, the contents of
// the file named `name`: it must verify with a key of `trusted` that is not
// revoked, and its trusted comment must name `name`. Returns "" when good and
// sets *signer to the key's id as minisign prints it; else says why not
// ("signed by revoked key 1A2B... (reason)", "unknown key ...", ...).
std::string CheckSignature(const std::string& name, std::string_view bytes, std::string_view signature,
                           const TrustedKeys& trusted, std::string* signer);

// Checks `bytes` against their manifest listing: "" when the size and the
// SHA-256 are the listed ones, else which differs.
std::string CheckListed(std::string_view bytes, const ManifestArtifact& listed);

// The trusted comment Imprint signs for a file: "file:NAME<TAB>edition:E<TAB>
// inputs:sha256:HEX". Holds no clock, so signatures are reproducible.
std::string TrustedComment(const std::string& name, const std::string& edition,
                           const std::string& inputs_sha256);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_VERIFY_H_
