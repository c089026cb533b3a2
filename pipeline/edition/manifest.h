// The edition manifest: manifest.json in every edition folder, canonical JSON
// (RFC 8785) listing every artifact's name, size and SHA-256, the issue's
// metadata, the rights summary, the signing key's id and a digest of the
// build's inputs. Signed like every artifact; `imprint verify` checks the
// files against it. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_MANIFEST_H_
#define IMPRINT_PIPELINE_EDITION_MANIFEST_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/base/edition_layout.h"  // kManifestName
#include "pipeline/edition/document.h"

namespace imprint {

struct ManifestArtifact {
  std::string name;    // file name within the edition folder
  uint64_t size = 0;
  std::string sha256;  // lower-case hex
};

// The issue's metadata, as the catalog lists it (CatalogEntry).
struct ManifestIssue {
  std::string publication;       // slug
  std::string publication_name;  // display name
  int volume = 0;
  int issue = 0;
  std::string date;  // may be empty
  std::string title;
  // The articles' headlines, in order ("" ones left out); empty in manifests
  // written before they were listed. (Braced: brace-initialised values may omit it.)
  std::vector<std::string> headlines{};
};

// A correction as the manifest lists it (Correction of document.h without
// its source line; the manifest's `supersedes` is the last one's).
struct ManifestCorrection {
  std::string date;  // YYYY-MM-DD
  std::string note;
};

struct Manifest {
  std::string edition;  // "monitor/v05/i077"
  int revision = 1;     // 1 in manifests written before revisions
  std::string supersedes;   // SHA-256 of the previous revision's manifest.json; "" for revision 1
  std::string text_sha256;  // TextSha256 of the edition's text; "" in manifests before revisions
  std::string embargo;      // release time (UTC, RFC 3339), or ""
  std::vector<ManifestCorrection> corrections;  // revision - 1 of them, oldest first
  std::string key_id;   // as minisign prints it
  std::string inputs_sha256;
  std::vector<ManifestArtifact> artifacts;
  bool has_issue = false;  // whether the manifest carries `issue` (all that Imprint writes do)
  ManifestIssue issue;
};

// The SHA-256 (hex) of what an edition says: its identity, date, headlines
// and paragraphs, to the letter; not its corrections, embargo, rights or
// rendering. Two inputs with the same TextSha256 publish the same text.
std::string TextSha256(const Document& doc);

ManifestArtifact DescribeArtifact(const std::string& name, const std::string& bytes);

std::string ManifestJson(const Document& doc, const std::string& edition,
                         const std::vector<ManifestArtifact>& artifacts,
                         const std::string& key_id, const std::string& inputs_sha256);

// The one reader of manifest.json. Throws imprint::Error naming `file` when
// the text is not a manifest (an `issue` member, when there is one, must have
// every field but the date; a revision past 1 must name what it supersedes
// and list one correction per revision past the first).
Manifest ParseManifest(const std::string& text, const std::string& file);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_MANIFEST_H_
