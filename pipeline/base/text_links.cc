#include "pipeline/base/text_links.h"

namespace imprint {
namespace {

bool IsAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); }

bool IsHex(char c) { return IsAlnum(c) && (c <= '9' || (c | 0x20) <= 'f'); }

// Whether t[i] may stand in a URL's path, query or fragment: RFC 3986's
// unreserved and sub-delimiter characters, ":/?#@", and '%' before two hex
// digits (no blank, quote, '<', '>', '\\', '^', '`', '{', '|', '}', '[', ']',
// nothing outside ASCII: what the Nu HTML Checker accepts in an href).
bool IsUrlChar(std::string_view t, size_t i) {
  const char c = t[i];
  if (IsAlnum(c)) return true;
  if (c == '%') return i + 2 < t.size() && IsHex(t[i + 1]) && IsHex(t[i + 2]);
  return std::string_view("-._~:/?#@!$&'()*+,;=").find(c) != std::string_view::npos;
}

bool IsLocalChar(char c) { return IsAlnum(c) || c == '.' || c == '+' || c == '-' || c == '_'; }

// The length of the web address starting at t[i], or 0.
size_t UrlAt(std::string_view t, size_t i) {
  if (i > 0 && (IsAlnum(t[i - 1]) || t[i - 1] == '/' || t[i - 1] == '@')) return 0;
  size_t scheme = 0;
  if (t.substr(i, 7) == "http://") scheme = 7;
  if (t.substr(i, 8) == "https://") scheme = 8;
  if (scheme == 0 || i + scheme >= t.size() || !IsAlnum(t[i + scheme])) return 0;
  size_t end = i + scheme;
  while (end < t.size() && IsUrlChar(t, end)) ++end;
  // What ends the sentence is not part of the address; nor is a ')' it opened.
  for (;;) {
    const char last = t[end - 1];
    int open = 0;
    for (size_t k = i; k < end; ++k) open += t[k] == '(' ? 1 : t[k] == ')' ? -1 : 0;
    if (std::string_view(".,;:!?'\"*").find(last) != std::string_view::npos || (last == ')' && open < 0)) {
      --end;
    } else {
      break;
    }
  }
  return end - i;
}

// The length of DOMAIN at t[i] (labels of letters, digits and inner hyphens,
// at least two), or 0.
size_t DomainAt(std::string_view t, size_t i) {
  size_t end = i, good = i;
  int labels = 0;
  for (;;) {
    size_t label = end;
    while (label < t.size() && (IsAlnum(t[label]) || t[label] == '-')) ++label;
    if (label == end || label - end > 63 || t[end] == '-' || t[label - 1] == '-') break;
    end = label;
    good = end;
    ++labels;
    if (end + 1 >= t.size() || t[end] != '.' || !IsAlnum(t[end + 1])) break;
    ++end;
  }
  return labels >= 2 ? good - i : 0;
}

}  // namespace

std::vector<TextSpan> SplitLinks(std::string_view t) {
  std::vector<TextSpan> spans;
  size_t plain = 0;  // where the current plain span starts
  auto link = [&](size_t begin, size_t end, const std::string& prefix) {
    if (begin > plain) spans.push_back({std::string(t.substr(plain, begin - plain)), ""});
    spans.push_back({std::string(t.substr(begin, end - begin)), prefix + std::string(t.substr(begin, end - begin))});
    plain = end;
  };
  for (size_t i = 0; i < t.size();) {
    if (const size_t url = UrlAt(t, i); url > 0) {
      link(i, i + url, "");
      i += url;
      continue;
    }
    if (t[i] == '@' && i > plain) {
      size_t local = i;
      while (local > plain && IsLocalChar(t[local - 1])) --local;
      const bool bounded =
          local == 0 || !(IsAlnum(t[local - 1]) || t[local - 1] == '/' || t[local - 1] == ':' || t[local - 1] == '@');
      const size_t domain = DomainAt(t, i + 1);
      if (local < i && bounded && domain > 0 && t[local] != '.' && t[i - 1] != '.') {
        // Not when the text goes on as an address would ("a@b.c_d", "a@b.c@d").
        const size_t after = i + 1 + domain;
        const char next = after < t.size() ? t[after] : ' ';
        const char then = after + 1 < t.size() ? t[after + 1] : ' ';
        const bool more = IsAlnum(next) || next == '_' || next == '@' || next == '-' || next == '+' ||
                          (next == '.' && (IsAlnum(then) || then == '-'));
        if (!more) {
          link(local, i + 1 + domain, "mailto:");
          i += 1 + domain;
          continue;
        }
      }
    }
    ++i;
  }
  if (plain < t.size()) spans.push_back({std::string(t.substr(plain)), ""});
  return spans;
}

}  // namespace imprint
