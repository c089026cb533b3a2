#include "pipeline/signing/minisign.h"

#include <cstdint>
#include <cstdio>

#include "pipeline/base/error.h"
#include "pipeline/base/text_decoder.h"  // TextLines

namespace imprint {
namespace {

constexpr char kTrustedPrefix[] = "trusted comment: ";


}  // namespace

std::string PublicKey::IdText() const {
  uint64_t n = 0;
  for (size_t i = kKeyIdSize; i-- > 0;) n = (n << 8) | static_cast<unsigned char>(id[i]);
  char buf[24];
  std::snprintf(buf, sizeof buf, "%llX", static_cast<unsigned long long>(n));
  return buf;
}

bool ParseKeyIdText(const std::string& text, std::string* id) {
  if (text.empty() || text.size() > 16) return false;
  uint64_t n = 0;
  for (char c : text) {
    int digit;
    if (c >= '0' && c <= '9') digit = c - '0';
    else if (c >= 'A' && c <= 'F') digit = c - 'A' + 10;
    else if (c >= 'a' && c <= 'f') digit = c - 'a' + 10;
    else return false;
    n = (n << 4) | static_cast<uint64_t>(digit);
  }
  id->assign(kKeyIdSize, '\0');
  for (size_t i = 0; i < kKeyIdSize; ++i) (*id)[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
  return true;
}

std::string FormatPublicKey(const PublicKey& key) {
  return "untrusted comment: minisign public key " + key.IdText() + "\n" +
         Base64Encode("Ed" + key.id + key.key) + "\n";
}

PublicKey ParsePublicKey(std::string_view text, const std::string& file) {
  const auto lines = TextLines(text);
  std::string raw;
  if (lines.size() < 2 || lines[0].rfind("untrusted comment:", 0) != 0) {
    throw Error(file, 1, "not a minisign public key: no 'untrusted comment:' line");
  }
  if (!Base64Decode(lines[1], &raw) || raw.size() != 2 + kKeyIdSize + kEd25519PublicKeySize ||
      raw.compare(0, 2, "Ed") != 0) {
    throw Error(file, 2, "not a minisign Ed25519 public key");
  }
  return PublicKey{raw.substr(2, kKeyIdSize), raw.substr(2 + kKeyIdSize)};
}

std::string SignMinisign(const Ed25519Signer& signer, const std::string& key_id,
                         std::string_view file_bytes, std::string_view trusted_comment) {
  const std::string signature = signer.Sign(Blake2b512(file_bytes));
  const std::string global = signer.Sign(signature + std::string(trusted_comment));
  PublicKey key{key_id, signer.public_key()};
  std::string out = "untrusted comment: signature from imprint secret key " + key.IdText() + "\n";
  out += Base64Encode("ED" + key_id + signature) + "\n";
  out += kTrustedPrefix;
  out.append(trusted_comment);
  out += "\n" + Base64Encode(global) + "\n";
  return out;
}

SignatureCheck VerifyMinisign(std::string_view signature_file, std::string_view file_bytes,
                              const std::vector<PublicKey>& keys) {
  SignatureCheck check;
  const auto lines = TextLines(signature_file);
  std::string raw, global;
  if (lines.size() < 4 || lines[0].rfind("untrusted comment:", 0) != 0 ||
      lines[2].rfind(kTrustedPrefix, 0) != 0) {
    check.reason = "malformed signature file";
    return check;
  }
  if (!Base64Decode(lines[1], &raw) || raw.size() != 2 + kKeyIdSize + kEd25519SignatureSize) {
    check.reason = "malformed signature";
    return check;
  }
  if (raw.compare(0, 2, "ED") != 0) {
    check.reason = "not a pre-hashed (ED) signature";
    return check;
  }
  check.key_id = raw.substr(2, kKeyIdSize);
  check.trusted_comment = std::string(lines[2].substr(sizeof kTrustedPrefix - 1));
  const std::string signature = raw.substr(2 + kKeyIdSize);
  const PublicKey* key = nullptr;
  for (const PublicKey& k : keys) {
    if (k.id == check.key_id) key = &k;
  }
  if (key == nullptr) {
    check.reason = "unknown key " + PublicKey{check.key_id, ""}.IdText();
    return check;
  }
  if (!Ed25519Verify(key->key, Blake2b512(file_bytes), signature)) {
    check.reason = "signature verification failed: the file was changed";
    return check;
  }
  if (!Base64Decode(lines[3], &global) ||
      !Ed25519Verify(key->key, signature + check.trusted_comment, global)) {
    check.reason = "trusted comment signature verification failed";
    return check;
  }
  check.ok = true;
  return check;
}

std::string FormatTrustedComment(const TrustedCommentFields& fields) {
  std::string out = "file:" + fields.file + "\tedition:" + fields.edition;
  if (!fields.inputs_sha256.empty()) out += "\tinputs:sha256:" + fields.inputs_sha256;
  if (!fields.license.empty()) out += "\tlicense:" + fields.license;
  return out;
}

TrustedCommentFields ParseTrustedComment(std::string_view comment) {
  TrustedCommentFields fields;
  bool file = false, edition = false, inputs = false, license = false;
  const auto take = [](std::string_view part, std::string_view name, bool* seen, std::string* value) {
    if (*seen || part.substr(0, name.size()) != name) return;
    *seen = true;
    *value = std::string(part.substr(name.size()));
  };
  size_t start = 0;
  while (start <= comment.size()) {
    size_t end = comment.find('\t', start);
    if (end == std::string_view::npos) end = comment.size();
    const std::string_view part = comment.substr(start, end - start);
    take(part, "file:", &file, &fields.file);
    take(part, "edition:", &edition, &fields.edition);
    take(part, "inputs:sha256:", &inputs, &fields.inputs_sha256);
    take(part, "license:", &license, &fields.license);
    start = end + 1;
  }
  return fields;
}

}  // namespace imprint
