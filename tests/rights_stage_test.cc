// The rights stage: display data, copyright years from the Date or the
// volume, the canonical footer from the publication's template, and no
// edition for a publication the policy does not know; a footer template that
// does not render the copyright notice, holder and license link is refused.
#define BOOST_TEST_MODULE rights_stage
#include "pipeline/edition/rights_stage.h"

#include <boost/test/unit_test.hpp>
#include <cstdio>
#include <tuple>
#include <vector>

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

// Issue 19: a book's dc:date is its Date, else its volume's year. A volume
// the policy maps to no year was an "Assertion violation" from deep in the
// EPUB writer (volume 99999: year 101993) or a year before the publication
// began; now it is the raw file's error, on its header line, asking for a Date.
BOOST_AUTO_TEST_CASE(issue_without_a_date_whose_volume_has_no_year_is_refused_naming_the_file) {
  TempDir dir;
  CopyTree(SourceDir() + "/rights", dir / "rights");
  std::string xml = ReadAll(dir / "rights/policy.xml");
  const std::string from = "first-year=\"1995\" first-volume=\"1\"\n               footer=\"footer-prism.txt\"";
  BOOST_REQUIRE(xml.find(from) != std::string::npos);
  xml.replace(xml.find(from), from.size(), "first-year=\"1997\" first-volume=\"3\"\n               footer=\"footer-prism.txt\"");
  WriteAll(dir / "rights/policy.xml", xml);
  for (const auto& [name, raw, what] : std::vector<std::tuple<std::string, std::string, std::string>>{
           {"monitor-v99999-i001.txt", "Publication: Monitor Volume: 99999 Issue: 1\n\nText.\n",
            "maps it to year 101993"},
           {"prism-v02-i001.txt", "Publication: Prism\nVolume: 2 Issue: 1\n\nText.\n", "starts at volume 3 (1997)"}}) {
    const std::string input = dir / name;
    WriteAll(input, raw);
    const ProcessResult r = RunImprint({"build", "--out", dir / "out", "--rights", dir / "rights", input});
    BOOST_TEST(r.exit_code == 1, r.out);
    BOOST_TEST(r.err.find(input + ":1: error: no Date line, and volume ") != std::string::npos, r.err);
    BOOST_TEST(r.err.find(what) != std::string::npos, r.err);
    BOOST_TEST(r.err.find("add a Date line") != std::string::npos, r.err);
    // With a Date, the same issue builds.
    WriteAll(input, raw.substr(0, raw.find("\n\n")) + "\nDate: 1996-05-01\n\nText.\n");
    const ProcessResult dated = RunImprint({"build", "--out", dir / "out", "--rights", dir / "rights", input});
    BOOST_TEST(dated.exit_code == 0, dated.err);
  }
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

// ---- strict footers (issue 15): a footer must carry the rights ----

// A copy of templates/ with `from` replaced by `to` in footer-monitor.txt,
// and the footer check run on it for The Monitor.
struct EditedFooter {
  EditedFooter(const std::string& from, const std::string& to) {
    CopyTree(SourceDir() + "/templates", dir / "templates");
    std::string text = ReadAll(path);
    BOOST_REQUIRE(text.find(from) != std::string::npos);
    text.replace(text.find(from), from.size(), to);
    WriteAll(path, text);
  }
  // The Error CheckFooter() throws for The Monitor, or a failed test.
  Diagnostic Refusal() const {
    const TemplateSet templates = TemplateSet::Load(dir / "templates");
    try {
      CheckFooter(Policy(), templates, Policy().publications.at("monitor"));
    } catch (const Error& e) {
      BOOST_TEST(e.diagnostic().file == path);
      return e.diagnostic();
    }
    BOOST_FAIL("no error");
    return {};
  }
  static const RightsPolicy& Policy() {
    static const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
    return policy;
  }
  TempDir dir;
  std::string path = dir / "templates/footer-monitor.txt.mustache";
};

bool Says(const Diagnostic& d, const std::string& what) {
  const bool says = d.message.find(what) != std::string::npos;
  if (!says) BOOST_TEST_MESSAGE(d.ToString());
  return says;
}

BOOST_AUTO_TEST_CASE(bundled_footers_pass_for_every_publication) {
  const TemplateSet templates = TemplateSet::Load(SourceDir() + "/templates");
  for (const auto& [slug, pub] : EditedFooter::Policy().publications) {
    BOOST_CHECK_NO_THROW(CheckFooter(EditedFooter::Policy(), templates, pub));
  }
}

BOOST_AUTO_TEST_CASE(footer_with_a_misspelt_variable_is_refused_on_its_line) {
  const Diagnostic d = EditedFooter("{{holder_url}}", "{{holder_ulr}}").Refusal();
  BOOST_TEST(d.line == 1);
  BOOST_TEST(Says(d, "unknown variable 'holder_ulr'"));
}

BOOST_AUTO_TEST_CASE(footer_without_the_copyright_is_refused) {
  const Diagnostic d = EditedFooter("{{copyright}}. ", "").Refusal();
  BOOST_TEST(Says(d, "does not render the copyright notice 'Copyright (c) 1995-1996 The Jamestown Foundation."));
  // Nor is the notice alone, nor the copyright of one year for a range.
  BOOST_TEST(Says(EditedFooter("{{notice}}", "").Refusal(), "does not render the copyright notice"));
  BOOST_TEST(Says(EditedFooter("{{copyright}}", "Copyright (c) {{first_year}} {{holder}}").Refusal(),
                  "does not render the copyright notice"));
}

BOOST_AUTO_TEST_CASE(footer_without_the_holder_is_refused) {
  const Diagnostic d = EditedFooter(", see {{holder_url}}", "").Refusal();
  BOOST_TEST(Says(d, "does not render the holder 'The Jamestown Foundation' <https://jamestown.org/>"));
}

BOOST_AUTO_TEST_CASE(footer_without_the_license_link_is_refused) {
  const Diagnostic d = EditedFooter(" Terms of use: {{license_url}}", "").Refusal();
  BOOST_TEST(Says(d, "does not render the license link https://jamestown.org/imprint/license/"));
  // A link cut short is not the link.
  BOOST_TEST(Says(EditedFooter("{{license_url}}", "{{holder_url}}imprint/").Refusal(),
                  "does not render the license link"));
}

BOOST_AUTO_TEST_CASE(footer_with_the_rights_in_a_comment_or_an_empty_section_is_refused) {
  // A tag inside a comment is refused as such, when the templates load.
  const EditedFooter commented("{{copyright}}", "{{! {{copyright}} }}");
  try {
    TemplateSet::Load(commented.dir / "templates");
    BOOST_FAIL("a comment holding a tag was loaded");
  } catch (const Error& e) {
    BOOST_TEST(Says(e.diagnostic(), "a comment holds a tag"));
  }
  BOOST_TEST(Says(EditedFooter("{{copyright}}", "{{! the copyright }}").Refusal(), "copyright notice"));
  BOOST_TEST(Says(EditedFooter("{{copyright}}", "{{^copyright}}{{copyright}}{{/copyright}}").Refusal(),
                  "copyright notice"));
}

BOOST_AUTO_TEST_CASE(missing_footer_template_is_refused_on_the_policy_line) {
  TempDir dir;
  CopyTree(SourceDir() + "/templates", dir / "templates");
  std::remove((dir / "templates/footer-monitor.txt.mustache").c_str());
  const PolicyPublication& monitor = EditedFooter::Policy().publications.at("monitor");
  try {
    CheckFooter(EditedFooter::Policy(), TemplateSet::Load(dir / "templates"), monitor);
    BOOST_FAIL("no error");
  } catch (const Error& e) {
    BOOST_TEST(e.diagnostic().file == EditedFooter::Policy().source);
    BOOST_TEST(e.diagnostic().line == monitor.line);
  }
}

}  // namespace
}  // namespace imprint
