// GET /admin/ (server_impl.h): the rights office's report, live, behind the
// admin credential (admin_gate.h). The period is the last `days` days (the
// query's only parameter, 1 to kMaxReportDays, default 30), up to now
// (this second included).
// Every answer, denials included, says Cache-Control: no-store, and the page
// may load nothing (its CSS and SVG are inline).
#include "pipeline/server/server_impl.h"

#include "pipeline/license/admin_credential.h"
#include "pipeline/license/audit_report.h"
#include "pipeline/server/query_string.h"
#include "pipeline/server/report_page.h"

namespace imprint {
namespace {

constexpr int kDefaultDays = 30;

HttpResponse Private(HttpResponse answer) {
  return answer.Set("Cache-Control", "no-store")
      .Set("Content-Security-Policy",
           "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'; "
           "base-uri 'none'")
      .Set("X-Frame-Options", "DENY")
      .Set("Referrer-Policy", "no-referrer");
}

// The query's days: digits without a leading zero, 1 to kMaxReportDays;
// nullopt for anything else, or for any other parameter.
std::optional<int> DaysOf(const std::string& target) {
  const size_t question = target.find('?');
  if (question == std::string::npos) return kDefaultDays;
  const std::optional<QueryPairs> pairs = DecodeQuery(std::string_view(target).substr(question + 1));
  if (!pairs || pairs->size() > 1) return std::nullopt;
  if (pairs->empty()) return kDefaultDays;
  const auto& [name, value] = pairs->front();
  if (name != "days" || value.empty() || value.size() > 3 || value[0] == '0') return std::nullopt;
  int days = 0;
  for (char c : value) {
    if (c < '0' || c > '9') return std::nullopt;
    days = days * 10 + (c - '0');
  }
  if (days > kMaxReportDays) return std::nullopt;
  return days;
}

}  // namespace

HttpResponse DownloadServer::Impl::HandleAdmin(const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return Private(Json(405, "{\"error\":\"method_not_allowed\"}\n")).Set("Allow", "GET, HEAD");
  }
  try {
    return AdminAnswer(request);
  } catch (const StoreUnavailable&) {
    return Private(Json(503, kStoreUnavailable)).Set("Retry-After", "1");
  }
}

HttpResponse DownloadServer::Impl::AdminAnswer(const HttpRequest& request) {
  const auto stored = pool->Use([](LicenseStore& store) { return store.AdminCredential(kAdminUser); });
  const std::string network = ClientNet(request);
  switch (admin.Check(request.Header("authorization"), stored, network)) {
    case AdminGate::Verdict::kLetIn:
      break;
    case AdminGate::Verdict::kShutOut:
      return Private(Json(401, "{\"error\":\"admin_credential_required\"}\n"))
          .Set("WWW-Authenticate", kAdminChallenge);
    case AdminGate::Verdict::kTooMany:
      return Private(Json(429, "{\"error\":\"too_many_failed_logins\"}\n"))
          .Set("Retry-After", std::to_string(std::max(1, admin.RetryAfter(network))));
  }
  const std::optional<int> days = DaysOf(request.target);
  if (!days) return Private(Json(400, "{\"error\":\"bad_query\",\"detail\":\"days: 1 to 366, nothing else\"}\n"));
  const int64_t now = Now(), until = now + 1;
  const ReportData report =
      pool->Use([&](LicenseStore& store) { return BuildReport(store, policy, until - *days * int64_t{86400}, until, now); });
  return Private(Answer(200, "text/html; charset=utf-8", RenderReportPage(report, {true, *days})));
}

}  // namespace imprint
