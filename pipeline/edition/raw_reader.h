// The raw reader: a raw issue's bytes into the document model.
//
// Implements docs/raw-issue.md: the encodings (through
// text_decoder), LF/CRLF/CR line endings, the header on one line or several,
// soft-wrapped paragraphs, headlines that open articles, and the legacy footer,
// which it drops (the rights stage supplies the canonical one). Bad input is an
// imprint::Error naming the file and the line. Fills the Document's identity,
// articles and warnings; leaves publication display data and rights to the
// rights stage. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_EDITION_RAW_READER_H_
#define IMPRINT_PIPELINE_EDITION_RAW_READER_H_

#include <string>
#include <string_view>

#include "pipeline/edition/document.h"

namespace imprint {

// The largest volume or issue number the header may carry.
constexpr int kMaxVolumeOrIssue = 99999;

// `file` names the input in diagnostics and in Document::source.
Document ReadRawIssue(std::string_view bytes, const std::string& file);

// The output-folder slug for a publication name as a raw header gives it
// ("Monitor" -> "monitor", "Russia Review" -> "russia-review"), or "" when the
// name holds anything but ASCII letters, digits, spaces and hyphens.
std::string PublicationSlug(std::string_view name);

// True when `text` is a headline: it has letters, all of them upper-case, at
// most 15 words, and no sentence-final period.
bool IsHeadline(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_RAW_READER_H_
