// Markdown escaping: prose into GitHub-flavoured Markdown that renders back,
// through cmark-gfm with the table, strikethrough and autolink extensions, to
// exactly the same text.
//
// Escapes only what would otherwise become markup, so the Markdown stays
// pleasant to read: block starts (headings, block quotes, list markers,
// thematic breaks, fences), emphasis, code, strikethrough, links and link
// definitions, raw HTML and autolinks, entities, and backslashes that would
// escape. GFM links e-mail addresses after escapes are resolved, so the one
// non-backslash escape is an empty HTML comment before such an '@' (in text
// rendered as links, EscapeMarkdownLinkedParagraph, an address needs neither). Text is
// one line (the reader joins soft wraps), so no table can arise. Pure
// functions; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_MARKDOWN_ESCAPE_H_
#define IMPRINT_PIPELINE_BASE_MARKDOWN_ESCAPE_H_

#include <string>
#include <string_view>

namespace imprint {

// A paragraph's text, to stand alone between blank lines.
// REQUIRES: text has no line break and no leading or trailing blank.
std::string EscapeMarkdownParagraph(std::string_view text);

// The same with its web and e-mail addresses (text_links.h) as autolinks,
// "<https://...>" and "<desk@example.org>": links whose text is the address,
// with no escape inside them (the footer's URLs). Same REQUIRES.
std::string EscapeMarkdownLinkedParagraph(std::string_view text);

// A heading's text, to follow "## ".
std::string EscapeMarkdownHeading(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_MARKDOWN_ESCAPE_H_
