// The admin credential's hash (pipeline/license/admin_credential.h): Argon2id
// in the PHC encoded form, a fresh salt each time, the right password only,
// and the password's rules.
#define BOOST_TEST_MODULE admin_credential
#include "pipeline/license/admin_credential.h"

#include <boost/test/unit_test.hpp>
#include <chrono>

namespace imprint {
namespace {

BOOST_AUTO_TEST_CASE(hash_is_salted_argon2id_and_verifies_only_the_password) {
  const std::string a = HashAdminPassword("correct horse battery");
  const std::string b = HashAdminPassword("correct horse battery");
  BOOST_TEST(a.rfind("$argon2id$v=19$m=19456,t=2,p=1$", 0) == 0);
  BOOST_TEST(a != b);  // a salt of its own
  BOOST_TEST(a.find("correct") == std::string::npos);
  BOOST_TEST(VerifyAdminPassword("correct horse battery", a));
  BOOST_TEST(VerifyAdminPassword("correct horse battery", b));
  BOOST_TEST(!VerifyAdminPassword("correct horse batterY", a));
  BOOST_TEST(!VerifyAdminPassword("", a));
}

BOOST_AUTO_TEST_CASE(a_malformed_or_other_kind_of_hash_never_verifies) {
  BOOST_TEST(!VerifyAdminPassword("correct horse battery", ""));
  BOOST_TEST(!VerifyAdminPassword("correct horse battery", "$argon2id$garbage"));
  // Argon2i and Argon2d hashes are not taken.
  std::string other = HashAdminPassword("correct horse battery");
  other.replace(0, 10, "$argon2i$");
  BOOST_TEST(!VerifyAdminPassword("correct horse battery", other));
}

BOOST_AUTO_TEST_CASE(a_hash_of_costlier_parameters_is_refused_unverified) {
  // Put in the store by whoever can write it: 64 MiB and 20 passes a check.
  std::string costly = HashAdminPassword("correct horse battery");
  costly.replace(0, costly.find("$", 16), "$argon2id$v=19$m=65536,t=20,p=1");
  const auto start = std::chrono::steady_clock::now();
  BOOST_TEST(!VerifyAdminPassword("correct horse battery", costly));
  BOOST_TEST((std::chrono::steady_clock::now() - start < std::chrono::milliseconds(5)));
}

BOOST_AUTO_TEST_CASE(password_rules) {
  BOOST_TEST(AdminPasswordProblem("correct horse battery").empty());
  BOOST_TEST(!AdminPasswordProblem("short").empty());
  BOOST_TEST(!AdminPasswordProblem(std::string(1025, 'x')).empty());
  BOOST_TEST(!AdminPasswordProblem("twelve bytes\tand a tab").empty());
  BOOST_TEST(!AdminPasswordProblem("not \xff UTF-8 at all").empty());
  BOOST_TEST(AdminPasswordProblem("mot de passe très long").empty());
}

// Found attacking `admin passwd`: a refused password's problem named its
// offending character and where it was ("control character U+0009 at 12",
// "byte 0xE9 at 4"), printed to a terminal or a deploy log: part of a
// password the operator will likely fix only there and use.
BOOST_AUTO_TEST_CASE(a_refused_password_is_not_quoted_in_its_problem) {
  for (const std::string& password : {std::string("twelve bytes\tand a tab"), std::string("not \xE9 UTF-8 at all"),
                                      std::string("a line\xE2\x80\xAEreversed")}) {
    const std::string problem = AdminPasswordProblem(password);
    BOOST_TEST(!problem.empty());
    BOOST_TEST(problem.find("U+") == std::string::npos, problem);
    BOOST_TEST(problem.find("0x") == std::string::npos, problem);
    BOOST_TEST(problem.find(" at ") == std::string::npos, problem);
  }
}

}  // namespace
}  // namespace imprint
