#include "pipeline/writers.h"

#include "pipeline/html_writer.h"
#include "pipeline/markdown_writer.h"

namespace imprint {

const std::vector<Writer>& Writers() {
  static const std::vector<Writer> writers = {
      {"md", "md", &WriteMarkdown},
      {"html", "html", &WriteHtml},
  };
  return writers;
}

}  // namespace imprint
