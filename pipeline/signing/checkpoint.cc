#include "pipeline/signing/checkpoint.h"

#include "pipeline/base/text_decoder.h"
#include "pipeline/signing/minisign.h"

namespace imprint {
namespace {

constexpr std::string_view kEmDashSpace = "\xE2\x80\x94 ";  // U+2014, then a space
constexpr char kEd25519Type = 0x01;
constexpr size_t kMaxSignatures = 100;

// Well-formed UTF-8 (no overlong forms, surrogates or code points past
// U+10FFFF) and no control character but the newline.
bool IsNoteText(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp = 0;
    const size_t len = DecodeUtf8(s, i, &cp);
    if (len == 0 || (cp < 0x20 && cp != '\n') || cp == 0x7F) return false;
    i += len;
  }
  return true;
}

// Splits `text` at newlines; the text ends in one, so the last piece is dropped.
std::vector<std::string_view> Lines(std::string_view text) {
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

// The tree size: decimal, no leading zero but "0" itself, within int64.
bool ParseSize(std::string_view s, int64_t* size) {
  if (s.empty() || s.size() > 18 || (s.size() > 1 && s[0] == '0')) return false;
  int64_t n = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    n = n * 10 + (c - '0');
  }
  *size = n;
  return true;
}

struct SignatureLine {
  std::string name;
  std::string key_hash;   // 4 bytes
  std::string signature;  // the rest
};

bool ParseSignatureLine(std::string_view line, SignatureLine* out) {
  if (line.substr(0, kEmDashSpace.size()) != kEmDashSpace) return false;
  line.remove_prefix(kEmDashSpace.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) return false;
  const std::string_view name = line.substr(0, space);
  std::string bytes;
  if (!IsValidNoteKeyName(name) || !Base64Decode(line.substr(space + 1), &bytes) || bytes.size() < 5) return false;
  out->name = std::string(name);
  out->key_hash = bytes.substr(0, 4);
  out->signature = bytes.substr(4);
  return true;
}

CheckpointVerdict Reject(CheckpointVerdict v, std::string problem) {
  v.ok = false;
  v.problem = std::move(problem);
  return v;
}

// Checks the signature lines against the trusted keys under the origin.
CheckpointVerdict CheckSignatures(CheckpointVerdict v, std::string_view text,
                                  const std::vector<SignatureLine>& signatures, const TrustedKeys& trusted) {
  for (const SignatureLine& sig : signatures) {
    if (sig.name != v.checkpoint.origin) continue;  // another log's or a witness's key: not ours to judge
    for (const KeyEntry& e : trusted.entries) {
      if (NoteKeyHash(sig.name, e.key.key) != sig.key_hash) continue;
      if (e.status == KeyStatus::kRevoked) {
        v.revoked_key = true;
        return Reject(v, "signed by the revoked key " + e.key.IdText() + ": " + e.reason);
      }
      if (sig.signature.size() != kEd25519SignatureSize || !Ed25519Verify(e.key.key, text, sig.signature)) {
        return Reject(v, "bad signature by key " + e.key.IdText() + ": the checkpoint was changed or forged");
      }
      v.ok = true;
      v.key_id = e.key.IdText();
    }
  }
  if (!v.ok) return Reject(v, "signed by no trusted key (origin " + v.checkpoint.origin + ")");
  return v;
}

}  // namespace

bool IsValidNoteKeyName(std::string_view name) {
  if (name.empty() || name.size() > 255) return false;
  for (char c : name) {
    if (c <= 0x20 || c >= 0x7F || c == '+') return false;
  }
  return true;
}

std::string DefaultLogOrigin(const std::vector<KeyEntry>& keys) {
  return "jamestown.org/imprint/audit/" + keys.front().key.IdText();
}

std::string NoteKeyHash(std::string_view name, std::string_view public_key) {
  std::string data(name);
  data += '\n';
  data += kEd25519Type;
  data += public_key;
  return Sha256(data).substr(0, 4);
}

std::string CheckpointText(const Checkpoint& c) {
  return c.origin + "\n" + std::to_string(c.size) + "\n" + Base64Encode(c.hash) + "\n";
}

std::string SignCheckpoint(const Checkpoint& c, const Ed25519Signer& signer) {
  const std::string text = CheckpointText(c);
  const std::string signature = NoteKeyHash(c.origin, signer.public_key()) + signer.Sign(text);
  return text + "\n" + std::string(kEmDashSpace) + c.origin + " " + Base64Encode(signature) + "\n";
}

CheckpointVerdict VerifyCheckpoint(std::string_view note, const TrustedKeys& trusted) {
  CheckpointVerdict v;
  if (note.size() > kMaxCheckpointNote) return Reject(v, "not a checkpoint: over 64 KB");
  if (!IsNoteText(note)) return Reject(v, "not a signed note: not UTF-8, or a control character other than newline");
  if (note.empty() || note.back() != '\n') return Reject(v, "not a signed note: it does not end in a newline");
  // The text ends at the last blank line; signature lines follow.
  const size_t blank = note.rfind("\n\n");
  if (blank == std::string_view::npos) return Reject(v, "not a signed note: no blank line before the signatures");
  const std::string_view text = note.substr(0, blank + 1);
  std::vector<SignatureLine> signatures;
  for (std::string_view line : Lines(note.substr(blank + 2))) {
    SignatureLine sig;
    if (!ParseSignatureLine(line, &sig)) return Reject(v, "not a signed note: a malformed signature line");
    signatures.push_back(std::move(sig));
  }
  if (signatures.empty()) return Reject(v, "not a signed note: no signature");
  if (signatures.size() > kMaxSignatures) return Reject(v, "not a signed note: over 100 signatures");
  const std::vector<std::string_view> lines = Lines(text);
  if (lines.size() < 3) return Reject(v, "not a checkpoint: fewer than three lines");
  for (std::string_view line : lines) {
    if (line.empty()) return Reject(v, "not a checkpoint: an empty line");
  }
  Checkpoint& c = v.checkpoint;
  c.origin = std::string(lines[0]);
  if (!IsValidNoteKeyName(c.origin)) return Reject(v, "not a checkpoint: the origin is not a key name");
  if (!ParseSize(lines[1], &c.size)) return Reject(v, "not a checkpoint: the size is not a decimal number");
  if (!Base64Decode(lines[2], &c.hash) || c.hash.size() != 32) {
    return Reject(v, "not a checkpoint: the hash is not base64 of 32 bytes");
  }
  return CheckSignatures(std::move(v), text, signatures, trusted);
}

}  // namespace imprint
