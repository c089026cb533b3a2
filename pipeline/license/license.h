// Subscriber license documents (docs/licenses.md): JSON, signed by
// the foundation's key over their RFC 8785 canonical form without the
// `signature` member, the way Readium LCP signs its licenses.
//
// A license is trusted only after VerifyLicense() says its signature checks
// out against a trusted key; ParseLicense() only reads fields. Times are RFC
// 3339 in UTC. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_LICENSE_H_
#define IMPRINT_PIPELINE_LICENSE_LICENSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/base/rfc3339.h"  // ParseTime, FormatTime
#include "pipeline/signing/keystore.h"

namespace imprint {

struct License {
  std::string id;
  std::string issued;    // RFC 3339
  std::string provider;  // the foundation's URI
  std::string subscriber_id;
  std::string subscriber_name;
  std::string subscriber_email;  // may be empty
  std::string tier;
  std::vector<std::string> publications;  // slugs
  std::string start;  // RFC 3339: the window in which it may be used
  std::string end;
  std::string key_id;  // of the signature, when parsed from a document
};

// Signs `license` with `key` and returns the document: canonical JSON with
// the signature member {algorithm: "Ed25519", key_id, value}, and a newline.
std::string SignLicense(const License& license, const SigningKey& key);

// Reads a license document's fields. Throws imprint::Error naming `file` when
// it is not JSON or lacks a field. Does not check the signature.
License ParseLicense(const std::string& text, const std::string& file);

enum class SignatureVerdict { kGood, kBad, kUnknownKey, kRevokedKey };

// Checks the document's signature against `trusted`.
SignatureVerdict VerifyLicense(const std::string& text, const TrustedKeys& trusted);

// The longest subscriber name, in characters: a name goes into every copy's
// footer and metadata, and a license must fit in a request header.
constexpr size_t kMaxSubscriberName = 200;

// Why `name` cannot be a subscriber's name, or "" when it can: it must be
// UTF-8, 1 to kMaxSubscriberName characters, without control characters (C0,
// DEL, C1) or the rest OneLineTextProblem() refuses, and without a space at
// either end (of any width, zero-width and no-break ones included: a name
// must not look like another's), so every format can carry it as one line.
std::string SubscriberNameProblem(const std::string& name);

// A fresh random license id (a UUID, version 4).
std::string NewLicenseId();

// Whether `text` is a license id as NewLicenseId writes one: a UUID, 8-4-4-4-12
// lower-case hex digits.
bool IsLicenseId(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_LICENSE_H_
