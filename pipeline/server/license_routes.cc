#include "pipeline/server/license_routes.h"

#include <algorithm>
#include <vector>

#include "pipeline/base/json_string.h"
#include "pipeline/edition/writers.h"
#include "pipeline/server/http_answer.h"
#include "pipeline/server/serve_log.h"

namespace imprint {
namespace {

DecisionReason SignatureReason(SignatureVerdict verdict) {
  switch (verdict) {
    case SignatureVerdict::kUnknownKey: return DecisionReason::kUnknownKey;
    case SignatureVerdict::kRevokedKey: return DecisionReason::kKeyRevoked;
    default: return DecisionReason::kBadSignature;
  }
}

// The presented license when it is license `id`'s own, signature checked;
// otherwise the answer that refuses the request.
struct Authenticated {
  std::optional<License> license;
  HttpResponse refusal;
};

Authenticated Authenticate(const LicenseRequest& r, const StoredFacts& facts) {
  Authenticated a;
  if (r.presented == nullptr) {
    a.refusal = Json(401, ReasonJson("deny", "no_license", "send Authorization: License <base64url of your license>"))
                    .Set("WWW-Authenticate", "License");
    return a;
  }
  const VerifiedLicense v = r.verify(*r.presented);
  if (v.verdict != SignatureVerdict::kGood || !v.license) {
    a.refusal = Json(401, ReasonJson("deny", ToString(SignatureReason(v.verdict)), "the license's signature does not check out"))
                    .Set("WWW-Authenticate", "License");
    return a;
  }
  if (v.license->id != r.id) {
    a.refusal = Json(403, ReasonJson("deny", "other_license", "the license presented is not license " + r.id));
    return a;
  }
  if (!facts.document) {
    a.refusal = Json(404, "{\"error\":\"unknown_license\"}\n");
    return a;
  }
  a.license = v.license;
  return a;
}

bool RevokedBy(const StoredFacts& facts, int64_t now) { return facts.revocation && facts.revocation->at <= now; }

// Decide() for `license` as the download server decides: the store's
// revocation and current document.
Decision DecideNow(const LicenseRequest& r, const StoredFacts& facts, const std::string& publication,
                   const std::string& action, const std::string& format) {
  const EditionRef probe{publication, 1, 1};  // Decide() reads only the publication
  return Decide({r.presented, probe, action, format, r.now}, *r.policy, TrustedKeys{},
                [&facts](const std::string&, int64_t at) -> std::optional<std::string> {
                  if (RevokedBy(facts, at)) return std::string("revoked");
                  return std::nullopt;
                },
                r.verify, [&facts](const std::string&) { return facts.document; });
}

// The tier's permitted actions, "read" first, each once.
std::vector<std::string> Actions(const Tier& tier) {
  std::vector<std::string> actions = {"read"};
  for (const Rule& rule : tier.permissions) {
    if (std::find(actions.begin(), actions.end(), rule.action) == actions.end()) actions.push_back(rule.action);
  }
  return actions;
}

void AppendStringList(const std::vector<std::string>& items, std::string* out) {
  *out += '[';
  for (size_t i = 0; i < items.size(); ++i) {
    if (i) *out += ',';
    AppendJsonString(items[i], out);
  }
  *out += ']';
}

// {"monitor":{"read":["md",...],...},...}: what each covered publication permits.
std::string PublicationsJson(const LicenseRequest& r, const StoredFacts& facts, const License& license) {
  const auto tier = r.policy->tiers.find(license.tier);
  std::string json = "{";
  for (const std::string& publication : license.publications) {
    std::string actions;
    for (const std::string& action : Actions(tier->second)) {
      std::vector<std::string> formats;
      for (const Writer& w : Writers()) {
        if (DecideNow(r, facts, publication, action, w.format).permit) formats.push_back(w.format);
      }
      if (formats.empty()) continue;
      actions += actions.empty() ? "" : ",";
      AppendJsonString(action, &actions);
      actions += ':';
      AppendStringList(formats, &actions);
    }
    if (actions.empty()) continue;
    json += json.size() > 1 ? "," : "";
    AppendJsonString(publication, &json);
    json += ":{" + actions + "}";
  }
  return json + "}";
}

}  // namespace

StoredFacts ReadStoredFacts(LicenseStore& store, const std::string& id) {
  StoredFacts facts;
  if (auto stored = store.FindLicense(id)) facts.document = std::move(stored->document);
  facts.revocation = store.FindRevocation(id);
  return facts;
}

std::optional<std::string> CurrentDocument(StorePool& pool, const std::string& id) {
  try {
    return pool.Use([&id](LicenseStore& store) -> std::optional<std::string> {
      if (auto stored = store.FindLicense(id)) return std::move(stored->document);
      return std::nullopt;
    });
  } catch (const StoreUnavailable&) {
    return std::nullopt;
  }
}

CurrentDocumentLookup StoreLookup(StorePool* pool) {
  return [pool](const std::string& id) { return CurrentDocument(*pool, id); };
}

CurrentDocumentLookup NoteAsked(bool* asked) {
  return [asked](const std::string&) -> std::optional<std::string> {
    *asked = true;
    return std::nullopt;
  };
}

HttpResponse CurrentLicenseAnswer(const LicenseRequest& r, const StoredFacts& facts) {
  const Authenticated a = Authenticate(r, facts);
  if (!a.license) return a.refusal;
  if (RevokedBy(facts, r.now)) return Json(403, ReasonJson("deny", "revoked", RevokedDetail(r.id)));
  const VerifiedLicense current = r.verify(*facts.document);
  if (current.verdict != SignatureVerdict::kGood || !current.license || current.license->id != r.id) {
    Log("license_unverified: the store's document of license " + r.id + " does not verify");
    return Json(500, "{\"error\":\"license_unverified\"}\n");
  }
  return Answer(200, kLicenseMediaType, *facts.document).Set("Cache-Control", "no-store");
}

HttpResponse RightsAnswer(const LicenseRequest& r, const StoredFacts& facts) {
  const Authenticated a = Authenticate(r, facts);
  if (!a.license) return a.refusal;
  const std::string first = a.license->publications.empty() ? "" : a.license->publications.front();
  const Decision d = DecideNow(r, facts, first, "read", "");
  const License& license = d.license ? *d.license : *a.license;
  const bool whole = d.reason == DecisionReason::kRevoked || d.reason == DecisionReason::kExpired ||
                     d.reason == DecisionReason::kNotYetValid || d.reason == DecisionReason::kUnknownTier;
  std::string json = whole ? ReasonJson("deny", ToString(d.reason), d.detail)
                           : ReasonJson("permit", "permit", "tier '" + license.tier + "'");
  json.resize(json.rfind('}'));  // reopen the object
  json += ",\"id\":";
  AppendJsonString(license.id, &json);
  json += ",\"tier\":";
  AppendJsonString(license.tier, &json);
  json += ",\"end\":";
  AppendJsonString(license.end, &json);
  json += std::string(",\"renewed\":") + (d.renewed ? "true" : "false");
  json += ",\"publications\":" + (whole ? std::string("{}") : PublicationsJson(r, facts, license)) + "}\n";
  return Json(200, json).Set("Cache-Control", "no-store");
}

HttpResponse LicenseRouteAnswer(bool current_license, StorePool& pool, const LicenseRequest& r) {
  const StoredFacts facts = pool.Use([&r](LicenseStore& store) { return ReadStoredFacts(store, r.id); });
  return current_license ? CurrentLicenseAnswer(r, facts) : RightsAnswer(r, facts);
}

}  // namespace imprint
