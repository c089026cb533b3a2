// A license named by a prefix of its id, as git names commits: one resolver
// for every command, on both databases.
#define BOOST_TEST_MODULE license_prefix
#include "pipeline/license/license_prefix.h"

#include <boost/test/unit_test.hpp>

#include "pipeline/base/error.h"
#include "tests/store_test_support.h"

namespace imprint {
namespace {

using namespace testing;

std::string Failure(LicenseStore& store, const std::string& text) {
  try {
    ResolveLicenseId(store, text);
  } catch (const Error& e) {
    return e.diagnostic().message;
  }
  return "(resolved)";
}

BOOST_AUTO_TEST_CASE(a_unique_prefix_names_its_license_and_an_ambiguous_one_lists_the_candidates) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    const std::string a = "13c8931a-0d1e-4c1b-9a7e-2b8d3f4e5a61", b = "13c8aaaa-0d1e-4c1b-9a7e-2b8d3f4e5a62",
                      c = "6f1c9a52-0d1e-4c1b-9a7e-2b8d3f4e5a63";
    for (const std::string& id : {a, b, c}) store->AddLicense(Sample(id, "N " + id.substr(0, 4)), 1000);
    BOOST_TEST(ResolveLicenseId(*store, a) == a);
    BOOST_TEST(ResolveLicenseId(*store, "13c8931a") == a);
    BOOST_TEST(ResolveLicenseId(*store, "13C8931A") == a);
    BOOST_TEST(ResolveLicenseId(*store, "6f1c") == c);
    const std::string ambiguous = Failure(*store, "13c8");
    BOOST_TEST(ambiguous.find("ambiguous") != std::string::npos, ambiguous);
    BOOST_TEST(ambiguous.find(a + "  s-" + a + " (individual)") != std::string::npos, ambiguous);
    BOOST_TEST(ambiguous.find(b) != std::string::npos, ambiguous);
    BOOST_TEST(ambiguous.find(c) == std::string::npos, ambiguous);
    BOOST_TEST(Failure(*store, "13c9").find("no such license in the store") != std::string::npos);
    BOOST_TEST(Failure(*store, "13c").find("too short") != std::string::npos);
    BOOST_TEST(Failure(*store, "").find("too short") != std::string::npos);
    // What SQL would read as a pattern is text here.
    BOOST_TEST(Failure(*store, "13c%").find("no such license") != std::string::npos);
    BOOST_TEST(Failure(*store, "____").find("no such license") != std::string::npos);
    BOOST_TEST(Failure(*store, "' OR ''='").find("no such license") != std::string::npos);
    // What is quoted back never moves the terminal.
    BOOST_TEST(Failure(*store, "\x1b]0;x\x07" "abcd").find('\x1b') == std::string::npos);
  });
}

BOOST_AUTO_TEST_CASE(many_candidates_are_listed_up_to_a_bound) {
  TempDir dir;
  auto store = LicenseStore::Open("sqlite:" + dir / "store.db");
  for (int i = 0; i < 15; ++i) {
    store->AddLicense(Sample("abcd" + std::to_string(100 + i), "N"), 1000);
  }
  const std::string message = Failure(*store, "abcd");
  BOOST_TEST(message.find("more than 10 licenses") != std::string::npos, message);
  BOOST_TEST(message.find("abcd109") != std::string::npos, message);
  BOOST_TEST(message.find("abcd110") == std::string::npos, message);
  BOOST_TEST(message.find("give a longer prefix") != std::string::npos, message);
}

// Regression: the candidates of an ambiguous prefix were listed with their
// subscriber ids as stored, so one holding a terminal's escape sequence
// (written into the database) reached the operator's terminal.
BOOST_AUTO_TEST_CASE(candidates_never_pass_a_control_character_to_the_terminal) {
  ForEachStore([](const std::string& url) {
    auto store = LicenseStore::Open(url);
    for (const std::string id : {"abcd0000-0d1e-4c1b-9a7e-2b8d3f4e5a61", "abcd1111-0d1e-4c1b-9a7e-2b8d3f4e5a62"}) {
      StoredLicense l = Sample(id, "N");
      const size_t at = l.document.find("s-" + id);
      BOOST_REQUIRE(at != std::string::npos);
      l.document.replace(at, 2 + id.size(), "\\u001b]0;owned\\u0007\\u009b2J");
      store->AddLicense(l, 1000);
    }
    const std::string listed = Failure(*store, "abcd");
    BOOST_TEST(listed.find("ambiguous") != std::string::npos, listed);
    BOOST_TEST(listed.find('\x1b') == std::string::npos, listed);
    BOOST_TEST(listed.find('\x07') == std::string::npos, listed);
    BOOST_TEST(listed.find("\xC2\x9B") == std::string::npos, listed);
  });
}

}  // namespace
}  // namespace imprint
