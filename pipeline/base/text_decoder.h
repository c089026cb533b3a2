// Text decoding: the raw bytes of an input file into checked UTF-8.
//
// Accepts UTF-8 with or without a byte-order mark, and Windows-1252 (the
// archive's older files), which it transcodes and reports in a warning. Bytes
// that are neither, and control characters that no edition format can carry
// (NUL, C0 and C1 controls but tab, LF and CR; noncharacters), are an Error
// naming the file and line. Also classifies characters by letter case, which
// the reader needs for headlines. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_TEXT_DECODER_H_
#define IMPRINT_PIPELINE_BASE_TEXT_DECODER_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/base/error.h"

namespace imprint {

struct DecodedText {
  std::string utf8;  // without a byte-order mark; line endings untouched
  std::vector<Diagnostic> warnings;
};

// REQUIRES: `file` names the input, for diagnostics only.
DecodedText DecodeText(std::string_view bytes, const std::string& file);

// Why `text` cannot be one line of text (a name, a label), or "" when it can:
// it must be UTF-8 without control characters (C0, tab and line breaks
// included; DEL; C1), noncharacters, line or paragraph separators, or
// bidirectional controls (the marks, embeddings, overrides and isolates:
// Unicode's Bidi_Control). Counts its characters
// into *length.
std::string OneLineTextProblem(std::string_view text, size_t* length);

// The lines of `text` (LF or CRLF line breaks), without their breaks; no
// line for a final break.
std::vector<std::string_view> TextLines(std::string_view text);

// The one UTF-8 decoder: the character of the sequence at bytes[pos] into
// *cp, and the sequence's length; 0 when the bytes there are not well-formed
// UTF-8 (a stray or missing continuation byte, an overlong form, a surrogate,
// past U+10FFFF, cut off by the end). REQUIRES: pos < bytes.size().
size_t DecodeUtf8(std::string_view bytes, size_t pos, char32_t* cp);

// `text` with every byte that is not part of well-formed UTF-8 replaced by
// U+FFFD: for output that must be UTF-8 (JSON, terminals) of text that should
// be but may not be (a store edited by hand).
std::string WellFormedUtf8(std::string_view text);

enum class LetterCase { kNotALetter, kUpper, kLower, kUncased };

// The case of the UTF-8 character starting at text[*pos]; advances *pos past
// it. REQUIRES: text is valid UTF-8 (as DecodeText returns it).
LetterCase NextLetterCase(std::string_view text, size_t* pos);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_TEXT_DECODER_H_
