// The writer table: every format of the editions contract, once, each writer
// rendering the sample issue.
#define BOOST_TEST_MODULE writers
#include "pipeline/edition/writers.h"

#include <boost/test/unit_test.hpp>
#include <set>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(md_html_epub_each_once_and_each_renders) {
  const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  const Document doc = ReadEdition(SourceDir() + "/samples/archive/monitor-v05-i077.txt");
  std::vector<std::string> formats;
  std::set<std::string> extensions;
  for (const Writer& w : Writers()) {
    formats.push_back(w.format);
    extensions.insert(w.extension);
    const std::string bytes = w.write(doc, templates);
    BOOST_TEST(bytes.size() > 1000u, w.format);
    BOOST_TEST(bytes == w.write(doc, templates), w.format);  // no clock, no randomness
  }
  BOOST_TEST(formats == (std::vector<std::string>{"md", "html", "epub"}), boost::test_tools::per_element());
  BOOST_TEST(extensions.size() == Writers().size());
}

// The table owns what the server, the personalisation and the command line
// know of a format: they ask it rather than spell "md", "html" or "epub".
BOOST_AUTO_TEST_CASE(the_table_owns_names_extensions_mime_types_and_personalisation) {
  BOOST_REQUIRE(FindWriter("md") != nullptr);
  BOOST_TEST(FindWriter("md")->mime_type == "text/markdown; charset=utf-8");
  BOOST_TEST(FindWriter("html")->mime_type == "text/html; charset=utf-8");
  BOOST_TEST(FindWriter("epub")->mime_type == "application/epub+zip");
  BOOST_TEST((FindWriter("md")->personalization == Personalization::kFrontMatter));
  BOOST_TEST((FindWriter("html")->personalization == Personalization::kHtmlMarkers));
  BOOST_TEST((FindWriter("epub")->personalization == Personalization::kEpubMarkers));
  for (const Writer& w : Writers()) {
    BOOST_TEST(FindWriter(w.format) == &w);
    BOOST_TEST(FindWriterByExtension(w.extension) == &w);
  }
  for (const char* none : {"", "pdf", "MD", "md ", ".md", "htm", "epub.minisig"}) {
    BOOST_TEST(FindWriter(none) == nullptr, none);
    BOOST_TEST(FindWriterByExtension(none) == nullptr, none);
  }
  BOOST_TEST(FormatNames() == "md, html or epub");
}

}  // namespace
}  // namespace imprint
