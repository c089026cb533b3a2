// The paced thread in process, timed with a steady clock: it runs only when
// nudged, at most once per pace, coalesces nudges, stops at once however long
// its pace, and runs a last time at stop only when asked to.
#define BOOST_TEST_MODULE paced_thread
#include "pipeline/server/paced_thread.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace imprint {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Counts runs and notes when each began.
struct Runs {
  std::mutex mu;
  std::vector<Clock::time_point> at;
  std::function<void()> Work(milliseconds takes = milliseconds(0)) {
    return [this, takes] {
      {
        std::lock_guard<std::mutex> lock(mu);
        at.push_back(Clock::now());
      }
      std::this_thread::sleep_for(takes);
    };
  }
  size_t Count() {
    std::lock_guard<std::mutex> lock(mu);
    return at.size();
  }
  // Waits up to 5 s for `n` runs.
  bool WaitFor(size_t n) {
    for (const auto deadline = Clock::now() + std::chrono::seconds(5); Clock::now() < deadline;) {
      if (Count() >= n) return true;
      std::this_thread::sleep_for(milliseconds(1));
    }
    return false;
  }
};

BOOST_AUTO_TEST_CASE(runs_only_when_nudged) {
  Runs runs;
  PacedThread thread(milliseconds(10), runs.Work(), false);
  std::this_thread::sleep_for(milliseconds(100));
  BOOST_TEST(runs.Count() == 0u);
  const auto nudged = Clock::now();
  thread.Nudge();
  BOOST_REQUIRE(runs.WaitFor(1));
  BOOST_TEST((runs.at[0] - nudged < milliseconds(500)));  // an idle thread runs at once
  std::this_thread::sleep_for(milliseconds(100));
  BOOST_TEST(runs.Count() == 1u);  // and sleeps again
}

BOOST_AUTO_TEST_CASE(nudges_while_it_runs_come_to_one_more_run) {
  Runs runs;
  PacedThread thread(milliseconds(10), runs.Work(milliseconds(200)), false);
  thread.Nudge();
  BOOST_REQUIRE(runs.WaitFor(1));
  for (int i = 0; i < 50; ++i) thread.Nudge();  // during the first run
  BOOST_REQUIRE(runs.WaitFor(2));
  std::this_thread::sleep_for(milliseconds(400));
  BOOST_TEST(runs.Count() == 2u);
}

BOOST_AUTO_TEST_CASE(runs_at_most_once_per_pace) {
  Runs runs;
  PacedThread thread(milliseconds(300), runs.Work(), false);
  thread.Nudge();
  BOOST_REQUIRE(runs.WaitFor(1));
  thread.Nudge();
  BOOST_REQUIRE(runs.WaitFor(2));
  BOOST_TEST((runs.at[1] - runs.at[0] >= milliseconds(300)));
}

BOOST_AUTO_TEST_CASE(stops_at_once_whatever_its_pace) {
  Runs runs;
  auto thread = std::make_unique<PacedThread>(std::chrono::hours(1), runs.Work(), false);
  thread->Nudge();
  BOOST_REQUIRE(runs.WaitFor(1));
  thread->Nudge();  // waits out the hour
  const auto stopping = Clock::now();
  thread.reset();
  BOOST_TEST((Clock::now() - stopping < std::chrono::seconds(2)));
  BOOST_TEST(runs.Count() == 1u);  // the nudge left waiting is dropped
}

BOOST_AUTO_TEST_CASE(runs_once_more_at_stop_only_when_asked) {
  Runs last, none;
  {
    PacedThread with(std::chrono::hours(1), last.Work(), true);
    PacedThread without(std::chrono::hours(1), none.Work(), false);
  }
  BOOST_TEST(last.Count() == 1u);
  BOOST_TEST(none.Count() == 0u);
  // After a run, still once more: what was done after it is covered too.
  Runs after;
  {
    PacedThread with(std::chrono::hours(1), after.Work(), true);
    with.Nudge();
    BOOST_REQUIRE(after.WaitFor(1));
    with.Nudge();
  }
  BOOST_TEST(after.Count() == 2u);
}

}  // namespace
}  // namespace imprint
