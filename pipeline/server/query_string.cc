#include "pipeline/server/query_string.h"

#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// RFC 3986's query characters but '%' (an escape, read apart) and '&' (the
// pairs' separator); '=' after the first of a pair is the value's.
bool IsQueryChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '\'': case '(': case ')': case '*':
    case '+': case ',': case ';': case ':': case '@': case '/': case '?': case '=':
      return true;
    default:
      return false;
  }
}

// One line of text as base/text_decoder judges it: UTF-8 without control
// characters, noncharacters (which XML cannot carry: the OPDS feed echoes
// the query) or bidirectional controls (which would turn the page's text).
bool CleanText(std::string_view text) {
  size_t length = 0;
  return OneLineTextProblem(text, &length).empty();
}

// One name or value, decoded; nullopt when malformed.
std::optional<std::string> DecodeComponent(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int high = HexValue(text[i + 1]), low = HexValue(text[i + 2]);
      if (high < 0 || low < 0) return std::nullopt;
      out += static_cast<char>(high * 16 + low);
      i += 2;
    } else if (c == '+') {
      out += ' ';
    } else if (IsQueryChar(c)) {
      out += c;
    } else {
      return std::nullopt;
    }
  }
  if (!CleanText(out)) return std::nullopt;
  return out;
}

}  // namespace

std::optional<QueryPairs> DecodeQuery(std::string_view query) {
  if (query.size() > kMaxQueryString) return std::nullopt;
  QueryPairs pairs;
  size_t start = 0;
  while (start <= query.size()) {
    size_t end = query.find('&', start);
    if (end == std::string_view::npos) end = query.size();
    const std::string_view pair = query.substr(start, end - start);
    start = end + 1;
    if (pair.empty()) continue;  // "a=1&&b=2", a trailing '&'
    if (pairs.size() == kMaxQueryPairs) return std::nullopt;
    const size_t equals = pair.find('=');
    std::optional<std::string> name = DecodeComponent(pair.substr(0, equals));
    std::optional<std::string> value =
        DecodeComponent(equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
    if (!name || !value) return std::nullopt;
    pairs.emplace_back(std::move(*name), std::move(*value));
  }
  return pairs;
}

std::string QueryValue(const QueryPairs& pairs, std::string_view name) {
  for (const auto& [n, v] : pairs) {
    if (n == name) return v;
  }
  return "";
}

}  // namespace imprint
