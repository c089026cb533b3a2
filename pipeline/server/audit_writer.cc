#include "pipeline/server/audit_writer.h"

#include <utility>

namespace imprint {

AuditWriter::AuditWriter(const std::string& url, LicenseStore::AuditScreen screen, CheckpointSigner* signer,
                         StorePool* health)
    : url_(url), store_(LicenseStore::Open(url)), screen_(std::move(screen)), checkpointer_(url), signer_(signer),
      health_(health), thread_([this] { Run(); }) {}

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
  if (idle_) wake_.notify_one();  // a busy writer takes it with its next group
}

void AuditWriter::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  for (;;) {
    idle_ = true;
    wake_.wait(lock, [this] { return !queue_.empty() || stop_; });
    idle_ = false;
    if (queue_.empty()) return;  // stopped, and every row handed in is done
    std::vector<Item> group;
    group.swap(queue_);
    lock.unlock();
    Commit(&group);
    lock.lock();
  }
}

void AuditWriter::Commit(std::vector<Item>* group) {
  bool ok = true;
  std::string why;
  std::vector<AuditRow> rows;
  rows.reserve(group->size());
  for (Item& item : *group) rows.push_back(std::move(item.row));
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
  if (health_ != nullptr) health_->Report(ok, why);
  for (size_t i = 0; i < rows.size(); ++i) (*group)[i].done(rows[i], ok);
}

}  // namespace imprint
