// Appends the download server's audit rows in groups, from a thread of its
// own: requests hand in their rows (Submit) and go on; the writer takes every
// row handed in while it committed the last group and commits them in one
// transaction (LicenseStore::AppendAudit, which chains them), then calls each
// row's `done` with the row as committed, in the order they were handed in.
// A busy writer (one that committed less than a millisecond ago) lets a small
// group grow to 16 rows for up to 300 microseconds first: a transaction costs
// a lock and writes whatever its size, and under load each answer then waits
// a little longer for many fewer of them (measured: 14% less CPU a download,
// bench/load-test). An idle writer commits at once.
// A row is in the database before its answer is sent: the server makes the
// answer in `done`.
//
// One connection of the writer's own keeps its page cache warm (a connection
// discards its cache whenever another one wrote). The screen runs inside each
// commit and may change the rows (the revocation list's). A commit that fails
// closes the connection (after a database restart it is dead) and the next
// opens a new one; each outcome is reported to `health` (StorePool::Report)
// when given. After each commit the writer nudges its store checkpointer and
// `signer` when given. Destroying the writer commits every row handed in
// before. Submit() is thread-safe; `done` runs on the writer's thread.
#ifndef IMPRINT_PIPELINE_SERVER_AUDIT_WRITER_H_
#define IMPRINT_PIPELINE_SERVER_AUDIT_WRITER_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/license/license_store.h"
#include "pipeline/license/store_pool.h"
#include "pipeline/server/checkpoint_signer.h"
#include "pipeline/server/metrics.h"
#include "pipeline/server/store_checkpointer.h"

namespace imprint {

class AuditWriter {
 public:
  // `committed` is false when the commit failed (the row may or may not be
  // in: the database's answer was lost).
  using Done = std::function<void(const AuditRow& row, bool committed)>;

  // Opens the writer's connection: throws imprint::Error when the store
  // cannot be opened. `signer` and `health` may be null; else they outlive
  // the writer.
  // `metrics`, when given, counts each commit (and outlives the writer).
  AuditWriter(const std::string& url, LicenseStore::AuditScreen screen, CheckpointSigner* signer, StorePool* health,
              ServerMetrics* metrics = nullptr);
  ~AuditWriter();
  AuditWriter(const AuditWriter&) = delete;
  AuditWriter& operator=(const AuditWriter&) = delete;

  void Submit(AuditRow row, Done done);

 private:
  struct Item {
    AuditRow row;
    Done done;
  };

  void Run();
  void Commit(std::vector<Item>* group);

  std::string url_;
  std::unique_ptr<LicenseStore> store_;  // only the writer's thread touches it
  LicenseStore::AuditScreen screen_;
  Checkpointer checkpointer_;
  CheckpointSigner* signer_;  // not owned
  StorePool* health_;         // not owned
  ServerMetrics* metrics_;    // not owned
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Item> queue_;           // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point last_commit_;  // only Run() touches it
  bool idle_ = false, stop_ = false, gathering_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;  // last: it starts once the rest is ready
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_AUDIT_WRITER_H_
