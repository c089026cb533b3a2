// The mark key: the foundation's secret for the invisible marks in
// personalised copies (pipeline/server/text_marks.h), kept beside the signing
// keys in the keystore folder (IMPRINT_KEYS) as mark.key, mode 0600, never
// in an output folder and never logged or printed. Only its holder can make
// a valid mark or read one: a license's tag and where each word gap carries
// which part of it are keyed hashes under it.
//
// One key for good: a rotation of the signing keys leaves it alone, so every
// copy ever marked stays traceable. LoadOrCreate makes it on first use (as
// `imprint build` makes a development signing key), atomically: two
// processes starting together end with the same key. A MarkKey holds only
// keys derived from the secret (the secret itself is not kept); immutable,
// thread-safe to share.
#ifndef IMPRINT_PIPELINE_SIGNING_MARK_KEY_H_
#define IMPRINT_PIPELINE_SIGNING_MARK_KEY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pipeline/base/crypto.h"

namespace imprint {

class MarkKey {
 public:
  static constexpr size_t kSecretSize = 32;
  static constexpr char kFileName[] = "mark.key";
  static constexpr size_t kGapWord = 32;

  // A key from its secret bytes (REQUIRES: kSecretSize of them); for tests
  // and benches, which make many keys without files.
  static MarkKey FromSecret(std::string_view secret);
  // DIR/mark.key, or nullopt when there is none. Throws imprint::Error when
  // the file is readable by others or not a mark key.
  static std::optional<MarkKey> Load(const std::string& dir);
  // The same, made first (32 random bytes, 0600) when there is none. Throws
  // imprint::Error when it cannot be written.
  static MarkKey LoadOrCreate(const std::string& dir);

  // A license's 256-bit tag (32 bytes): the payload of its copies' marks.
  std::string Tag(std::string_view license_id) const;
  // The keyed hashes of word gaps, from the words on either side of each
  // (their first kGapWord bytes): keyed once, for the gaps of one text; one
  // per thread.
  class Gaps {
   public:
    explicit Gaps(const MarkKey& key) : hasher_(key.gap_key_) {}
    uint64_t Of(std::string_view before, std::string_view after);

   private:
    SipHasher hasher_;
  };

 private:
  MarkKey() = default;
  std::string tag_key_;  // HMAC-SHA-256 key of the tags
  std::string gap_key_;  // SipHash-2-4 key of the gaps (16 bytes)
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SIGNING_MARK_KEY_H_
