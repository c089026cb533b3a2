// The admin routes' gate (pipeline/server/admin_gate.h): the right Basic
// credential only, never a subscriber's; a success cached (and forgotten
// when the stored hash changes or the time is up); failures rate-limited
// without running Argon2id. The clock is the test's.
#define BOOST_TEST_MODULE admin_gate
#include "pipeline/server/admin_gate.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

#include "pipeline/base/crypto.h"
#include "pipeline/license/admin_credential.h"

namespace imprint {
namespace {

using Verdict = AdminGate::Verdict;
using std::chrono::seconds;

const std::string kNet = "203.0.113.0/24";  // where the requests come from

std::string Basic(const std::string& user_password) { return "Basic " + Base64Encode(user_password); }

const std::string& Stored() {
  static const std::string hash = HashAdminPassword("correct horse battery");
  return hash;
}

BOOST_AUTO_TEST_CASE(only_the_admin_password_gets_in) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  BOOST_TEST((gate.Check(Basic("admin:correct horse battery"), Stored(), kNet, t) == Verdict::kLetIn));
  BOOST_TEST((gate.Check(Basic("admin:correct horse batterY"), Stored(), kNet, t) == Verdict::kShutOut));
  BOOST_TEST((gate.Check(Basic("Admin:correct horse battery"), Stored(), kNet, t) == Verdict::kShutOut));
  BOOST_TEST((gate.Check("", Stored(), kNet, t) == Verdict::kShutOut));
  BOOST_TEST((gate.Check("bAsIc " + Base64Encode("admin:correct horse battery"), Stored(), kNet, t) == Verdict::kLetIn));
  // Nobody gets in before a password is set.
  BOOST_TEST((gate.Check(Basic("admin:correct horse battery"), std::nullopt, kNet, t) == Verdict::kShutOut));
}

BOOST_AUTO_TEST_CASE(a_subscribers_credentials_never_get_in) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  BOOST_TEST((gate.Check("License eyJpZCI6IngifQ", Stored(), kNet, t) == Verdict::kShutOut));
  BOOST_TEST((gate.Check(Basic("6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a61:correct horse battery"), Stored(), kNet, t) ==
              Verdict::kShutOut));
  // Nor a subscriber's Basic id:key that happens to be the admin's password's form.
  BOOST_TEST((gate.Check("Basic " + Base64Encode("admin:correct horse battery") + "=", Stored(), kNet, t) ==
              Verdict::kShutOut));
  // None of these spent the failure budget: they never reached Argon2id.
  BOOST_TEST(gate.RetryAfter(kNet, t) == 0);
}

BOOST_AUTO_TEST_CASE(a_success_is_cached_for_a_minute_and_only_for_the_same_stored_hash) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  const std::string right = Basic("admin:correct horse battery");
  BOOST_TEST((gate.Check(right, Stored(), kNet, t) == Verdict::kLetIn));
  // Cached: fast (a verification takes tens of milliseconds; a hundred would take seconds).
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 100; ++i) BOOST_TEST((gate.Check(right, Stored(), kNet, t + seconds(30)) == Verdict::kLetIn));
  BOOST_TEST((std::chrono::steady_clock::now() - start < seconds(1)));
  // A new password: the old one no longer gets in, cached or not.
  const std::string changed = HashAdminPassword("another long password");
  BOOST_TEST((gate.Check(right, changed, kNet, t + seconds(31)) == Verdict::kShutOut));
  BOOST_TEST((gate.Check(Basic("admin:another long password"), changed, kNet, t + seconds(31)) == Verdict::kLetIn));
}

BOOST_AUTO_TEST_CASE(failures_are_rate_limited_without_running_argon2) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  const std::string right = Basic("admin:correct horse battery");
  BOOST_TEST((gate.Check(right, Stored(), kNet, t) == Verdict::kLetIn));  // cached before the attack
  for (int i = 0; i < AdminGate::kFailureBurst; ++i) {
    BOOST_TEST((gate.Check(Basic("admin:guess " + std::to_string(i)), Stored(), kNet, t) == Verdict::kShutOut));
  }
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 200; ++i) {
    BOOST_TEST((gate.Check(Basic("admin:more guesses " + std::to_string(i)), Stored(), kNet, t) == Verdict::kTooMany));
  }
  BOOST_TEST((std::chrono::steady_clock::now() - start < seconds(1)));  // no Argon2id ran
  BOOST_TEST(gate.RetryAfter(kNet, t) == AdminGate::kRefillSeconds);
  // The cached admin still gets in; one more try after the refill.
  BOOST_TEST((gate.Check(right, Stored(), kNet, t) == Verdict::kLetIn));
  const auto later = t + seconds(AdminGate::kRefillSeconds);
  BOOST_TEST((gate.Check(Basic("admin:one more"), Stored(), kNet, later) == Verdict::kShutOut));
  BOOST_TEST((gate.Check(Basic("admin:and another"), Stored(), kNet, later) == Verdict::kTooMany));
  // The cache expires after a minute; the budget has refilled by then.
  BOOST_TEST((gate.Check(right, Stored(), kNet, t + seconds(120)) == Verdict::kLetIn));
}

// Regression: the failure budget was one for everybody, so one wrong guess
// every 6 s from anywhere kept every admin whose login was not cached out
// (429). Each client network has a budget of its own now; a shared one,
// larger, still bounds what guesses from many networks can cost.
BOOST_AUTO_TEST_CASE(a_guesser_on_one_network_does_not_shut_out_another) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  for (int i = 0; i < AdminGate::kFailureBurst; ++i) {
    BOOST_TEST((gate.Check(Basic("admin:guess " + std::to_string(i)), Stored(), "198.51.100.0/24", t) ==
                Verdict::kShutOut));
  }
  BOOST_TEST((gate.Check(Basic("admin:guess x"), Stored(), "198.51.100.0/24", t) == Verdict::kTooMany));
  BOOST_TEST((gate.Check(Basic("admin:correct horse battery"), Stored(), kNet, t) == Verdict::kLetIn));
  BOOST_TEST(gate.RetryAfter(kNet, t) == 0);
}

BOOST_AUTO_TEST_CASE(guesses_from_many_networks_meet_a_shared_bound) {
  AdminGate gate;
  const auto t = AdminGate::Clock::now();
  int shut_out = 0, too_many = 0;
  for (int i = 0; i < AdminGate::kSharedFailureBurst + 20; ++i) {
    const std::string net = "10." + std::to_string(i / 256) + "." + std::to_string(i % 256) + ".0/24";
    const Verdict v = gate.Check(Basic("admin:guess " + std::to_string(i)), Stored(), net, t);
    shut_out += v == Verdict::kShutOut;
    too_many += v == Verdict::kTooMany;
  }
  BOOST_TEST(shut_out == AdminGate::kSharedFailureBurst);
  BOOST_TEST(too_many == 20);
}

}  // namespace
}  // namespace imprint
