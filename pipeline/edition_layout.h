// The output layout of ../shared/spec/editions.md: where an edition's files go.
//
//   DIR/<pub>/v<VV>/i<III>/<pub>-v<VV>-i<III>.<ext>
//
// VV and III are zero-padded to at least two and three digits. Pure functions;
// thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_LAYOUT_H_
#define IMPRINT_PIPELINE_EDITION_LAYOUT_H_

#include <string>

namespace imprint {

// "monitor/v05/i077", relative to the output folder.
// REQUIRES: slug is a PublicationSlug(); 1 <= volume, issue.
std::string EditionPath(const std::string& slug, int volume, int issue);

// "monitor-v05-i077": the artifacts' base name.
std::string EditionBaseName(const std::string& slug, int volume, int issue);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_LAYOUT_H_
