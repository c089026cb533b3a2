// The writer table: each edition format by name, and the one function that
// renders a document in it.
//
// Adding a format is a new writer unit and one line in Writers(). A writer is
// a pure function of the document and the templates: the same inputs give
// the same bytes, with no clock and no randomness. Thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_WRITERS_H_
#define IMPRINT_PIPELINE_EDITION_WRITERS_H_

#include <string>
#include <vector>

#include "pipeline/edition/document.h"
#include "pipeline/edition/template_set.h"

namespace imprint {

struct Writer {
  std::string format;     // as licenses and reports name it: "md", "html"
  std::string extension;  // of the artifact: "md", "html"
  std::string (*write)(const Document& doc, const TemplateSet& templates);
};

// Every format, in the order editions list them.
const std::vector<Writer>& Writers();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_WRITERS_H_
