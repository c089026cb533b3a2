// The catalog: DIR/index.html (the page listing every edition by publication
// and volume, with links to each format, its signature, the public key and how
// to check them with minisign) and DIR/catalog.json (the same for machines).
//
// Entries come from the build's state (fast: no manifest is read) or, for
// `imprint catalog`, from the manifests found under DIR (which merges the
// outputs of sharded builds). Both files are signed and deterministic: entries sorted by
// publication, volume and issue, no clock in them. An edition under embargo
// is left out until its release time (docs/editions.md "Embargo"): the one
// place the catalog reads the clock. Pure apart from the writes and the
// clock; thread-compatible.
#ifndef IMPRINT_PIPELINE_EDITION_CATALOG_H_
#define IMPRINT_PIPELINE_EDITION_CATALOG_H_

#include <cstdint>
#include <string>
#include <vector>

#include "pipeline/edition/manifest.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

// An edition as the catalog lists it: the issue's metadata, as its manifest
// carries it, and the edition's reference.
struct CatalogEntry : ManifestIssue {
  std::string edition;  // "monitor/v05/i077"
  int revision = 1;
  std::string manifest_sha256;  // of the current revision's manifest.json (the snapshot, as TUF's)
  std::string corrected;        // the date of the last correction, or "" (revision 1)
  std::string embargo;          // the release time (UTC, RFC 3339), or ""
  // Withdrawn (withdrawals.h): the date it was withdrawn and the public
  // notice; listed with no files, manifest or revision. "" when live.
  std::string withdrawn{};  // (braced: brace-initialised entries may omit them)
  std::string notice{};
};

// Every edition folder under `out_dir` with a manifest.json, from the
// manifests. A manifest that cannot be read, whose signature does not check
// out against `trusted`, or that names another edition than its folder's is
// skipped and named in `problems`: nothing unverified is listed and signed.
std::vector<CatalogEntry> ScanEditions(const std::string& out_dir, const TrustedKeys& trusted,
                                       std::vector<std::string>* problems);

std::string CatalogJson(std::vector<CatalogEntry> entries);
std::string CatalogHtml(std::vector<CatalogEntry> entries, const TemplateSet& templates);
// catalog.html with the names CatalogHtml() gives it.
TemplateUse CatalogTemplateUse();

// Embargoes (docs/editions.md "Embargo"): whether an edition whose release
// time is `embargo` (RFC 3339, as the manifest carries it) is still held back
// at `now` (seconds since the epoch). "" is no embargo; an embargo that is no
// RFC 3339 time (a manifest's, signed but not read by the raw reader) holds
// the edition back: an edition is never released by mistake.
bool UnderEmbargo(const std::string& embargo, int64_t now);

// `entries` without those under embargo at `now`: what the catalog may list.
// Apply it to the list before WriteCatalog().
std::vector<CatalogEntry> ReleasedEditions(std::vector<CatalogEntry> entries, int64_t now);


// Writes both files under `out_dir` with a minisign signature beside each,
// atomically, each only when it changed.
void WriteCatalog(const std::string& out_dir, const std::vector<CatalogEntry>& entries,
                  const TemplateSet& templates, const SigningKey& key);

// WriteCatalog() of ReleasedEditions(entries, Now()), written once more when
// an edition's release time passes while it is written: so a catalog file
// last written at time T lists every edition of `entries` released by T,
// which is what lets `imprint build` tell cheaply that a release is missing
// (its files' modification time).
void WriteReleasedCatalog(const std::string& out_dir, const std::vector<CatalogEntry>& entries,
                          const TemplateSet& templates, const SigningKey& key);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_CATALOG_H_
