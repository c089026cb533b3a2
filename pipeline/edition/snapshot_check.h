// No silent rollback (docs/editions.md): an output folder checked against its
// catalog, as TUF checks files against its snapshot metadata. catalog.json
// names each edition's current `revision` and the SHA-256 of its
// manifest.json; this unit checks the catalog's signature (and the page's),
// reads the catalog strictly once its signature checks out, finds every
// edition folder under the output folder (DIR/<pub>/<vol>/<iss>/: three
// levels down, dot folders skipped, symbolic links followed, only regular
// files read) and holds each to its entry: the manifest in place
// must be the one the catalog names, byte for byte, so an older, genuinely
// signed revision put back, or another edition's files, fail by the folder's
// name. A folder the catalog does not list fails unless its own manifest
// carries an embargo later than `now`; a listed edition with no folder fails;
// a withdrawn one (an entry with `withdrawn` and no files) must have none.
//
// It looks no deeper than the edition folders: what is inside one (its
// artifacts, `revisions/rN/`) is the folder's own verification's to check
// (verify.h, which runs this for an output folder given to VerifyPaths). It
// does not check the folders' signatures itself; an embargo is believed only
// from a manifest whose signature that verification then checks. Pure given
// the file system and `now`; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_SNAPSHOT_CHECK_H_
#define IMPRINT_PIPELINE_EDITION_SNAPSHOT_CHECK_H_

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "pipeline/edition/verify.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

// An edition as catalog.json lists it, as far as the check needs it.
struct SnapshotEntry {
  std::string edition;          // canonical, "monitor/v05/i077"
  int revision = 0;             // 0 when withdrawn
  std::string manifest_sha256;  // "" when withdrawn
  bool withdrawn = false;
  std::string withdrawn_date;   // as the catalog gives it
  std::string notice;           // a withdrawal's public notice
  // What feeds show (opds_feeds.h), as the catalog gives them ("", 0 or
  // empty when it has none): the issue's metadata, its headlines in order,
  // and a current entry's files by format ("md" -> "monitor/v05/i077/....md").
  std::string publication{};
  std::string publication_name{};
  int volume = 0;
  int issue = 0;
  std::string date{};
  std::string title{};
  std::string corrected{};
  std::vector<std::string> headlines{};
  std::vector<std::pair<std::string, std::string>> files{};
};

// Reads catalog.json (`imprint-catalog/1`) strictly: every entry an edition
// path in its canonical spelling (ParseEditionRef), listed once; a current
// entry with a `revision` from 1, a `manifest_sha256` of 64 lower-case hex
// digits, and `manifest` and `files` (when there) naming that edition's own
// files; a withdrawn one with a `withdrawn` object and none of those. Throws
// imprint::Error naming `file` and the entry otherwise.
std::vector<SnapshotEntry> ParseCatalogSnapshot(const std::string& text, const std::string& file);

// Whether `dir` is an output folder: it holds something named catalog.json
// (a FIFO or a dangling link too, which the check then fails by name).
bool IsOutputFolder(const std::string& dir);

// An edition folder found under the output folder.
struct SnapshotFolder {
  std::string path;                // DIR/<pub>/<vol>/<iss>, as found
  std::optional<Verdict> verdict;  // against the catalog; none when the catalog failed
  std::optional<std::string> manifest;  // its manifest.json as read, for the folder's own verification
};

struct SnapshotReport {
  std::vector<Verdict> catalog;         // catalog.json and index.html
  std::vector<SnapshotFolder> folders;  // sorted by path
  std::vector<Verdict> absent;          // listed editions with no folder: missing, or withdrawn
};

// Checks the output folder `dir` against its catalog at time `now` (seconds
// since the epoch). Never throws for what it finds: every problem is a
// failed verdict naming the file or folder and what the catalog expects.
SnapshotReport CheckSnapshot(const std::string& dir, const TrustedKeys& trusted, int64_t now);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_SNAPSHOT_CHECK_H_
