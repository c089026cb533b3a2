// The build's revision rules (docs/editions.md "Revisions" and "No silent
// rollback"): what is in place of an edition, whether an input may replace
// it, and which earlier revisions the new folder keeps.
//
// What is in place is trusted only when its manifest.json is the one the
// build state (or, without a state row, the signed catalog.json) names and
// its signature verifies; anything else in the folder (an older revision put
// back, another edition's files, an unsigned manifest) is damage, which the
// build replaces with what the input gives (dropping the damaged folder's
// revisions/: nothing in it is vouched for). Earlier revisions live flat in
// DIR/<edition>/revisions/r<N>/, each a complete edition folder of its own.
// Pure functions of the file system and their arguments; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_REVISIONS_H_
#define IMPRINT_PIPELINE_EDITION_REVISIONS_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

constexpr char kRevisionsFolder[] = "revisions";

// The folder of revision `n` below an edition folder's: "revisions/r2".
std::string RevisionFolder(int n);
// N of a "r<N>" folder name (digits, no leading zero, N >= 1), else 0.
int RevisionOfFolderName(const std::string& name);

struct InPlace {
  enum class Kind { kNone, kDamaged, kCurrent };
  Kind kind = Kind::kNone;
  std::string folder;           // DIR/<edition>
  std::string manifest_sha256;  // of the manifest.json in place (kCurrent, kDamaged with one)
  Manifest manifest;            // kCurrent only
  std::string why;              // kDamaged: what is wrong, for the log
};

// Reads `folder` (DIR/<edition>): kNone without a manifest.json, kCurrent
// when its SHA-256 is `expected_sha256` (not empty), its signature verifies
// against `trusted` and it names `edition`, else kDamaged.
InPlace ReadInPlace(const std::string& folder, const std::string& edition, const std::string& expected_sha256,
                    const TrustedKeys& trusted);

// Throws imprint::Error naming `input` (the header's line, or the
// correction's) when `doc` may not replace the current revision `place`
// (kCurrent): the table of docs/editions.md. `today` (seconds since the
// epoch) dates the Correction line the error asks for. Nothing lifts these
// rules: publish --replace lifts only the guard of another input file.
void CheckRevision(const Document& doc, const std::string& input, const std::string& edition,
                   const InPlace& place, int64_t today);

struct KeptFile {
  std::string name;  // relative to the edition folder: "revisions/r1/manifest.json"
  std::string bytes;
};

// The earlier revisions the new folder of revision `revision` keeps from
// `place` (kCurrent): its revisions/r<N>/ below `revision`, and, when
// `revision` is past the one in place, the folder in place itself as
// revisions/r<R>/ (its manifest and the files it lists, with signatures).
std::vector<KeptFile> KeptRevisions(const InPlace& place, int revision);

// edition -> manifest_sha256 as DIR/catalog.json lists them, when its
// signature verifies against `trusted`; empty when there is none or it does
// not verify.
std::map<std::string, std::string> CatalogSnapshot(const std::string& out_dir, const TrustedKeys& trusted);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_REVISIONS_H_
