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

#include "pipeline/edition/document.h"

namespace imprint {

constexpr char kManifestName[] = "manifest.json";

struct ManifestArtifact {
  std::string name;    // file name within the edition folder
  uint64_t size = 0;
  std::string sha256;  // lower-case hex
};

struct Manifest {
  std::string edition;  // "monitor/v05/i077"
  std::string key_id;   // as minisign prints it
  std::string inputs_sha256;
  std::vector<ManifestArtifact> artifacts;
};

ManifestArtifact DescribeArtifact(const std::string& name, const std::string& bytes);

std::string ManifestJson(const Document& doc, const std::string& edition,
                         const std::vector<ManifestArtifact>& artifacts,
                         const std::string& key_id, const std::string& inputs_sha256);

// Throws imprint::Error naming `file` when the text is not a manifest.
Manifest ParseManifest(const std::string& text, const std::string& file);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_MANIFEST_H_
