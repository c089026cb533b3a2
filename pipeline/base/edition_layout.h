// The output layout of docs/output.md: where an edition's files go.
//
//   DIR/<pub>/v<VV>/i<III>/<pub>-v<VV>-i<III>.<ext>
//
// VV and III are zero-padded to at least two and three digits. This unit owns
// the grammar both ways: it writes the path and the base name, and reads a
// path back (a hand-written scanner, linear, for untrusted text). Pure
// functions; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_
#define IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_

#include <optional>
#include <string>
#include <string_view>

namespace imprint {

// "monitor/v05/i077", relative to the output folder.
// REQUIRES: slug is a PublicationSlug(); 1 <= volume, issue.
std::string EditionPath(const std::string& slug, int volume, int issue);

// "monitor-v05-i077": the artifacts' base name.
std::string EditionBaseName(const std::string& slug, int volume, int issue);

// An edition's identity, as its path spells it.
struct EditionPathParts {
  std::string slug;
  int volume = 0;
  int issue = 0;
};

// Reads "monitor/v05/i077": a slug ([a-z0-9]+ in hyphen-joined runs), "/v",
// 1 to 5 digits, "/i", 1 to 5 digits, nothing else; volume and issue at least
// 1. The zero padding is optional: EditionPath(parts) gives the canonical
// spelling. nullopt for anything else.
std::optional<EditionPathParts> ParseEditionPath(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_EDITION_LAYOUT_H_
