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

}  // namespace
}  // namespace imprint
