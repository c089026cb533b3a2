#include "pipeline/base/markdown_escape.h"

#include "pipeline/base/text_links.h"

namespace imprint {
namespace {

bool IsAsciiAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool IsAsciiLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsHexDigit(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}
bool IsAsciiPunct(char c) {
  return (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~');
}
bool IsBlankOrEnd(std::string_view t, size_t i) {
  return i >= t.size() || t[i] == ' ' || t[i] == '\t';
}
bool IsEmailLocalChar(char c) {
  return IsAsciiAlnum(c) || c == '.' || c == '+' || c == '-' || c == '_';
}

// "&name;", "&#123;" or "&#x1F;" starts at t[i], which is '&'.
bool StartsEntity(std::string_view t, size_t i) {
  size_t j = i + 1;
  if (j < t.size() && t[j] == '#') {
    ++j;
    const bool hex = j < t.size() && (t[j] == 'x' || t[j] == 'X');
    if (hex) ++j;
    const size_t digits = j;
    while (j < t.size() && (hex ? IsHexDigit(t[j]) : IsDigit(t[j]))) ++j;
    return j > digits && j < t.size() && t[j] == ';';
  }
  if (j >= t.size() || !IsAsciiLetter(t[j])) return false;
  while (j < t.size() && IsAsciiAlnum(t[j])) ++j;
  return j < t.size() && t[j] == ';';
}

// Whether t[i] must be escaped wherever it stands in a line; `after` is what
// follows t in the line (a blank at its end).
bool NeedsInlineEscape(std::string_view t, size_t i, char after) {
  const char c = t[i];
  const char prev = i > 0 ? t[i - 1] : ' ';
  const char next = i + 1 < t.size() ? t[i + 1] : after;
  switch (c) {
    case '\\':  // would escape the next character
      return IsAsciiPunct(next);
    case '`':  // code spans
    case '*':  // emphasis, also within words
    case '~':  // strikethrough
    case '[':  // links, images, link reference definitions
      return true;
    case '_':  // emphasis, except within a word, where it cannot open or close
      return !(IsAsciiAlnum(prev) && IsAsciiAlnum(next));
    case '<':  // raw HTML, <scheme:autolinks> and <e-mail@autolinks>
      return next != ' ' && next != '\t';
    case '&':
      return StartsEntity(t, i);
    case ':':  // extended autolinks: http://, https://, ftp://
      return t.substr(i + 1, 2) == "//" && IsAsciiLetter(prev);
    case '.':  // extended autolinks: www.
      return i >= 3 && t.substr(i - 3, 3) == "www" &&
             (i == 3 || !IsAsciiAlnum(t[i - 4]));
    default:
      return false;
  }
}

std::string EscapeInline(std::string_view t, size_t first_escaped, char after = ' ') {
  std::string out;
  out.reserve(t.size() + t.size() / 16 + 8);
  for (size_t i = 0; i < t.size(); ++i) {
    const char c = t[i];
    if (c == '@' && i > 0 && (IsEmailLocalChar(t[i - 1]) || t[i - 1] == ':') &&
        i + 1 < t.size() &&
        IsEmailLocalChar(t[i + 1])) {
      // GFM links e-mail addresses (also after "mailto:") once backslash
      // escapes are resolved; an empty comment splits the text node it looks
      // in, and renders as nothing.
      out += "<!---->";
    } else if (i == first_escaped || NeedsInlineEscape(t, i, after)) {
      out.push_back('\\');
    }
    out.push_back(c);
  }
  return out;
}

// The index of the character that would open a block (heading, quote, list
// item, thematic break) at the start of a paragraph, or npos.
size_t BlockStart(std::string_view t) {
  if (t.empty()) return std::string_view::npos;
  const char c = t[0];
  if (c == '>') return 0;
  if (c == '#') {
    size_t n = 0;
    while (n < t.size() && t[n] == '#') ++n;
    return n <= 6 && IsBlankOrEnd(t, n) ? 0 : std::string_view::npos;
  }
  if (c == '-' || c == '+') {
    if (IsBlankOrEnd(t, 1)) return 0;
    if (c == '-') {
      size_t dashes = 0;
      for (char d : t) {
        if (d == '-') {
          ++dashes;
        } else if (d != ' ' && d != '\t') {
          return std::string_view::npos;
        }
      }
      return dashes >= 3 ? 0 : std::string_view::npos;
    }
    return std::string_view::npos;
  }
  if (IsDigit(c)) {  // ordered list: up to nine digits, '.' or ')', a blank
    size_t n = 0;
    while (n < t.size() && IsDigit(t[n])) ++n;
    if (n <= 9 && n < t.size() && (t[n] == '.' || t[n] == ')') &&
        IsBlankOrEnd(t, n + 1)) {
      return n;
    }
  }
  return std::string_view::npos;
}

}  // namespace

std::string EscapeMarkdownParagraph(std::string_view text) {
  return EscapeInline(text, BlockStart(text));
}

std::string EscapeMarkdownLinkedParagraph(std::string_view text) {
  const std::vector<TextSpan> spans = SplitLinks(text);
  std::string out;
  for (size_t k = 0; k < spans.size(); ++k) {
    const TextSpan& s = spans[k];
    if (!s.href.empty()) {
      out += "<" + s.text + ">";  // an autolink: its text is the address, to the letter
    } else {
      // A backslash before the next link's '<' would escape it.
      out += EscapeInline(s.text, k == 0 ? BlockStart(s.text) : std::string_view::npos,
                          k + 1 < spans.size() ? '<' : ' ');
    }
  }
  return out;
}

std::string EscapeMarkdownHeading(std::string_view text) {
  // A closing run of '#' (after a blank, or the whole text) would be dropped.
  size_t run = text.size();
  while (run > 0 && text[run - 1] == '#') --run;
  const bool closing = run < text.size() &&
                       (run == 0 || text[run - 1] == ' ' || text[run - 1] == '\t');
  return EscapeInline(text, closing ? run : std::string_view::npos);
}

}  // namespace imprint
