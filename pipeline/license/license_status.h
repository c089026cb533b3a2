// A license's status as the public may read it: active, revoked, expired or
// not yet valid at a moment, and the status document served for it (the
// analogue of Readium LCP's license status document), built from what the
// store (pipeline/license/license_store.h) holds of the license.
//
// The document is served without authentication, so it carries public codes
// and wording only, never a revocation's reason (the foundation's private
// note). Thread-compatible: the functions use the store they are given.
#ifndef IMPRINT_PIPELINE_LICENSE_LICENSE_STATUS_H_
#define IMPRINT_PIPELINE_LICENSE_LICENSE_STATUS_H_

#include <cstdint>
#include <string>

#include "pipeline/license/license.h"
#include "pipeline/license/license_store.h"

namespace imprint {

// The media type of a license document as served.
inline constexpr const char* kLicenseMediaType = "application/vnd.imprint.license+json";

// "active", "revoked" or "expired" (or "not_yet_valid") at `now`.
std::string LicenseStatus(LicenseStore& store, const License& license, int64_t now);

// What the public may read of an event: a revocation's reason (its detail)
// is the foundation's private note and becomes "revoked by the foundation";
// other details are the license's own facts.
std::string PublicEventDetail(const LicenseEvent& event);

// The license status document: id, status, a message, when the license (its
// issue or last renewal) and its status last changed, a link to the current
// signed license (rel "license", /licenses/<id>/license, kLicenseMediaType)
// and its events (with PublicEventDetail).
// Throws imprint::Error for an unknown license.
std::string LicenseStatusDocument(LicenseStore& store, const std::string& id, int64_t now);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_LICENSE_STATUS_H_
