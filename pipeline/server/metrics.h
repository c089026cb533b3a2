// The download server's metrics, in Prometheus text exposition format 0.0.4
// (docs/http.md, "Metrics"), served on a bind address of their own
// (`imprint serve --metrics HOST:PORT`), never on the public listener.
//
// ServerMetrics counts what the server does: requests by route (a fixed set
// of route names, never a raw path, so the labels stay few) and status, with
// a latency histogram per route; decisions by decision and reason, as the
// audit writer committed them (the rows' own words); the audit commit's
// latency and its group size. Counting is lock-free (relaxed atomics, one per
// counter and per histogram bucket) but for the decisions, which only the
// audit writer's thread counts, under a mutex that a scrape alone shares.
// What is read rather than counted (the copy cache's hits and misses, the
// store's reachability, the latest checkpoint's time) comes from `Sources`
// at each scrape. Thread-safe.
//
// StoreWatch asks the store whether it answers from a thread of its own, so
// that a scrape waits for the answer at most a bounded time and otherwise
// reports the last one with its age: a scrape never hangs on a dead store.
// MetricsEndpoint is the HTTP listener: GET (and HEAD) /metrics, 405 for
// another method there, 404 for any other path.
#ifndef IMPRINT_PIPELINE_SERVER_METRICS_H_
#define IMPRINT_PIPELINE_SERVER_METRICS_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/license/license_store.h"
#include "pipeline/server/http_route.h"

namespace imprint {

class HttpServer;

// The content type of the exposition.
inline constexpr const char* kMetricsContentType = "text/plain; version=0.0.4; charset=utf-8";

// A histogram of whole `units` (nanoseconds, rows), shown divided by `scale`
// (1e9 for seconds): `bounds` are its buckets' upper bounds, ascending, in
// units. Observe() is lock-free.
class Histogram {
 public:
  Histogram(std::vector<uint64_t> bounds, double scale);
  void Observe(uint64_t units);
  // Appends the _bucket, _sum and _count lines of `name` with `labels`
  // ("" or `route="page"`). The +Inf bucket and _count are the buckets'
  // sum as read, so they agree however observations race the scrape.
  void Render(const std::string& name, const std::string& labels, std::string* out) const;
  uint64_t Count() const;

 private:
  const std::vector<uint64_t> bounds_;
  const double scale_;
  std::unique_ptr<std::atomic<uint64_t>[]> buckets_;  // bounds_.size() + 1 (the last: above every bound)
  std::atomic<uint64_t> sum_{0};
};

class ServerMetrics {
 public:
  // The route names a request is counted under.
  static constexpr int kRoutes = 20;
  static int RouteIndex(const Route& route);
  static const char* RouteName(int index);

  struct Sources {
    std::function<uint64_t()> cache_hits, cache_misses;
    // Whether the store answered, and how many seconds ago that was learnt.
    std::function<std::pair<bool, double>()> store;
    // The latest signed checkpoint's time (seconds since the epoch), if any.
    std::function<std::optional<int64_t>()> checkpoint_at;
  };

  ServerMetrics();
  ~ServerMetrics();

  // A request answered `status` after `elapsed`.
  void CountRequest(int route, int status, std::chrono::steady_clock::duration elapsed);
  // A commit of `rows` that took `elapsed`; its rows' decisions are counted
  // when it succeeded (`committed`). On the audit writer's thread.
  void CountCommit(const std::vector<AuditRow>& rows, bool committed, std::chrono::steady_clock::duration elapsed);

  void SetSources(Sources sources);
  // The exposition at `now` (seconds since the epoch).
  std::string Render(int64_t now);

 private:
  struct Decision {
    std::string decision, reason;
    uint64_t count = 0;
  };
  void RenderRequests(std::string* out) const;
  void RenderDecisions(std::string* out);
  void RenderSources(int64_t now, std::string* out);

  static constexpr int kFirstStatus = 100, kStatuses = 500;  // 100 to 599
  std::unique_ptr<std::atomic<uint64_t>[]> requests_;  // kRoutes x kStatuses
  std::vector<std::unique_ptr<Histogram>> latency_;    // one per route
  Histogram commit_latency_, commit_rows_;
  std::mutex mu_;
  std::vector<Decision> decisions_;  // GUARDED_BY(mu_); in the order first seen
  Sources sources_;                  // GUARDED_BY(mu_)
};

// The store's reachability, asked by `check` on a thread of its own.
class StoreWatch {
 public:
  explicit StoreWatch(std::function<bool()> check);
  ~StoreWatch();  // waits for a check under way
  StoreWatch(const StoreWatch&) = delete;
  StoreWatch& operator=(const StoreWatch&) = delete;

  // Asks for a check and waits for it at most `wait`; then the last answer
  // and its age in seconds (false until a first answer came).
  std::pair<bool, double> Read(std::chrono::milliseconds wait);

 private:
  void Run();
  const std::function<bool()> check_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  uint64_t asked_ = 0, answered_ = 0;  // GUARDED_BY(mu_)
  bool up_ = false, stop_ = false;     // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point at_;  // GUARDED_BY(mu_); when up_ was learnt
  std::thread thread_;  // last: it starts once the rest is ready
};

// The metrics listener: `render` answers GET /metrics.
class MetricsEndpoint {
 public:
  MetricsEndpoint(const std::string& bind, int port, std::function<std::string()> render);
  ~MetricsEndpoint();
  // Throws imprint::Error naming the address when it cannot listen.
  void Start();
  int port() const;
  void Stop();

 private:
  std::unique_ptr<HttpServer> http_;
};

// "HOST:PORT" (an IPv6 host in brackets) as a bind address and a port, or an
// imprint::Error saying what is wrong with `text`.
std::pair<std::string, int> ParseHostPort(const std::string& text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_METRICS_H_
