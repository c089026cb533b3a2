#include "pipeline/server/svg_chart.h"

#include <algorithm>

#include "pipeline/base/xml_escape.h"

namespace imprint {
namespace {

// The drawing's coordinate system: narrow, so that its text stays readable
// when a phone scales it to ~350 px.
constexpr int kWidth = 420;
constexpr int kFont = 13;
constexpr int kLeft = 44, kRight = 14, kTop = 52;
constexpr char kInk[] = "#1a1a1a";
constexpr char kGrid[] = "#767676";

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  std::string s = buf;
  if (s.size() > 2 && s.compare(s.size() - 2, 2, ".0") == 0) s.resize(s.size() - 2);
  return s;
}

std::string Text(double x, double y, const std::string& text, const char* anchor = "start", int size = kFont) {
  return "<text x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" font-size=\"" + std::to_string(size) +
         "\" text-anchor=\"" + anchor + "\" fill=\"" + kInk + "\">" + HtmlEscaped(text) + "</text>";
}

std::string Line(double x1, double y1, double x2, double y2, const char* color, const char* extra = "") {
  return "<line x1=\"" + Num(x1) + "\" y1=\"" + Num(y1) + "\" x2=\"" + Num(x2) + "\" y2=\"" + Num(y2) +
         "\" stroke=\"" + color + "\" stroke-width=\"1\"" + extra + "/>";
}

std::string Rect(double x, double y, double w, double h, const std::string& color) {
  return "<rect x=\"" + Num(x) + "\" y=\"" + Num(y) + "\" width=\"" + Num(std::max(w, 0.0)) + "\" height=\"" +
         Num(std::max(h, 0.0)) + "\" fill=\"" + HtmlEscaped(color) + "\"/>";
}

int64_t MaxValue(const Chart& chart) {
  int64_t max = 0;
  for (const ChartSeries& s : chart.series) {
    for (int64_t v : s.values) max = std::max(max, v);
  }
  return max;
}

// The opening tag, the title and the legend (a swatch and name per series).
std::string Open(const Chart& chart, int height) {
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 " + std::to_string(kWidth) + " " +
                    std::to_string(height) + "\" role=\"img\" aria-labelledby=\"" + HtmlEscaped(chart.id) +
                    "-title\" class=\"chart\"><title id=\"" + HtmlEscaped(chart.id) + "-title\">" +
                    HtmlEscaped(chart.title) + "</title>";
  svg += Text(kWidth / 2.0, 18, chart.title, "middle", kFont + 2);
  double x = kLeft;
  for (const ChartSeries& s : chart.series) {
    svg += Rect(x, 28, 12, 12, s.color) + Text(x + 16, 38.5, s.name);
    x += 16 + 8 * static_cast<double>(s.name.size()) + 18;
  }
  return svg;
}

}  // namespace

int64_t TickStep(int64_t max, int ticks) {
  if (max <= 0 || ticks <= 0) return 1;
  for (int64_t power = 1;; power *= 10) {
    for (int64_t m : {1, 2, 5}) {
      if (m * power * ticks >= max) return m * power;
    }
    if (power > INT64_MAX / 100) return power * 10;
  }
}

std::string ColumnChartSvg(const Chart& chart) {
  constexpr int kPlotHeight = 180, kBottom = 50;
  const int height = kTop + kPlotHeight + kBottom;
  const double plot_w = kWidth - kLeft - kRight, base = kTop + kPlotHeight;
  const int64_t step = TickStep(MaxValue(chart), 5);
  const int64_t top = std::max<int64_t>(step, (MaxValue(chart) + step - 1) / step * step);
  std::string svg = Open(chart, height);
  for (int64_t v = 0; v <= top; v += step) {
    const double y = base - kPlotHeight * static_cast<double>(v) / static_cast<double>(top);
    if (v > 0) svg += Line(kLeft, y, kWidth - kRight, y, kGrid, " stroke-dasharray=\"2 3\"");
    svg += Text(kLeft - 4, y + 4, std::to_string(v), "end");
  }
  const size_t n = std::max<size_t>(chart.labels.size(), 1);
  const double group = plot_w / static_cast<double>(n);
  const double bar = group * 0.8 / static_cast<double>(std::max<size_t>(chart.series.size(), 1));
  for (size_t s = 0; s < chart.series.size(); ++s) {
    for (size_t i = 0; i < chart.series[s].values.size() && i < chart.labels.size(); ++i) {
      const double h = kPlotHeight * static_cast<double>(chart.series[s].values[i]) / static_cast<double>(top);
      svg += Rect(kLeft + group * (static_cast<double>(i) + 0.1) + bar * static_cast<double>(s), base - h, bar, h,
                  chart.series[s].color);
    }
  }
  const size_t every = (chart.labels.size() + 6) / 7;  // at most 7 tick labels
  for (size_t i = 0; every > 0 && i < chart.labels.size(); i += every) {
    const double x = kLeft + group * (static_cast<double>(i) + 0.5);
    const std::string& day = chart.labels[i];
    svg += Line(x, base, x, base + 4, kInk) + Text(x, base + 17, day.size() == 10 ? day.substr(5) : day, "middle");
  }
  svg += Line(kLeft, kTop, kLeft, base, kInk) + Line(kLeft, base, kWidth - kRight, base, kInk);
  svg += Text(kLeft + plot_w / 2, height - 8, chart.label_axis, "middle");
  svg += "<text x=\"12\" y=\"" + Num(kTop + kPlotHeight / 2.0) + "\" font-size=\"" + std::to_string(kFont) +
         "\" text-anchor=\"middle\" fill=\"" + kInk + "\" transform=\"rotate(-90 12 " +
         Num(kTop + kPlotHeight / 2.0) + ")\">" + HtmlEscaped(chart.value_axis) + "</text>";
  return svg + "</svg>";
}

std::string BarChartSvg(const Chart& chart) {
  constexpr int kLeftBar = 12, kBar = 12, kLabel = 16, kGap = 10, kBottom = 44, kValueRoom = 40;
  const size_t series = chart.series.size();
  const int row = kLabel + kBar * static_cast<int>(series) + kGap;
  const int plot_h = row * static_cast<int>(std::max<size_t>(chart.labels.size(), 1));
  const int height = kTop + plot_h + kBottom;
  const double plot_w = kWidth - kLeftBar - kRight - kValueRoom, base = kTop + plot_h;
  const int64_t step = TickStep(MaxValue(chart), 4);
  const int64_t top = std::max<int64_t>(step, (MaxValue(chart) + step - 1) / step * step);
  std::string svg = Open(chart, height);
  for (int64_t v = 0; v <= top; v += step) {
    const double x = kLeftBar + plot_w * static_cast<double>(v) / static_cast<double>(top);
    if (v > 0) svg += Line(x, kTop, x, base, kGrid, " stroke-dasharray=\"2 3\"");
    svg += Line(x, base, x, base + 4, kInk) + Text(x, base + 17, std::to_string(v), "middle");
  }
  for (size_t i = 0; i < chart.labels.size(); ++i) {
    const double y = kTop + row * static_cast<double>(i);
    svg += Text(kLeftBar, y + kLabel - 4, chart.labels[i]);
    for (size_t s = 0; s < series; ++s) {
      const int64_t v = i < chart.series[s].values.size() ? chart.series[s].values[i] : 0;
      const double w = plot_w * static_cast<double>(v) / static_cast<double>(top);
      const double by = y + kLabel + kBar * static_cast<double>(s);
      svg += Rect(kLeftBar, by + 1, w, kBar - 2, chart.series[s].color) +
             Text(kLeftBar + w + 4, by + kBar - 2, std::to_string(v), "start", kFont - 1);
    }
  }
  svg += Line(kLeftBar, kTop, kLeftBar, base, kInk) + Line(kLeftBar, base, kLeftBar + plot_w, base, kInk);
  svg += Text(kLeftBar + plot_w / 2, height - 8, chart.value_axis, "middle");
  return svg + "</svg>";
}

}  // namespace imprint
