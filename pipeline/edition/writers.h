// The writer table: each edition format by name, and everything the rest of
// the code knows about a format: its artifact's extension, the MIME type it is
// served as, how a licensee's copy of it is personalised, and the one function
// that renders a document in it.
//
// Adding a format is a new writer unit and one line in Writers(); nothing
// else spells a format's name. A writer is a pure function of the document
// and the templates: the same inputs give the same bytes, with no clock and no
// randomness. Thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_WRITERS_H_
#define IMPRINT_PIPELINE_EDITION_WRITERS_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

// Where a licensee's copy names the licensee (pipeline/server/personalize).
enum class Personalization {
  kFrontMatter,  // Markdown: front-matter keys and a last paragraph
  kHtmlMarkers,  // the page's head and footer markers
  kEpubMarkers,  // the markers of the package document and two pages
};

struct Writer {
  std::string format;     // as licenses and reports name it: "md", "html"
  std::string extension;  // of the artifact: "md", "html"
  std::string mime_type;  // as served: "text/markdown; charset=utf-8"
  Personalization personalization;
  std::string (*write)(const Document& doc, const TemplateSet& templates);
};

// Every format, in the order editions list them.
const std::vector<Writer>& Writers();

// The writer of a format name, or of an artifact extension; nullptr for none.
const Writer* FindWriter(std::string_view format);
const Writer* FindWriterByExtension(std::string_view extension);

// The format names for people: "md, html or epub".
std::string FormatNames();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_WRITERS_H_
