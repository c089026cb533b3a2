// The admin credential (`imprint admin passwd`, the server's /admin/): a
// password kept only as an Argon2id hash (libargon2, the reference
// implementation, Debian's libargon2-dev), in the PHC encoded form
// "$argon2id$v=19$m=...,t=...,p=...$SALT$HASH" with a 16-byte salt from the
// operating system's random source. The store keeps the encoded string
// (LicenseStore::SetAdminCredential); nothing else of the password is kept or
// printed. Verifying costs kAdminArgonMemoryKiB of memory and a few tens of
// milliseconds by design: callers bound how often they verify
// (pipeline/server/admin_gate.h). Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_ADMIN_CREDENTIAL_H_
#define IMPRINT_PIPELINE_LICENSE_ADMIN_CREDENTIAL_H_

#include <cstdint>
#include <string>

namespace imprint {

// The one admin user name (HTTP Basic's user), for now.
inline constexpr char kAdminUser[] = "admin";
// OWASP's Argon2id minimum (2024): 19 MiB, 2 passes, 1 lane.
inline constexpr uint32_t kAdminArgonMemoryKiB = 19 * 1024;
inline constexpr uint32_t kAdminArgonPasses = 2;
inline constexpr size_t kMinAdminPassword = 12;    // bytes
inline constexpr size_t kMaxAdminPassword = 1024;  // bytes

// Why `password` cannot be the admin password, or "" when it can: 12 to
// 1024 bytes, UTF-8 without control characters (it is typed, and it travels
// in an HTTP header). The problem never names a character of the password.
std::string AdminPasswordProblem(const std::string& password);

// The encoded Argon2id hash of `password` with a fresh random salt. Throws
// imprint::Error when libargon2 fails (out of memory).
std::string HashAdminPassword(const std::string& password);

// Whether `password` matches `encoded` (HashAdminPassword's output); false
// for a malformed `encoded` too, and for one of other parameters than
// HashAdminPassword's (a hash put in the store with a larger memory or pass
// count would make every check cost more: set the password again).
// Constant time in the password's content.
bool VerifyAdminPassword(const std::string& password, const std::string& encoded);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_ADMIN_CREDENTIAL_H_
