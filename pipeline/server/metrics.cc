#include "pipeline/server/metrics.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "pipeline/base/error.h"
#include "pipeline/server/http_answer.h"
#include "pipeline/server/http_server.h"

namespace imprint {
namespace {

// Latency buckets, in nanoseconds: 100 us to 10 s.
std::vector<uint64_t> SecondsBounds() {
  std::vector<uint64_t> bounds;
  for (double s : {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                   10.0}) {
    bounds.push_back(static_cast<uint64_t>(s * 1e9 + 0.5));
  }
  return bounds;
}

uint64_t Nanoseconds(std::chrono::steady_clock::duration d) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(d).count();
  return ns < 0 ? 0 : static_cast<uint64_t>(ns);
}

// A number as the exposition writes it (Go's strconv would write the same
// values: shortest round-trip form is not needed, 9 significant digits are).
std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g", value);
  return text;
}

// A label value, escaped as the format asks (backslash, quote, newline).
std::string LabelValue(const std::string& value) {
  std::string out;
  for (char c : value) {
    if (c == '\\' || c == '"') out += '\\';
    out += c == '\n' ? std::string("\\n") : std::string(1, c);
  }
  return out;
}

void Family(std::string* out, const char* name, const char* type, const char* help) {
  *out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
}

constexpr const char* kRouteNames[ServerMetrics::kRoutes] = {
    "page",   "healthz",     "public_key", "catalog", "audit_checkpoint", "license_status", "edition_file",
    "edition_signature", "opds", "opds_auth", "atom", "search", "opds_search", "opensearch", "license", "rights",
    "unknown", "malformed", "admin", "other"};

}  // namespace

Histogram::Histogram(std::vector<uint64_t> bounds, double scale)
    : bounds_(std::move(bounds)), scale_(scale), buckets_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) buckets_[i].store(0, std::memory_order_relaxed);
}

void Histogram::Observe(uint64_t units) {
  const size_t i = std::lower_bound(bounds_.begin(), bounds_.end(), units) - bounds_.begin();  // le: bound >= units
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(units, std::memory_order_relaxed);
}

uint64_t Histogram::Count() const {
  uint64_t n = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) n += buckets_[i].load(std::memory_order_relaxed);
  return n;
}

void Histogram::Render(const std::string& name, const std::string& labels, std::string* out) const {
  const std::string sep = labels.empty() ? "" : ",";
  uint64_t cumulative = 0;
  for (size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    const std::string le = i < bounds_.size() ? Number(bounds_[i] / scale_) : "+Inf";
    *out += name + "_bucket{" + labels + sep + "le=\"" + le + "\"} " + std::to_string(cumulative) + "\n";
  }
  const std::string braces = labels.empty() ? "" : "{" + labels + "}";
  *out += name + "_sum" + braces + " " + Number(sum_.load(std::memory_order_relaxed) / scale_) + "\n";
  *out += name + "_count" + braces + " " + std::to_string(cumulative) + "\n";
}

int ServerMetrics::RouteIndex(const Route& route) {
  switch (route.kind) {
    case Route::kPage: return 0;
    case Route::kHealth: return 1;
    case Route::kPublicKey: return 2;
    case Route::kCatalog: return 3;
    case Route::kAuditCheckpoint: return 4;
    case Route::kStatus: return 5;
    case Route::kEdition: return route.signature ? 7 : 6;
    case Route::kOpds: return 8;
    case Route::kOpdsAuth: return 9;
    case Route::kAtom: return 10;
    case Route::kSearch: return 11;
    case Route::kOpdsSearch: return 12;
    case Route::kOpenSearch: return 13;
    case Route::kLicense: return 14;
    case Route::kRights: return 15;
    case Route::kUnknown: return 16;
    case Route::kBad: return 17;
    case Route::kAdmin: return 18;
    default: return 19;  // a route added since: "other" until it is named here
  }
}

const char* ServerMetrics::RouteName(int index) { return kRouteNames[std::clamp(index, 0, kRoutes - 1)]; }

ServerMetrics::ServerMetrics()
    : requests_(new std::atomic<uint64_t>[kRoutes * kStatuses]),
      commit_latency_(SecondsBounds(), 1e9),
      commit_rows_({1, 2, 4, 8, 16, 32, 64, 128, 256, 512}, 1) {
  for (int i = 0; i < kRoutes * kStatuses; ++i) requests_[i].store(0, std::memory_order_relaxed);
  for (int i = 0; i < kRoutes; ++i) latency_.push_back(std::make_unique<Histogram>(SecondsBounds(), 1e9));
}

ServerMetrics::~ServerMetrics() = default;

void ServerMetrics::CountRequest(int route, int status, std::chrono::steady_clock::duration elapsed) {
  route = std::clamp(route, 0, kRoutes - 1);
  const int s = std::clamp(status, kFirstStatus, kFirstStatus + kStatuses - 1) - kFirstStatus;
  requests_[route * kStatuses + s].fetch_add(1, std::memory_order_relaxed);
  latency_[route]->Observe(Nanoseconds(elapsed));
}

void ServerMetrics::CountCommit(const std::vector<AuditRow>& rows, bool committed,
                                std::chrono::steady_clock::duration elapsed) {
  commit_latency_.Observe(Nanoseconds(elapsed));
  commit_rows_.Observe(rows.size());
  if (!committed) return;
  std::lock_guard<std::mutex> lock(mu_);
  for (const AuditRow& row : rows) {
    const std::string decision = AuditDecisionName(row.decision);
    auto it = std::find_if(decisions_.begin(), decisions_.end(),
                           [&](const Decision& d) { return d.reason == row.reason && d.decision == decision; });
    if (it == decisions_.end()) it = decisions_.insert(decisions_.end(), {decision, row.reason, 0});
    ++it->count;
  }
}

void ServerMetrics::SetSources(Sources sources) {
  std::lock_guard<std::mutex> lock(mu_);
  sources_ = std::move(sources);
}

void ServerMetrics::RenderRequests(std::string* out) const {
  Family(out, "imprint_http_requests_total", "counter",
         "Requests answered on the public listener, by route name and status code.");
  for (int r = 0; r < kRoutes; ++r) {
    for (int s = 0; s < kStatuses; ++s) {
      const uint64_t n = requests_[r * kStatuses + s].load(std::memory_order_relaxed);
      if (n == 0) continue;
      *out += std::string("imprint_http_requests_total{route=\"") + kRouteNames[r] + "\",code=\"" +
              std::to_string(kFirstStatus + s) + "\"} " + std::to_string(n) + "\n";
    }
  }
  Family(out, "imprint_http_request_duration_seconds", "histogram",
         "Time from a request's arrival at the handler to its answer being handed to the connection, by route name.");
  for (int r = 0; r < kRoutes; ++r) {
    if (latency_[r]->Count() > 0) {
      latency_[r]->Render("imprint_http_request_duration_seconds", std::string("route=\"") + kRouteNames[r] + "\"", out);
    }
  }
}

void ServerMetrics::RenderDecisions(std::string* out) {
  Family(out, "imprint_decisions_total", "counter",
         "Audit rows committed, by decision and reason (the audit log's own words).");
  std::lock_guard<std::mutex> lock(mu_);
  for (const Decision& d : decisions_) {
    *out += "imprint_decisions_total{decision=\"" + LabelValue(d.decision) + "\",reason=\"" + LabelValue(d.reason) +
            "\"} " + std::to_string(d.count) + "\n";
  }
}

void ServerMetrics::RenderSources(int64_t now, std::string* out) {
  Sources sources;
  {
    std::lock_guard<std::mutex> lock(mu_);
    sources = sources_;
  }
  if (sources.cache_hits && sources.cache_misses) {
    Family(out, "imprint_copy_cache_hits_total", "counter", "Personalised copies taken from the copy cache.");
    *out += "imprint_copy_cache_hits_total " + std::to_string(sources.cache_hits()) + "\n";
    Family(out, "imprint_copy_cache_misses_total", "counter", "Personalised copies made because none was cached.");
    *out += "imprint_copy_cache_misses_total " + std::to_string(sources.cache_misses()) + "\n";
  }
  if (sources.store) {
    const auto [up, age] = sources.store();
    Family(out, "imprint_store_up", "gauge", "1 when the license store answered its last check, 0 when it did not.");
    *out += std::string("imprint_store_up ") + (up ? "1" : "0") + "\n";
    Family(out, "imprint_store_check_age_seconds", "gauge", "Seconds since the check imprint_store_up reports.");
    *out += "imprint_store_check_age_seconds " + Number(std::max(0.0, age)) + "\n";
  }
  const std::optional<int64_t> at = sources.checkpoint_at ? sources.checkpoint_at() : std::nullopt;
  if (at) {
    Family(out, "imprint_audit_checkpoint_age_seconds", "gauge", "Seconds since the latest audit checkpoint was signed.");
    *out += "imprint_audit_checkpoint_age_seconds " + std::to_string(std::max<int64_t>(0, now - *at)) + "\n";
  }
}

std::string ServerMetrics::Render(int64_t now) {
  std::string out;
  out.reserve(8192);
  RenderRequests(&out);
  RenderDecisions(&out);
  Family(&out, "imprint_audit_commit_duration_seconds", "histogram",
         "Time an audit commit (one transaction of a group of rows) took, failed ones included.");
  commit_latency_.Render("imprint_audit_commit_duration_seconds", "", &out);
  Family(&out, "imprint_audit_commit_rows", "histogram", "Audit rows per commit (the group size).");
  commit_rows_.Render("imprint_audit_commit_rows", "", &out);
  RenderSources(now, &out);
  return out;
}

StoreWatch::StoreWatch(std::function<bool()> check)
    : check_(std::move(check)), asked_(1), at_(std::chrono::steady_clock::now()), thread_([this] { Run(); }) {}

StoreWatch::~StoreWatch() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void StoreWatch::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    wake_.wait(lock, [this] { return stop_ || asked_ > answered_; });
    if (stop_) return;
    const uint64_t ticket = asked_;
    lock.unlock();
    bool up = false;
    try {
      up = check_();
    } catch (const std::exception&) {
      up = false;
    }
    lock.lock();
    up_ = up;
    at_ = std::chrono::steady_clock::now();
    answered_ = ticket;
    done_.notify_all();
  }
}

std::pair<bool, double> StoreWatch::Read(std::chrono::milliseconds wait) {
  std::unique_lock<std::mutex> lock(mu_);
  const uint64_t ticket = ++asked_;
  wake_.notify_one();
  done_.wait_for(lock, wait, [&] { return answered_ >= ticket; });
  const double age = std::chrono::duration<double>(std::chrono::steady_clock::now() - at_).count();
  return {up_, age};
}

MetricsEndpoint::MetricsEndpoint(const std::string& bind, int port, std::function<std::string()> render) {
  HttpServerOptions options;
  options.bind = bind;
  options.port = port;
  options.io_threads = 1;
  options.workers = 2;
  options.queue = 16;
  options.max_connections = 64;
  options.max_connections_per_address = 16;
  http_ = std::make_unique<HttpServer>(options, HttpHandler([render](const HttpRequest& request) {
    const std::string path = request.target.substr(0, request.target.find('?'));
    if (path != "/metrics") return Json(404, "{\"error\":\"not_found\"}\n");
    if (request.method != "GET" && request.method != "HEAD") {
      return Json(405, "{\"error\":\"method_not_allowed\"}\n").Set("Allow", "GET, HEAD");
    }
    return Answer(200, kMetricsContentType, render()).Set("Cache-Control", "no-store");
  }));
}

MetricsEndpoint::~MetricsEndpoint() { Stop(); }
void MetricsEndpoint::Start() { http_->Start(); }
int MetricsEndpoint::port() const { return http_->port(); }
void MetricsEndpoint::Stop() { http_->Stop(); }

std::pair<std::string, int> ParseHostPort(const std::string& text) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) throw Error("--metrics", 0, "takes HOST:PORT, not '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') throw Error("--metrics", 0, "takes HOST:PORT, not '" + text + "'");
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    throw Error("--metrics", 0, "an IPv6 address goes in brackets ([::1]:9464), not '" + text + "'");
  }
  const std::string port = text.substr(colon + 1);
  int n = 0;
  for (char c : port) n = c >= '0' && c <= '9' && n <= 65535 ? n * 10 + (c - '0') : 65536;
  if (port.empty() || port.size() > 5 || n > 65535) {
    throw Error("--metrics", 0, "takes a port from 0 to 65535, not '" + port + "'");
  }
  return {host, n};
}

}  // namespace imprint
