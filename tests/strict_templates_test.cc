// Strict templates through the real program: each way a footer template
// broke in an editor's hands (issue 15) fails `imprint rights check` with the
// template's file and line, and fails `imprint build` and `imprint publish`
// before anything is signed, leaving the output folder as it was.
#define BOOST_TEST_MODULE strict_templates
#include <boost/test/unit_test.hpp>
#include <string>
#include <tuple>
#include <vector>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A copy of templates/ with `from` replaced by `to` in footer-monitor.txt.
struct BrokenFooter {
  BrokenFooter(const std::string& from, const std::string& to) {
    CopyTree(SourceDir() + "/templates", dir / "templates");
    std::string text = ReadAll(footer);
    const size_t at = text.find(from);
    BOOST_REQUIRE(at != std::string::npos);
    text.replace(at, from.size(), to);
    WriteAll(footer, text);
  }
  TempDir dir;
  const std::string footer = dir / "templates/footer-monitor.txt.mustache";
};

// `rights check`, `build` and `publish` all fail with `where` (FILE[:LINE]:
// error:) and `what` in the message; the output folder keeps only its marker.
void ExpectRefused(const BrokenFooter& broken, const std::string& where, const std::string& what) {
  const ProcessResult check = RunImprint({"rights", "check", "--templates", broken.dir / "templates"});
  BOOST_TEST(check.exit_code == 1, check.out);
  BOOST_TEST(Contains(check.err, where + " error: "), check.err);
  BOOST_TEST(Contains(check.err, what), check.err);
  BOOST_TEST(!Contains(check.out, "valid"));

  const std::string out = broken.dir / "out";
  WriteAll(out + "/keep.txt", "untouched");
  const std::string input = GoodInputs().front();
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"build", input, "--out", out, "--templates", broken.dir / "templates"},
        std::vector<std::string>{"publish", input, "--out", out, "--templates", broken.dir / "templates"}}) {
    const ProcessResult r = RunImprint(args);
    BOOST_TEST(r.exit_code == 1, args[0] << ": " << r.out << r.err);
    BOOST_TEST(Contains(r.err, where + " error: "), args[0] << ": " << r.err);
    BOOST_TEST(FilesBelow(out) == std::vector<std::string>{"keep.txt"}, boost::test_tools::per_element());
  }
}

BOOST_AUTO_TEST_CASE(unclosed_variable_tag_swallowing_the_copyright_is_refused) {
  const BrokenFooter broken("{{holder_url}}", "{{holder_url}");
  ExpectRefused(broken, broken.footer + ":1:", "unclosed tag '{{holder_url}");
}

BOOST_AUTO_TEST_CASE(misspelt_variable_rendering_as_nothing_is_refused) {
  const BrokenFooter broken("{{holder_url}}", "{{holder_ulr}}");
  ExpectRefused(broken, broken.footer + ":1:", "unknown variable 'holder_ulr'");
}

BOOST_AUTO_TEST_CASE(footer_without_the_copyright_is_refused) {
  const BrokenFooter broken("{{copyright}}. ", "");
  ExpectRefused(broken, broken.footer + ":", "does not render the copyright notice");
}

BOOST_AUTO_TEST_CASE(footer_without_the_holder_is_refused) {
  const BrokenFooter broken("is a publication of {{holder}}. For questions about its content, or to "
                            "subscribe, see {{holder_url}}.",
                            "is published weekly.");
  ExpectRefused(broken, broken.footer + ":", "does not render the holder");
}

BOOST_AUTO_TEST_CASE(footer_without_the_license_link_is_refused) {
  const BrokenFooter broken(" Terms of use: {{license_url}}", "");
  ExpectRefused(broken, broken.footer + ":", "does not render the license link");
}

BOOST_AUTO_TEST_CASE(unclosed_section_is_refused_on_its_line) {
  const BrokenFooter broken("{{copyright}}", "{{#copyright}}{{copyright}}");
  ExpectRefused(broken, broken.footer + ":3:", "unclosed section '{{#copyright}}'");
}

BOOST_AUTO_TEST_CASE(malformed_tag_is_refused_on_its_line) {
  const BrokenFooter broken("{{copyright}}", "{{#}}{{/}}{{copyright}}");
  ExpectRefused(broken, broken.footer + ":3:", "malformed tag '{{#}}'");
}

// Found attacking the fix: the footer template was checked, but a page
// template that never shows the footer published editions without it.
BOOST_AUTO_TEST_CASE(page_templates_that_drop_the_footer_are_refused) {
  for (const auto& [file, from, to, format] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"body.html", "{{#footer}}", "{{^footer}}", "HTML"},   // shown only when there is none
           {"edition.md", "{{#footer}}{{.}}", "{{#footer}}", "Markdown"}}) {
    TempDir dir;
    CopyTree(SourceDir() + "/templates", dir / "templates");
    const std::string path = dir / ("templates/" + file + ".mustache");
    std::string text = ReadAll(path);
    text.replace(text.find(from), from.size(), to);
    WriteAll(path, text);
    const ProcessResult check = RunImprint({"rights", "check", "--templates", dir / "templates"});
    BOOST_TEST(check.exit_code == 1, file << ": " << check.out);
    BOOST_TEST(Contains(check.err, "does not render the footer"), file << ": " << check.err);
    BOOST_TEST(Contains(check.err, format), check.err);
  }
}

BOOST_AUTO_TEST_CASE(published_edition_is_left_byte_for_byte_by_a_refused_rebuild) {
  const BrokenFooter broken("{{holder_url}}", "{{holder_url}");
  const std::string out = broken.dir / "out";
  const std::string input = GoodInputs().front();
  BOOST_REQUIRE_EQUAL(RunImprint({"build", input, "--out", out}).exit_code, 0);
  std::vector<std::string> before;
  for (const std::string& f : FilesBelow(out)) before.push_back(f + "\n" + ReadAll(out + "/" + f));
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"build", "--force", input, "--out", out, "--templates", broken.dir / "templates"},
        std::vector<std::string>{"publish", input, "--out", out, "--templates", broken.dir / "templates"}}) {
    BOOST_TEST(RunImprint(args).exit_code == 1, args[0]);
    std::vector<std::string> after;
    for (const std::string& f : FilesBelow(out)) after.push_back(f + "\n" + ReadAll(out + "/" + f));
    BOOST_TEST(after == before, args[0] << ": the output folder changed");
  }
}

// The licensee's wording is a template held in rights/: a misspelt name
// would print "Licensed to , license ..." on every personalised copy.
BOOST_AUTO_TEST_CASE(watermark_with_a_misspelt_or_broken_tag_is_refused_on_its_tier) {
  for (const auto& [from, to, what] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"Licensed to {{name}}, license {{license}}, for personal use.",
            "Licensed to {{nmae}}, license {{license}}, for personal use.", "unknown variable 'nmae'"},
           {"Licensed to {{name}}, license {{license}}, for personal use.",
            "Licensed to {{name}, license {{license}}, for personal use.", "unclosed tag '{{name}'"},
           {"Licensed to {{name}}, license {{license}}, for personal use.",
            "Licensed to {{name}}, for personal use.", "does not render the licensee's license"}}) {
    TempDir dir;
    CopyTree(SourceDir() + "/rights", dir / "rights");
    std::string xml = ReadAll(dir / "rights/policy.xml");
    xml.replace(xml.find(from), from.size(), to);
    WriteAll(dir / "rights/policy.xml", xml);
    const ProcessResult r = RunImprint({"rights", "check", "--rights", dir / "rights"});
    BOOST_TEST(r.exit_code == 1, what << ": " << r.out);
    BOOST_TEST(Contains(r.err, dir / "rights/policy.xml:"), r.err);
    BOOST_TEST(Contains(r.err, "tier 'individual'"), r.err);
    BOOST_TEST(Contains(r.err, what), r.err);
  }
}

// ---- issue 19: every EPUB declares its accessibility ------------------------

// A copy of templates/ with `from` replaced by `to` in `file`.
std::string TemplatesWith(const TempDir& dir, const std::string& file, const std::string& from,
                          const std::string& to) {
  CopyTree(SourceDir() + "/templates", dir / "templates");
  const std::string path = dir / ("templates/" + file + ".mustache");
  std::string text = ReadAll(path);
  const size_t at = text.find(from);
  BOOST_REQUIRE_MESSAGE(at != std::string::npos, file << " has no " << from);
  text.replace(at, from.size(), to);
  WriteAll(path, text);
  return dir / "templates";
}

// `rights check` and `build` refuse the templates with `what`, naming `file`.
void ExpectTemplatesRefused(const TempDir& dir, const std::string& templates, const std::string& file,
                            const std::string& what) {
  const ProcessResult check = RunImprint({"rights", "check", "--templates", templates});
  BOOST_TEST(check.exit_code == 1, file << ": " << check.out);
  BOOST_TEST(Contains(check.err, templates + "/" + file + ".mustache: error: "), check.err);
  BOOST_TEST(Contains(check.err, what), check.err);
  const std::string out = dir / "out";
  const ProcessResult build = RunImprint({"build", GoodInputs().front(), "--out", out, "--templates", templates});
  BOOST_TEST(build.exit_code == 1, file << ": " << build.out);
  BOOST_TEST(Contains(build.err, what), build.err);
  BOOST_TEST(FilesBelow(out).empty(), file << ": something was written");
}

BOOST_AUTO_TEST_CASE(package_template_without_an_accessibility_field_is_refused) {
  for (const auto& [from, what] : std::vector<std::pair<std::string, std::string>>{
           {"    <meta property=\"dcterms:conformsTo\">{{conforms_to}}</meta>\n", "dcterms:conformsTo"},
           {"    <meta property=\"a11y:certifiedBy\">{{certified_by}}</meta>\n", "a11y:certifiedBy"},
           {"    <meta property=\"schema:accessMode\">{{.}}</meta>\n", "schema:accessMode "},
           {"    <meta property=\"schema:accessModeSufficient\">{{.}}</meta>\n", "schema:accessModeSufficient"},
           {"    <meta property=\"schema:accessibilityFeature\">{{.}}</meta>\n", "schema:accessibilityFeature"},
           {"    <meta property=\"schema:accessibilityHazard\">{{.}}</meta>\n", "schema:accessibilityHazard"},
           {"    <meta property=\"schema:accessibilitySummary\">{{accessibility_summary}}</meta>\n",
            "schema:accessibilitySummary"},
           {"    <dc:date>{{book_date}}</dc:date>\n", "has dc:date none"}}) {
    BOOST_TEST_CONTEXT(what) {
      TempDir dir;
      ExpectTemplatesRefused(dir, TemplatesWith(dir, "package.opf", from, ""), "package.opf", what);
    }
  }
  // dc:date left out for an issue with a Date (today's template did that the
  // other way round), or for one without.
  for (const std::string open : {"{{#has_date}}", "{{^has_date}}"}) {
    TempDir dir;
    const std::string line = "    <dc:date>{{book_date}}</dc:date>\n";
    ExpectTemplatesRefused(dir, TemplatesWith(dir, "package.opf", line, open + "\n" + line + "{{/has_date}}\n"),
                           "package.opf", "has dc:date none");
  }
  // A value written into the template instead of the policy's is refused too.
  TempDir dir;
  ExpectTemplatesRefused(dir, TemplatesWith(dir, "package.opf", "{{accessibility_summary}}", "Accessible."),
                         "package.opf", "schema:accessibilitySummary 'Accessible.'");
}

BOOST_AUTO_TEST_CASE(epub_pages_without_roles_languages_or_nested_headings_are_refused) {
  for (const auto& [file, from, to, what] :
       std::vector<std::tuple<std::string, std::string, std::string, std::string>>{
           {"nav.xhtml", " role=\"doc-toc\"", "", "epub:type 'toc' without its ARIA role 'doc-toc'"},
           {"epub-page.xhtml", " lang=\"{{language}}\"", "", "as both lang and xml:lang"},
           {"epub-page.xhtml", " xml:lang=\"{{language}}\"", "", "as both lang and xml:lang"},
           {"rights.xhtml", "<h1>Rights</h1>", "<h2>Rights</h2>", "headings start at h1 and never skip a level"},
           {"cover.xhtml", "<h1>{{publication}}</h1>", "<h1>{{publication}}</h1><h3>Volume</h3>",
            "has an <h3> after an <h1>"}}) {
    BOOST_TEST_CONTEXT(file << ": " << what) {
      TempDir dir;
      const std::string templates = TemplatesWith(dir, file, from, to);
      // The partial is the whole book's: the first page that includes it is named.
      ExpectTemplatesRefused(dir, templates, file == "epub-page.xhtml" ? "nav.xhtml" : file, what);
    }
  }
}

// The policy's <accessibility> is required, each field of it, and neither
// the certifier nor the summary may be blank.
BOOST_AUTO_TEST_CASE(policy_without_an_accessibility_field_is_refused_on_its_line) {
  const std::string summary = "This publication conforms to EPUB Accessibility 1.1 at WCAG 2.2 Level AA.";
  for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
           {"    <access-mode>textual</access-mode>\n", ""},
           {"    <access-mode-sufficient>textual</access-mode-sufficient>\n", ""},
           {"    <hazard>none</hazard>\n", ""},
           {"                 certified-by=\"The Jamestown Foundation\"", ""},
           {"certified-by=\"The Jamestown Foundation\"", "certified-by=\" \t \""},
           {"<summary>" + summary, "<summary> \n </summary><!-- " + summary},
           {"conforms-to=\"EPUB Accessibility 1.1 - WCAG 2.2 Level AA\"",
            "conforms-to=\"EPUB Accessibility 1.1 - WCAG 2.2 Level AA!\""}}) {
    BOOST_TEST_CONTEXT(from << " -> " << to) {
      TempDir dir;
      CopyTree(SourceDir() + "/rights", dir / "rights");
      std::string xml = ReadAll(dir / "rights/policy.xml");
      BOOST_REQUIRE(xml.find(from) != std::string::npos);
      xml.replace(xml.find(from), from.size(), to);
      if (to.find("<!--") != std::string::npos) xml.replace(xml.find("</summary>", xml.find("<!--")), 10, " -->");
      WriteAll(dir / "rights/policy.xml", xml);
      const ProcessResult r = RunImprint({"rights", "check", "--rights", dir / "rights"});
      BOOST_TEST(r.exit_code == 1, r.out);
      BOOST_TEST(Contains(r.err, dir / "rights/policy.xml:"), r.err);
    }
  }
}

BOOST_AUTO_TEST_CASE(bundled_templates_pass) {
  const ProcessResult r = RunImprint({"rights", "check"});
  BOOST_TEST(r.exit_code == 0, r.err);
  BOOST_TEST(Contains(r.out, "/templates: valid (names known, footers carry the rights)"), r.out);
  BOOST_TEST(Contains(r.out, "\nEPUB accessibility: EPUB Accessibility 1.1 - WCAG 2.2 Level AA, certified by "
                             "The Jamestown Foundation\n"), r.out);
}

}  // namespace
}  // namespace imprint
