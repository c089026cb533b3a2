// The rights office's report as one self-contained HTML page: inline CSS,
// inline SVG charts (svg_chart.h), no script, no external asset, so that the
// file `imprint report --out report.html` writes opens anywhere and the
// server's /admin/ can forbid everything but inline styles. Each chart has a
// <table> of the same figures beside it; the page has lang, landmarks
// (header, nav, main, footer) and headings in order (WCAG 2.2 AA, checked
// with axe-core by tests/tools/report-test.mjs). Every text from the store
// (license and subscriber ids, editions, reasons, tiers) is escaped. Pure;
// thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_REPORT_PAGE_H_
#define IMPRINT_PIPELINE_SERVER_REPORT_PAGE_H_

#include <string>

#include "pipeline/license/audit_report.h"

namespace imprint {

struct ReportPageOptions {
  // The dashboard (/admin/): a form to choose the period's days, `days` in it.
  bool dashboard = false;
  int days = 30;
};

std::string RenderReportPage(const ReportData& report, const ReportPageOptions& options = {});

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_REPORT_PAGE_H_
