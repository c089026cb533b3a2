// The rights stage: display data, copyright years from the Date or the
// volume, the canonical footer from the publication's template, and no
// edition for a publication the policy does not know.
#define BOOST_TEST_MODULE rights_stage
#include "pipeline/edition/rights_stage.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/edition/raw_reader.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

Document Staged(const std::string& raw) {
  static const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  static const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  Document doc = ReadRawIssue(raw, "t.txt");
  ApplyRights(policy, templates, &doc);
  return doc;
}

BOOST_AUTO_TEST_CASE(year_comes_from_the_date_when_there_is_one) {
  const Document doc = Staged("Publication: Monitor Volume: 5 Issue: 1 Date: 2001-01-02\n\nText.\n");
  BOOST_TEST(doc.rights.year == 2001);
  BOOST_TEST(doc.rights.copyright == "Copyright (c) 1995-2001 The Jamestown Foundation");
}

BOOST_AUTO_TEST_CASE(year_comes_from_the_volume_otherwise) {
  BOOST_TEST(Staged("Publication: Monitor Volume: 5 Issue: 1\n\nText.\n").rights.year == 1999);
  const Document first = Staged("Publication: Prism Volume: 1 Issue: 1\n\nText.\n");
  BOOST_TEST(first.rights.copyright == "Copyright (c) 1995 The Jamestown Foundation");
}

BOOST_AUTO_TEST_CASE(display_data_and_footer) {
  const Document doc = Staged("Publication: prism Volume: 4 Issue: 12\n\nText.\n");
  BOOST_TEST(doc.publication.slug == "prism");
  BOOST_TEST(doc.publication.display_name == "Prism");
  BOOST_TEST(doc.publication.language == "en");
  BOOST_TEST(doc.title == "Prism, Volume 4, Issue 12");
  BOOST_REQUIRE_EQUAL(doc.rights.footer.size(), 2u);
  BOOST_TEST(doc.rights.footer[0].find("Prism, a monthly") == 0u);
  BOOST_TEST(doc.rights.footer[1].find("Copyright (c) 1995-1998 The Jamestown Foundation.") == 0u);
  for (const std::string& p : doc.rights.footer) {
    BOOST_TEST(p.find("Monitor") == std::string::npos);
    BOOST_TEST(p.find('\n') == std::string::npos);
  }
}

BOOST_AUTO_TEST_CASE(unknown_publication_is_an_error_on_its_header_line) {
  try {
    Staged("\nPublication: Gazette\nVolume: 1 Issue: 1\n\nText.\n");
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().line == 2);
    BOOST_TEST(e.diagnostic().message.find("'Gazette'") != std::string::npos);
    BOOST_TEST(e.diagnostic().message.find("no edition without rights") != std::string::npos);
  }
}

}  // namespace
}  // namespace imprint
