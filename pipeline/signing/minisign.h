// minisign's formats: public keys and pre-hashed ("ED") signatures that the
// stock `minisign -V` accepts, and their verification.
//
// Public key file: an untrusted comment line, then Base64 of "Ed", the 8-byte
// key id and the 32-byte Ed25519 key. Signature file: an untrusted comment;
// Base64 of "ED", the key id and the Ed25519 signature of the file's BLAKE2b-512
// digest; "trusted comment: TEXT"; Base64 of the global signature over the
// signature and TEXT. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_SIGNING_MINISIGN_H_
#define IMPRINT_PIPELINE_SIGNING_MINISIGN_H_

#include <string>
#include <string_view>
#include <vector>

#include "pipeline/base/crypto.h"

namespace imprint {

constexpr size_t kKeyIdSize = 8;
constexpr size_t kMaxTrustedComment = 4077;

struct PublicKey {
  std::string id;   // 8 raw bytes
  std::string key;  // 32 raw bytes

  // As minisign prints it: the id read as a little-endian integer, upper-case
  // hex without leading zeros.
  std::string IdText() const;
};

// Parses an id as IdText() prints it; false when it is not one.
bool ParseKeyIdText(const std::string& text, std::string* id);

// The two-line public key file.
std::string FormatPublicKey(const PublicKey& key);
// Throws imprint::Error naming `file` when `text` is not a minisign public key.
PublicKey ParsePublicKey(std::string_view text, const std::string& file);

// The four-line .minisig for `file_bytes`.
// REQUIRES: trusted_comment has no line break and at most 4077 bytes.
std::string SignMinisign(const Ed25519Signer& signer, const std::string& key_id,
                         std::string_view file_bytes, std::string_view trusted_comment);

// What Imprint's trusted comments say: the file a signature is for, its
// edition ("catalog" for the catalog), and either the hash of the inputs it
// was built from (a built file) or the license it was made for (a
// personalised copy). Written "file:NAME<TAB>edition:E<TAB>inputs:sha256:HEX"
// or "file:NAME<TAB>edition:E<TAB>license:ID"; holds no clock, so signatures
// are reproducible.
struct TrustedCommentFields {
  std::string file;
  std::string edition;
  std::string inputs_sha256;  // "" for none
  std::string license;        // "" for none
};
// The comment for `fields`, an empty field left out.
// REQUIRES: no field holds a tab or a line break.
std::string FormatTrustedComment(const TrustedCommentFields& fields);
// The fields of a comment, each the first of its name; a field it lacks, or
// does not know, is "" (a comment of another signer parses to no fields).
TrustedCommentFields ParseTrustedComment(std::string_view comment);

struct SignatureCheck {
  bool ok = false;
  std::string key_id;           // raw, from the signature (when it parsed)
  std::string trusted_comment;  // when it parsed
  std::string reason;           // why not ok: "unknown key 1A2B...", ...
};

// Checks a .minisig against the bytes it signs with whichever of `keys` has
// its key id; a key id none of them has is "unknown key".
SignatureCheck VerifyMinisign(std::string_view signature_file, std::string_view file_bytes,
                              const std::vector<PublicKey>& keys);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SIGNING_MINISIGN_H_
