// Templates: HTML templates escape, text templates do not, partials work,
// and a missing or broken template is an error naming it.
#define BOOST_TEST_MODULE template_set
#include "pipeline/template_set.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/error.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

BOOST_AUTO_TEST_CASE(html_templates_escape_and_text_templates_do_not) {
  TempDir dir;
  WriteAll(dir / "a.html.mustache", "<p>{{v}}</p>{{> b.txt}}");
  WriteAll(dir / "b.txt.mustache", "[{{v}}]");
  WriteAll(dir / "ignored.txt", "{{");
  const TemplateSet set = TemplateSet::Load(dir.path());
  TemplateData data;
  data.Set("v", "<b> & \"q\" 'a'");
  BOOST_TEST(set.Render("a.html", data) ==
             "<p>&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;</p>"
             "[&lt;b&gt; &amp; &quot;q&quot; &apos;a&apos;]");  // partials escape as their includer
  BOOST_TEST(set.Render("b.txt", data) == "[<b> & \"q\" 'a']");
  BOOST_TEST(set.Names() == (std::vector<std::string>{"a.html", "b.txt"}),
             boost::test_tools::per_element());
}

BOOST_AUTO_TEST_CASE(lists_booleans_and_objects) {
  const TemplateSet set = TemplateSet::FromString(
      "t.txt", "{{#items}}{{name}}{{#last}}.{{/last}}{{^last}}, {{/last}}{{/items}}");
  TemplateData items = TemplateData::List();
  for (const char* name : {"a", "b", "c"}) {
    TemplateData item;
    item.Set("name", name).Set("last", std::string(name) == "c");
    items.Append(item);
  }
  TemplateData data;
  data.Set("items", items);
  BOOST_TEST(set.Render("t.txt", data) == "a, b, c.");
}

BOOST_AUTO_TEST_CASE(errors_name_the_template) {
  TempDir dir;
  WriteAll(dir / "broken.txt.mustache", "{{#open}} never closed");
  try {
    TemplateSet::Load(dir.path());
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == dir / "broken.txt.mustache");
  }
  const TemplateSet empty = TemplateSet::FromString("x.txt", "x");
  BOOST_CHECK_THROW(empty.Render("missing", TemplateData()), Error);
  BOOST_CHECK_THROW(TemplateSet::Load(dir / "no-such-folder"), Error);
}

}  // namespace
}  // namespace imprint
