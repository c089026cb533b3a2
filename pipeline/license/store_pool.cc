#include "pipeline/license/store_pool.h"

#include <algorithm>
#include <utility>

namespace imprint {

StorePool::StorePool(Opener open, int size, std::chrono::milliseconds wait, std::string name, OnChange on_change)
    : open_(std::move(open)), size_(size < 1 ? 1 : size), wait_(wait), name_(std::move(name)),
      on_change_(std::move(on_change)) {}

StorePool::Lease::~Lease() {
  if (pool_ != nullptr) pool_->Return(std::move(slot_), failed_);
}

// A caller queued for a connection: Return() hands it one that came back, or
// the place of one that was closed, to open anew.
struct StorePool::Waiter {
  std::condition_variable handed;
  std::optional<Slot> slot;
  bool may_open = false;  // open_count_ already counts it
};

StorePool::Lease StorePool::Borrow(std::chrono::milliseconds wait) {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  std::vector<Slot> stale;  // closed outside the lock
  std::unique_lock<std::mutex> lock(mu_);
  if (waiting_.empty()) {  // nobody came first
    while (!idle_.empty()) {
      Slot slot = std::move(idle_.back());
      idle_.pop_back();
      if (slot.epoch < epoch_) {  // opened before a failure: likely dead
        --open_count_;
        stale.push_back(std::move(slot));
        continue;
      }
      lock.unlock();
      slot.fresh = false;
      return Lease(this, std::move(slot));
    }
    if (open_count_ < size_) {
      ++open_count_;
      return Open(lock);
    }
  }
  Waiter me;
  waiting_.push_back(&me);
  while (!me.slot && !me.may_open) {
    if (me.handed.wait_until(lock, deadline) == std::cv_status::timeout && !me.slot && !me.may_open) {
      waiting_.erase(std::find(waiting_.begin(), waiting_.end(), &me));
      throw StoreUnavailable(name_, 0, "all " + std::to_string(size_) + " store connections stayed busy");
    }
  }
  if (me.may_open) return Open(lock);
  lock.unlock();
  me.slot->fresh = false;
  return Lease(this, std::move(*me.slot));
}

// Opens a connection in a place already counted in open_count_.
StorePool::Lease StorePool::Open(std::unique_lock<std::mutex>& lock) {
  const uint64_t epoch = epoch_;
  lock.unlock();
  try {
    Slot slot{open_(), epoch, true};
    Report(true, "");
    return Lease(this, std::move(slot));
  } catch (const std::exception& e) {
    lock.lock();
    GiveUpPlace();
    lock.unlock();
    Report(false, e.what());
    throw StoreUnavailable(name_, 0, std::string("cannot open the store: ") + e.what());
  }
}

// A counted place is free: the first waiter may open a connection in it.
// REQUIRES: mu_ held.
void StorePool::GiveUpPlace() {
  if (waiting_.empty()) {
    --open_count_;
    return;
  }
  Waiter* first = waiting_.front();
  waiting_.pop_front();
  first->may_open = true;
  first->handed.notify_one();
}

void StorePool::Return(Slot slot, bool failed) {
  std::lock_guard<std::mutex> lock(mu_);
  if (failed) ++epoch_;
  if (failed || slot.epoch < epoch_) {
    GiveUpPlace();
  } else if (!waiting_.empty()) {
    Waiter* first = waiting_.front();
    waiting_.pop_front();
    first->slot = std::move(slot);
    first->handed.notify_one();
  } else {
    idle_.push_back(std::move(slot));
  }
  // A dropped slot's connection closes with `slot`, a parameter, destroyed
  // after `lock` is released.
}

void StorePool::Report(bool healthy, const std::string& why) {
  checked_ms_ = NowMs();
  bool changed;
  {
    std::lock_guard<std::mutex> lock(health_mu_);
    changed = healthy_ != healthy;
    healthy_ = healthy;
  }
  if (changed && on_change_) on_change_(healthy, why);
}

bool StorePool::Healthy() {
  int64_t last = checked_ms_;
  const int64_t now = NowMs();
  if (now - last >= 1000 && checked_ms_.compare_exchange_strong(last, now)) {
    try {
      // No waiting: when every connection is lent, the last outcome stands.
      Lease lease = Borrow(std::chrono::milliseconds(0));
      try {
        lease->SchemaVersion();
        Report(true, "");
      } catch (const std::exception& e) {
        lease.Fail();
        Report(false, e.what());
      }
    } catch (const StoreUnavailable&) {
      // An open that failed has reported itself; a busy pool says nothing.
    }
  }
  std::lock_guard<std::mutex> lock(health_mu_);
  return healthy_;
}

int StorePool::open() const {
  std::lock_guard<std::mutex> lock(mu_);
  return open_count_;
}

int StorePool::waiting() const {
  std::lock_guard<std::mutex> lock(mu_);
  return static_cast<int>(waiting_.size());
}

int64_t StorePool::NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

}  // namespace imprint
