// Verification of signed editions: what `imprint verify` and `imprint publish`
// run. An edition folder is checked through its manifest: the manifest's own
// signature, then every artifact's size, SHA-256 and signature, and no file in
// the folder that the manifest does not list. A single artifact is checked by
// its signature and, when a manifest stands beside it, by its listed hash.
// Signatures by revoked keys fail with the revocation's reason.
//
// A folder is tied to its edition: the manifest must name an edition in its
// canonical spelling (edition_layout), every artifact it lists must be named
// for that edition (<pub>-v<VV>-i<III>.md|html|epub), and a folder whose path
// claims an edition (its last two components read v<digits>/i<digits>, as in
// an output tree; both as named and with symbolic links resolved, so a link
// named i077 leading to i145 fails too) must be that very edition, so
// monitor/v05/i077 holding monitor/v03/i145's files fails. A folder whose path
// claims none (a copy in ~/Downloads/x) is checked by its manifest and names
// alone: its path asserts nothing to contradict. The same holds for a single
// file checked against the manifest beside it, and for one checked alone: a
// manifest must be its folder's edition's, a file without a manifest beside
// it named for its folder's edition. Only regular files are read
// (a FIFO in place of a file fails rather than blocks).
//
// A folder holding catalog.json is an output folder: it is checked against
// its catalog (snapshot_check.h: no silent rollback) and every edition folder
// under it as above. Pure given the file system and the clock (an embargo);
// thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_VERIFY_H_
#define IMPRINT_PIPELINE_EDITION_VERIFY_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/signing/keystore.h"
#include "pipeline/edition/manifest.h"

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

// The trusted comment Imprint signs for a built file (FormatTrustedComment
// of minisign.h with these fields): "file:NAME<TAB>edition:E<TAB>
// inputs:sha256:HEX". Holds no clock, so signatures are reproducible.
std::string TrustedComment(const std::string& name, const std::string& edition,
                           const std::string& inputs_sha256);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_VERIFY_H_
