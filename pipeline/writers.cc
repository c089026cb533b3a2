#include "pipeline/writers.h"

#include "pipeline/epub_writer.h"
#include "pipeline/html_writer.h"
#include "pipeline/markdown_writer.h"

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
