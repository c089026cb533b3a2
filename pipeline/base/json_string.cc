#include "pipeline/base/json_string.h"

#include <cstdio>

namespace imprint {
namespace {

// The escape of `c` beyond RFC 8785's, or nullptr.
const char* HtmlEscape(char c) {
  switch (c) {
    case '<': return "\\u003c";
    case '>': return "\\u003e";
    case '&': return "\\u0026";
    default: return nullptr;
  }
}

}  // namespace

void AppendJsonString(std::string_view text, std::string* out, JsonEscaping escaping) {
  out->push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(c));
          *out += buf;
        } else if (const char* html = escaping == JsonEscaping::kInHtml ? HtmlEscape(c) : nullptr) {
          *out += html;
        } else {
          out->push_back(c);
        }
    }
  }
  out->push_back('"');
}

std::string JsonString(std::string_view text, JsonEscaping escaping) {
  std::string out;
  AppendJsonString(text, &out, escaping);
  return out;
}

}  // namespace imprint
