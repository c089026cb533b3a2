#include "pipeline/edition/writers.h"

#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"

namespace imprint {

const std::vector<Writer>& Writers() {
  static const std::vector<Writer> writers = {
      {"md", "md", &WriteMarkdown},
      {"html", "html", &WriteHtml},
      {"epub", "epub", &WriteEpub},
  };
  return writers;
}

}  // namespace imprint
