// Bar charts as inline SVG, drawn by Imprint (no library, no script): a
// column chart over days and a horizontal bar chart over named categories,
// each with its axes, tick labels, axis titles, a legend and a title, for
// the rights office's report (report_page.h). The SVG is meant to sit inside
// an HTML page: it has role="img" and is named by its <title> (aria-
// labelledby), and the page puts a <table> of the same figures beside it for
// screen readers. Every text is escaped. Colours are dark enough for WCAG
// 2.2's 3:1 against white (non-text contrast) and text is near black. Pure;
// thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_SVG_CHART_H_
#define IMPRINT_PIPELINE_SERVER_SVG_CHART_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imprint {

struct ChartSeries {
  std::string name;   // for the legend
  std::string color;  // a CSS colour, the program's own (never from data)
  std::vector<int64_t> values;  // one per label
};

struct Chart {
  std::string id;     // unique in the page: the SVG's element ids start with it
  std::string title;  // the accessible name, also drawn
  std::vector<std::string> labels;
  std::vector<ChartSeries> series;
  std::string value_axis;  // the value axis's title ("Requests")
  std::string label_axis;  // the label axis's title ("Day (UTC)")
};

// Colours of the two series every chart of the report has.
inline constexpr char kDownloadsColor[] = "#1d4f91";
inline constexpr char kDenialsColor[] = "#a8201a";

// Vertical columns, one group per label (labels are days, "YYYY-MM-DD":
// ticks show "MM-DD", thinned to fit).
std::string ColumnChartSvg(const Chart& chart);
// Horizontal bars, one group per label, each label written above its bars.
std::string BarChartSvg(const Chart& chart);

// The "nice" step (1, 2 or 5 times a power of ten) that divides 0..max into
// at most `ticks` steps; 1 when max is 0.
int64_t TickStep(int64_t max, int ticks);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SVG_CHART_H_
