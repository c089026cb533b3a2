#include "pipeline/server/report_page.h"

#include <functional>

#include "pipeline/base/rfc3339.h"
#include "pipeline/base/xml_escape.h"
#include "pipeline/server/svg_chart.h"

namespace imprint {
namespace {

// How many categories a bar chart draws (its table lists them all).
constexpr size_t kChartedCategories = 12;

constexpr char kStyle[] =
    "*{box-sizing:border-box}"
    // The pages' shared rules (templates/page.css): a skip link, off screen
    // until focused, and a focus outline that shows.
    ".skip-link{position:absolute;left:.75em;top:-20em;z-index:10;padding:.5em 1em;background:#1d1d1b;color:#fff}"
    ".skip-link:focus{top:.75em}"
    ":focus-visible{outline:3px solid #1f4e9c;outline-offset:2px}"
    "body{margin:0;font:16px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;color:#1a1a1a;"
    "background:#fff}"
    "header,main,footer,nav{max-width:1200px;margin:0 auto;padding:0 16px}"
    "header{border-bottom:2px solid #1d4f91}"
    "h1{font-size:1.6rem;margin:16px 0 4px}h2{font-size:1.3rem;margin:32px 0 8px;"
    "border-bottom:1px solid #ccc}"
    "nav ul{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:4px 16px}"
    "a{color:#1d4f91}"
    ".pair{display:grid;grid-template-columns:minmax(0,3fr) minmax(0,2fr);gap:24px;align-items:start}"
    "@media (max-width:800px){.pair{grid-template-columns:minmax(0,1fr)}}"
    "figure{margin:0}svg.chart{width:100%;max-width:600px;height:auto;display:block}"
    "table{border-collapse:collapse;width:100%;font-size:.95rem}"
    "caption{text-align:left;font-weight:600;padding:4px 0}"
    "th,td{border:1px solid #bbb;padding:4px 6px;text-align:left;vertical-align:top}"
    "th{background:#eef2f7}td.n{text-align:right;font-variant-numeric:tabular-nums}"
    ".id{font-family:ui-monospace,Menlo,Consolas,monospace;word-break:break-all}"
    "dl.totals{display:grid;grid-template-columns:max-content auto;gap:2px 16px}dt{font-weight:600}dd{margin:0}"
    "form{margin:12px 0}input{font:inherit;width:6em;margin:0 8px}button{font:inherit}"
    ".wide{overflow-x:auto;max-width:100%}"
    "@media (max-width:600px){table{font-size:.8rem}th,td{padding:2px 3px}body{font-size:15px}}"
    "footer{margin-top:32px;border-top:1px solid #ccc;color:#444;font-size:.9rem;padding-bottom:16px}";

std::string E(const std::string& text) { return HtmlEscaped(text); }
std::string Cell(int64_t n) { return "<td class=\"n\">" + std::to_string(n) + "</td>"; }
std::string IdCell(const std::string& id) { return "<td class=\"id\">" + E(id) + "</td>"; }

// A table: its caption, column headings, and rows already made of cells; in
// a box that scrolls sideways (and can be focused to, by keyboard) when a
// phone is too narrow for it.
std::string Table(const std::string& caption, const std::vector<std::string>& heads,
                  const std::vector<std::string>& rows) {
  std::string t = "<div class=\"wide\" role=\"region\" tabindex=\"0\" aria-label=\"" + E(caption) +
                  " (table)\"><table><caption>" + E(caption) + "</caption><thead><tr>";
  for (const std::string& h : heads) t += "<th scope=\"col\">" + E(h) + "</th>";
  t += "</tr></thead><tbody>";
  for (const std::string& r : rows) t += "<tr>" + r + "</tr>";
  return t + "</tbody></table></div>";
}

std::string Section(const std::string& id, const std::string& heading, const std::string& body) {
  return "<section aria-labelledby=\"" + id + "\"><h2 id=\"" + id + "\">" + E(heading) + "</h2>" + body +
         "</section>\n";
}

// Downloads and denials of `counts` as a chart (`columns`: over days) and a table beside it.
std::string CountsFigure(const std::string& id, const std::string& title, const std::string& label_head,
                         const std::vector<ReportCount>& counts, bool columns) {
  if (counts.empty()) return "<p>No downloads or denials in this period.</p>";
  Chart chart{id, title, {}, {{"Downloads", kDownloadsColor, {}}, {"Denials", kDenialsColor, {}}}, "Requests",
              columns ? "Day (UTC)" : ""};
  std::vector<std::string> rows;
  for (const ReportCount& c : counts) {
    rows.push_back("<th scope=\"row\" class=\"id\">" + E(c.name) + "</th>" + Cell(c.downloads) + Cell(c.denials));
    if (!columns && chart.labels.size() >= kChartedCategories) continue;
    chart.labels.push_back(c.name);
    chart.series[0].values.push_back(c.downloads);
    chart.series[1].values.push_back(c.denials);
  }
  std::string note;
  if (!columns && counts.size() > kChartedCategories) {
    note = "<p>The chart shows the first " + std::to_string(kChartedCategories) + "; the table lists all " +
           std::to_string(counts.size()) + ".</p>";
  }
  return "<div class=\"pair\"><figure>" + (columns ? ColumnChartSvg(chart) : BarChartSvg(chart)) + note +
         "</figure>" + Table(title, {label_head, "Downloads", "Denials"}, rows) + "</div>";
}

std::string ReasonsFigure(const std::vector<ReportCount>& reasons) {
  if (reasons.empty()) return "<p>No request was denied in this period.</p>";
  Chart chart{"chart-reasons", "Denials by reason", {}, {{"Denials", kDenialsColor, {}}}, "Denials", ""};
  std::vector<std::string> rows;
  for (const ReportCount& c : reasons) {
    rows.push_back("<th scope=\"row\" class=\"id\">" + E(c.name) + "</th>" + Cell(c.denials));
    if (chart.labels.size() >= kChartedCategories) continue;
    chart.labels.push_back(c.name);
    chart.series[0].values.push_back(c.denials);
  }
  return "<div class=\"pair\"><figure>" + BarChartSvg(chart) + "</figure>" +
         Table("Denials by reason", {"Reason", "Denials"}, rows) + "</div>";
}

std::string Summary(const ReportData& r) {
  const auto item = [](const char* term, int64_t n) {
    return std::string("<dt>") + term + "</dt><dd>" + std::to_string(n) + "</dd>";
  };
  return "<dl class=\"totals\">" + item("Downloads", r.downloads) + item("Denials", r.denials) +
         item("Signature requests", r.signature_requests) + item("HEAD requests", r.head_requests) +
         item("Audit rows", r.rows) + "</dl>" +
         "<p>A download is a permitted GET of a book copy. Permitted requests of a copy's signature "
         "(.minisig) and HEAD requests are counted apart, not as downloads. A denial is any denied "
         "request (copy or signature, GET or HEAD). Subscribers are named by their id only.</p>";
}

std::string TopLicenses(const std::vector<ReportLicense>& top) {
  if (top.empty()) return "<p>No license was used in this period.</p>";
  std::vector<std::string> rows;
  for (const ReportLicense& l : top) {
    rows.push_back(IdCell(l.license_id) + IdCell(l.subscriber_id) + "<td>" + E(l.tier) + "</td>" +
                   Cell(l.downloads) + Cell(l.denials));
  }
  return Table("Most used licenses", {"License", "Subscriber", "Tier", "Downloads", "Denials"}, rows);
}

std::string Expiring(const std::vector<ExpiringLicense>& expiring) {
  if (expiring.empty()) {
    return "<p>No license ends in the next " + std::to_string(kNearExpiryDays) + " days.</p>";
  }
  std::vector<std::string> rows;
  for (const ExpiringLicense& l : expiring) {
    rows.push_back(IdCell(l.license_id) + IdCell(l.subscriber_id) + "<td>" + E(l.tier) + "</td><td>" + E(l.end) +
                   "</td>" + Cell(l.days_left));
  }
  return Table("Unrevoked licenses ending within " + std::to_string(kNearExpiryDays) + " days",
               {"License", "Subscriber", "Tier", "Ends", "Days left"}, rows);
}

std::string Flags(const std::vector<SharingFlag>& flags) {
  if (flags.empty()) return "<p>No license looks shared in this period.</p>";
  std::vector<std::string> rows;
  for (const SharingFlag& f : flags) {
    rows.push_back(IdCell(f.license_id) + IdCell(f.subscriber_id) + "<td>" + E(f.tier) + "</td><td>" + E(f.kind) +
                   "</td><td>" + E(f.edition) + "</td>" + Cell(f.observed) + Cell(f.allowed) + "<td>" +
                   E(FormatTime(f.first_at)) + " to " + E(FormatTime(f.last_at)) + "</td><td>" + E(f.detail) +
                   "</td>");
  }
  return Table("Licenses whose use looks shared",
               {"License", "Subscriber", "Tier", "Signal", "Edition", "Observed", "Allowed", "When", "Detail"}, rows);
}

std::string DaysForm(int days) {
  return "<form method=\"get\" action=\"/admin/\"><label for=\"days\">Days to show (1 to " +
         std::to_string(kMaxReportDays) + ")</label><input id=\"days\" name=\"days\" type=\"number\" min=\"1\" max=\"" +
         std::to_string(kMaxReportDays) + "\" value=\"" + std::to_string(days) +
         "\" required><button type=\"submit\">Show</button></form>";
}

}  // namespace

std::string RenderReportPage(const ReportData& r, const ReportPageOptions& options) {
  const std::string period = FormatTime(r.since) + " to " + FormatTime(r.until);
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
      "<title>Imprint rights report, " + E(period) + "</title><style>" + kStyle + "</style></head><body>\n"
      "<a class=\"skip-link\" href=\"#main\">Skip to the report</a>\n<header><h1>Imprint rights report</h1><p>Downloads and denials from " + E(FormatTime(r.since)) +
      " (included) to " + E(FormatTime(r.until)) + " (excluded), from the download server's audit log.</p>" +
      (options.dashboard ? DaysForm(options.days) : "") + "</header>\n"
      "<nav aria-label=\"Sections\"><ul><li><a href=\"#summary\">Summary</a></li><li><a href=\"#per-day\">Per day"
      "</a></li><li><a href=\"#by-tier\">By tier</a></li><li><a href=\"#by-publication\">By publication</a></li>"
      "<li><a href=\"#by-edition\">By edition</a></li><li><a href=\"#by-reason\">Denials by reason</a></li>"
      "<li><a href=\"#top-licenses\">Top licenses</a></li><li><a href=\"#near-expiry\">Near expiry</a></li>"
      "<li><a href=\"#sharing\">Sharing signals</a></li></ul></nav>\n<main id=\"main\">\n";
  html += Section("summary", "Summary", Summary(r));
  html += Section("per-day", "Downloads and denials per day",
                  CountsFigure("chart-days", "Downloads and denials per day", "Day (UTC)", r.days, true));
  html += Section("by-tier", "By tier", CountsFigure("chart-tiers", "Downloads and denials by tier", "Tier",
                                                     r.tiers, false));
  html += Section("by-publication", "By publication",
                  CountsFigure("chart-publications", "Downloads and denials by publication", "Publication",
                               r.publications, false));
  html += Section("by-edition", "By edition", CountsFigure("chart-editions", "Downloads and denials by edition",
                                                           "Edition", r.editions, false));
  html += Section("by-reason", "Denials by reason", ReasonsFigure(r.reasons));
  html += Section("top-licenses", "Top licenses", TopLicenses(r.top_licenses));
  html += Section("near-expiry", "Licenses near expiry", Expiring(r.expiring));
  html += Section("sharing", "Sharing signals", Flags(r.flags));
  html += "</main>\n<footer><p>Made by imprint at " + E(FormatTime(r.made_at)) +
          ". Times are UTC. Revocation reasons and subscribers' names and e-mail addresses are never shown."
          "</p></footer>\n</body></html>\n";
  return html;
}

}  // namespace imprint
