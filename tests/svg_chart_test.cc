// The report's charts (pipeline/server/svg_chart.h): well-formed SVG with an
// accessible name, axes and tick labels, bars proportional to the values,
// escaped labels, and nice tick steps.
#define BOOST_TEST_MODULE svg_chart
#include "pipeline/server/svg_chart.h"

#include <boost/test/unit_test.hpp>
#include <algorithm>

#include "pipeline/base/xml_escape.h"
#include "tests/support.h"

namespace imprint {
namespace {

using testing::XmlTexts;

Chart Sample() {
  return {"c1", "Downloads by <tier>", {"individual", "a&b \"q\""},
          {{"Downloads", kDownloadsColor, {7, 0}}, {"Denials", kDenialsColor, {2, 13}}}, "Requests", "Tier"};
}

BOOST_AUTO_TEST_CASE(tick_steps_are_nice) {
  BOOST_TEST(TickStep(0, 5) == 1);
  BOOST_TEST(TickStep(4, 5) == 1);
  BOOST_TEST(TickStep(7, 5) == 2);
  BOOST_TEST(TickStep(13, 4) == 5);
  BOOST_TEST(TickStep(99, 5) == 20);
  BOOST_TEST(TickStep(1000000, 5) == 200000);
}

BOOST_AUTO_TEST_CASE(bar_chart_is_well_formed_named_and_escaped) {
  const std::string svg = BarChartSvg(Sample());
  // Parsed as XML: well formed, labels escaped.
  BOOST_TEST(XmlTexts(svg, "/*[local-name()='svg']/*[local-name()='title']") ==
             std::vector<std::string>{"Downloads by <tier>"});
  const std::vector<std::string> texts = XmlTexts(svg, "//*[local-name()='text']");
  for (const char* want : {"individual", "a&b \"q\"", "0", "5", "10", "15", "Requests", "Downloads", "13"}) {
    BOOST_TEST((std::find(texts.begin(), texts.end(), std::string(want)) != texts.end()), want);
  }
  BOOST_TEST(svg.find("role=\"img\"") != std::string::npos);
  BOOST_TEST(svg.find("aria-labelledby=\"c1-title\"") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(bar_lengths_are_proportional_to_values) {
  Chart c{"c", "t", {"x"}, {{"A", kDownloadsColor, {10}}, {"B", kDenialsColor, {5}}}, "v", ""};
  const std::vector<std::string> widths = XmlTexts(BarChartSvg(c), "//*[local-name()='rect']/@width");
  // Two legend swatches (12 wide), then the bars: the second half the first.
  BOOST_REQUIRE(widths.size() == 4u);
  BOOST_TEST(std::stod(widths[2]) == 2 * std::stod(widths[3]), boost::test_tools::tolerance(0.2));
}

BOOST_AUTO_TEST_CASE(column_chart_labels_days_and_thins_its_ticks) {
  Chart c{"d", "Per day", {}, {{"Downloads", kDownloadsColor, {}}}, "Requests", "Day (UTC)"};
  for (int i = 1; i <= 30; ++i) {
    c.labels.push_back("2026-11-" + std::string(i < 10 ? "0" : "") + std::to_string(i));
    c.series[0].values.push_back(i);
  }
  const std::vector<std::string> texts = XmlTexts(ColumnChartSvg(c), "//*[local-name()='text']");
  BOOST_TEST((std::find(texts.begin(), texts.end(), "11-01") != texts.end()));
  BOOST_TEST((std::find(texts.begin(), texts.end(), "Day (UTC)") != texts.end()));
  BOOST_TEST((std::find(texts.begin(), texts.end(), "30") != texts.end()));
  size_t days = 0;
  for (const std::string& t : texts) days += t.size() == 5 && t[2] == '-' ? 1 : 0;
  BOOST_TEST(days <= 7u);
  BOOST_TEST(days >= 4u);
}

BOOST_AUTO_TEST_CASE(markup_escape_drops_controls) {
  BOOST_TEST(HtmlEscaped("a<b>&\"'\x01\x7f\tz") == "a&lt;b&gt;&amp;&quot;&#39;\tz");
}

}  // namespace
}  // namespace imprint
