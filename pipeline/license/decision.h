// The redistribution gate: decide(license, edition, action, format, time).
//
// One function for the command line and the download server. It trusts a
// license only after its signature checks out, then applies the store's
// revocations, the license's window, and what its tier allows in the rights
// policy (rights/policy.xml): the tier's ODRL prohibitions and permissions,
// with their format constraints. No tier's rules are written here. The
// reason codes, in the order they are checked, are in docs/licenses.md. Pure
// given its inputs; thread-safe.
#ifndef IMPRINT_PIPELINE_LICENSE_DECISION_H_
#define IMPRINT_PIPELINE_LICENSE_DECISION_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "pipeline/base/edition_layout.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license.h"
#include "pipeline/edition/rights_policy.h"

namespace imprint {

struct Decision {
  bool permit = false;
  std::string reason;  // "permit", or a deny code: "expired", "bad_signature", ...
  std::string detail;  // a sentence for people
  std::optional<License> license;  // when the signature checked out
};

struct DecisionInput {
  const std::string* license_text = nullptr;
  EditionRef edition;
  std::string action;  // read, print, share, distribute, ...
  std::string format;  // md, html, epub; empty: any
  int64_t at = 0;      // seconds since the epoch
};

// Returns the reason a license was revoked when it had been by `at`.
using RevocationLookup = std::function<std::optional<std::string>(const std::string& id, int64_t at)>;

// A license text's signature verdict and, when good, its fields.
struct VerifiedLicense {
  SignatureVerdict verdict = SignatureVerdict::kBad;
  std::optional<License> license;
  std::string problem;  // why the fields could not be read
};
VerifiedLicense VerifyAndParse(const std::string& text, const TrustedKeys& trusted);

// How Decide() verifies a license; a server may remember verdicts for texts it
// has seen (the same bytes always get the same verdict from the same keys).
using LicenseVerifier = std::function<VerifiedLicense(const std::string& text)>;

// The detail of a "revoked" denial: one wording wherever it is decided. It
// never carries the revocation's reason, which is the foundation's private
// note (kept in the store, shown by `imprint license show` and `imprint audit`).
std::string RevokedDetail(const std::string& license_id);

// `verifier` defaults to VerifyAndParse with `trusted`.
Decision Decide(const DecisionInput& input, const RightsPolicy& policy, const TrustedKeys& trusted,
                const RevocationLookup& revoked, const LicenseVerifier& verifier = nullptr);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_DECISION_H_
