// A bounded pool of license-store connections (pipeline/license/license_store.h),
// shared by a server's handler threads, and what the server knows of the
// store's health.
//
// At most `size` connections are open at once, each opened when first needed
// (lazily: a pool made while the database is away opens them once it is
// back). Borrow() lends one; a caller that finds none free waits up to a
// deadline, then gets StoreUnavailable. Waiters are served in the order they
// came, so a wait is as long as the queue ahead, never a lost race after
// race. A lease that failed (Fail(), or an
// imprint::Error out of Use()) is closed instead of returned, and so is every
// idle connection opened before that failure: after a database restart the
// pool's connections are all dead, and none is lent again. Every outcome is
// the store's health: Healthy() is the last one, refreshed by a ping at most
// once a second when nothing else used the store. Thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_STORE_POOL_H_
#define IMPRINT_PIPELINE_LICENSE_STORE_POOL_H_

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/license/license_store.h"

namespace imprint {

// The store could not be reached (or every connection stayed busy): the
// request may be tried again shortly. Not "no such thing".
class StoreUnavailable : public Error {
 public:
  using Error::Error;
};

class StorePool {
 public:
  using Opener = std::function<std::unique_ptr<LicenseStore>()>;
  // Called when the health changes: false with the reason, true when back.
  using OnChange = std::function<void(bool healthy, const std::string& why)>;

  // `name` names the store in errors (a URL without its password).
  StorePool(Opener open, int size, std::chrono::milliseconds wait, std::string name, OnChange on_change = nullptr);
  StorePool(const StorePool&) = delete;
  StorePool& operator=(const StorePool&) = delete;

  struct Slot {
    std::unique_ptr<LicenseStore> store;
    uint64_t epoch = 0;  // the pool's failures when it was opened
    bool fresh = true;   // opened for this lease
  };

  // One connection, for one thread, until destroyed.
  class Lease {
   public:
    Lease(Lease&& other) noexcept : pool_(other.pool_), slot_(std::move(other.slot_)), failed_(other.failed_) {
      other.pool_ = nullptr;
    }
    Lease& operator=(Lease&&) = delete;
    ~Lease();
    LicenseStore& operator*() const { return *slot_.store; }
    LicenseStore* operator->() const { return slot_.store.get(); }
    // Says the connection failed: it is closed, never lent again.
    void Fail() { failed_ = true; }
    bool fresh() const { return slot_.fresh; }

   private:
    friend class StorePool;
    Lease(StorePool* pool, Slot slot) : pool_(pool), slot_(std::move(slot)) {}
    StorePool* pool_;
    Slot slot_;
    bool failed_ = false;
  };

  // A connection: an idle one, else a new one while fewer than `size` are
  // open, else the first returned within the wait. Throws StoreUnavailable
  // when the store cannot be opened or none came free in time.
  Lease Borrow() { return Borrow(wait_); }
  Lease Borrow(std::chrono::milliseconds wait);

  // Runs fn(store) on a borrowed connection. An imprint::Error out of `fn`
  // is taken for the store's failure (REQUIRES: `fn` throws it for nothing
  // else): the connection is dropped and, when it was an idle one (perhaps
  // dead since the database restarted), fn runs once more on a new one;
  // then StoreUnavailable.
  template <typename Fn>
  auto Use(Fn fn) -> decltype(fn(std::declval<LicenseStore&>())) {
    for (int attempt = 0;; ++attempt) {
      Lease lease = Borrow();
      try {
        auto result = fn(*lease);
        Report(true, "");
        return result;
      } catch (const Error& e) {
        lease.Fail();
        if (lease.fresh() || attempt > 0) {
          Report(false, e.what());
          throw StoreUnavailable(name_, 0, std::string("the store is unavailable: ") + e.what());
        }
      }
    }
  }

  // The outcome of a use of the store by anyone (the audit writer too).
  void Report(bool healthy, const std::string& why);
  // The last outcome; pings the store first when it is a second old.
  bool Healthy();
  const std::string& name() const { return name_; }
  // Connections open now, lent or idle.
  int open() const;
  // Callers waiting for a connection now.
  int waiting() const;

 private:
  struct Waiter;
  Lease Open(std::unique_lock<std::mutex>& lock);
  void GiveUpPlace();
  void Return(Slot slot, bool failed);
  static int64_t NowMs();

  const Opener open_;
  const int size_;
  const std::chrono::milliseconds wait_;
  const std::string name_;
  const OnChange on_change_;
  mutable std::mutex mu_;
  std::vector<Slot> idle_;
  int open_count_ = 0;  // lent, idle or being opened
  std::deque<Waiter*> waiting_;  // first come, first served
  uint64_t epoch_ = 0;  // failures so far
  std::mutex health_mu_;
  bool healthy_ = true;
  std::atomic<int64_t> checked_ms_{0};  // when the health was last learnt
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_STORE_POOL_H_
