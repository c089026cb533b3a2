#include "pipeline/license/decision.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

Decision Deny(DecisionReason reason, std::string detail) {
  Decision d;
  d.reason = reason;
  d.detail = std::move(detail);
  return d;
}

bool Covers(const Rule& rule, const std::string& action, const std::string& format) {
  if (rule.action != action) return false;
  return format.empty() || rule.formats.empty() ||
         std::find(rule.formats.begin(), rule.formats.end(), format) != rule.formats.end();
}

// Every code and its spelling, in the order of the enum.
constexpr std::pair<DecisionReason, const char*> kReasons[] = {
    {DecisionReason::kPermit, "permit"},
    {DecisionReason::kUnknownKey, "unknown_key"},
    {DecisionReason::kKeyRevoked, "key_revoked"},
    {DecisionReason::kBadSignature, "bad_signature"},
    {DecisionReason::kRevoked, "revoked"},
    {DecisionReason::kNotYetValid, "not_yet_valid"},
    {DecisionReason::kExpired, "expired"},
    {DecisionReason::kUnknownTier, "unknown_tier"},
    {DecisionReason::kPublicationNotCovered, "publication_not_covered"},
    {DecisionReason::kActionNotPermitted, "action_not_permitted"},
    {DecisionReason::kFormatNotPermitted, "format_not_permitted"},
};

// The window of `license`'s renewal when the store's current document is
// its own signed renewal: same id, subscriber, tier and publications, a
// later end.
std::optional<License> Renewal(const License& license, const CurrentDocumentLookup& current,
                               const LicenseVerifier& verify) {
  const std::optional<std::string> document = current(license.id);
  if (!document) return std::nullopt;
  const VerifiedLicense stored = verify(*document);
  if (stored.verdict != SignatureVerdict::kGood || !stored.license) return std::nullopt;
  const License& now = *stored.license;
  if (now.id != license.id || now.subscriber_id != license.subscriber_id || now.tier != license.tier ||
      now.publications != license.publications) {
    return std::nullopt;
  }
  const auto old_end = ParseTime(license.end), new_end = ParseTime(now.end), new_start = ParseTime(now.start);
  if (!old_end || !new_end || !new_start || *new_end <= *old_end) return std::nullopt;
  License renewed = license;
  renewed.start = now.start;
  renewed.end = now.end;
  return renewed;
}

// Decide() once the license's signature and revocation have been checked:
// its window (a renewal's when `renewed`), then what its tier allows.
Decision DecideWindowAndRights(const License& license, bool renewed, const DecisionInput& in,
                               const RightsPolicy& policy) {
  auto deny = [&license, renewed](DecisionReason reason, std::string detail) {
    Decision d = Deny(reason, std::move(detail));
    d.license = license;
    d.renewed = renewed;
    return d;
  };
  if (in.at < *ParseTime(license.start)) {
    return deny(DecisionReason::kNotYetValid, "the license is valid from " + license.start);
  }
  if (in.at > *ParseTime(license.end)) return deny(DecisionReason::kExpired, "the license expired at " + license.end);
  const auto tier = policy.tiers.find(license.tier);
  if (tier == policy.tiers.end()) {
    return deny(DecisionReason::kUnknownTier, "tier '" + license.tier + "' is not in the rights policy");
  }
  const std::string& pub = in.edition.publication;
  const PolicyPublication* offered = policy.FindPublication(pub);
  if (std::find(license.publications.begin(), license.publications.end(), pub) == license.publications.end() ||
      offered == nullptr ||
      std::find(offered->tiers.begin(), offered->tiers.end(), license.tier) == offered->tiers.end()) {
    return deny(DecisionReason::kPublicationNotCovered, "the license does not cover '" + pub + "'");
  }
  for (const Rule& rule : tier->second.prohibitions) {
    if (Covers(rule, in.action, in.format)) {
      return deny(DecisionReason::kActionNotPermitted, "tier '" + license.tier + "' prohibits " + in.action);
    }
  }
  bool action_known = false;
  for (const Rule& rule : tier->second.permissions) {
    if (rule.action != in.action) continue;
    action_known = true;
    if (Covers(rule, in.action, in.format)) {
      Decision d;
      d.permit = true;
      d.reason = DecisionReason::kPermit;
      d.detail = "tier '" + license.tier + "' permits " + in.action + (in.format.empty() ? "" : " as " + in.format);
      d.license = license;
      d.renewed = renewed;
      return d;
    }
  }
  if (!action_known) {
    return deny(DecisionReason::kActionNotPermitted, "tier '" + license.tier + "' does not permit " + in.action);
  }
  return deny(DecisionReason::kFormatNotPermitted,
              "tier '" + license.tier + "' permits " + in.action + " but not as " + in.format);
}

}  // namespace

const char* ToString(DecisionReason reason) {
  for (const auto& [code, text] : kReasons) {
    if (code == reason) return text;
  }
  return "unknown";  // not reached: every code is in the table
}

std::optional<DecisionReason> ParseDecisionReason(std::string_view text) {
  for (const auto& [code, spelling] : kReasons) {
    if (text == spelling) return code;
  }
  return std::nullopt;
}

bool IsSignatureFailure(DecisionReason reason) {
  return reason == DecisionReason::kUnknownKey || reason == DecisionReason::kKeyRevoked ||
         reason == DecisionReason::kBadSignature;
}

VerifiedLicense VerifyAndParse(const std::string& text, const TrustedKeys& trusted) {
  VerifiedLicense v;
  v.verdict = VerifyLicense(text, trusted);
  if (v.verdict != SignatureVerdict::kGood) return v;
  try {
    v.license = ParseLicense(text, "license");
  } catch (const Error& e) {
    v.verdict = SignatureVerdict::kBad;
    v.problem = e.diagnostic().message;
  }
  return v;
}

std::string RevokedDetail(const std::string& license_id) {
  return "license " + license_id + " was revoked by the foundation";
}

Decision Decide(const DecisionInput& in, const RightsPolicy& policy, const TrustedKeys& trusted,
                const RevocationLookup& revoked, const LicenseVerifier& verifier,
                const CurrentDocumentLookup& current) {
  const LicenseVerifier verify =
      verifier ? verifier : [&trusted](const std::string& text) { return VerifyAndParse(text, trusted); };
  // Nothing in a license counts before its signature does.
  const VerifiedLicense verified = verify(*in.license_text);
  switch (verified.verdict) {
    case SignatureVerdict::kGood: break;
    case SignatureVerdict::kUnknownKey:
      return Deny(DecisionReason::kUnknownKey, "the license is signed by a key that is not the foundation's");
    case SignatureVerdict::kRevokedKey:
      return Deny(DecisionReason::kKeyRevoked, "the license's signing key has been revoked");
    case SignatureVerdict::kBad:
      return Deny(DecisionReason::kBadSignature, verified.problem.empty() ? "the license's signature does not match its contents"
                                                            : verified.problem);
  }
  License license = *verified.license;
  bool renewed = false;
  if (revoked(license.id, in.at)) {
    Decision d = Deny(DecisionReason::kRevoked, RevokedDetail(license.id));
    d.license = license;
    return d;
  }
  if (current && in.at > *ParseTime(license.end)) {
    if (std::optional<License> r = Renewal(license, current, verify)) {
      license = std::move(*r);
      renewed = true;
    }
  }
  return DecideWindowAndRights(license, renewed, in, policy);
}

}  // namespace imprint
