#include "pipeline/license/admin_credential.h"

#include <argon2.h>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/base/text_decoder.h"

namespace imprint {
namespace {

constexpr uint32_t kLanes = 1;
constexpr size_t kSaltBytes = 16;
constexpr size_t kHashBytes = 32;

}  // namespace

std::string AdminPasswordProblem(const std::string& password) {
  if (password.size() < kMinAdminPassword) {
    return "the password is shorter than " + std::to_string(kMinAdminPassword) + " bytes";
  }
  if (password.size() > kMaxAdminPassword) {
    return "the password is longer than " + std::to_string(kMaxAdminPassword) + " bytes";
  }
  // Which character, and where, is no one's business but the typist's: the
  // problem is printed, and says nothing of the password's content.
  size_t length = 0;
  return OneLineTextProblem(password, &length).empty()
             ? ""
             : "the password is not one line of text (UTF-8 without control, line-break or bidi characters)";
}

std::string HashAdminPassword(const std::string& password) {
  const std::string salt = RandomBytes(kSaltBytes);
  std::string encoded(argon2_encodedlen(kAdminArgonPasses, kAdminArgonMemoryKiB, kLanes, kSaltBytes, kHashBytes,
                                        Argon2_id),
                      '\0');
  const int rc = argon2id_hash_encoded(kAdminArgonPasses, kAdminArgonMemoryKiB, kLanes, password.data(),
                                       password.size(), salt.data(), salt.size(), kHashBytes, encoded.data(),
                                       encoded.size());
  if (rc != ARGON2_OK) throw Error("admin credential", 0, std::string("Argon2id failed: ") + argon2_error_message(rc));
  encoded.resize(encoded.find('\0'));
  return encoded;
}

bool VerifyAdminPassword(const std::string& password, const std::string& encoded) {
  // Only our own parameters: a hash written with more memory or passes
  // (by whoever can write the store) must not make each check cost more.
  const std::string ours = "$argon2id$v=19$m=" + std::to_string(kAdminArgonMemoryKiB) +
                           ",t=" + std::to_string(kAdminArgonPasses) + ",p=" + std::to_string(kLanes) + "$";
  if (encoded.compare(0, ours.size(), ours) != 0 || password.size() > kMaxAdminPassword) return false;
  return argon2id_verify(encoded.c_str(), password.data(), password.size()) == ARGON2_OK;
}

}  // namespace imprint
