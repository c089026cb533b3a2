// The invisible marks of personalised copies under the referees (issue 18),
// each run once for the program: in headless Chromium a marked page looks the
// same to the pixel as the page without its marks, find-in-page finds the
// prose's phrases, and 150-word selections trace to the license; pandoc's
// plain text of the marked book and the marked Markdown trace too; cmark-gfm
// reads the marked Markdown as the unmarked one; EPUBCheck and the Nu checker
// stay clean. Excerpts are taken from the article text only, so the visible
// "Licensed to" sentence and the metadata play no part.
#define BOOST_TEST_MODULE personalize_marks
#include <boost/test/unit_test.hpp>

#include <random>
#include <sstream>

#include "bench/corpus.h"
#include "pipeline/base/crypto.h"
#include "pipeline/edition/document.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/server/personalize.h"
#include "pipeline/server/text_marks.h"
#include "tests/marks_support.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Outcome = MarkTrace::Outcome;

constexpr size_t kWords = 150;

struct Edition {
  Document doc;
  std::string name;
};

// The sample with the most prose, and a synthetic issue of some 600 words.
std::vector<Edition> Editions(const TempDir& dir) {
  WriteAll(dir / "synthetic.txt", bench::SyntheticIssue(3, 18));
  return {{ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"), "monitor"},
          {ReadEdition(dir / "synthetic.txt"), "synthetic"}};
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::istringstream in(text);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The part of `text` (a converted copy) from its first article paragraph's
// first words to its last paragraph's last words, found with marks ignored.
std::string ArticlePart(const std::string& text, const Document& doc) {
  const std::vector<std::string> first = Words(doc.articles.front().paragraphs.front().text);
  const std::vector<std::string> last = Words(doc.articles.back().paragraphs.back().text);
  std::vector<std::pair<size_t, size_t>> tokens;  // start, end of each token of `text`
  for (size_t i = 0; i < text.size();) {
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    const size_t start = i;
    while (i < text.size() && !std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i > start) tokens.push_back({start, i});
  }
  const auto matches = [&](size_t at, const std::vector<std::string>& words, size_t from) {
    for (size_t k = 0; k < 3; ++k) {
      const auto [s, e] = tokens[at + k];
      if (StripMarks(text.substr(s, e - s)) != words[from + k]) return false;
    }
    return true;
  };
  size_t begin = std::string::npos, end = std::string::npos;
  for (size_t t = 0; t + 3 <= tokens.size(); ++t) {
    if (begin == std::string::npos && matches(t, first, 0)) begin = tokens[t].first;
    if (matches(t, last, last.size() - 3)) end = tokens[t + 2].second;
  }
  BOOST_REQUIRE(begin != std::string::npos && end != std::string::npos && end > begin);
  return text.substr(begin, end - begin);
}

// `count` excerpts of kWords words of `text` trace to `id`, among `suspects`.
void ExpectTraced(const std::string& what, const std::string& text, int count, const std::string& id,
                  const MarkKey& key, const MarkSuspects& suspects, std::mt19937& rng) {
  for (int i = 0; i < count; ++i) {
    const MarkTrace t = TraceMarks(Excerpt(text, kWords, rng), key, suspects);
    BOOST_TEST((t.outcome == Outcome::kLicense && t.licenses == std::vector<std::string>{id}),
               what << " excerpt " << i << ": " << t.votes << " votes");
  }
}

struct PageAnswer {
  bool same_pixels = false;
  int phrases = 0;
  std::string marked_text, plain_text;
  std::vector<std::string> excerpts, not_found;
};

std::vector<PageAnswer> ParseAnswers(const std::string& out) {
  std::vector<PageAnswer> answers;
  std::istringstream in(out);
  for (std::string name, value; in >> name;) {
    if (name == "page") {
      answers.emplace_back();
      continue;
    }
    in >> value;
    std::string text;
    if (name != "same_pixels" && name != "phrases") BOOST_REQUIRE(Base64Decode(value, &text));
    PageAnswer& a = answers.back();
    if (name == "same_pixels") a.same_pixels = value == "1";
    if (name == "phrases") a.phrases = std::stoi(value);
    if (name == "marked_text") a.marked_text = text;
    if (name == "plain_text") a.plain_text = text;
    if (name == "excerpt") a.excerpts.push_back(text);
    if (name == "not_found") a.not_found.push_back(text);
  }
  return answers;
}

// The book through pandoc's plain text, and the Markdown as it is and as
// cmark-gfm reads it, for `who`'s copies of `ed`. Returns the book's file.
std::string ExpectBookAndMarkdownTraced(const TempDir& dir, const Edition& ed, const Licensee& who,
                                        const MarkKey& key, const MarkSuspects& suspects, std::mt19937& rng) {
  const std::string book = dir / (ed.name + ".epub");
  WriteAll(book, Personalize("epub", WriteEpub(ed.doc, BundledTemplates()), who, key));
  const ProcessResult pandoc = Run("/usr/bin/pandoc", {"-f", "epub", "-t", "plain", book});
  BOOST_REQUIRE_MESSAGE(pandoc.exit_code == 0, pandoc.err);
  const std::string& id = who.license_id;
  ExpectTraced(ed.name + " epub via pandoc", ArticlePart(pandoc.out, ed.doc), 20, id, key, suspects, rng);
  const std::string md = Personalize("md", WriteMarkdown(ed.doc, BundledTemplates()), who, key);
  ExpectTraced(ed.name + " md", ArticlePart(StripFrontMatter(md), ed.doc), 20, id, key, suspects, rng);
  BOOST_TEST(StripMarks(RenderGfm(StripFrontMatter(md))) == RenderGfm(StripFrontMatter(StripMarks(md))));
  return book;
}

// What Chromium saw of one marked page.
void ExpectPage(const PageAnswer& a, const std::string& name, const std::string& id, const MarkKey& key,
                const MarkSuspects& suspects) {
  BOOST_TEST(a.same_pixels, name << ": the marked page's screenshot differs");
  BOOST_TEST(a.marked_text != a.plain_text);
  BOOST_TEST(StripMarks(a.marked_text) == a.plain_text, name);
  BOOST_TEST(a.phrases == 40);
  BOOST_TEST(a.not_found.empty(), name << ": find-in-page misses '" << (a.not_found.empty() ? "" : a.not_found[0]));
  BOOST_TEST(a.excerpts.size() == 20u);
  for (size_t i = 0; i < a.excerpts.size(); ++i) {
    const MarkTrace t = TraceMarks(a.excerpts[i], key, suspects);
    BOOST_TEST(Words(a.excerpts[i]).size() >= kWords - 1, name << " selection " << i);
    BOOST_TEST((t.outcome == Outcome::kLicense && t.licenses == std::vector<std::string>{id}),
               name << " selection " << i << ": " << t.votes << " votes");
  }
}

BOOST_AUTO_TEST_CASE(marked_copies_trace_from_excerpts_and_break_nothing) {
  TempDir dir;
  const MarkKey key = TestMarkKey();
  const std::vector<std::string> ids = LicenseIds(1000, 18);
  const MarkSuspects suspects(key, ids);
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const std::vector<Edition> editions = Editions(dir);
  std::mt19937 rng(18);
  std::string job = "{\"excerpts\": 20, \"words\": 150, \"phrases\": 40, \"seed\": 18, \"pages\": [";
  std::vector<std::string> books, pages;
  for (size_t e = 0; e < editions.size(); ++e) {
    const Edition& ed = editions[e];
    const Licensee who = MakeLicensee(policy.tiers.at("individual"), ids[e], "Ada Lovelace");
    const std::string html = Personalize("html", WriteHtml(ed.doc, BundledTemplates()), who, key);
    WriteAll(dir / (ed.name + ".html"), html);
    WriteAll(dir / (ed.name + "-plain.html"), StripMarks(html));
    job += std::string(e ? "," : "") + "{\"marked\": \"" + dir / (ed.name + ".html") + "\", \"plain\": \"" +
           dir / (ed.name + "-plain.html") + "\"}";
    pages.push_back(dir / (ed.name + ".html"));
    books.push_back(ExpectBookAndMarkdownTraced(dir, ed, who, key, suspects, rng));
  }
  job += "]}";
  WriteAll(dir / "job.json", job);
  const ProcessResult browser = Run("/usr/bin/node", {SourceDir() + "/tests/tools/marks-page.mjs", dir / "job.json"});
  BOOST_REQUIRE_MESSAGE(browser.exit_code == 0, browser.err);
  const std::vector<PageAnswer> answers = ParseAnswers(browser.out);
  BOOST_REQUIRE_EQUAL(answers.size(), editions.size());
  for (size_t e = 0; e < editions.size(); ++e) {
    ExpectPage(answers[e], editions[e].name, ids[e], key, suspects);
  }
  // The referees, one run each for all copies.
  const ProcessResult check = EpubCheck(books);
  BOOST_TEST(check.exit_code == 0, check.out << check.err);
  std::vector<std::string> vnu_args = {"-jar", std::getenv("VNU_JAR"), "--errors-only"};
  vnu_args.insert(vnu_args.end(), pages.begin(), pages.end());
  const ProcessResult vnu = Run("/usr/bin/java", vnu_args);
  BOOST_TEST(vnu.exit_code == 0, vnu.err);
}

// The canonical editions are what the writers make, untouched by marks: none
// of the four characters in any format (the writers know nothing of marks;
// `imprint build` of the samples gave the same bytes before and after them).
BOOST_AUTO_TEST_CASE(canonical_editions_carry_no_marks) {
  TempDir dir;
  for (const Edition& ed : Editions(dir)) {
    for (const std::string& bytes : {WriteHtml(ed.doc, BundledTemplates()), WriteMarkdown(ed.doc, BundledTemplates())}) {
      BOOST_TEST(StripMarks(bytes) == bytes, ed.name);
    }
    for (const auto& [name, entry] : Unzip(WriteEpub(ed.doc, BundledTemplates()))) {
      BOOST_TEST(StripMarks(entry) == entry, ed.name << " " << name);
    }
  }
}

// Prose that looks like Markdown (headings, lists, quotes, tables, emphasis,
// backslashes, URLs: tests/data/good/markup.txt and the samples) reads the
// same under cmark-gfm once marked, and every copy still carries marks.
BOOST_AUTO_TEST_CASE(markdown_that_looks_like_markup_reads_the_same_marked) {
  const MarkKey key = TestMarkKey();
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const Licensee who = MakeLicensee(policy.tiers.at("individual"), LicenseIds(1, 7)[0], "Ada Lovelace");
  std::vector<std::string> inputs = GoodInputs();
  for (const char* sample : {"monitor-v03-i145", "monitor-v01-i003", "prism-v04-i012", "monitor-v05-i077"}) {
    inputs.push_back(SourceDir() + "/samples/archive/" + sample + ".txt");
  }
  for (const std::string& input : inputs) {
    const Document doc = ReadEdition(input);
    const std::string md = Personalize("md", WriteMarkdown(doc, BundledTemplates()), who, key);
    BOOST_TEST(md != StripMarks(md), input);
    BOOST_TEST(StripMarks(RenderGfm(StripFrontMatter(md))) == RenderGfm(StripFrontMatter(StripMarks(md))), input);
    const std::string html = Personalize("html", WriteHtml(doc, BundledTemplates()), who, key);
    // No attribute, and nothing before <main> or after it, carries a mark.
    BOOST_TEST(HtmlTexts(html, "//@*") == HtmlTexts(StripMarks(html), "//@*"), input);
    const size_t main = html.find("<main"), end = html.find("</main>");
    BOOST_TEST(StripMarks(html.substr(0, main)) == html.substr(0, main), input);
    BOOST_TEST(StripMarks(html.substr(end)) == html.substr(end), input);
  }
}

}  // namespace
}  // namespace imprint
