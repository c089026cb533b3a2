#include "pipeline/license/decision.h"

#include <algorithm>
#include <cstdio>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

Decision Deny(const char* reason, std::string detail) {
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

}  // namespace

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
      return Deny("unknown_key", "the license is signed by a key that is not the foundation's");
    case SignatureVerdict::kRevokedKey:
      return Deny("key_revoked", "the license's signing key has been revoked");
    case SignatureVerdict::kBad:
      return Deny("bad_signature", verified.problem.empty() ? "the license's signature does not match its contents"
                                                            : verified.problem);
  }
  const License& license = *verified.license;
  auto deny = [&license](const char* reason, std::string detail) {
    Decision d = Deny(reason, std::move(detail));
    d.license = license;
    return d;
  };
  if (revoked(license.id, in.at)) return deny("revoked", RevokedDetail(license.id));
  if (in.at < *ParseTime(license.start)) {
    return deny("not_yet_valid", "the license is valid from " + license.start);
  }
  if (in.at > *ParseTime(license.end)) return deny("expired", "the license expired at " + license.end);
  const auto tier = policy.tiers.find(license.tier);
  if (tier == policy.tiers.end()) {
    return deny("unknown_tier", "tier '" + license.tier + "' is not in the rights policy");
  }
  const std::string& pub = in.edition.publication;
  const PolicyPublication* offered = policy.FindPublication(pub);
  if (std::find(license.publications.begin(), license.publications.end(), pub) == license.publications.end() ||
      offered == nullptr ||
      std::find(offered->tiers.begin(), offered->tiers.end(), license.tier) == offered->tiers.end()) {
    return deny("publication_not_covered", "the license does not cover '" + pub + "'");
  }
  for (const Rule& rule : tier->second.prohibitions) {
    if (Covers(rule, in.action, in.format)) {
      return deny("action_not_permitted", "tier '" + license.tier + "' prohibits " + in.action);
    }
  }
  bool action_known = false;
  for (const Rule& rule : tier->second.permissions) {
    if (rule.action != in.action) continue;
    action_known = true;
    if (Covers(rule, in.action, in.format)) {
      Decision d;
      d.permit = true;
      d.reason = "permit";
      d.detail = "tier '" + license.tier + "' permits " + in.action + (in.format.empty() ? "" : " as " + in.format);
      d.license = license;
      return d;
    }
  }
  if (!action_known) {
    return deny("action_not_permitted", "tier '" + license.tier + "' does not permit " + in.action);
  }
  return deny("format_not_permitted",
              "tier '" + license.tier + "' permits " + in.action + " but not as " + in.format);
}

}  // namespace imprint
