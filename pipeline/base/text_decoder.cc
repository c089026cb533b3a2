#include "pipeline/base/text_decoder.h"

#include <Poco/Unicode.h>
#include <Poco/Windows1252Encoding.h>

#include <cstdio>

namespace imprint {
namespace {

// Line number (1-based) of the byte at `offset`, counting LF, CRLF and CR.
int LineAt(std::string_view bytes, size_t offset) {
  int line = 1;
  for (size_t i = 0; i < offset && i < bytes.size(); ++i) {
    if (bytes[i] == '\n') {
      ++line;
    } else if (bytes[i] == '\r' && (i + 1 >= bytes.size() || bytes[i + 1] != '\n')) {
      ++line;
    }
  }
  return line;
}

std::string Hex(unsigned value, int digits) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%0*X", digits, value);
  return buf;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// Characters no edition can carry: HTML and XML reject them.
bool IsForbidden(char32_t cp) {
  if (cp == '\t' || cp == '\n' || cp == '\r') return false;
  return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F) ||
         (cp >= 0xFDD0 && cp <= 0xFDEF) || (cp & 0xFFFE) == 0xFFFE;
}

// Line and paragraph separators, and Unicode's Bidi_Control characters (the
// marks LRM, RLM and ALM, the embeddings, overrides and isolates): in a
// one-line label they break the line or make the text around it read
// otherwise than it is stored (a name shown reversed).
bool IsLayoutControl(char32_t cp) {
  return cp == 0x2028 || cp == 0x2029 || cp == 0x061C || cp == 0x200E || cp == 0x200F ||
         (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string ForbiddenMessage(char32_t cp) {
  if (cp == 0) return "NUL byte: the file is binary or UTF-16, not text";
  return "control character U+" + Hex(cp, 4) + " is not text";
}

// Windows-1252, through Poco's table; bytes the code page leaves undefined
// come back as C1 controls, which IsForbidden turns into an error.
std::string TranscodeWindows1252(std::string_view bytes,
                                 const std::string& file) {
  static const Poco::Windows1252Encoding encoding;
  const auto& map = encoding.characterMap();
  std::string out;
  out.reserve(bytes.size() + bytes.size() / 8);
  for (size_t i = 0; i < bytes.size(); ++i) {
    const auto b = static_cast<unsigned char>(bytes[i]);
    const auto cp = static_cast<char32_t>(map[b]);
    if (b >= 0x80 && cp >= 0x80 && cp <= 0x9F) {
      throw Error(file, LineAt(bytes, i),
                  "byte 0x" + Hex(b, 2) +
                      " is neither UTF-8 nor Windows-1252 text");
    }
    if (IsForbidden(cp)) throw Error(file, LineAt(bytes, i), ForbiddenMessage(cp));
    AppendUtf8(cp, &out);
  }
  return out;
}

}  // namespace

std::string OneLineTextProblem(std::string_view text, size_t* length) {
  *length = 0;
  for (size_t pos = 0; pos < text.size(); ++*length) {
    char32_t cp = 0;
    const size_t len = DecodeUtf8(text, pos, &cp);
    const std::string at = " at " + std::to_string(pos);
    if (len == 0) return "byte 0x" + Hex(static_cast<unsigned char>(text[pos]), 2) + at + " is not UTF-8";
    if (cp < 0x20 || IsForbidden(cp)) return "control character U+" + Hex(cp, 4) + at + " is not text";
    if (IsLayoutControl(cp)) {
      return "U+" + Hex(cp, 4) + at + " would break the line or reorder the text around it";
    }
    pos += len;
  }
  return "";
}

DecodedText DecodeText(std::string_view bytes, const std::string& file) {
  DecodedText result;
  std::string_view body = bytes;
  const bool bom = body.substr(0, 3) == "\xEF\xBB\xBF";
  if (bom) body.remove_prefix(3);

  // One pass over the whole file: is it UTF-8, and if not, where not?
  size_t multibyte = 0;
  size_t first_invalid = std::string_view::npos;
  for (size_t pos = 0; pos < body.size();) {
    char32_t cp = 0;
    const size_t len = DecodeUtf8(body, pos, &cp);
    if (len == 0) {
      if (first_invalid == std::string_view::npos) first_invalid = pos;
      ++pos;
      continue;
    }
    if (first_invalid == std::string_view::npos && IsForbidden(cp)) {
      throw Error(file, LineAt(body, pos), ForbiddenMessage(cp));
    }
    if (len > 1) ++multibyte;
    pos += len;
  }
  if (first_invalid == std::string_view::npos) {
    result.utf8.assign(body);
    return result;
  }
  // A file that is otherwise UTF-8 (a BOM, or multi-byte characters anywhere)
  // is damaged UTF-8, not Windows-1252: transcoding would garble its text.
  if (bom || multibyte > 0) {
    throw Error(file, LineAt(body, first_invalid),
                "invalid UTF-8 byte 0x" + Hex(static_cast<unsigned char>(body[first_invalid]), 2) +
                    " in a UTF-8 file");
  }
  result.utf8 = TranscodeWindows1252(body, file);
  result.warnings.push_back(
      Warning(file, LineAt(body, first_invalid), "not UTF-8; transcoded from Windows-1252"));
  return result;
}

size_t DecodeUtf8(std::string_view bytes, size_t pos, char32_t* cp) {
  const auto b0 = static_cast<unsigned char>(bytes[pos]);
  size_t len;
  char32_t value;
  char32_t min;
  if (b0 < 0x80) {
    *cp = b0;
    return 1;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, value = b0 & 0x1F, min = 0x80;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, value = b0 & 0x0F, min = 0x800;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, value = b0 & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (pos + len > bytes.size()) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(bytes[pos + i]);
    if ((b & 0xC0) != 0x80) return 0;
    value = (value << 6) | (b & 0x3F);
  }
  if (value < min || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
    return 0;
  }
  *cp = value;
  return len;
}

LetterCase NextLetterCase(std::string_view text, size_t* pos) {
  char32_t cp = 0;
  size_t len = DecodeUtf8(text, *pos, &cp);
  *pos += len == 0 ? 1 : len;
  if (cp < 0x80) {
    if (cp >= 'A' && cp <= 'Z') return LetterCase::kUpper;
    if (cp >= 'a' && cp <= 'z') return LetterCase::kLower;
    return LetterCase::kNotALetter;
  }
  Poco::Unicode::CharacterProperties props;
  Poco::Unicode::properties(static_cast<int>(cp), props);
  if (props.category != Poco::Unicode::UCP_LETTER) return LetterCase::kNotALetter;
  switch (props.type) {
    case Poco::Unicode::UCP_UPPER_CASE_LETTER:
      return LetterCase::kUpper;
    case Poco::Unicode::UCP_LOWER_CASE_LETTER:
    case Poco::Unicode::UCP_TITLE_CASE_LETTER:
      return LetterCase::kLower;
    default:
      return LetterCase::kUncased;
  }
}

std::vector<std::string_view> TextLines(std::string_view text) {
  std::vector<std::string_view> lines;
  size_t start = 0;
  while (start < text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    start = end + 1;
  }
  return lines;
}

std::string WellFormedUtf8(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const size_t n = DecodeUtf8(text, pos, &cp);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      ++pos;
    } else {
      out.append(text, pos, n);
      pos += n;
    }
  }
  return out;
}

}  // namespace imprint
