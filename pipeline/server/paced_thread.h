// A thread of its own that runs `work` when nudged, at most once per `pace`,
// and sleeps while nothing nudges it: the shared engine of the server's
// background passes (the store checkpointer and the checkpoint signer).
//
// Nudges coalesce: any number of them while `work` runs, or while the thread
// waits out its pace, lead to one more run. With `once_more_at_stop`, `work`
// runs a last time when the thread is destroyed (after every run that a nudge
// before asked for). Nudge() is cheap (it wakes the thread only when the
// thread waits for a nudge) and thread-safe; `work` runs on the thread only,
// never twice at once. The destructor waits for a run in progress.
#ifndef IMPRINT_PIPELINE_SERVER_PACED_THREAD_H_
#define IMPRINT_PIPELINE_SERVER_PACED_THREAD_H_

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace imprint {

class PacedThread {
 public:
  PacedThread(std::chrono::milliseconds pace, std::function<void()> work, bool once_more_at_stop);
  ~PacedThread();
  PacedThread(const PacedThread&) = delete;
  PacedThread& operator=(const PacedThread&) = delete;

  // Asks for a run: at once when the thread is idle, else after the current
  // run and its pace.
  void Nudge();

 private:
  void Run();

  const std::chrono::milliseconds pace_;
  const std::function<void()> work_;
  const bool once_more_at_stop_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false, dirty_ = false, idle_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;  // last: it starts once the rest is ready
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_PACED_THREAD_H_
