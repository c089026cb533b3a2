#include "pipeline/server/paced_thread.h"

#include <utility>

namespace imprint {

PacedThread::PacedThread(std::chrono::milliseconds pace, std::function<void()> work, bool once_more_at_stop)
    : pace_(pace), work_(std::move(work)), once_more_at_stop_(once_more_at_stop), thread_([this] { Run(); }) {}

PacedThread::~PacedThread() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void PacedThread::Nudge() {
  std::lock_guard<std::mutex> lock(mu_);
  if (dirty_) return;
  dirty_ = true;
  if (idle_) wake_.notify_one();
}

void PacedThread::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    idle_ = true;
    wake_.wait(lock, [this] { return dirty_ || stop_; });
    idle_ = false;
    if (stop_) break;
    dirty_ = false;
    lock.unlock();
    work_();
    lock.lock();
    if (wake_.wait_for(lock, pace_, [this] { return stop_; })) break;
  }
  lock.unlock();
  if (once_more_at_stop_) work_();
}

}  // namespace imprint
