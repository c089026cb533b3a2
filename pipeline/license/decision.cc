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
                const RevocationLookup& revoked, const LicenseVerifier& verifier) {
  // Nothing in a license counts before its signature does.
  const VerifiedLicense verified = verifier ? verifier(*in.license_text) : VerifyAndParse(*in.license_text, trusted);
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
  const License& license = *verified.license;
  auto deny = [&license](DecisionReason reason, std::string detail) {
    Decision d = Deny(reason, std::move(detail));
    d.license = license;
    return d;
  };
  if (revoked(license.id, in.at)) return deny(DecisionReason::kRevoked, RevokedDetail(license.id));
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
      return d;
    }
  }
  if (!action_known) {
    return deny(DecisionReason::kActionNotPermitted, "tier '" + license.tier + "' does not permit " + in.action);
  }
  return deny(DecisionReason::kFormatNotPermitted,
              "tier '" + license.tier + "' permits " + in.action + " but not as " + in.format);
}

}  // namespace imprint
