// Web and e-mail addresses in prose, found for the writers that render them
// as links (the footer's URLs and addresses, in every format).
//
// A web address is http:// or https://, a letter or digit, then RFC 3986's
// URL characters (no '[', ']', nor '%' without two hex digits after it, which
// an href may not hold), less what ends a sentence after it (". , ; : ! ? ' \" *"
// and an unbalanced ")"). An e-mail address is LOCAL@DOMAIN: LOCAL of
// letters, digits and ". + - _", DOMAIN two or more dot-separated labels of
// letters, digits and inner hyphens. What is found is always a valid Markdown
// autolink (<...>) and a valid HTML href; anything else stays text. The
// spans' texts, joined, are the input exactly. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_TEXT_LINKS_H_
#define IMPRINT_PIPELINE_BASE_TEXT_LINKS_H_

#include <string>
#include <string_view>
#include <vector>

namespace imprint {

struct TextSpan {
  std::string text;
  std::string href;  // empty: plain text; else the address ("mailto:" + an e-mail address)
};

// `text` cut into plain and link spans, in order; no two plain spans adjacent.
std::vector<TextSpan> SplitLinks(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_TEXT_LINKS_H_
