// Records (rows of named columns) written as a rights officer asks for them:
// an aligned text table with a header, CSV by RFC 4180 for spreadsheets, or
// a JSON array of objects. Used by `imprint audit` for the audit log and the
// sharing flags; streamed: a row is written as it comes, in constant memory.
//
// The table's columns are as wide as their widest value; since rows are
// streamed, a caller measures every row first (Measure(), a pass of its own)
// and then writes them. Unmeasured, a column is as wide as its header and a
// longer value pushes the rest of its row right. Empty values show as "-",
// and control characters as "?" (a value never moves the terminal). In every
// format, bytes that are not well-formed UTF-8 are written as U+FFFD.
//
// CSV: a header row, CRLF line ends, a field quoted when it holds a comma, a
// quote, CR or LF (quotes doubled). A field that begins with '=', '+', '-',
// '@', TAB or CR gets a leading "'" (OWASP's defence against formula
// injection: a spreadsheet would run it); no value Imprint writes begins so.
//
// JSON: "[", one object per line, "]": parseable as a whole, and each line
// but the brackets is one record. Number columns are JSON numbers (their
// value must be digits, optionally signed), the rest strings.
//
// Not thread-safe; one writer per output.
#ifndef IMPRINT_PIPELINE_BASE_RECORD_WRITER_H_
#define IMPRINT_PIPELINE_BASE_RECORD_WRITER_H_

#include <optional>
#include <ostream>
#include <string>
#include <vector>

namespace imprint {

// `text` as the table shows it on a terminal: well-formed UTF-8, and every
// control a terminal would act on (C0, DEL, C1, line separators, bidi
// controls) as '?'. For lines printed beside a table.
std::string TerminalText(const std::string& text);

enum class RecordFormat { kTable, kCsv, kJson };
// "table", "csv" or "json"; nullopt for anything else.
std::optional<RecordFormat> ParseRecordFormat(const std::string& name);

struct RecordColumn {
  std::string name;     // the header (table: upper-cased) and the JSON key
  bool number = false;  // a JSON number
};

class RecordWriter {
 public:
  RecordWriter(RecordFormat format, std::vector<RecordColumn> columns, std::ostream& out);
  // Table only (else nothing): widens the columns to `values`.
  void Measure(const std::vector<std::string>& values);
  // REQUIRES: one value per column. The header goes out before the first row.
  void Row(const std::vector<std::string>& values);
  // Ends the output (the header alone when there were no rows; JSON's "]").
  void End();

 private:
  void Begin();

  RecordFormat format_;
  std::vector<RecordColumn> columns_;
  std::vector<size_t> widths_;
  std::ostream& out_;
  bool begun_ = false;
  bool any_row_ = false;
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_RECORD_WRITER_H_
