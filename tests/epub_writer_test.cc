// The EPUB edition of every good test input: valid under EPUBCheck (one JVM
// run for all), complete metadata, headlines in the table of contents, every
// paragraph in the book as pandoc reads it back, and the same bytes under
// another time zone, locale and clock.
#define BOOST_TEST_MODULE epub_writer
#include "pipeline/edition/epub_writer.h"

#include <unistd.h>

#include <boost/test/unit_test.hpp>
#include <algorithm>
#include <set>
#include <sstream>

#include "pipeline/edition/document.h"
#include "pipeline/base/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

// Two corrections, the second's note holding `<script>`, `*` and `&amp;`.
std::string CorrectedInput() { return TestDataDir() + "/corrections/prism-v04-i012.txt"; }

std::string Book(const std::string& input) { return WriteEpub(ReadEdition(input), BundledTemplates()); }

BOOST_AUTO_TEST_CASE(epubcheck_reports_no_error_and_no_warning) {
  TempDir dir;
  std::vector<std::string> books;
  for (const std::string& input : GoodInputs()) {
    books.push_back(dir / (Stem(input) + ".epub"));
    WriteAll(books.back(), Book(input));
  }
  // Footer links of both kinds (web and e-mail).
  Document linked = ReadEdition(GoodInputs().front());
  linked.rights.footer.push_back("Questions: press@jamestown.org, or https://jamestown.org/contact/?a=1&b=2.");
  books.push_back(dir / "with-addresses.epub");
  WriteAll(books.back(), WriteEpub(linked, BundledTemplates()));
  books.push_back(dir / "corrected.epub");
  WriteAll(books.back(), Book(CorrectedInput()));
  // A book whose package document lacks its title shows, in the same run,
  // that the checker reports what it should.
  CopyTree(SourceDir() + "/templates", dir / "templates");
  std::string opf = ReadAll(dir / "templates/package.opf.mustache");
  opf.erase(opf.find("    <dc:title>"), opf.find("</dc:title>") + 12 - opf.find("    <dc:title>"));
  WriteAll(dir / "templates/package.opf.mustache", opf);
  WriteAll(dir / "control-invalid.epub",
           WriteEpub(ReadEdition(GoodInputs().front()), TemplateSet::Load(dir / "templates")));
  books.push_back(dir / "control-invalid.epub");

  const ProcessResult r = EpubCheck(books);
  BOOST_TEST(r.exit_code == 1, r.out << r.err);
  for (size_t i = 0; i + 1 < books.size(); ++i) {
    BOOST_TEST(r.out.find(books[i] + ": 0 fatal, 0 errors, 0 warnings") != std::string::npos,
               books[i] << "\n" << r.out << r.err);
  }
  BOOST_TEST(r.out.find("1 of " + std::to_string(books.size()) + " books failed") != std::string::npos,
             r.out);
}

BOOST_AUTO_TEST_CASE(mimetype_is_the_first_entry_and_stored) {
  const std::string book = Book(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  BOOST_TEST(book.substr(0, 4) == std::string("PK\x03\x04", 4));
  BOOST_TEST(book[8] == 0);
  BOOST_TEST(book[9] == 0);  // CM_STORE
  BOOST_TEST(book.substr(30, 8) == "mimetype");
  BOOST_TEST(book.substr(38, 20) == "application/epub+zip");
}

BOOST_AUTO_TEST_CASE(package_metadata_is_complete) {
  const auto entries = Unzip(Book(SourceDir() + "/samples/archive/prism-v04-i012.txt"));
  const std::string opf = entries.at("OEBPS/package.opf");
  auto one = [&opf](const std::string& xpath) {
    const auto texts = XmlTexts(opf, xpath);
    BOOST_REQUIRE_EQUAL(texts.size(), 1u);
    return texts[0];
  };
  const std::string id = one("//*[local-name()='identifier']");
  BOOST_TEST(id.rfind("urn:uuid:", 0) == 0u);
  BOOST_TEST(id.size() == 45u);
  BOOST_TEST(id[23] == '5');  // version 5: name-based, SHA-1
  BOOST_TEST(one("//*[local-name()='title']") == "Prism, Volume 4, Issue 12");
  BOOST_TEST(one("//*[local-name()='language']") == "en");
  BOOST_TEST(one("//*[local-name()='publisher']") == "The Jamestown Foundation");
  BOOST_TEST(one("//*[local-name()='rights']").rfind(
                 "Copyright (c) 1995-1998 The Jamestown Foundation.", 0) == 0u);
  BOOST_TEST(one("//*[local-name()='date']") == "1998-06-19");
  BOOST_TEST(one("//*[@property='dcterms:modified']") == "1998-06-19T00:00:00Z");
  BOOST_TEST(one("//*[@property='belongs-to-collection']") == "Prism");
  BOOST_TEST(one("//*[@property='group-position']") == "12");
  BOOST_TEST(one("//*[@property='collection-type']") == "series");
}

BOOST_AUTO_TEST_CASE(identifier_is_stable_per_issue_and_distinct_across_issues) {
  std::set<std::string> ids;
  for (const std::string& input : GoodInputs()) {
    const Document doc = ReadEdition(input);
    BOOST_TEST(EpubIdentifier(doc) == EpubIdentifier(ReadEdition(input)));
    ids.insert(EpubIdentifier(doc));
  }
  BOOST_TEST(ids.size() == GoodInputs().size());
}

BOOST_AUTO_TEST_CASE(modified_time_without_a_date_is_the_first_of_the_year) {
  const auto entries = Unzip(Book(SourceDir() + "/samples/archive/monitor-v05-i077.txt"));
  const std::string opf = entries.at("OEBPS/package.opf");
  BOOST_TEST(XmlTexts(opf, "//*[@property='dcterms:modified']") ==
                 std::vector<std::string>{"1999-01-01T00:00:00Z"}, boost::test_tools::per_element());
}

// Issue 19: an issue without a Date line had no dc:date. It has its
// volume's year, as the rights policy maps volumes to years (volume 5 of the
// Monitor, first published in 1995 as volume 1: 1999), a year and no more.
BOOST_AUTO_TEST_CASE(an_issue_without_a_date_has_its_volumes_year_as_dc_date) {
  for (const auto& [input, date] : std::vector<std::pair<std::string, std::string>>{
           {"monitor-v05-i077.txt", "1999"}, {"monitor-v01-i003.txt", "1995"}, {"prism-v04-i012.txt", "1998-06-19"}}) {
    const auto entries = Unzip(Book(SourceDir() + "/samples/archive/" + input));
    BOOST_TEST_CONTEXT(input) {
      BOOST_TEST(XmlTexts(entries.at("OEBPS/package.opf"), "//*[local-name()='date']") ==
                     std::vector<std::string>{date}, boost::test_tools::per_element());
    }
  }
}

// ---- issue 15: an edition's corrections (docs/editions.md) ---------------

BOOST_AUTO_TEST_CASE(a_corrected_book_is_modified_on_its_last_correction_and_keeps_its_identifier) {
  const Document doc = ReadEdition(CorrectedInput());
  BOOST_REQUIRE_EQUAL(doc.corrections.size(), 2u);
  const auto entries = Unzip(WriteEpub(doc, BundledTemplates()));
  const std::string opf = entries.at("OEBPS/package.opf");
  BOOST_TEST(XmlTexts(opf, "//*[@property='dcterms:modified']") ==
                 std::vector<std::string>{"2026-11-29T00:00:00Z"}, boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(opf, "//*[local-name()='date']") == std::vector<std::string>{"1998-06-19"},
             boost::test_tools::per_element());
  // One work, whatever its revision: EPUB tells releases apart by identifier
  // and dcterms:modified together.
  const Document first = ReadEdition(SourceDir() + "/samples/archive/prism-v04-i012.txt");
  BOOST_TEST(XmlTexts(opf, "//*[local-name()='identifier']") == std::vector<std::string>{EpubIdentifier(first)},
             boost::test_tools::per_element());

  const std::string xhtml = entries.at("OEBPS/issue.xhtml");
  std::vector<std::string> notes;
  for (const Correction& c : doc.corrections) notes.push_back("Corrected " + c.date + ": " + c.note);
  BOOST_TEST(XmlTexts(xhtml, "//h:header/following-sibling::h:aside[1]/h:p") == notes,
             boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(xhtml, "//h:aside//h:script").empty());
  BOOST_TEST(XmlTexts(xhtml, "//h:main//h:h2") == LoadExpected("prism-v04-i012").headlines,
             boost::test_tools::per_element());
  BOOST_TEST(XmlTexts(Unzip(WriteEpub(first, BundledTemplates())).at("OEBPS/issue.xhtml"), "//h:aside").empty());
}

BOOST_AUTO_TEST_CASE(contents_list_headlines_and_the_book_holds_every_paragraph) {
  for (const std::string& input : GoodInputs()) {
    BOOST_TEST_CONTEXT(input) {
      const Document doc = ReadEdition(input);
      const ExpectedIssue want = LoadExpected(Stem(input));
      const auto entries = Unzip(WriteEpub(doc, BundledTemplates()));
      std::vector<std::string> toc = want.headlines;
      if (toc.empty()) toc.push_back(doc.title);
      if (!doc.articles.empty() && doc.articles[0].headline.empty() && !want.headlines.empty()) {
        toc.insert(toc.begin(), doc.title);  // text before the first headline
      }
      toc.push_back("Rights");
      BOOST_TEST(XmlTexts(entries.at("OEBPS/nav.xhtml"), "//h:nav[@epub:type='toc']//h:a") == toc,
                 boost::test_tools::per_element());
      const std::string xhtml = entries.at("OEBPS/issue.xhtml");
      BOOST_TEST(XmlTexts(xhtml, "//h:main//h:p") == want.paragraphs, boost::test_tools::per_element());
      BOOST_TEST(XmlTexts(xhtml, "//h:main//h:h2") == want.headlines, boost::test_tools::per_element());
      BOOST_TEST(XmlTexts(xhtml, "//h:footer/h:p") == doc.rights.footer, boost::test_tools::per_element());
      // The footer's addresses are links, as in the HTML edition (checked by
      // epubcheck above); the body has none.
      const auto hrefs = XmlTexts(xhtml, "//h:footer/h:p/h:a/@href");
      BOOST_TEST(std::count(hrefs.begin(), hrefs.end(), doc.rights.license_url) == 1);
      BOOST_TEST(XmlTexts(xhtml, "//h:footer/h:p/h:a") == hrefs, boost::test_tools::per_element());
      BOOST_TEST(XmlTexts(xhtml, "//h:main//h:a").empty());
      const std::string rights = entries.at("OEBPS/rights.xhtml");
      BOOST_TEST(XmlTexts(rights, "//h:section[@epub:type='copyright-page']").size() == 1u);
      BOOST_TEST(rights.find(doc.rights.copyright) != std::string::npos);
      const std::string cover = entries.at("OEBPS/cover.xhtml");
      BOOST_TEST(XmlTexts(cover, "//h:h1") == std::vector<std::string>{doc.publication.display_name},
                 boost::test_tools::per_element());
      BOOST_TEST(cover.find("Issue " + std::to_string(doc.issue)) != std::string::npos);
    }
  }
}

BOOST_AUTO_TEST_CASE(pandoc_reads_every_paragraph_back) {
  TempDir dir;
  for (const std::string& input : GoodInputs()) {
    BOOST_TEST_CONTEXT(input) {
      const std::string book = dir / (Stem(input) + ".epub");
      WriteAll(book, Book(input));
      const ProcessResult r = Run("/usr/bin/pandoc", {"-f", "epub", "-t", "plain", "--wrap=none", book});
      BOOST_REQUIRE_EQUAL(r.exit_code, 0);
      std::set<std::string> lines;
      std::istringstream in(r.out);
      for (std::string line; std::getline(in, line);) lines.insert(CollapseSpace(line));
      for (const std::string& p : LoadExpected(Stem(input)).paragraphs) {
        BOOST_TEST(lines.count(CollapseSpace(p)) == 1u, p);
      }
    }
  }
}

BOOST_AUTO_TEST_CASE(same_bytes_under_another_time_zone_locale_and_clock) {
  TempDir dir;
  const std::string archive = SourceDir() + "/samples/archive";
  auto build = [&](const std::string& out, const std::string& tz, const std::string& locale) {
    return Run("/usr/bin/env", {"TZ=" + tz, "LC_ALL=" + locale, "LANG=" + locale, ImprintBin(),
                                "build", "--out", out, archive, TestDataDir() + "/good"});
  };
  // A corrected edition too: its dates are the corrections', not the clock's.
  auto build_corrected = [&](const std::string& out, const std::string& tz) {
    return Run("/usr/bin/env", {"TZ=" + tz, ImprintBin(), "build", "--out", out, CorrectedInput()});
  };
  BOOST_REQUIRE_EQUAL(build(dir / "a", "Pacific/Kiritimati", "C.UTF-8").exit_code, 0);
  BOOST_REQUIRE_EQUAL(build_corrected(dir / "ca", "Pacific/Kiritimati").exit_code, 0);
  sleep(2);  // a clock-derived byte would now differ
  BOOST_REQUIRE_EQUAL(build(dir / "b", "America/Los_Angeles", "POSIX").exit_code, 0);
  BOOST_REQUIRE_EQUAL(build_corrected(dir / "cb", "America/Los_Angeles").exit_code, 0);
  const auto corrected = FilesBelow(dir / "ca");
  BOOST_TEST(corrected == FilesBelow(dir / "cb"), boost::test_tools::per_element());
  BOOST_TEST(std::count(corrected.begin(), corrected.end(), "prism/v04/i012/prism-v04-i012.epub") == 1);
  for (const std::string& f : corrected) BOOST_TEST(ReadAll(dir / "ca/" + f) == ReadAll(dir / "cb/" + f), f);
  const auto files = FilesBelow(dir / "a");
  BOOST_TEST(files == FilesBelow(dir / "b"), boost::test_tools::per_element());
  int epubs = 0;
  for (const std::string& f : files) {
    BOOST_TEST(ReadAll(dir / "a/" + f) == ReadAll(dir / "b/" + f), f);
    epubs += f.size() > 5 && f.substr(f.size() - 5) == ".epub";
  }
  BOOST_TEST(epubs == 7);
}

BOOST_AUTO_TEST_CASE(a_template_that_breaks_the_xml_is_an_error_not_a_book) {
  TempDir dir;
  CopyTree(SourceDir() + "/templates", dir / "templates");
  WriteAll(dir / "templates/rights.xhtml.mustache", "<html><p>unclosed</html>");
  try {
    WriteEpub(ReadEdition(GoodInputs().front()), TemplateSet::Load(dir / "templates"));
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().message.find("OEBPS/rights.xhtml is not well-formed XML") != std::string::npos,
               e.diagnostic().message);
  }
}

BOOST_AUTO_TEST_CASE(static_entries_compressed_once_are_identical_in_every_book) {
  const auto a = Unzip(Book(SourceDir() + "/samples/archive/monitor-v05-i077.txt"));
  const auto b = Unzip(Book(SourceDir() + "/samples/archive/prism-v04-i012.txt"));
  BOOST_TEST(a.at("OEBPS/style.css") == b.at("OEBPS/style.css"));
  BOOST_TEST(a.at("OEBPS/style.css") == ReadAll(SourceDir() + "/templates/style.css.mustache"));
  BOOST_TEST(a.at("META-INF/container.xml") == b.at("META-INF/container.xml"));
}

}  // namespace
}  // namespace imprint
