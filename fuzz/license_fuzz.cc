// libFuzzer target: license documents: parsing, canonical JSON, signature
// verification against a key made at start-up, and decide().
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/base/canonical_json.h"
#include "pipeline/license/decision.h"
#include "pipeline/base/error.h"
#include "pipeline/license/license.h"

namespace {

const imprint::TrustedKeys& Trusted() {
  static const imprint::TrustedKeys trusted = [] {
    imprint::TrustedKeys t;
    const imprint::Ed25519Signer signer(std::string(32, '\x07'));
    t.entries.push_back({imprint::PublicKey{std::string("\x01\x02\x03\x04\x05\x06\x07\x08", 8), signer.public_key()},
                         imprint::KeyStatus::kCurrent, "", true});
    return t;
  }();
  return trusted;
}

const imprint::RightsPolicy& Policy() {
  static const imprint::RightsPolicy policy = imprint::LoadRightsPolicy(std::string(IMPRINT_SOURCE_DIR) + "/rights");
  return policy;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    imprint::ParseLicense(text, "fuzz");
  } catch (const imprint::Error&) {
  }
  try {
    imprint::Canonicalize(text, "fuzz");
  } catch (const imprint::Error&) {
  }
  const auto none = [](const std::string&, int64_t) -> std::optional<std::string> { return std::nullopt; };
  imprint::Decide({&text, {"monitor", 5, 77}, "read", "epub", 1800000000}, Policy(), Trusted(), none);
  return 0;
}
