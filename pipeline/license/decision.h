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
#include <string_view>

#include "pipeline/base/edition_layout.h"
#include "pipeline/signing/keystore.h"
#include "pipeline/license/license.h"
#include "pipeline/edition/rights_policy.h"

namespace imprint {

// Why a decision went the way it did: kPermit, or a deny code, in the order
// Decide() checks them. A code is a string only where it leaves the program
// (JSON answers, the audit log, the command line): ToString and
// ParseDecisionReason are the one spelling.
enum class DecisionReason {
  kPermit,                 // "permit"
  kUnknownKey,             // "unknown_key"
  kKeyRevoked,             // "key_revoked"
  kBadSignature,           // "bad_signature"
  kRevoked,                // "revoked"
  kNotYetValid,            // "not_yet_valid"
  kExpired,                // "expired"
  kUnknownTier,            // "unknown_tier"
  kPublicationNotCovered,  // "publication_not_covered"
  kActionNotPermitted,     // "action_not_permitted"
  kFormatNotPermitted,     // "format_not_permitted"
};

const char* ToString(DecisionReason reason);
// nullopt for any other text.
std::optional<DecisionReason> ParseDecisionReason(std::string_view text);

// Whether the code denies before anything of the license counts: its
// signature did not check out (an HTTP 401 rather than 403).
bool IsSignatureFailure(DecisionReason reason);

struct Decision {
  bool permit = false;
  DecisionReason reason = DecisionReason::kBadSignature;
  std::string detail;  // a sentence for people
  std::optional<License> license;  // when the signature checked out (with a renewal's window)
  bool renewed = false;  // the window is a renewal's, recorded in the store
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

// The store's current signed document of license `id` (a renewal replaces
// it: same id, a later end), or nullopt when the store does not know the id.
using CurrentDocumentLookup = std::function<std::optional<std::string>(const std::string& id)>;

// `verifier` defaults to VerifyAndParse with `trusted`. `current`, when
// given, is asked only for a license past its end (signature good, not
// revoked): when the store's document of the same id verifies too, names the
// same subscriber, tier and publications, and ends later, the decision is
// made with its window (a renewal the subscriber's old file has not caught up
// with). Nothing else of the stored document counts.
Decision Decide(const DecisionInput& input, const RightsPolicy& policy, const TrustedKeys& trusted,
                const RevocationLookup& revoked, const LicenseVerifier& verifier = nullptr,
                const CurrentDocumentLookup& current = nullptr);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_DECISION_H_
