#include "pipeline/edition/raw_reader.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <utility>
#include <vector>

#include "pipeline/base/rfc3339.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

struct Line {
  std::string_view text;
  int number;
};

bool IsBlankChar(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsBlankChar(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlankChar(s.back())) s.remove_suffix(1);
  return s;
}

char AsciiLower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::vector<Line> SplitLines(std::string_view text) {
  std::vector<Line> lines;
  int number = 1;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '\n' && text[i] != '\r') continue;
    lines.push_back({text.substr(start, i - start), number++});
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
    start = i + 1;
  }
  if (start < text.size()) lines.push_back({text.substr(start), number});
  return lines;
}

// ---- The header -------------------------------------------------------------

enum Field { kPublication, kVolume, kIssue, kDate, kEmbargo, kCorrection, kFieldCount };
constexpr std::array<std::string_view, kFieldCount> kFieldNames = {
    "Publication", "Volume", "Issue", "Date", "Embargo", "Correction"};

struct FieldAt {
  Field field;
  size_t start;        // of the field's name
  size_t value_start;  // just past its colon
};

// The field name and colon starting at line[pos], if any (any case, any white
// space before the colon).
std::optional<FieldAt> FieldStartingAt(std::string_view line, size_t pos) {
  for (int f = 0; f < kFieldCount; ++f) {
    const std::string_view name = kFieldNames[f];
    if (line.size() - pos < name.size()) continue;
    bool match = true;
    for (size_t k = 0; k < name.size() && match; ++k) {
      match = AsciiLower(line[pos + k]) == AsciiLower(name[k]);
    }
    if (!match) continue;
    size_t p = pos + name.size();
    while (p < line.size() && IsBlankChar(line[p])) ++p;
    if (p < line.size() && line[p] == ':') {
      return FieldAt{static_cast<Field>(f), pos, p + 1};
    }
  }
  return std::nullopt;
}

// Every field on a header line, in order. Empty when the line does not start
// with a field, i.e. is not a header line.
std::vector<FieldAt> FieldsOnLine(std::string_view line) {
  std::vector<FieldAt> fields;
  for (size_t pos = 0; pos < line.size(); ++pos) {
    if (pos > 0 && !IsBlankChar(line[pos - 1])) continue;
    if (auto f = FieldStartingAt(line, pos)) {
      if (fields.empty() && pos != 0) return {};
      fields.push_back(*f);
      if (f->field == kCorrection) break;  // its note runs to the end of the line
      pos = f->value_start - 1;
    } else if (pos == 0) {
      return {};
    }
  }
  return fields;
}

struct HeaderValue {
  std::string value;
  int line = 0;
};

int ParseNumber(const HeaderValue& v, std::string_view name,
                const std::string& file) {
  const std::string what = std::string(name) + " '" + v.value +
                           "' is not a whole number from 1 to " +
                           std::to_string(kMaxVolumeOrIssue);
  if (v.value.empty()) throw Error(file, v.line, std::string(name) + " is empty");
  if (v.value.size() > 5) throw Error(file, v.line, what);
  int n = 0;
  for (char c : v.value) {
    if (c < '0' || c > '9') throw Error(file, v.line, what);
    n = n * 10 + (c - '0');
  }
  if (n < 1) throw Error(file, v.line, what);
  return n;
}

bool IsLowerHex(std::string_view s) {
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "Correction: 2026-11-29 <64 hex> what was corrected" (docs/editions.md).
Correction ParseCorrection(const HeaderValue& v, const std::string& file) {
  const std::string form = "Correction takes 'YYYY-MM-DD SHA256 NOTE' (the date, the SHA-256 of the manifest "
                           "it supersedes, what was corrected)";
  const std::string_view text = v.value;
  const size_t date_end = text.find_first_of(" \t");
  Correction c;
  c.line = v.line;
  c.date = std::string(text.substr(0, date_end));
  if (!IsCalendarDate(c.date)) {
    throw Error(file, v.line, "Correction date '" + c.date + "' is not a calendar date: " + form);
  }
  const size_t hex_start =
      date_end == std::string_view::npos ? text.size() : std::min(text.find_first_not_of(" \t", date_end), text.size());
  const size_t hex_end = std::min(text.find_first_of(" \t", hex_start), text.size());
  const std::string_view hex = text.substr(hex_start, hex_end - hex_start);
  if (hex.size() != 64 || !IsLowerHex(hex)) {
    throw Error(file, v.line, "Correction has no SHA-256 of the manifest it supersedes: " + form);
  }
  c.supersedes = std::string(hex);
  c.note = std::string(Trim(text.substr(hex_end)));
  if (c.note.empty()) throw Error(file, v.line, "Correction does not say what was corrected: " + form);
  // Shown beside the title in every format: no control that would show it
  // otherwise than written (a U+202E reverses what follows it).
  size_t length = 0;
  if (const std::string why = OneLineTextProblem(c.note, &length); !why.empty()) {
    throw Error(file, v.line, "Correction: the note cannot be shown as written: " + why);
  }
  return c;
}

// The corrections in the header's order: dated never before the issue, nor
// before the correction above them.
std::vector<Correction> ParseCorrections(const std::vector<HeaderValue>& values, const Document& doc) {
  std::vector<Correction> corrections;
  for (const HeaderValue& v : values) {
    Correction c = ParseCorrection(v, doc.source);
    if (!doc.date.empty() && c.date < doc.date) {
      throw Error(doc.source, v.line, "Correction dated " + c.date + ", before the issue's Date " + doc.date);
    }
    if (!corrections.empty() && c.date < corrections.back().date) {
      throw Error(doc.source, v.line, "Correction dated " + c.date + ", before the one on line " +
                                          std::to_string(corrections.back().line) + " (" +
                                          corrections.back().date + "): list corrections in order");
    }
    corrections.push_back(std::move(c));
  }
  return corrections;
}

// "Embargo: 2030-01-01T06:00:00Z" (any offset), kept in UTC: so its UTC
// form must be RFC 3339 too (an offset may carry it out of years 0000-9999).
std::string ParseEmbargo(const HeaderValue& v, const std::string& file) {
  const std::optional<int64_t> at = v.value.size() > 10 ? ParseTime(v.value) : std::nullopt;
  if (!at || ParseTime(FormatTime(*at)) != at) {
    throw Error(file, v.line, "Embargo '" + v.value + "' is not an RFC 3339 date-time such as 2030-01-01T06:00:00Z");
  }
  return FormatTime(*at);
}

// Parses the header lines starting at lines[*next] into `doc`; leaves *next
// at the first line after the header.
void ReadHeader(const std::vector<Line>& lines, size_t* next, Document* doc) {
  const std::string& file = doc->source;
  const size_t start = *next;
  const int first_line = lines[start].number;
  std::array<HeaderValue, kFieldCount> values;
  std::vector<HeaderValue> corrections;
  for (; *next < lines.size(); ++*next) {
    const std::string_view text = Trim(lines[*next].text);
    const std::vector<FieldAt> fields = FieldsOnLine(text);
    if (fields.empty()) break;
    for (size_t k = 0; k < fields.size(); ++k) {
      const size_t end = k + 1 < fields.size() ? fields[k + 1].start : text.size();
      HeaderValue& slot = fields[k].field == kCorrection ? corrections.emplace_back() : values[fields[k].field];
      if (slot.line != 0) {
        throw Error(file, lines[*next].number,
                    "header field " + std::string(kFieldNames[fields[k].field]) +
                        " given twice (first on line " + std::to_string(slot.line) + ")");
      }
      slot.line = lines[*next].number;
      slot.value = std::string(Trim(text.substr(fields[k].value_start,
                                                end - fields[k].value_start)));
    }
  }
  if (*next == start) {
    throw Error(file, first_line,
                "no header: the issue must start with "
                "'Publication: NAME Volume: N Issue: N'");
  }
  for (Field f : {kPublication, kVolume, kIssue}) {
    if (values[f].line == 0) {
      throw Error(file, first_line,
                  "header has no " + std::string(kFieldNames[f]) + " field");
    }
  }
  const HeaderValue& pub = values[kPublication];
  if (pub.value.empty()) throw Error(file, pub.line, "Publication is empty");
  if (PublicationSlug(pub.value).empty()) {
    throw Error(file, pub.line,
                "publication name '" + pub.value +
                    "' cannot name an output folder: use ASCII letters, "
                    "digits, spaces and hyphens");
  }
  doc->header_name = pub.value;
  doc->header_line = pub.line;
  doc->volume = ParseNumber(values[kVolume], "Volume", file);
  doc->issue = ParseNumber(values[kIssue], "Issue", file);
  if (values[kDate].line != 0) {
    if (!IsCalendarDate(values[kDate].value)) {
      throw Error(file, values[kDate].line,
                  "Date '" + values[kDate].value +
                      "' is not a calendar date in the form YYYY-MM-DD");
    }
    doc->date = values[kDate].value;
  }
  if (values[kEmbargo].line != 0) doc->embargo = ParseEmbargo(values[kEmbargo], file);
  doc->corrections = ParseCorrections(corrections, *doc);
}

// ---- The body ---------------------------------------------------------------

// Paragraphs: runs of non-blank lines, soft wraps joined with one space.
std::vector<Paragraph> ReadParagraphs(const std::vector<Line>& lines, size_t from) {
  std::vector<Paragraph> paragraphs;
  bool open = false;
  for (size_t i = from; i < lines.size(); ++i) {
    const std::string_view text = Trim(lines[i].text);
    if (text.empty()) {
      open = false;
      continue;
    }
    if (!open) {
      paragraphs.push_back({std::string(text), lines[i].number});
      open = true;
    } else {
      paragraphs.back().text.push_back(' ');
      paragraphs.back().text.append(text);
    }
  }
  return paragraphs;
}

std::string LowerCollapsed(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    if (IsBlankChar(c)) {
      if (!out.empty() && out.back() != ' ') out.push_back(' ');
    } else {
      out.push_back(AsciiLower(c));
    }
  }
  return out;
}

// The legacy footer starts at the first paragraph saying "<publication> is a
// publication of the Jamestown Foundation", with or without "The".
bool IsLegacyFooter(const Paragraph& p, const std::string& header_name) {
  // Most paragraphs do not name the foundation: skip them without copying.
  static const std::string_view kFoundation = "jamestown";
  const auto hit = std::search(p.text.begin(), p.text.end(), kFoundation.begin(), kFoundation.end(),
                               [](char a, char b) { return AsciiLower(a) == b; });
  if (hit == p.text.end()) return false;
  std::string name = LowerCollapsed(header_name);
  if (name.rfind("the ", 0) == 0) name.erase(0, 4);
  return LowerCollapsed(p.text).find(
             name + " is a publication of the jamestown foundation") !=
         std::string::npos;
}

}  // namespace

std::string PublicationSlug(std::string_view name) {
  std::string slug;
  for (char c : Trim(name)) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      slug.push_back(AsciiLower(c));
    } else if (c == ' ' || c == '-') {
      if (!slug.empty() && slug.back() != '-') slug.push_back('-');
    } else {
      return "";
    }
  }
  while (!slug.empty() && slug.back() == '-') slug.pop_back();
  return slug;
}

bool IsHeadline(std::string_view text) {
  bool has_upper = false;
  for (size_t pos = 0; pos < text.size();) {
    switch (NextLetterCase(text, &pos)) {
      case LetterCase::kUpper:
        has_upper = true;
        break;
      case LetterCase::kLower:
        return false;
      default:
        break;
    }
  }
  if (!has_upper) return false;
  int words = 0;
  bool in_word = false;
  for (char c : text) {
    if (IsBlankChar(c)) {
      in_word = false;
    } else if (!in_word) {
      in_word = true;
      if (++words > 15) return false;
    }
  }
  // A period before closing quotes or brackets still ends the sentence.
  std::string_view end = text;
  for (bool trimmed = true; trimmed && !end.empty();) {
    trimmed = false;
    for (std::string_view closer : {"\"", "'", ")", "]", "\u2019", "\u201D"}) {
      if (end.size() >= closer.size() &&
          end.substr(end.size() - closer.size()) == closer) {
        end.remove_suffix(closer.size());
        trimmed = true;
      }
    }
  }
  return end.empty() || end.back() != '.';
}

Document ReadRawIssue(std::string_view bytes, const std::string& file) {
  Document doc;
  doc.source = file;
  if (bytes.empty()) throw Error(file, 1, "file is empty");
  DecodedText decoded = DecodeText(bytes, file);
  doc.warnings = std::move(decoded.warnings);

  const std::vector<Line> lines = SplitLines(decoded.utf8);
  size_t next = 0;
  while (next < lines.size() && Trim(lines[next].text).empty()) ++next;
  if (next == lines.size()) throw Error(file, 1, "file has no text, only white space");
  ReadHeader(lines, &next, &doc);
  const int header_end = next < lines.size() ? lines[next].number
                                             : lines.back().number;

  std::vector<Paragraph> paragraphs = ReadParagraphs(lines, next);
  for (size_t i = 0; i < paragraphs.size(); ++i) {
    if (!IsLegacyFooter(paragraphs[i], doc.header_name)) continue;
    if (i == 0) {
      throw Error(file, paragraphs[0].line,
                  "issue has no body: only the legacy footer follows the header");
    }
    paragraphs.resize(i);
    break;
  }
  if (paragraphs.empty()) {
    throw Error(file, header_end,
                "issue has no body: no paragraph of prose after the header");
  }

  for (Paragraph& p : paragraphs) {
    if (IsHeadline(p.text)) {
      doc.articles.push_back({std::move(p.text), p.line, {}});
      continue;
    }
    if (doc.articles.empty()) doc.articles.push_back({"", p.line, {}});
    doc.articles.back().paragraphs.push_back(std::move(p));
  }
  doc.title = IssueTitle(doc.header_name, doc.volume, doc.issue);
  return doc;
}

}  // namespace imprint
