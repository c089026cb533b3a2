// The searchable text of a published edition, read back from its Markdown
// artifact (markdown_writer's layout): the headlines and the paragraphs of the
// articles, unescaped; not the front matter, the title line, the corrections
// box or the footer (the same in every issue, it would match everything).
// The artifact is what the index reads because it is signed and listed in the
// manifest: `imprint catalog` indexes merged shards without their raw inputs.
// Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SEARCH_EDITION_TEXT_H_
#define IMPRINT_PIPELINE_SEARCH_EDITION_TEXT_H_

#include <string>
#include <string_view>
#include <vector>

namespace imprint {

struct EditionText {
  std::vector<std::string> headlines;
  std::vector<std::string> paragraphs;
};

// REQUIRES: `markdown` is an edition's .md artifact as WriteMarkdown() wrote it.
EditionText ReadEditionText(std::string_view markdown);

// Markdown escapes undone: a backslash before ASCII punctuation and the empty
// HTML comment markdown_escape puts before an e-mail's '@' dropped.
std::string UnescapeMarkdown(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SEARCH_EDITION_TEXT_H_
