#include "pipeline/license/access_key.h"

#include "pipeline/base/crypto.h"

namespace imprint {

std::string NewAccessKey() {
  std::string key = Base64Encode(RandomBytes(32));
  for (char& c : key) c = c == '+' ? '-' : c == '/' ? '_' : c;
  while (!key.empty() && key.back() == '=') key.pop_back();
  return key;
}

std::string AccessKeyHash(std::string_view key) { return Sha256Hex(key); }

bool AccessKeyMatches(std::string_view key, std::string_view key_hash) {
  return !key_hash.empty() && ConstantTimeEquals(AccessKeyHash(key), key_hash);
}

}  // namespace imprint
