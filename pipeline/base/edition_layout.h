// The output layout of docs/output.md: an edition's reference and where every
// file of an output folder goes.
//
//   DIR/<pub>/v<VV>/i<III>/<pub>-v<VV>-i<III>.<ext>   an edition's artifacts
//   DIR/<pub>/v<VV>/i<III>/manifest.json             its manifest
//   DIR/keys/imprint.pub, DIR/keys/keyring.json      the public keys
//   DIR/catalog.json, DIR/index.html                 the catalog
//   FILE.minisig                                     FILE's signature
//
// VV and III are zero-padded to at least two and three digits. This unit owns
// the grammar both ways: it writes the paths and the base name, and reads them
// back (a hand-written scanner, linear, for untrusted text): every other unit
// asks it. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_
#define IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_

#include <optional>
#include <string>
#include <string_view>

namespace imprint {

// A file's signature sits beside it as FILE.minisig.
constexpr char kSignatureSuffix[] = ".minisig";
// In an edition's folder.
constexpr char kManifestName[] = "manifest.json";
// Relative to the output folder.
constexpr char kPublicKeyPath[] = "keys/imprint.pub";
constexpr char kKeyringPath[] = "keys/keyring.json";
constexpr char kCatalogJsonName[] = "catalog.json";
constexpr char kCatalogPageName[] = "index.html";

// "monitor/v05/i077", relative to the output folder.
// REQUIRES: slug is a PublicationSlug(); 1 <= volume, issue.
std::string EditionPath(const std::string& slug, int volume, int issue);

// "monitor-v05-i077": the artifacts' base name.
std::string EditionBaseName(const std::string& slug, int volume, int issue);

// An edition's identity, as its path spells it.
struct EditionRef {
  std::string publication;  // the slug
  int volume = 0;
  int issue = 0;
  std::string Path() const;      // "monitor/v05/i077"
  std::string BaseName() const;  // "monitor-v05-i077"
};

// Reads "monitor/v05/i077": a slug ([a-z0-9]+ in hyphen-joined runs), "/v",
// 1 to 5 digits, "/i", 1 to 5 digits, nothing else; volume and issue at least
// 1. The zero padding is optional: Path() gives the canonical spelling.
// nullopt for anything else.
std::optional<EditionRef> ParseEditionRef(std::string_view text);

// Reads a base name, "monitor-v05-i077" (the zero padding optional), as a
// raw issue's file name may spell it without its ".txt": the slug, "-v",
// 1 to 5 digits, "-i", 1 to 5 digits. nullopt for anything else.
std::optional<EditionRef> ParseEditionBaseName(std::string_view text);

// One artifact of an edition (or its signature), as its path names it.
struct ArtifactRef {
  EditionRef edition;
  std::string extension;   // what follows the base name's '.': "md"
  bool signature = false;  // the path names FILE.minisig
  std::string FileName() const;  // "monitor-v05-i077.md", without the suffix
};

// Reads "monitor/v05/i077/monitor-v05-i077.EXT" and the same with the
// signature suffix: the edition in its canonical spelling only (as
// EditionPath writes it), the file that edition's own, EXT one or more of
// [a-z0-9]. Which extensions are formats is the writer table's to say.
// nullopt for anything else.
std::optional<ArtifactRef> ParseArtifactPath(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_
