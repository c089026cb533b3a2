#include "pipeline/search/search_query.h"

namespace imprint {
namespace {

// White space and every control character (NUL included) separate terms:
// none reaches FTS5.
bool IsSpace(char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; }

// A letter or digit as FTS5's unicode61 tokenizer sees one, closely enough:
// ASCII letters and digits, and every non-ASCII character.
bool HasWordCharacter(std::string_view term) {
  for (unsigned char c : term) {
    if (c >= 0x80 || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return true;
  }
  return false;
}

// `text` cut to at most `max` bytes, never inside a UTF-8 sequence.
std::string_view CutAt(std::string_view text, size_t max) {
  if (text.size() <= max) return text;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

}  // namespace

std::vector<std::string> QueryTerms(std::string_view text) {
  text = CutAt(text, kMaxQueryBytes);
  std::vector<std::string> terms;
  size_t pos = 0;
  while (pos < text.size() && terms.size() < kMaxQueryTerms) {
    while (pos < text.size() && IsSpace(text[pos])) ++pos;
    const size_t start = pos;
    while (pos < text.size() && !IsSpace(text[pos])) ++pos;
    const std::string_view term = text.substr(start, pos - start);
    if (!term.empty() && HasWordCharacter(term)) terms.emplace_back(term);
  }
  return terms;
}

std::string Fts5Match(const std::vector<std::string>& terms) {
  std::string match;
  for (const std::string& term : terms) {
    if (!match.empty()) match += " AND ";
    match += '"';
    for (char c : term) {
      if (c == '"') match += '"';
      match += c;
    }
    match += '"';
  }
  return match;
}

std::string Fts5MatchTitles(const std::vector<std::string>& terms) {
  const std::string match = Fts5Match(terms);
  return match.empty() ? "" : "{title headlines} : (" + match + ")";
}

}  // namespace imprint
