// Records as a table, CSV and JSON, each read back by a real parser
// (python3's csv and json modules) where a format has one.
#define BOOST_TEST_MODULE record_writer
#include "pipeline/base/record_writer.h"

#include <boost/test/unit_test.hpp>
#include <sstream>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

const std::vector<RecordColumn> kColumns = {{"id", true}, {"name"}, {"note"}};

std::string Write(RecordFormat format, const std::vector<std::vector<std::string>>& rows, bool measure = true) {
  std::ostringstream out;
  RecordWriter w(format, kColumns, out);
  if (measure) {
    for (const auto& r : rows) w.Measure(r);
  }
  for (const auto& r : rows) w.Row(r);
  w.End();
  return out.str();
}

// python3 reads `text` with `program` (text on standard input) and prints what it makes of it.
std::string Python(const std::string& program, const std::string& text) {
  const ProcessResult r = Run("/usr/bin/python3", {"-c", program}, text);
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  return r.out;
}

const std::vector<std::vector<std::string>> kHostile = {
    {"1", "plain", ""},
    {"2", "a, comma", "a \"quote\""},
    {"3", "two\r\nlines", "=HYPERLINK(\"http://evil/\")"},
    {"-4", "ünïcode", "@SUM(A1)"},
};

BOOST_AUTO_TEST_CASE(csv_is_rfc_4180_with_a_header_and_crlf) {
  const std::string csv = Write(RecordFormat::kCsv, kHostile);
  BOOST_TEST(csv.rfind("id,name,note\r\n1,plain,\r\n", 0) == 0u, csv);
  BOOST_TEST(csv.find("\"a, comma\",\"a \"\"quote\"\"\"\r\n") != std::string::npos, csv);
  // Python's csv module (strict) reads the same fields back, formulas defused.
  const std::string parsed = Python(
      "import csv,io,sys,json\n"
      "text=sys.stdin.buffer.read().decode('utf-8')\n"
      "print(json.dumps(list(csv.reader(io.StringIO(text, newline=''), strict=True))))\n",
      csv);
  BOOST_TEST(parsed ==
                 "[[\"id\", \"name\", \"note\"], [\"1\", \"plain\", \"\"], [\"2\", \"a, comma\", \"a \\\"quote\\\"\"], "
                 "[\"3\", \"two\\r\\nlines\", \"'=HYPERLINK(\\\"http://evil/\\\")\"], "
                 "[\"'-4\", \"\\u00fcn\\u00efcode\", \"'@SUM(A1)\"]]\n",
             parsed);
}

BOOST_AUTO_TEST_CASE(json_is_one_array_of_objects_with_numbers) {
  const std::string json = Write(RecordFormat::kJson, kHostile);
  const std::string parsed = Python("import json,sys\nprint(json.dumps(json.load(sys.stdin), sort_keys=True))\n", json);
  BOOST_TEST(parsed ==
                 "[{\"id\": 1, \"name\": \"plain\", \"note\": \"\"}, "
                 "{\"id\": 2, \"name\": \"a, comma\", \"note\": \"a \\\"quote\\\"\"}, "
                 "{\"id\": 3, \"name\": \"two\\r\\nlines\", \"note\": \"=HYPERLINK(\\\"http://evil/\\\")\"}, "
                 "{\"id\": -4, \"name\": \"\\u00fcn\\u00efcode\", \"note\": \"@SUM(A1)\"}]\n",
             parsed);
  BOOST_TEST(Write(RecordFormat::kJson, {}) == "[]\n");
}

BOOST_AUTO_TEST_CASE(the_table_has_a_header_and_aligned_columns) {
  const std::string table = Write(RecordFormat::kTable, {{"1", "ada", "x"}, {"1234", "bartholomew", ""}});
  BOOST_TEST(table ==
                 "ID    NAME         NOTE\n"
                 "1     ada          x\n"
                 "1234  bartholomew  -\n",
             table);
  // No rows: the header alone.
  BOOST_TEST(Write(RecordFormat::kTable, {}) == "ID  NAME  NOTE\n");
}

BOOST_AUTO_TEST_CASE(the_table_never_passes_a_control_character_to_the_terminal) {
  const std::string table = Write(RecordFormat::kTable, {{"1", "\x1b]0;owned\x07", "a\nb"}});
  BOOST_TEST(table.find('\x1b') == std::string::npos);
  BOOST_TEST(table.find("a?b") != std::string::npos, table);
  BOOST_TEST(table.find("?]0;owned?") != std::string::npos, table);
}

// Found attacking the table: C1 controls (U+009B is CSI to a terminal that
// takes 8-bit controls) and bidi overrides (U+202E turns the rest of the
// line around) reached the terminal; they are '?' like the C0 controls.
BOOST_AUTO_TEST_CASE(the_table_never_passes_a_c1_control_or_bidi_override_to_the_terminal) {
  const std::string table =
      Write(RecordFormat::kTable, {{"1", "a\xC2\x9B" "31mred\xC2\x9D" "0;t\xC2\x9C", "\xE2\x80\xAEtxt.exe\xE2\x81\xA6x\xE2\x80\x8F"}});
  BOOST_TEST(table.find("\xC2\x9B") == std::string::npos, table);
  BOOST_TEST(table.find("\xE2\x80\xAE") == std::string::npos, table);
  BOOST_TEST(table.find("a?31mred?0;t?") != std::string::npos, table);
  BOOST_TEST(table.find("?txt.exe?x?") != std::string::npos, table);
  // Other characters, and the header's alignment, are untouched.
  BOOST_TEST(Write(RecordFormat::kTable, {{"1", "\xC3\xBC", "x"}}) == "ID  NAME  NOTE\n1   \xC3\xBC     x\n");
}

// Found attacking the JSON: a value of bytes that are not UTF-8 (a store
// edited by hand) made output no JSON parser reads. They are U+FFFD now.
BOOST_AUTO_TEST_CASE(bytes_that_are_not_utf8_are_replaced_in_every_format) {
  const std::vector<std::vector<std::string>> rows = {{"1", "caf\xE9", "\xC0\xAF\xED\xA0\x80ok"}};
  const std::string json = Write(RecordFormat::kJson, rows);
  const std::string parsed = Python(
      "import json,sys\nprint(json.dumps(json.loads(sys.stdin.buffer.read().decode('utf-8'))))\n", json);
  BOOST_TEST(parsed == "[{\"id\": 1, \"name\": \"caf\\ufffd\", \"note\": \"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffdok\"}]\n",
             parsed);
  for (RecordFormat f : {RecordFormat::kCsv, RecordFormat::kTable}) {
    const std::string text = Write(f, rows);
    BOOST_TEST(Python("import sys\nsys.stdin.buffer.read().decode('utf-8')\nprint('ok')\n", text) == "ok\n");
  }
}

BOOST_AUTO_TEST_CASE(formats_are_named) {
  BOOST_TEST((ParseRecordFormat("csv") == RecordFormat::kCsv));
  BOOST_TEST((ParseRecordFormat("json") == RecordFormat::kJson));
  BOOST_TEST((ParseRecordFormat("table") == RecordFormat::kTable));
  BOOST_TEST(!ParseRecordFormat("xml"));
  BOOST_TEST(!ParseRecordFormat("CSV"));
}

}  // namespace
}  // namespace imprint
