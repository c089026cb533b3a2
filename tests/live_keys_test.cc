// The server's live view of the keystore, against real keystores changed by
// the real program (`imprint keys rotate/revoke`), as an operator would while
// the server runs (issue 12): the new key is taken within a second, a
// revoked key is refused, a revoked current key leaves no signing key, no
// change costs no reload, and a damaged keyring keeps the last good keys.
#define BOOST_TEST_MODULE live_keys
#include "pipeline/signing/live_keys.h"

#include <sys/stat.h>

#include <boost/test/unit_test.hpp>
#include <atomic>
#include <cstdio>
#include <chrono>
#include <functional>
#include <thread>

#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "tests/support.h"

namespace imprint {
namespace {

using namespace testing;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

struct Keys {
  void Imprint(const std::vector<std::string>& args) {
    const ProcessResult r = ImprintWithKeys(dir / "keys", args);
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
  }
  std::string CurrentId() const {
    for (const KeyEntry& e : keystore.Keys()) {
      if (e.status == KeyStatus::kCurrent) return e.key.IdText();
    }
    return "";
  }
  // Polls Current() until `done` holds of the snapshot; how long it took
  // from the call, or more than a second when it never did.
  milliseconds Until(const std::function<bool(const KeySnapshot&)>& done) {
    const auto start = Clock::now();
    while (Clock::now() - start < milliseconds(1500)) {
      if (done(*live.Current())) return std::chrono::duration_cast<milliseconds>(Clock::now() - start);
      std::this_thread::sleep_for(milliseconds(10));
    }
    return milliseconds(99999);
  }

  TempDir dir;
  Keystore keystore{dir / "keys"};
  LiveKeys live{Init(dir, keystore)};

 private:
  static Keystore Init(const TempDir& dir, const Keystore& keystore) {
    const ProcessResult r = ImprintWithKeys(dir / "keys", {"keys", "init"});
    BOOST_REQUIRE_MESSAGE(r.exit_code == 0, r.err);
    return keystore;
  }
};

std::string Status(const KeySnapshot& s, const std::string& id_text) {
  std::string id;
  BOOST_REQUIRE(ParseKeyIdText(id_text, &id));
  const KeyEntry* e = s.trusted.Find(id);
  return e == nullptr ? "unknown" : ToString(e->status);
}

BOOST_FIXTURE_TEST_CASE(a_rotated_key_signs_and_is_trusted_within_a_second, Keys) {
  const auto first = live.Current();
  const std::string old_id = CurrentId();
  BOOST_REQUIRE(first->signing != nullptr);
  BOOST_TEST(first->signing->key.IdText() == old_id);
  BOOST_TEST(first->generation == 1u);
  Imprint({"keys", "rotate"});
  const std::string new_id = CurrentId();
  BOOST_REQUIRE(new_id != old_id);
  const milliseconds took = Until([&](const KeySnapshot& s) { return s.signing && s.signing->key.IdText() == new_id; });
  BOOST_TEST(took.count() < 1000);
  const auto now = live.Current();
  BOOST_TEST(Status(*now, new_id) == "current");
  BOOST_TEST(Status(*now, old_id) == "retired");  // its editions still verify
  BOOST_TEST(now->generation > first->generation);
  BOOST_TEST(live.error() == "");
}

BOOST_FIXTURE_TEST_CASE(a_revoked_old_key_is_refused_within_a_second_and_the_generation_moves, Keys) {
  const std::string old_id = CurrentId();
  Imprint({"keys", "rotate"});
  const std::string new_id = CurrentId();
  BOOST_REQUIRE(Until([&](const KeySnapshot& s) { return Status(s, new_id) == "current"; }).count() < 1000);
  const uint64_t before = live.Current()->generation;
  Imprint({"keys", "revoke", old_id, "--reason", "leaked"});
  BOOST_TEST(Until([&](const KeySnapshot& s) { return Status(s, old_id) == "revoked"; }).count() < 1000);
  const auto now = live.Current();
  BOOST_TEST(now->generation > before);
  std::string raw;
  BOOST_REQUIRE(ParseKeyIdText(old_id, &raw));
  BOOST_TEST(now->trusted.Find(raw)->reason == "leaked");
  for (const PublicKey& k : now->trusted.Usable()) BOOST_TEST(k.IdText() != old_id);
  BOOST_REQUIRE(now->signing != nullptr);
  BOOST_TEST(now->signing->key.IdText() == new_id);
}

BOOST_FIXTURE_TEST_CASE(a_revoked_current_key_leaves_no_signing_key, Keys) {
  const std::string id = CurrentId();
  const auto before = live.Current();
  Imprint({"keys", "revoke", id, "--reason", "stolen"});
  BOOST_TEST(Until([](const KeySnapshot& s) { return s.signing == nullptr; }).count() < 1000);
  const auto now = live.Current();
  BOOST_TEST(Status(*now, id) == "revoked");
  BOOST_TEST(now->generation > before->generation);
  BOOST_TEST(Contains(now->signing_problem, "no current signing key"), now->signing_problem);
  BOOST_TEST(Contains(live.error(), "no current signing key"), live.error());
  // The snapshot taken before still holds the key: a request that took it
  // may finish, but every later one sees none.
  BOOST_TEST(before->signing != nullptr);
  // A new key brings signing back.
  Imprint({"keys", "rotate"});
  const std::string fresh = CurrentId();
  BOOST_TEST(Until([&](const KeySnapshot& s) { return s.signing && s.signing->key.IdText() == fresh; }).count() < 1000);
  BOOST_TEST(live.error() == "");
}

BOOST_FIXTURE_TEST_CASE(no_change_no_reload_and_the_same_snapshot, Keys) {
  std::this_thread::sleep_for(milliseconds(2100));  // past the window in which files are re-read
  const auto first = live.Current();
  std::this_thread::sleep_for(milliseconds(250));
  live.Current();  // the check after construction settles the watched files
  const uint64_t reloads = live.reloads();
  for (int i = 0; i < 5; ++i) {
    std::this_thread::sleep_for(milliseconds(250));
    BOOST_TEST(live.Current() == first);
  }
  BOOST_TEST(live.reloads() == reloads);
  // The keyring rewritten with the same keys (a new inode): read again, but
  // the same snapshot and generation.
  WriteFileAtomic(keystore.KeyringPath(), ReadAll(keystore.KeyringPath()));
  std::this_thread::sleep_for(milliseconds(250));
  BOOST_TEST(live.Current() == first);
  BOOST_TEST(live.reloads() > reloads);
  BOOST_TEST(first->generation == 1u);
}

BOOST_FIXTURE_TEST_CASE(a_corrupted_keyring_keeps_the_last_good_keys_and_says_why, Keys) {
  const auto good = live.Current();
  const std::string text = ReadAll(keystore.KeyringPath());
  for (const std::string& damaged : {text.substr(0, text.size() / 2), std::string("{\"format\":\"other\"}")}) {
    WriteAll(keystore.KeyringPath(), damaged);  // in place, as a hand edit might
    BOOST_TEST(Until([&](const KeySnapshot&) { return !live.error().empty(); }).count() < 1000);
    BOOST_TEST(Contains(live.error(), "keyring.json"), live.error());
    BOOST_TEST(Contains(live.error(), "last good keys stay"), live.error());
    BOOST_TEST(live.Current() == good);
  }
  WriteAll(keystore.KeyringPath(), text);
  BOOST_TEST(Until([&](const KeySnapshot&) { return live.error().empty(); }).count() < 1000);
  BOOST_TEST(live.Current()->signing != nullptr);
  // Gone altogether: the same.
  std::remove(keystore.KeyringPath().c_str());
  BOOST_TEST(Until([&](const KeySnapshot&) { return !live.error().empty(); }).count() < 1000);
  BOOST_TEST(Contains(live.error(), "last good keys stay"), live.error());
  BOOST_TEST(live.Current()->signing != nullptr);
  BOOST_TEST(live.Current()->generation == good->generation);
}

BOOST_FIXTURE_TEST_CASE(an_unusable_secret_keeps_the_loaded_key_only_while_it_is_current, Keys) {
  const std::string id = CurrentId();
  std::string raw;
  BOOST_REQUIRE(ParseKeyIdText(id, &raw));
  const std::string secret = keystore.SecretPath(PublicKey{raw, ""});
  BOOST_REQUIRE(chmod(secret.c_str(), 0644) == 0);
  BOOST_TEST(Until([&](const KeySnapshot&) { return !live.error().empty(); }).count() < 1000);
  BOOST_TEST(Contains(live.error(), "readable by others"), live.error());
  BOOST_REQUIRE(live.Current()->signing != nullptr);
  BOOST_TEST(live.Current()->signing->key.IdText() == id);
  // Revoked in the keyring (by hand, the secret left in place): no longer.
  std::vector<KeyEntry> keys = keystore.Keys();
  keys.at(0).status = KeyStatus::kRevoked;
  keys.at(0).reason = "compromised";
  WriteFileAtomic(keystore.KeyringPath(), KeyringJson(keys));
  BOOST_TEST(Until([](const KeySnapshot& s) { return s.signing == nullptr; }).count() < 1000);
  BOOST_TEST(Status(*live.Current(), id) == "revoked");
}

BOOST_FIXTURE_TEST_CASE(readers_on_many_threads_see_rotations, Keys) {
  std::atomic<bool> stop{false};
  std::atomic<int> bad{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 4; ++t) {
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!stop) {
        const auto s = live.Current();
        const KeyEntry* key = s->signing ? s->trusted.Find(s->signing->key.id) : nullptr;
        if (s->generation < last || key == nullptr || key->status != KeyStatus::kCurrent) ++bad;
        last = s->generation;
      }
    });
  }
  for (int i = 0; i < 3; ++i) {
    Imprint({"keys", "rotate"});
    std::this_thread::sleep_for(milliseconds(300));
  }
  stop = true;
  for (std::thread& t : readers) t.join();
  BOOST_TEST(bad.load() == 0);
  BOOST_TEST(live.Current()->signing->key.IdText() == CurrentId());
}

BOOST_AUTO_TEST_CASE(a_missing_keystore_is_an_error) {
  TempDir dir;
  BOOST_CHECK_THROW(LiveKeys(Keystore(dir / "none")), Error);
}

}  // namespace
}  // namespace imprint
