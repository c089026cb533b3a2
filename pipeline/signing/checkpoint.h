// Checkpoints of the download server's audit log, as C2SP signed notes
// (c2sp.org/signed-note, c2sp.org/tlog-checkpoint): the log's size and head
// signed with the foundation's Ed25519 key, so that a log cut short, edited
// and re-chained, or grown by forged rows no longer agrees with a checkpoint
// signed before, wherever a copy of it is kept.
//
//   jamestown.org/imprint/audit/8A3F21C07D5E9B14     origin: names the log
//   354000                                           size: rows in the log
//   q1Jx...base64 of 32 bytes...=                    hash: the head (see below)
//                                                    a blank line
//   — jamestown.org/imprint/audit/8A3F21C07D5E9B14 base64(key hash || signature)
//
// The key name is the origin (tlog-checkpoint's SHOULD); the key hash is the
// first 4 bytes of SHA-256(name || 0x0A || 0x01 || 32-byte public key), the
// signature Ed25519 over the note text (the three lines, each ending in a
// newline). The hash line is the log's head, the row_hash of the row at
// position `size` (32 zero bytes for an empty log), not an RFC 6962 Merkle
// root: the log is a hash chain, so tlog tools can check a checkpoint's
// signature but cannot build inclusion proofs from it. Pure functions;
// thread-safe.
#ifndef IMPRINT_PIPELINE_SIGNING_CHECKPOINT_H_
#define IMPRINT_PIPELINE_SIGNING_CHECKPOINT_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/base/crypto.h"
#include "pipeline/signing/keystore.h"

namespace imprint {

struct Checkpoint {
  std::string origin;
  int64_t size = 0;
  std::string hash;  // 32 raw bytes
};

// A note key name (and so an origin): printable ASCII, no space, no '+', at
// most 255 bytes. The spec allows any UTF-8 without spaces and '+'; ours are
// host/path names.
bool IsValidNoteKeyName(std::string_view name);

// The origin the server uses unless told otherwise: it names the log by the
// keyring's first key, which rotation keeps (retired, not deleted).
// REQUIRES: keys is not empty.
std::string DefaultLogOrigin(const std::vector<KeyEntry>& keys);

// The 4-byte key hash of an Ed25519 public key under `name`.
std::string NoteKeyHash(std::string_view name, std::string_view public_key);

// The note text: origin, size, hash, each line ending in a newline.
// REQUIRES: IsValidNoteKeyName(c.origin), c.size >= 0, c.hash.size() == 32.
std::string CheckpointText(const Checkpoint& c);

// The whole signed note, signed by `signer` under the origin as key name.
std::string SignCheckpoint(const Checkpoint& c, const Ed25519Signer& signer);

struct CheckpointVerdict {
  bool ok = false;
  Checkpoint checkpoint;  // when the text parsed
  std::string key_id;     // the signing key's IdText, when one matched
  std::string problem;    // why not ok
  bool revoked_key = false;  // not ok because a revoked key signed it
};

// The longest note VerifyCheckpoint reads (a checkpoint is a few hundred bytes).
constexpr size_t kMaxCheckpointNote = 64 * 1024;

// Parses a signed note and checks it against `trusted`: the note's form
// (UTF-8, no control characters but newlines, the last blank line, the
// signature lines, the three lines of a checkpoint), then its signatures.
// Signatures from keys it does not know are ignored; one by a revoked key, or
// one by a known key that fails, rejects the note; at least one must verify.
CheckpointVerdict VerifyCheckpoint(std::string_view note, const TrustedKeys& trusted);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SIGNING_CHECKPOINT_H_
