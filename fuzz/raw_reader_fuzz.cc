// libFuzzer target: the raw reader (and the Markdown escaping of what it
// reads). Any input either reads or is an imprint::Error; escaped text never
// crashes.
#include <cstddef>
#include <cstdint>
#include <string>

#include "pipeline/base/markdown_escape.h"
#include "pipeline/edition/raw_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  try {
    const imprint::Document doc = imprint::ReadRawIssue(std::string(reinterpret_cast<const char*>(data), size), "fuzz");
    for (const imprint::Article& a : doc.articles) {
      imprint::EscapeMarkdownHeading(a.headline);
      for (const imprint::Paragraph& p : a.paragraphs) imprint::EscapeMarkdownParagraph(p.text);
    }
  } catch (const imprint::Error&) {
  }
  return 0;
}
