// Subscriber license documents (../shared/spec/licenses.md): JSON, signed by
// the foundation's key over their RFC 8785 canonical form without the
// `signature` member, the way Readium LCP signs its licenses.
//
// A license is trusted only after VerifyLicense() says its signature checks
// out against a trusted key; ParseLicense() only reads fields. Times are RFC
// 3339 in UTC. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_H_
#define IMPRINT_PIPELINE_LICENSE_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/keystore.h"

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

// Seconds since the epoch for "YYYY-MM-DD" (midnight UTC; with
// `end_of_day`, the day's last second) or an RFC 3339 time; nullopt when the
// text is neither.
std::optional<int64_t> ParseTime(const std::string& text, bool end_of_day = false);
std::string FormatTime(int64_t seconds);  // "2026-11-28T05:00:00Z"

// A fresh random license id (a UUID, version 4).
std::string NewLicenseId();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_H_
