#include "pipeline/base/xml_escape.h"

namespace imprint {

namespace {

void AppendEscaped(std::string_view text, bool html, std::string* out) {
  out->reserve(out->size() + text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    // U+FFFE and U+FFFF (EF BF BE, EF BF BF): no XML 1.0 character either.
    if (c == '\xEF' && i + 2 < text.size() && text[i + 1] == '\xBF' && (text[i + 2] == '\xBE' || text[i + 2] == '\xBF')) {
      i += 2;
      continue;
    }
    switch (c) {
      case '&': *out += "&amp;"; break;
      case '<': *out += "&lt;"; break;
      case '>': *out += "&gt;"; break;
      case '"': *out += "&quot;"; break;
      case '\'': *out += html ? "&#39;" : "&apos;"; break;
      case '\t': *out += html ? "\t" : "&#9;"; break;
      case '\n': *out += html ? "\n" : "&#10;"; break;
      case '\r': *out += html ? "" : "&#13;"; break;
      case '\x7f': *out += html ? "" : "\x7f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) break;  // no XML 1.0 character
        *out += c;
    }
  }
}

}  // namespace

void AppendXmlEscaped(std::string_view text, std::string* out) { AppendEscaped(text, false, out); }

std::string XmlEscaped(std::string_view text) {
  std::string out;
  AppendEscaped(text, false, &out);
  return out;
}

std::string HtmlEscaped(std::string_view text) {
  std::string out;
  AppendEscaped(text, true, &out);
  return out;
}

}  // namespace imprint
