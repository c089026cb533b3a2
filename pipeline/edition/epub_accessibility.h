// The accessibility a book must show, checked on its rendered entries
// (issue 19: EPUB Accessibility 1.1 at WCAG 2.2 Level AA).
//
// The package document declares what doc.accessibility (the rights policy's
// <accessibility>) says, no more and no less: dcterms:conformsTo, the
// certifier (a11y:certifiedBy) and schema.org's accessMode,
// accessModeSufficient, accessibilityFeature, accessibilityHazard and
// accessibilitySummary; and one dc:date, BookDate(doc). Every XHTML page has
// `lang` and `xml:lang`, both the publication's language; every epub:type
// that DPUB-ARIA maps to a role carries that role; its headings start at h1
// and never skip a level going down. Run by the template check on a sample
// issue of each publication before any build signs anything, so that a
// template or policy that drops a field is refused with an imprint::Error
// naming the template's file. Ace by DAISY checks the built books
// (tests/epub_accessibility_test.cc). Stateless; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_EPUB_ACCESSIBILITY_H_
#define IMPRINT_PIPELINE_EDITION_EPUB_ACCESSIBILITY_H_

#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

// REQUIRES: `entries` is RenderBook(doc, templates). Throws imprint::Error
// at the first problem, naming the template (templates.Path()) at fault.
void CheckBookAccessibility(const Document& doc, const std::vector<BookEntry>& entries,
                            const TemplateSet& templates);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_EPUB_ACCESSIBILITY_H_
