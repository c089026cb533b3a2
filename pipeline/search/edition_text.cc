#include "pipeline/search/edition_text.h"

#include "pipeline/base/text_decoder.h"  // TextLines

namespace imprint {
namespace {

bool IsAsciiPunctuation(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') || (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}


}  // namespace

std::string UnescapeMarkdown(std::string_view text) {
  constexpr std::string_view kComment = "<!---->";
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\\' && i + 1 < text.size() && IsAsciiPunctuation(text[i + 1])) {
      out += text[++i];
    } else if (text[i] == '<' && StartsWith(text.substr(i), kComment)) {
      i += kComment.size() - 1;
    } else {
      out += text[i];
    }
  }
  return out;
}

EditionText ReadEditionText(std::string_view markdown) {
  EditionText text;
  const std::vector<std::string_view> lines = TextLines(markdown);
  size_t i = 0;
  // The front matter, between the first two "---" lines.
  if (i < lines.size() && lines[i] == "---") {
    for (++i; i < lines.size() && lines[i] != "---"; ++i) {
    }
    ++i;
  }
  // Every line of the text escapes a leading '#', '>' or a thematic break,
  // so these are the writer's own.
  for (; i < lines.size() && lines[i] != "---"; ++i) {
    const std::string_view line = lines[i];
    if (line.empty() || StartsWith(line, "# ") || StartsWith(line, ">")) continue;
    if (StartsWith(line, "## ")) {
      text.headlines.push_back(UnescapeMarkdown(line.substr(3)));
    } else {
      text.paragraphs.push_back(UnescapeMarkdown(line));
    }
  }
  return text;
}

}  // namespace imprint
