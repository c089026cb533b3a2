// `imprint trace --text FILE|-` end to end: the real server's copies, the real
// program and store. An excerpt of a downloaded copy's article text names the
// license, its subscriber and its downloads' audit rows; a text without marks
// is "no mark" (exit 3); mixed copies name one of the two or both (exit 4),
// never a third; no mark key is an error, never a guess.
#define BOOST_TEST_MODULE cli_trace_text
#include <boost/test/unit_test.hpp>

#include <cstdlib>

#include "pipeline/base/crypto.h"
#include "pipeline/server/text_marks.h"
#include "tests/served.h"

namespace imprint {
namespace {

using namespace testing;

constexpr char kPage[] = "/editions/monitor/v05/i077/monitor-v05-i077.html";

// The article text of a page's source: <main> and what is in it.
std::string MainOf(const std::string& html) {
  const size_t open = html.find("<main"), close = html.find("</main>");
  BOOST_REQUIRE(open != std::string::npos && close != std::string::npos);
  return html.substr(open, close + 7 - open);
}

// `html` without its tags.
std::string TextOf(const std::string& html) {
  std::string out;
  bool tag = false;
  for (char c : html) {
    if (c == '<') tag = true;
    if (!tag) out.push_back(c);
    if (c == '>') tag = false;
  }
  return out;
}

// Paragraphs [first, first + count) of a page's <main>.
std::string Paragraphs(const std::string& html, size_t first, size_t count) {
  std::string out;
  size_t at = html.find("<main");
  for (size_t k = 0; k < first + count; ++k) {
    at = html.find("<p>", at);
    if (at == std::string::npos) break;
    const size_t end = html.find("</p>", at);
    if (k >= first) out += html.substr(at + 3, end - at - 3) + "\n\n";
    at = end;
  }
  return out;
}

BOOST_FIXTURE_TEST_CASE(an_excerpt_names_license_subscriber_and_download, Served) {
  const Reply copy = Get(kPage, ada);
  BOOST_REQUIRE_EQUAL(copy.status, 200);
  const std::string excerpt = MainOf(copy.body);
  BOOST_TEST(excerpt.find("Licensed to") == std::string::npos);
  WriteAll(dir / "excerpt.html", excerpt);
  const ProcessResult r = Imprint({"trace", "--text", dir / "excerpt.html"});
  BOOST_TEST(r.exit_code == 0, r.out << r.err);
  const std::string id = ParseLicense(ada, "ada").id;
  BOOST_TEST(r.out.find("license:    " + id) != std::string::npos, r.out);
  BOOST_TEST(r.out.find("subscriber: ") != std::string::npos, r.out);
  BOOST_TEST(r.out.find("sha256 " + Sha256Hex(copy.body)) != std::string::npos, r.out);
  // The same as plain text on standard input; without its marks, no mark.
  ::setenv("IMPRINT_KEYS", (dir / "keys").c_str(), 1);
  const std::vector<std::string> args = {"trace", "--text", "-", "--db", "sqlite:" + dir / "imprint.db"};
  const ProcessResult piped = Run(ImprintBin(), args, TextOf(excerpt));
  BOOST_TEST(piped.exit_code == 0, piped.out << piped.err);
  BOOST_TEST(piped.out.find("license:    " + id) != std::string::npos, piped.out);
  const ProcessResult stripped = Run(ImprintBin(), args, StripMarks(TextOf(excerpt)));
  BOOST_TEST(stripped.exit_code == 3, stripped.out << stripped.err);
  BOOST_TEST(stripped.out.find("license:") == std::string::npos, stripped.out);
}

BOOST_FIXTURE_TEST_CASE(no_mark_mixed_copies_and_no_key, Served) {
  const Reply a = Get(kPage, ada), b = Get(kPage, bob);
  BOOST_REQUIRE(a.status == 200 && b.status == 200);
  // The unmarked edition as built: no mark, exit 3.
  WriteAll(dir / "plain.html", MainOf(ReadAll(dir / "output/monitor/v05/i077/monitor-v05-i077.html")));
  ProcessResult r = Imprint({"trace", "--text", dir / "plain.html"});
  BOOST_TEST(r.exit_code == 3, r.out << r.err);
  BOOST_TEST(r.out.rfind("no mark", 0) == 0, r.out);
  // Ada's and Bob's paragraphs, interleaved: one of them, or both; never another.
  WriteAll(dir / "mixed.txt", Paragraphs(a.body, 0, 1) + Paragraphs(b.body, 1, 1) + Paragraphs(a.body, 2, 1));
  r = Imprint({"trace", "--text", dir / "mixed.txt"});
  const std::string ada_id = ParseLicense(ada, "ada").id, bob_id = ParseLicense(bob, "bob").id;
  BOOST_TEST((r.exit_code == 0 || r.exit_code == 4), r.out << r.err);
  for (const std::string& other : {printer, expired, future}) {
    BOOST_TEST(r.out.find(ParseLicense(other, "x").id) == std::string::npos, r.out);
  }
  BOOST_TEST((r.out.find(ada_id) != std::string::npos || r.out.find(bob_id) != std::string::npos), r.out);
  // A device is never read (it could be read forever); FILE and --text together are a usage error.
  r = Imprint({"trace", "--text", "/dev/zero"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(r.err.find("not a regular file") != std::string::npos, r.err);
  r = Imprint({"trace", "--text", dir / "mixed.txt", dir / "mixed.txt"});
  BOOST_TEST(r.exit_code == 2, r.out << r.err);
  // Without the mark key, no trace at all.
  RemoveAll(dir / "keys/mark.key");
  r = Imprint({"trace", "--text", dir / "mixed.txt"});
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  BOOST_TEST(r.err.find("no mark key") != std::string::npos, r.err);
}

}  // namespace
}  // namespace imprint
