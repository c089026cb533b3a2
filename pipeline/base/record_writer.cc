#include "pipeline/base/record_writer.h"

#include <algorithm>
#include <cctype>

#include "pipeline/base/json_string.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

// Characters as a terminal shows them: UTF-8 continuation bytes take no column.
size_t DisplayWidth(const std::string& text) {
  size_t n = 0;
  for (unsigned char c : text) n += (c & 0xC0) != 0x80;
  return n;
}

std::string WellFormed(const std::string& text) { return WellFormedUtf8(text); }

// Whether a terminal would act on `cp` rather than show it: the C0 and C1
// controls (U+009B is CSI to a terminal that takes 8-bit controls), DEL, and
// the line separators and bidi controls (U+202E turns the rest of the line
// around).
bool IsTerminalControl(char32_t cp) {
  return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || cp == 0x2028 || cp == 0x2029 || cp == 0x061c ||
         cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

std::string TableCell(const std::string& value) { return value.empty() ? "-" : TerminalText(value); }

}  // namespace

std::string TerminalText(const std::string& value) {
  const std::string text = WellFormed(value);
  std::string cell;
  cell.reserve(text.size());
  for (size_t pos = 0; pos < text.size();) {
    char32_t cp = 0;
    const size_t n = std::max<size_t>(DecodeUtf8(text, pos, &cp), 1);  // never 0: well formed
    if (n == 1 && static_cast<unsigned char>(text[pos]) >= 0x80) cp = 0;  // not reached; shown as '?'
    if (IsTerminalControl(cp)) {
      cell += '?';
    } else {
      cell.append(text, pos, n);
    }
    pos += n;
  }
  return cell;
}

namespace {

std::string CsvField(const std::string& value) {
  std::string field = WellFormed(value);
  if (!field.empty() && std::string("=+-@\t\r").find(field[0]) != std::string::npos) field.insert(0, "'");
  if (field.find_first_of(",\"\r\n") == std::string::npos) return field;
  std::string quoted = "\"";
  for (char c : field) quoted += c == '"' ? std::string("\"\"") : std::string(1, c);
  return quoted + "\"";
}

bool IsInteger(const std::string& text) {
  const size_t start = !text.empty() && text[0] == '-' ? 1 : 0;
  if (start == text.size()) return false;
  for (size_t i = start; i < text.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  }
  return true;
}

}  // namespace

std::optional<RecordFormat> ParseRecordFormat(const std::string& name) {
  if (name == "table") return RecordFormat::kTable;
  if (name == "csv") return RecordFormat::kCsv;
  if (name == "json") return RecordFormat::kJson;
  return std::nullopt;
}

RecordWriter::RecordWriter(RecordFormat format, std::vector<RecordColumn> columns, std::ostream& out)
    : format_(format), columns_(std::move(columns)), out_(out) {
  for (const RecordColumn& c : columns_) widths_.push_back(DisplayWidth(c.name));
}

void RecordWriter::Measure(const std::vector<std::string>& values) {
  if (format_ != RecordFormat::kTable) return;
  for (size_t i = 0; i < values.size() && i < widths_.size(); ++i) {
    const size_t w = DisplayWidth(TableCell(values[i]));
    if (w > widths_[i]) widths_[i] = w;
  }
}

void RecordWriter::Begin() {
  if (begun_) return;
  begun_ = true;
  if (format_ == RecordFormat::kJson) return;
  std::vector<std::string> header;
  for (const RecordColumn& c : columns_) {
    std::string name = c.name;
    if (format_ == RecordFormat::kTable) {
      for (char& ch : name) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    }
    header.push_back(name);
  }
  Row(header);
  any_row_ = false;  // the header is no record
}

void RecordWriter::Row(const std::vector<std::string>& values) {
  if (!begun_) Begin();
  std::string line;
  switch (format_) {
    case RecordFormat::kTable:
      for (size_t i = 0; i < values.size(); ++i) {
        const std::string cell = TableCell(values[i]);
        line += cell;
        if (i + 1 == values.size()) break;  // no trailing blanks
        const size_t w = DisplayWidth(cell);
        line += std::string((i < widths_.size() && w < widths_[i] ? widths_[i] - w : 0) + 2, ' ');
      }
      line += "\n";
      break;
    case RecordFormat::kCsv:
      for (size_t i = 0; i < values.size(); ++i) line += (i ? "," : "") + CsvField(values[i]);
      line += "\r\n";
      break;
    case RecordFormat::kJson:
      line = any_row_ ? ",\n{" : "[\n{";
      for (size_t i = 0; i < values.size() && i < columns_.size(); ++i) {
        line += i ? "," : "";
        AppendJsonString(columns_[i].name, &line);
        line += ":";
        if (columns_[i].number && IsInteger(values[i])) {
          line += values[i];
        } else {
          AppendJsonString(WellFormed(values[i]), &line);
        }
      }
      line += "}";
      break;
  }
  any_row_ = true;
  out_ << line;
}

void RecordWriter::End() {
  Begin();
  if (format_ == RecordFormat::kJson) out_ << (any_row_ ? "\n]\n" : "[]\n");
  out_.flush();
}

}  // namespace imprint
