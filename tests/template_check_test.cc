// Template checks: the bundled templates pass; every template a writer or the
// catalog renders is checked; the names a renderer lists are the names its
// data holds; an EPUB rights page or book page that drops the rights is
// refused, naming the template.
#define BOOST_TEST_MODULE template_check
#include "pipeline/edition/template_check.h"

#include <boost/test/unit_test.hpp>
#include <set>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/edition/html_writer.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

const RightsPolicy& Policy() {
  static const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  return policy;
}

// CheckTemplates() on a copy of templates/ with `from` replaced by `to` in
// `file`: the error's diagnostic, or a failed test.
Diagnostic Refusal(const std::string& file, const std::string& from, const std::string& to) {
  TempDir dir;
  CopyTree(SourceDir() + "/templates", dir / "templates");
  const std::string path = dir / ("templates/" + file + ".mustache");
  std::string text = ReadAll(path);
  BOOST_REQUIRE(text.find(from) != std::string::npos);
  text.replace(text.find(from), from.size(), to);
  WriteAll(path, text);
  try {
    CheckTemplates(Policy(), TemplateSet::Load(dir / "templates"));
  } catch (const Error& e) {
    return e.diagnostic();
  }
  BOOST_FAIL("no error");
  return {};
}

void CollectNames(const TemplateData& data, std::set<std::string>* names) {
  for (const auto& [key, value] : data.fields()) {
    names->insert(key);
    CollectNames(value, names);
  }
  for (const TemplateData& item : data.items()) CollectNames(item, names);
}

BOOST_AUTO_TEST_CASE(bundled_templates_pass) {
  BOOST_CHECK_NO_THROW(CheckTemplates(Policy(), BundledTemplates()));
}

BOOST_AUTO_TEST_CASE(every_rendered_template_is_checked) {
  std::set<std::string> checked;
  for (const TemplateUse& use : EditionTemplateUses()) checked.insert(use.template_name);
  for (const char* name : {"edition.md", "page.html", "package.opf", "nav.xhtml", "cover.xhtml", "issue.xhtml",
                           "rights.xhtml", "container.xml", "style.css", "catalog.html"}) {
    BOOST_TEST(checked.count(name) == 1u, name);
  }
}

// The list and the data are kept side by side by hand: this keeps them equal.
BOOST_AUTO_TEST_CASE(html_names_are_the_names_its_data_holds) {
  // A corrected issue too: a correction's names exist only in its items.
  std::set<std::string> given;
  for (const std::string& input : {SourceDir() + "/samples/archive/monitor-v05-i077.txt",
                                   TestDataDir() + "/corrections/prism-v04-i012.txt"}) {
    CollectNames(HtmlBodyData(ReadEdition(input)), &given);
  }
  const std::vector<std::string> listed = HtmlBodyNames();
  BOOST_TEST(std::set<std::string>(listed.begin(), listed.end()) == given);
}

BOOST_AUTO_TEST_CASE(rights_page_without_the_license_link_is_refused) {
  const Diagnostic d = Refusal("rights.xhtml", "<p>Terms of use: {{license_url}}</p>", "");
  BOOST_TEST(d.file.find("/templates/rights.xhtml.mustache") != std::string::npos, d.file);
  BOOST_TEST(d.message.find("EPUB rights page of") != std::string::npos, d.message);
  BOOST_TEST(d.message.find("does not render the license link") != std::string::npos, d.message);
}

BOOST_AUTO_TEST_CASE(book_page_without_the_footer_is_refused) {
  const Diagnostic d = Refusal("issue.xhtml", "{{> body.html}}", "<body></body></html>");
  BOOST_TEST(d.file.find("/templates/issue.xhtml.mustache") != std::string::npos, d.file);
  BOOST_TEST(d.message.find("does not render the footer paragraph") != std::string::npos, d.message);
}

BOOST_AUTO_TEST_CASE(misspelt_name_in_a_page_template_is_refused_on_its_line) {
  const Diagnostic d = Refusal("package.opf", "{{identifier}}", "{{identifer}}");
  BOOST_TEST(d.file.find("/templates/package.opf.mustache") != std::string::npos, d.file);
  BOOST_TEST(d.line > 0);
  BOOST_TEST(d.message.find("unknown variable 'identifer'") != std::string::npos, d.message);
}

}  // namespace
}  // namespace imprint
