#include "pipeline/edition/writers.h"

#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"

namespace imprint {

const std::vector<Writer>& Writers() {
  static const std::vector<Writer> writers = {
      {"md", "md", "text/markdown; charset=utf-8", Personalization::kFrontMatter, &WriteMarkdown},
      {"html", "html", "text/html; charset=utf-8", Personalization::kHtmlMarkers, &WriteHtml},
      {"epub", "epub", "application/epub+zip", Personalization::kEpubMarkers, &WriteEpub},
  };
  return writers;
}

const Writer* FindWriter(std::string_view format) {
  for (const Writer& w : Writers()) {
    if (w.format == format) return &w;
  }
  return nullptr;
}

const Writer* FindWriterByExtension(std::string_view extension) {
  for (const Writer& w : Writers()) {
    if (w.extension == extension) return &w;
  }
  return nullptr;
}

std::string FormatNames() {
  const std::vector<Writer>& all = Writers();
  std::string out;
  for (size_t i = 0; i < all.size(); ++i) {
    if (i > 0) out += i + 1 == all.size() ? " or " : ", ";
    out += all[i].format;
  }
  return out;
}

}  // namespace imprint
