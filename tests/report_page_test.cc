// The report's page (pipeline/server/report_page.h): self-contained (no
// script, no external reference), lang and landmarks, headings in order, a
// table beside each chart with the chart's figures, everything from the
// store escaped, and the empty sections said in words.
#define BOOST_TEST_MODULE report_page
#include "pipeline/server/report_page.h"

#include <boost/test/unit_test.hpp>

#include "tests/support.h"

namespace imprint {
namespace {

using testing::HtmlTexts;

ReportData Sample() {
  ReportData r;
  r.since = 1764547200;  // 2025-12-01
  r.until = r.since + 2 * 86400;
  r.made_at = r.until;
  r.rows = 9;
  r.downloads = 5;
  r.denials = 4;
  r.days = {{"2025-12-01", 5, 1}, {"2025-12-02", 0, 3}};
  r.tiers = {{"individual", 5, 2}, {"<script>alert(1)</script>", 0, 2}};
  r.publications = {{"monitor", 5, 4}};
  r.editions = {{"monitor/v05/i077", 5, 4}};
  r.reasons = {{"expired", 0, 3}, {"x\"><img src=x>", 0, 1}};
  r.top_licenses = {{"lic-<1>", "s-&1", "individual", 5, 2}};
  return r;
}

BOOST_AUTO_TEST_CASE(page_is_self_contained_and_escaped) {
  const std::string html = RenderReportPage(Sample());
  BOOST_TEST(html.find("<script") == std::string::npos);
  BOOST_TEST(html.find("<img") == std::string::npos);
  BOOST_TEST(html.find(" src=\"") == std::string::npos);
  BOOST_TEST(html.find("http://") == html.find("http://www.w3.org/2000/svg"));
  BOOST_TEST(html.find("https://") == std::string::npos);
  BOOST_TEST(html.find("<link") == std::string::npos);
  BOOST_TEST(html.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  BOOST_TEST(html.find("lic-&lt;1&gt;") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(page_has_lang_landmarks_and_headings_in_order) {
  const std::string html = RenderReportPage(Sample());
  BOOST_TEST(html.find("<html lang=\"en\">") != std::string::npos);
  BOOST_TEST(HtmlTexts(html, "//h1").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//main").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//header").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//footer").size() == 1u);
  BOOST_TEST(HtmlTexts(html, "//h3").empty());
  const std::vector<std::string> h2 = HtmlTexts(html, "//main//h2");
  BOOST_TEST(h2.size() == 9u);
  BOOST_TEST(h2.back() == "Sharing signals");
}

BOOST_AUTO_TEST_CASE(each_chart_has_a_table_of_its_figures) {
  const std::string html = RenderReportPage(Sample());
  BOOST_TEST(HtmlTexts(html, "//svg[@role='img']").size() == 5u);  // days, tiers, publications, editions, reasons
  BOOST_TEST(HtmlTexts(html, "//section[@aria-labelledby='per-day']//table//tbody/tr/th") ==
             (std::vector<std::string>{"2025-12-01", "2025-12-02"}));
  BOOST_TEST(HtmlTexts(html, "//section[@aria-labelledby='per-day']//table//tbody/tr/td") ==
             (std::vector<std::string>{"5", "1", "0", "3"}));
  BOOST_TEST(HtmlTexts(html, "//section[@aria-labelledby='by-reason']//tbody/tr/td") ==
             (std::vector<std::string>{"3", "1"}));
}

BOOST_AUTO_TEST_CASE(empty_sections_are_said_in_words) {
  ReportData empty;
  empty.since = 0;
  empty.until = 86400;
  const std::string html = RenderReportPage(empty);
  BOOST_TEST(html.find("No license looks shared in this period.") != std::string::npos);
  BOOST_TEST(html.find("No license ends in the next 30 days.") != std::string::npos);
  BOOST_TEST(html.find("No request was denied in this period.") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(sharing_flags_are_listed_and_escaped) {
  ReportData r = Sample();
  r.flags = {{"lic-1", "s-1", "individual", "networks", "5 networks <in> a day", "", 0, 3600, 5, 2}};
  const std::string html = RenderReportPage(r);
  BOOST_TEST(html.find("No license looks shared") == std::string::npos);
  BOOST_TEST(html.find("5 networks &lt;in&gt; a day") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(dashboard_has_a_form_for_the_days) {
  const std::string html = RenderReportPage(Sample(), {true, 7});
  BOOST_TEST(html.find("name=\"days\"") != std::string::npos);
  BOOST_TEST(html.find("value=\"7\"") != std::string::npos);
  BOOST_TEST(RenderReportPage(Sample()).find("<form") == std::string::npos);
}

}  // namespace
}  // namespace imprint
