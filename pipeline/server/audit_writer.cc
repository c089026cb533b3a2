#include "pipeline/server/audit_writer.h"

#include <utility>

namespace imprint {

// A group a busy writer waits for, and how long at the most (see the header).
constexpr size_t kGather = 16;
constexpr auto kGatherWait = std::chrono::microseconds(300);
constexpr auto kBusy = std::chrono::milliseconds(1);  // since the last commit

AuditWriter::AuditWriter(const std::string& url, LicenseStore::AuditScreen screen, CheckpointSigner* signer,
                         StorePool* health, ServerMetrics* metrics)
    : url_(url), store_(LicenseStore::Open(url)), screen_(std::move(screen)), checkpointer_(url), signer_(signer),
      health_(health), metrics_(metrics), thread_([this] { Run(); }) {}

AuditWriter::~AuditWriter() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void AuditWriter::Submit(AuditRow row, Done done) {
  std::lock_guard<std::mutex> lock(mu_);
  queue_.push_back({std::move(row), std::move(done)});
  // A busy writer takes it with its next group; one gathering a group is
  // woken when the group is big enough.
  if (idle_ || (gathering_ && queue_.size() >= kGather)) wake_.notify_one();
}

void AuditWriter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    idle_ = true;
    wake_.wait(lock, [this] { return !queue_.empty() || stop_; });
    idle_ = false;
    if (queue_.empty()) return;  // stopped, and every row handed in is done
    // Busy (a group was committed a moment ago): let a few more rows join.
    if (!stop_ && queue_.size() < kGather && std::chrono::steady_clock::now() - last_commit_ < kBusy) {
      gathering_ = true;
      wake_.wait_for(lock, kGatherWait, [this] { return queue_.size() >= kGather || stop_; });
      gathering_ = false;
    }
    std::vector<Item> group;
    group.swap(queue_);
    lock.unlock();
    Commit(&group);
    last_commit_ = std::chrono::steady_clock::now();
    lock.lock();
  }
}

void AuditWriter::Commit(std::vector<Item>* group) {
  bool ok = true;
  std::string why;
  std::vector<AuditRow> rows;
  rows.reserve(group->size());
  for (Item& item : *group) rows.push_back(std::move(item.row));
  const auto started = std::chrono::steady_clock::now();
  try {
    if (!store_) store_ = LicenseStore::Open(url_);  // after a failure
    store_->AppendAudit(&rows, screen_);
    checkpointer_.Nudge();
    if (signer_ != nullptr) signer_->Nudge();
  } catch (const std::exception& e) {
    ok = false;
    why = e.what();
    store_.reset();
  }
  if (metrics_ != nullptr) metrics_->CountCommit(rows, ok, std::chrono::steady_clock::now() - started);
  if (health_ != nullptr) health_->Report(ok, why);
  for (size_t i = 0; i < rows.size(); ++i) (*group)[i].done(rows[i], ok);
}

}  // namespace imprint
