// Templates: HTML templates escape, text templates do not, partials work,
// and a missing or broken template is an error naming it.
#define BOOST_TEST_MODULE template_set
#include "pipeline/edition/template_set.h"

#include <boost/test/unit_test.hpp>
#include <fstream>
#include <string>

#include "pipeline/base/error.h"
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

// Found fuzzing the trace: each MakeLicensee() (one per personalised copy the
// server makes) compiles a watermark with FromString(), and every such set
// left its parse in the rendering thread's cache for good.
BOOST_AUTO_TEST_CASE(sets_made_and_dropped_do_not_grow_the_parse_cache) {
  const auto resident_kb = [] {
    std::ifstream status("/proc/self/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
    }
    return 0L;
  };
  TemplateData data;
  data.Set("name", "Ada").Set("license", "x");
  const std::string text = "Licensed to {{name}}, license {{license}}, for personal use." + std::string(2000, ' ');
  BOOST_TEST(TemplateSet::FromString("w.txt", text).Render("w.txt", data).rfind("Licensed to Ada,", 0) == 0u);
  const long before = resident_kb();
  for (int i = 0; i < 2000; ++i) TemplateSet::FromString("w.txt", text).Render("w.txt", data);
  const long grown = resident_kb() - before;
#ifdef IMPRINT_SANITIZED
  // AddressSanitizer keeps freed memory in quarantine (256 MB): resident
  // memory says nothing here; the normal build checks it.
  BOOST_TEST_MESSAGE(grown << " kB more resident after 2,000 sets (not checked under the sanitizers)");
#else
  BOOST_TEST(grown < 16 * 1024, grown << " kB more resident after 2,000 sets");
#endif
}

}  // namespace
}  // namespace imprint
