// The store pool over real stores: SQLite files, and a PostgreSQL URL where
// nothing listens (port 1) for a store that cannot be reached.
#define BOOST_TEST_MODULE store_pool
#include "pipeline/license/store_pool.h"

#include <atomic>
#include <boost/test/unit_test.hpp>
#include <chrono>
#include <thread>

#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using std::chrono::milliseconds;

// Opens SQLite stores in a folder of its own, counting them; refuses while
// `down` (by opening a PostgreSQL server that is not there).
struct Opener {
  TempDir dir;
  std::atomic<int> opened{0};
  std::atomic<bool> down{false};
  StorePool::Opener Get() {
    return [this] {
      if (down) return LicenseStore::Open("postgresql://user:s3cret@127.0.0.1:1/none");
      ++opened;
      return LicenseStore::Open("sqlite:" + dir / "store.db");
    };
  }
};

BOOST_AUTO_TEST_CASE(never_more_connections_than_its_size) {
  Opener opener;
  StorePool pool(opener.Get(), 3, milliseconds(5000), "test");
  std::atomic<int> lent{0}, most{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 5; ++i) {
        pool.Use([&](LicenseStore& store) {
          const int now = ++lent;
          for (int m = most; now > m && !most.compare_exchange_weak(m, now);) {
          }
          std::this_thread::sleep_for(milliseconds(5));
          --lent;
          return store.SchemaVersion();
        });
      }
    });
  }
  for (std::thread& t : threads) t.join();
  BOOST_TEST(most <= 3);
  BOOST_TEST(most > 1);
  BOOST_TEST(opener.opened <= 3);  // reused, not reopened
  BOOST_TEST(pool.open() <= 3);
}

BOOST_AUTO_TEST_CASE(waits_for_a_connection_then_says_unavailable) {
  Opener opener;
  StorePool pool(opener.Get(), 1, milliseconds(200), "test");
  StorePool::Lease held = pool.Borrow();
  const auto start = std::chrono::steady_clock::now();
  BOOST_CHECK_THROW(pool.Borrow(), StoreUnavailable);
  BOOST_TEST((std::chrono::steady_clock::now() - start >= milliseconds(190)));
  // One returned within the wait is lent.
  std::thread giver([held = std::move(held)]() mutable {
    std::this_thread::sleep_for(milliseconds(50));
    StorePool::Lease gone = std::move(held);
  });
  BOOST_TEST(pool.Borrow()->SchemaVersion() == LicenseStore::LatestSchemaVersion());
  giver.join();
  BOOST_TEST(opener.opened == 1);
}

BOOST_AUTO_TEST_CASE(a_failed_connection_is_dropped_with_the_idle_ones_and_reopened) {
  Opener opener;
  StorePool pool(opener.Get(), 2, milliseconds(1000), "test");
  {
    StorePool::Lease a = pool.Borrow(), b = pool.Borrow();
    a.Fail();
  }  // a is dropped; b, opened before the failure, is never lent again
  {
    StorePool::Lease c = pool.Borrow();
    BOOST_TEST(c.fresh());
    BOOST_TEST(pool.open() == 1);
  }
  BOOST_TEST(opener.opened == 3);
  BOOST_TEST(!pool.Borrow().fresh());  // a healthy one is kept
}

BOOST_AUTO_TEST_CASE(use_retries_once_on_an_idle_connection_that_failed) {
  Opener opener;
  StorePool pool(opener.Get(), 2, milliseconds(1000), "test");
  pool.Borrow();  // one idle connection now
  int calls = 0;
  const int v = pool.Use([&](LicenseStore& store) {
    if (++calls == 1) throw Error("test", 0, "server closed the connection unexpectedly");
    return store.SchemaVersion();
  });
  BOOST_TEST(v == LicenseStore::LatestSchemaVersion());
  BOOST_TEST(calls == 2);
  BOOST_TEST(opener.opened == 2);
  // A fresh connection that fails is not tried again.
  calls = 0;
  {
    StorePool::Lease l = pool.Borrow();
    l.Fail();
  }
  BOOST_CHECK_THROW(pool.Use([&](LicenseStore&) -> int {
    ++calls;
    throw Error("test", 0, "gone");
  }), StoreUnavailable);
  BOOST_TEST(calls == 1);
}

BOOST_AUTO_TEST_CASE(an_unreachable_store_is_unhealthy_until_it_returns) {
  Opener opener;
  std::vector<std::string> changes;
  StorePool pool(opener.Get(), 2, milliseconds(1000), "postgresql://user:***@127.0.0.1:1/none",
                 [&](bool healthy, const std::string& why) { changes.push_back(healthy ? "up" : "down: " + why); });
  BOOST_TEST(pool.Healthy());  // a ping: one idle connection now
  opener.down = true;
  {
    StorePool::Lease dead = pool.Borrow();  // it went with the database
    dead.Fail();
  }
  BOOST_CHECK_THROW(pool.Borrow(), StoreUnavailable);
  BOOST_TEST(!pool.Healthy());
  BOOST_TEST(pool.open() == 0);
  try {
    pool.Borrow();
  } catch (const StoreUnavailable& e) {
    BOOST_TEST(std::string(e.what()).find("s3cret") == std::string::npos, e.what());
  }
  opener.down = false;
  // Without any use, a ping at most a second later finds it back.
  BOOST_TEST(!pool.Healthy());
  std::this_thread::sleep_for(milliseconds(1050));
  BOOST_TEST(pool.Healthy());
  BOOST_REQUIRE_EQUAL(changes.size(), 2u);
  BOOST_TEST(changes[0].rfind("down: ", 0) == 0);
  BOOST_TEST(changes[1] == "up");
}

// Regression (CI, store_faults): with 64 handlers on a pool of 2, a waiter
// woken for a returned connection lost it to a newcomer, again and again,
// until its 2 s ran out and a status request was answered 503. Connections go
// to waiters in the order they came: one that returns its connection and
// asks again queues behind those already waiting.
BOOST_AUTO_TEST_CASE(connections_go_to_waiters_first_come_first_served) {
  Opener opener;
  StorePool pool(opener.Get(), 1, milliseconds(5000), "test");
  for (int round = 0; round < 20; ++round) {
    std::atomic<int> order{0};
    int waiter_got = 0, returner_got = 0;
    StorePool::Lease held = pool.Borrow();
    std::thread waiter([&] {
      StorePool::Lease lease = pool.Borrow();
      waiter_got = ++order;
    });
    while (pool.waiting() == 0) std::this_thread::sleep_for(milliseconds(1));
    { StorePool::Lease gone = std::move(held); }
    {
      StorePool::Lease again = pool.Borrow();  // behind the waiter
      returner_got = ++order;
    }
    waiter.join();
    BOOST_TEST(waiter_got == 1, "round " << round << ": the waiter came second");
    BOOST_TEST(returner_got == 2);
  }
  BOOST_TEST(opener.opened == 1);
}

// A waiter whose time ran out leaves the queue: the next connection goes to
// one still waiting.
BOOST_AUTO_TEST_CASE(a_waiter_that_gave_up_is_passed_over) {
  Opener opener;
  StorePool pool(opener.Get(), 1, milliseconds(5000), "test");
  StorePool::Lease held = pool.Borrow();
  BOOST_CHECK_THROW(pool.Borrow(milliseconds(50)), StoreUnavailable);
  BOOST_TEST(pool.waiting() == 0);
  std::thread giver([held = std::move(held)]() mutable {
    std::this_thread::sleep_for(milliseconds(50));
    StorePool::Lease gone = std::move(held);
  });
  BOOST_TEST(pool.Borrow()->SchemaVersion() == LicenseStore::LatestSchemaVersion());
  giver.join();
}

// Regression (CI): a pool's first connections, opened at once on a new
// SQLite file, failed with "database is locked" in switching the file to
// WAL (SQLite answers that lock escalation busy without waiting), and the
// exception ended the process. Every one must open.
BOOST_AUTO_TEST_CASE(stores_opened_at_once_on_a_new_file_all_open) {
  for (int round = 0; round < 40; ++round) {
    TempDir dir;
    std::atomic<int> failed{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&] {
        try {
          LicenseStore::Open("sqlite:" + dir / "store.db")->SchemaVersion();
        } catch (const std::exception& e) {
          ++failed;
          BOOST_TEST_MESSAGE(e.what());
        }
      });
    }
    for (std::thread& t : threads) t.join();
    BOOST_TEST_REQUIRE(failed == 0, "round " << round);
  }
}

}  // namespace
}  // namespace imprint
