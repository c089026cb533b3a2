// The copy cache's bounds and order, in process: entries and bytes both
// bound it, the least recently used (Get counts as use) goes first, and an
// entry dropped stays alive for whoever still holds it.
#define BOOST_TEST_MODULE copy_cache
#include "pipeline/server/copy_cache.h"

#include <boost/test/unit_test.hpp>
#include <string>
#include <thread>
#include <vector>

namespace imprint {
namespace {

std::shared_ptr<const SignedCopy> Copy(size_t bytes, char fill = 'x') {
  auto c = std::make_shared<SignedCopy>();
  c->bytes.assign(bytes, fill);
  c->signature = "sig";
  return c;
}

BOOST_AUTO_TEST_CASE(keeps_at_most_max_entries_dropping_the_least_recently_used) {
  CopyCache cache(3);
  cache.Put("a", Copy(1));
  cache.Put("b", Copy(1));
  cache.Put("c", Copy(1));
  BOOST_TEST(cache.Get("a") != nullptr);  // a is now the most recent; b the least
  cache.Put("d", Copy(1));
  BOOST_TEST(cache.Get("b") == nullptr);
  BOOST_TEST(cache.Get("a") != nullptr);
  BOOST_TEST(cache.Get("c") != nullptr);
  BOOST_TEST(cache.Get("d") != nullptr);
  cache.Put("e", Copy(1));  // a, c, d were used after one another: a goes
  BOOST_TEST(cache.Get("a") == nullptr);
}

// The metrics' figures: every Get() is a hit or a miss, a cache of no
// entries missing every time.
BOOST_AUTO_TEST_CASE(counts_each_get_as_a_hit_or_a_miss) {
  CopyCache cache(2);
  BOOST_TEST(cache.Get("a") == nullptr);
  cache.Put("a", Copy(1));
  BOOST_TEST(cache.Get("a") != nullptr);
  BOOST_TEST(cache.Get("a") != nullptr);
  BOOST_TEST(cache.Get("b") == nullptr);
  BOOST_TEST(cache.hits() == 2u);
  BOOST_TEST(cache.misses() == 2u);
  CopyCache none(0);
  none.Put("a", Copy(1));
  BOOST_TEST(none.Get("a") == nullptr);
  BOOST_TEST(none.hits() == 0u);
  BOOST_TEST(none.misses() == 1u);
}

BOOST_AUTO_TEST_CASE(keeps_at_most_max_bytes) {
  // Each entry counts its bytes, its signature and 128 of upkeep.
  const size_t entry = SignedCopy{std::string(1000, 'x'), "sig", "", ""}.Size();
  BOOST_TEST(entry == 1000u + 3u + 128u);
  CopyCache cache(100, 3 * entry);
  for (const char* key : {"a", "b", "c"}) cache.Put(key, Copy(1000));
  for (const char* key : {"a", "b", "c"}) BOOST_TEST(cache.Get(key) != nullptr, key);
  cache.Put("d", Copy(1000));  // one entry over: the least recent goes
  BOOST_TEST(cache.Get("a") == nullptr);
  cache.Put("big", Copy(2000));  // needs the room of two
  BOOST_TEST(cache.Get("b") == nullptr);
  BOOST_TEST(cache.Get("c") == nullptr);
  BOOST_TEST(cache.Get("d") != nullptr);
  BOOST_TEST(cache.Get("big") != nullptr);
}

BOOST_AUTO_TEST_CASE(a_copy_larger_than_the_bound_or_a_cache_of_no_entries_keeps_nothing) {
  CopyCache cache(10, 500);
  cache.Put("small", Copy(10));
  cache.Put("huge", Copy(1000));
  BOOST_TEST(cache.Get("huge") == nullptr);
  BOOST_TEST(cache.Get("small") != nullptr);  // not evicted for a copy never kept
  CopyCache none(0);
  none.Put("a", Copy(1));
  BOOST_TEST(none.Get("a") == nullptr);
}

BOOST_AUTO_TEST_CASE(the_first_copy_put_under_a_key_stays) {
  CopyCache cache(10);
  cache.Put("k", Copy(5, 'a'));
  cache.Put("k", Copy(5, 'b'));
  BOOST_TEST(cache.Get("k")->bytes == "aaaaa");
}

BOOST_AUTO_TEST_CASE(a_dropped_copy_lives_on_while_held) {
  CopyCache cache(1);
  cache.Put("a", Copy(4, 'a'));
  const std::shared_ptr<const SignedCopy> held = cache.Get("a");
  cache.Put("b", Copy(4, 'b'));
  BOOST_TEST(cache.Get("a") == nullptr);
  BOOST_TEST(held->bytes == "aaaa");
}

BOOST_AUTO_TEST_CASE(concurrent_gets_and_puts_keep_the_bounds) {
  const size_t entry = Copy(100)->Size();
  CopyCache cache(50, 20 * entry);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&cache, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string key = std::to_string((i * 7 + t) % 64);
        if (!cache.Get(key)) cache.Put(key, Copy(100));
      }
    });
  }
  for (std::thread& t : threads) t.join();
  int kept = 0;
  for (int k = 0; k < 64; ++k) kept += cache.Get(std::to_string(k)) != nullptr;
  BOOST_TEST(kept <= 20);  // the byte bound is the tighter one
  BOOST_TEST(kept > 0);
}

}  // namespace
}  // namespace imprint
