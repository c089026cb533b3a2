// A license named by a prefix of its id, as git names a commit: every
// command that takes a license id (license revoke, renew, key, status;
// audit --license) resolves what the user typed here, once.
//
// A whole id in the store is itself. Otherwise the text must be at least
// kMinLicensePrefix characters, and exactly one license's id may begin with
// it: none is "no such license in the store: no license id begins with ...", several are refused
// listing the candidates (each with its subscriber and tier), like git's
// "short object ID ... is ambiguous". Both are imprint::Error (exit 1).
// Thread-compatible (one store, one thread).
#ifndef IMPRINT_PIPELINE_LICENSE_LICENSE_PREFIX_H_
#define IMPRINT_PIPELINE_LICENSE_LICENSE_PREFIX_H_

#include <string>

#include "pipeline/license/license_store.h"

namespace imprint {

inline constexpr size_t kMinLicensePrefix = 4;
// At most this many candidates are listed (and how many more there are).
inline constexpr int64_t kListedCandidates = 10;

// The full id of the one license `text` names; throws imprint::Error otherwise.
std::string ResolveLicenseId(LicenseStore& store, const std::string& text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_LICENSE_PREFIX_H_
