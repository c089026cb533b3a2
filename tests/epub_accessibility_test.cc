// Accessible EPUB editions (issue 19). The book's structure for every good
// input: the package's accessibility metadata (the rights policy's),
// epub:type roles, lang and xml:lang, nested headings, reading order; the
// check that refuses a book without them (epub_accessibility). Then Ace by
// DAISY, the publishing industry's accessibility checker: every book of the
// sample archive as `imprint build` writes it (scripts/run-sample), a
// corrected book and a personalised copy show no violation in Ace's
// report.json. One node process and one browser check them all
// (tests/tools/ace-batch.cjs); a control book written from templates without
// schema:accessMode and the toc's role, checked in the same run, shows that
// Ace reports what it should. Needs PUPPETEER_EXECUTABLE_PATH
// (tests/CMakeLists.txt sets it).
#define BOOST_TEST_MODULE epub_accessibility
#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/edition/document.h"
#include "pipeline/edition/epub_accessibility.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/rights_policy.h"
#include "pipeline/server/personalize.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

size_t Count(const std::string& text, const std::string& part) {
  size_t n = 0;
  for (size_t at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

// Takes each of `parts` out of the template file `path` (where it is).
void Strip(const std::string& path, const std::vector<std::string>& parts) {
  std::string text = ReadAll(path);
  for (const std::string& from : parts) {
    const size_t at = text.find(from);
    if (at != std::string::npos) text.erase(at, from.size());
  }
  WriteAll(path, text);
}

// ---- The book's structure, checked here for every good input --------------

const std::vector<std::string>& XhtmlEntries() {
  static const std::vector<std::string> names = {"OEBPS/nav.xhtml", "OEBPS/cover.xhtml", "OEBPS/issue.xhtml",
                                                 "OEBPS/rights.xhtml"};
  return names;
}

// Every good input's book, with its document.
template <typename F>
void ForEachBook(F check) {
  for (const std::string& input : GoodInputs()) {
    BOOST_TEST_CONTEXT(input) {
      const Document doc = ReadEdition(input);
      check(doc, Unzip(WriteEpub(doc, BundledTemplates())));
    }
  }
  const Document corrected = ReadEdition(TestDataDir() + "/corrections/prism-v04-i012.txt");
  BOOST_TEST_CONTEXT("corrected") { check(corrected, Unzip(WriteEpub(corrected, BundledTemplates()))); }
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

// Issue 19: Ace found the five schema.org fields missing from package.opf.
BOOST_AUTO_TEST_CASE(package_declares_conformance_certifier_and_accessibility_metadata_from_the_policy) {
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  ForEachBook([](const Document& doc, const std::map<std::string, std::string>& entries) {
    const std::string& opf = entries.at("OEBPS/package.opf");
    const auto meta = [&opf](const std::string& property) {
      return Sorted(XmlTexts(opf, "//*[local-name()='meta'][@property='" + property + "']"));
    };
    BOOST_TEST(meta("dcterms:conformsTo") == std::vector<std::string>{"EPUB Accessibility 1.1 - WCAG 2.2 Level AA"},
               boost::test_tools::per_element());
    BOOST_TEST(meta("a11y:certifiedBy") == std::vector<std::string>{"The Jamestown Foundation"},
               boost::test_tools::per_element());
    BOOST_TEST(meta("schema:accessMode") == std::vector<std::string>{"textual"}, boost::test_tools::per_element());
    BOOST_TEST(meta("schema:accessModeSufficient") == std::vector<std::string>{"textual"},
               boost::test_tools::per_element());
    BOOST_TEST(meta("schema:accessibilityFeature") ==
                   Sorted({"structuralNavigation", "tableOfContents", "readingOrder"}),
               boost::test_tools::per_element());
    BOOST_TEST(meta("schema:accessibilityHazard") == std::vector<std::string>{"none"},
               boost::test_tools::per_element());
    const auto summary = meta("schema:accessibilitySummary");
    BOOST_REQUIRE_EQUAL(summary.size(), 1u);
    BOOST_TEST(summary[0].find("WCAG 2.2 Level AA") != std::string::npos);
    // The certifier is the conformance's: refines nothing else.
    BOOST_TEST(XmlTexts(opf, "//*[local-name()='meta'][@refines]/@property") ==
                   std::vector<std::string>({"collection-type", "group-position"}),
               boost::test_tools::per_element());
  });
}

// The values are the policy's, not the code's: another policy, other values.
BOOST_AUTO_TEST_CASE(accessibility_metadata_comes_from_the_rights_policy) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  xml.replace(xml.find("certified-by=\"The Jamestown Foundation\""), 39, "certified-by=\"Accessible Books Ltd\"");
  xml.replace(xml.find("<hazard>none</hazard>"), 21, "<hazard>noFlashingHazard</hazard><hazard>noSoundHazard</hazard>");
  WriteAll(dir / "rights/policy.xml", xml);
  const std::string out = dir / "out";
  const ProcessResult r = RunImprint({"build", "--out", out, "--rights", dir / "rights",
                                      SourceDir() + "/samples/archive/monitor-v05-i077.txt"});
  BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  const std::string opf = Unzip(ReadAll(out + "/monitor/v05/i077/monitor-v05-i077.epub")).at("OEBPS/package.opf");
  BOOST_TEST(XmlTexts(opf, "//*[@property='a11y:certifiedBy']") == std::vector<std::string>{"Accessible Books Ltd"},
             boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(opf, "//*[@property='schema:accessibilityHazard']") ==
                 std::vector<std::string>({"noFlashingHazard", "noSoundHazard"}),
             boost::test_tools::per_element());
}

// Issue 19: nav.xhtml's toc had its epub:type and not its role. DPUB-ARIA's
// roles for the EPUB 3 structural semantics a book here could carry (Ace's
// table, axe-core-for-ace's epub-type-has-matching-role).
BOOST_AUTO_TEST_CASE(every_epub_type_has_its_matching_aria_role) {
  const std::map<std::string, std::string> roles = {
      {"toc", "doc-toc"},           {"chapter", "doc-chapter"},   {"part", "doc-part"},
      {"footnote", "doc-footnote"}, {"endnotes", "doc-endnotes"}, {"noteref", "doc-noteref"},
      {"notice", "doc-notice"},     {"colophon", "doc-colophon"}, {"page-list", "doc-pagelist"},
      {"pagebreak", "doc-pagebreak"}, {"index", "doc-index"},     {"errata", "doc-errata"}};
  ForEachBook([&roles](const Document&, const std::map<std::string, std::string>& entries) {
    for (const std::string& name : XhtmlEntries()) {
      const std::string& xhtml = entries.at(name);
      int typed = 0;
      for (const auto& [type, role] : roles) {
        const std::string xpath = "//*[contains(concat(' ', normalize-space(@epub:type), ' '), ' " + type + " ')]";
        for (const std::string& has : XmlTexts(xhtml, xpath + "/@role")) {
          BOOST_TEST((" " + has + " ").find(" " + role + " ") != std::string::npos, name << " " << type);
        }
        BOOST_TEST(XmlTexts(xhtml, xpath + "/@role").size() == XmlTexts(xhtml, xpath).size(),
                   name << ": an epub:type " << type << " without role " << role);
        typed += static_cast<int>(XmlTexts(xhtml, xpath).size());
      }
      if (name == "OEBPS/nav.xhtml") BOOST_TEST(typed == 1);  // the toc
    }
  });
}

BOOST_AUTO_TEST_CASE(every_document_has_lang_and_xml_lang) {
  ForEachBook([](const Document& doc, const std::map<std::string, std::string>& entries) {
    const std::vector<std::string> lang = {doc.publication.language};
    for (const std::string& name : XhtmlEntries()) {
      BOOST_TEST(XmlTexts(entries.at(name), "/h:html/@lang") == lang, boost::test_tools::per_element());
      BOOST_TEST(XmlTexts(entries.at(name), "/h:html/@xml:lang") == lang, boost::test_tools::per_element());
    }
    BOOST_TEST(XmlTexts(entries.at("OEBPS/package.opf"), "/*/@xml:lang") == lang, boost::test_tools::per_element());
    BOOST_TEST(XmlTexts(entries.at("OEBPS/package.opf"), "//*[local-name()='language']") == lang,
               boost::test_tools::per_element());
  });
}

// CheckBookAccessibility on a real book with one entry spoilt: an Error
// naming the entry's template and saying what is wrong.
void ExpectRefused(const std::string& entry, const std::string& from, const std::string& to,
                   const std::string& what, Document doc = ReadEdition(GoodInputs().front())) {
  std::vector<BookEntry> book = RenderBook(doc, BundledTemplates());
  for (BookEntry& e : book) {
    if (e.name != entry) continue;
    BOOST_REQUIRE_MESSAGE(e.text.find(from) != std::string::npos, entry << " has no " << from);
    e.text.replace(e.text.find(from), from.size(), to);
    try {
      CheckBookAccessibility(doc, book, BundledTemplates());
      BOOST_ERROR(entry << ": no error for " << what);
    } catch (const Error& error) {
      BOOST_TEST(error.diagnostic().file == BundledTemplates().Path(e.template_name));
      BOOST_TEST(error.diagnostic().message.find(what) != std::string::npos, error.diagnostic().message);
    }
    return;
  }
  BOOST_ERROR("no entry " << entry);
}

BOOST_AUTO_TEST_CASE(check_passes_every_good_book_and_refuses_a_spoilt_one) {
  ForEachBook([](const Document& doc, const std::map<std::string, std::string>&) {
    CheckBookAccessibility(doc, RenderBook(doc, BundledTemplates()), BundledTemplates());
  });
  ExpectRefused("OEBPS/package.opf", "<meta property=\"schema:accessibilityHazard\">none</meta>", "",
                "declares schema:accessibilityHazard none, not 'none'");
  ExpectRefused("OEBPS/package.opf", ">textual</meta>", ">visual</meta>", "schema:accessMode 'visual'");
  ExpectRefused("OEBPS/package.opf", "<meta property=\"a11y:certifiedBy\">",
                "<meta refines=\"#collection\" property=\"a11y:certifiedBy\">", "a11y:certifiedBy none");
  ExpectRefused("OEBPS/package.opf", "<dc:date>1995</dc:date>", "<dc:date>1995-01-01</dc:date>",
                "has dc:date '1995-01-01', not '1995'");
  ExpectRefused("OEBPS/nav.xhtml", " role=\"doc-toc\"", " role=\"navigation\"", "without its ARIA role 'doc-toc'");
  ExpectRefused("OEBPS/issue.xhtml", "<p class=\"masthead\">", "<p epub:type=\"footnote\" class=\"masthead\">",
                "epub:type 'footnote' without its ARIA role 'doc-footnote'");
  ExpectRefused("OEBPS/cover.xhtml", " xml:lang=\"en\"", " xml:lang=\"fr\"", "as both lang and xml:lang");
  ExpectRefused("OEBPS/rights.xhtml", "<h1>Rights</h1>", "<h1>Rights</h1><h3>Terms</h3>",
                "has an <h3> after an <h1>");
  ExpectRefused("OEBPS/rights.xhtml", "<h1>Rights</h1>", "<h2>Rights</h2>", "has an <h2> after no heading");
}

// The levels of a document's headings, in order: 1 for <h1 ...>, 2 for <h2 ...>.
std::vector<int> HeadingLevels(const std::string& xhtml) {
  std::vector<int> levels;
  for (size_t at = xhtml.find("<h"); at != std::string::npos; at = xhtml.find("<h", at + 1)) {
    if (at + 3 < xhtml.size() && xhtml[at + 2] >= '1' && xhtml[at + 2] <= '6' &&
        (xhtml[at + 3] == '>' || xhtml[at + 3] == ' ')) {
      levels.push_back(xhtml[at + 2] - '0');
    }
  }
  return levels;
}

// Each document's headings in order: the first an h1, none more than one
// level below the one before.
BOOST_AUTO_TEST_CASE(headings_nest_without_skipping_a_level) {
  ForEachBook([](const Document& doc, const std::map<std::string, std::string>& entries) {
    for (const std::string& name : XhtmlEntries()) {
      const std::vector<int> levels = HeadingLevels(entries.at(name));
      BOOST_TEST(!levels.empty(), name);
      BOOST_TEST(XmlTexts(entries.at(name), "//h:h1|//h:h2|//h:h3|//h:h4|//h:h5|//h:h6").size() == levels.size());
      for (size_t i = 0; i < levels.size(); ++i) {
        BOOST_TEST(levels[i] <= (i == 0 ? 1 : levels[i - 1] + 1), name << ": heading " << i);
      }
    }
    const auto h2 = XmlTexts(entries.at("OEBPS/issue.xhtml"), "//h:h2");
    BOOST_TEST(h2.size() == (doc.corrections.empty() ? 0u : 1u) +
                                std::count_if(doc.articles.begin(), doc.articles.end(),
                                              [](const Article& a) { return !a.headline.empty(); }));
  });
}

// The reading order is the text's: the spine is cover, issue, rights; the
// table of contents lists the spine's documents in its order and the issue's
// articles in the order the page holds them.
BOOST_AUTO_TEST_CASE(reading_order_is_the_text_order) {
  ForEachBook([](const Document& doc, const std::map<std::string, std::string>& entries) {
    const std::string& opf = entries.at("OEBPS/package.opf");
    std::vector<std::string> spine;
    for (const std::string& idref : XmlTexts(opf, "//*[local-name()='itemref']/@idref")) {
      const auto href = XmlTexts(opf, "//*[local-name()='item'][@id='" + idref + "']/@href");
      BOOST_REQUIRE_EQUAL(href.size(), 1u);
      spine.push_back(href[0]);
    }
    BOOST_TEST(spine == std::vector<std::string>({"cover.xhtml", "issue.xhtml", "rights.xhtml"}),
               boost::test_tools::per_element());
    std::vector<std::string> toc_ids;
    size_t last = 0;
    for (const std::string& href : XmlTexts(entries.at("OEBPS/nav.xhtml"), "//h:nav[@epub:type='toc']//h:a/@href")) {
      const std::string file = href.substr(0, href.find('#'));
      const size_t at = std::find(spine.begin(), spine.end(), file) - spine.begin();
      BOOST_TEST(at < spine.size(), href);
      BOOST_TEST(at >= last, href << " comes before the previous entry in the spine");
      last = at;
      if (href.find('#') != std::string::npos) toc_ids.push_back(href.substr(href.find('#') + 1));
    }
    BOOST_TEST(toc_ids == XmlTexts(entries.at("OEBPS/issue.xhtml"), "//h:main/*/@id"),
               boost::test_tools::per_element());
    BOOST_TEST(toc_ids.size() == doc.articles.size());
  });
}

// The books, Ace's run over all of them, and each book's report.
struct AceRun {
  AceRun() {
    // The sample archive as scripts/run-sample builds it.
    const std::string out = dir / "output";
    const ProcessResult build = RunImprint({"build", "--out", out, SourceDir() + "/samples/archive"});
    BOOST_REQUIRE_MESSAGE(build.exit_code == 0, build.err);
    for (const std::string& file : FilesBelow(out)) {
      if (file.size() > 5 && file.compare(file.size() - 5, 5, ".epub") == 0) books.push_back(out + "/" + file);
    }
    BOOST_REQUIRE_EQUAL(books.size(), 4u);
    // A personalised copy, as the server makes it for a download.
    const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
    const Licensee who = MakeLicensee(policy.tiers.at("individual"), "0b0e7a7e-1c2d-4e5f-8a9b-0c1d2e3f4a5b",
                                      "Ada Lovelace");
    books.push_back(dir / "personalised.epub");
    // (with its invisible marks: a key of the test's own)
    WriteAll(books.back(), Personalize("epub", ReadAll(out + "/monitor/v05/i077/monitor-v05-i077.epub"), who,
                                       MarkKey::FromSecret(std::string(32, 'm'))));
    // Corrections add a heading and an aside to the page.
    books.push_back(dir / "corrected.epub");
    WriteAll(books.back(), WriteEpub(ReadEdition(TestDataDir() + "/corrections/prism-v04-i012.txt"),
                                     BundledTemplates()));
    // The control: today's failures put back (no accessMode, no toc role).
    TempDir control_dir;
    const std::string broken = control_dir / "templates";
    CopyTree(SourceDir() + "/templates", broken);
    Strip(broken + "/package.opf.mustache", {"    <meta property=\"schema:accessMode\">{{.}}</meta>\n"});
    Strip(broken + "/nav.xhtml.mustache", {" role=\"doc-toc\""});
    books.push_back(dir / "control.epub");
    WriteAll(books.back(), WriteEpub(ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt"),
                                     TemplateSet::Load(broken)));

    std::vector<std::string> argv = {"/usr/bin/env", "node", SourceDir() + "/tests/tools/ace-batch.cjs",
                                     dir / "ace"};
    argv.insert(argv.end(), books.begin(), books.end());
    result = RunWithin(argv, 600);
    for (size_t i = 0; i < books.size(); ++i) {
      reports[books[i]] = ReadAll(dir / ("ace/" + std::to_string(i) + "/report.json"));
    }
  }
  TempDir dir;
  std::vector<std::string> books;  // the control last
  BoundedResult result;
  std::map<std::string, std::string> reports;  // report.json by book
};

const AceRun& Ace() {
  static const AceRun run;
  return run;
}

BOOST_AUTO_TEST_CASE(ace_checks_every_book_in_one_run) {
  const AceRun& run = Ace();
  BOOST_TEST(!run.result.timed_out);
  BOOST_TEST(run.result.exit_code == 0, run.result.out << run.result.err);
  for (const std::string& book : run.books) {
    BOOST_TEST(run.reports.at(book).find("\"doap:name\": \"DAISY Ace\"") != std::string::npos, book);
  }
}

// Issue 19: Ace 1.4.6 on monitor-v05-i077.epub reported the five schema.org
// fields missing from package.opf and nav.xhtml's toc without its role.
BOOST_AUTO_TEST_CASE(ace_reports_no_violation_for_any_sample_epub_or_a_personalised_copy) {
  const AceRun& run = Ace();
  for (size_t i = 0; i + 1 < run.books.size(); ++i) {
    const std::string& book = run.books[i];
    BOOST_TEST(run.result.out.find(book + ": 0 violations\n") != std::string::npos, book << "\n" << run.result.out);
    BOOST_TEST(Count(run.reports.at(book), "\"earl:outcome\": \"fail\"") == 0u, book << "\n" << run.result.out);
    BOOST_TEST(Count(run.reports.at(book), "\"earl:outcome\": \"pass\"") > 0u, book);
  }
}

BOOST_AUTO_TEST_CASE(ace_reports_the_control_books_missing_metadata_and_role) {
  const AceRun& run = Ace();
  const std::string& report = run.reports.at(run.books.back());
  BOOST_TEST(Count(report, "\"earl:outcome\": \"fail\"") > 0u);
  BOOST_TEST(run.result.out.find("serious metadata-accessmode in") != std::string::npos, run.result.out);
  BOOST_TEST(run.result.out.find("epub-type-has-matching-role in nav.xhtml") != std::string::npos, run.result.out);
}

}  // namespace
}  // namespace imprint
