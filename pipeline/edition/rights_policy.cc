#include "pipeline/edition/rights_policy.h"

#include <sstream>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/xml_tree.h"

namespace imprint {
namespace {

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

Rule ReadRule(const XmlElement& node) {
  Rule rule;
  rule.action = node.Attr("action");
  for (const XmlElement& c : node.children) {
    if (c.name == "duty") rule.duties.push_back(c.Attr("action"));
    // The schema allows only fileFormat isAnyOf constraints so far.
    if (c.name == "constraint") rule.formats = Words(c.Attr("rightOperand"));
  }
  return rule;
}

// The schema has checked each number's form and range.
SharingLimits ReadSharing(const XmlElement& node) {
  SharingLimits limits;
  const std::string networks = node.Attr("networks"), downloads = node.Attr("downloads-per-edition");
  if (!networks.empty()) limits.networks = std::stoi(networks);
  if (!downloads.empty()) limits.downloads_per_edition = std::stoi(downloads);
  limits.window_seconds = int64_t{3600} * std::stoi(node.Attr("window-hours"));
  return limits;
}

Tier ReadTier(const XmlElement& node) {
  Tier tier;
  tier.id = node.Attr("id");
  tier.title = node.Attr("title");
  tier.line = node.line;
  for (const XmlElement& c : node.children) {
    if (c.name == "permission") tier.permissions.push_back(ReadRule(c));
    if (c.name == "prohibition") tier.prohibitions.push_back(ReadRule(c));
    if (c.name == "watermark") tier.watermark = c.text;
    if (c.name == "sharing") tier.sharing = ReadSharing(c);
  }
  return tier;
}

// <accessibility>: the schema has checked every field is there and is a term
// of the vocabulary.
Accessibility ReadAccessibility(const XmlElement& node) {
  Accessibility a;
  a.conforms_to = node.Attr("conforms-to");
  a.certified_by = node.Attr("certified-by");
  // Terms as the schema compares them (white space collapsed): "textual",
  // the summary one line however the file wraps it, a list of sufficient
  // modes comma-separated as schema:accessModeSufficient writes it.
  const auto joined = [](const std::string& text, const char* separator) {
    std::string out;
    for (const std::string& w : Words(text)) out += (out.empty() ? "" : separator) + w;
    return out;
  };
  for (const XmlElement& c : node.children) {
    if (c.name == "access-mode") a.access_modes.push_back(joined(c.text, " "));
    if (c.name == "access-mode-sufficient") a.sufficient_modes.push_back(joined(c.text, ","));
    if (c.name == "feature") a.features.push_back(joined(c.text, " "));
    if (c.name == "hazard") a.hazards.push_back(joined(c.text, " "));
    if (c.name == "summary") a.summary = joined(c.text, " ");
  }
  return a;
}

PolicyPublication ReadPublication(const XmlElement& node) {
  PolicyPublication pub;
  pub.slug = node.Attr("slug");
  pub.name = node.Attr("name");
  pub.language = node.Attr("language");
  // The schema has checked both numbers' form and range.
  pub.first_year = std::stoi(node.Attr("first-year"));
  pub.first_volume = std::stoi(node.Attr("first-volume"));
  pub.footer_template = node.Attr("footer");
  pub.tiers = Words(node.Attr("tiers"));
  pub.line = node.line;
  return pub;
}

// What the schema cannot say: unique slugs and tier ids, known tier references.
RightsPolicy ReadPolicy(const XmlElement& root, const std::string& path) {
  RightsPolicy policy;
  policy.source = path;
  std::vector<PolicyPublication> publications;
  for (const XmlElement& n : root.children) {
    if (n.name == "holder") {
      policy.holder = n.Attr("name");
      policy.holder_url = n.Attr("url");
    } else if (n.name == "notice") {
      policy.notice = n.text;
    } else if (n.name == "license") {
      policy.license_url = n.Attr("url");
    } else if (n.name == "accessibility") {
      policy.accessibility = ReadAccessibility(n);
    } else if (n.name == "publication") {
      publications.push_back(ReadPublication(n));
    } else if (n.name == "tier") {
      Tier tier = ReadTier(n);
      const int line = tier.line;
      const std::string id = tier.id;
      if (!policy.tiers.emplace(id, std::move(tier)).second) {
        throw Error(path, line,
                    "tier '" + id + "' is defined twice (first on line " +
                        std::to_string(policy.tiers.at(id).line) + ")");
      }
    }
  }
  for (PolicyPublication& pub : publications) {
    for (const std::string& tier : pub.tiers) {
      if (policy.tiers.count(tier) == 0) {
        throw Error(path, pub.line,
                    "publication '" + pub.slug + "' offers unknown tier '" + tier + "'");
      }
    }
    const int line = pub.line;
    const std::string slug = pub.slug;
    if (!policy.publications.emplace(slug, std::move(pub)).second) {
      throw Error(path, line,
                  "publication '" + slug + "' is defined twice (first on line " +
                      std::to_string(policy.publications.at(slug).line) + ")");
    }
  }
  return policy;
}

}  // namespace

const PolicyPublication* RightsPolicy::FindPublication(const std::string& slug) const {
  auto it = publications.find(slug);
  return it == publications.end() ? nullptr : &it->second;
}

RightsPolicy LoadRightsPolicy(const std::string& dir) {
  const std::string policy_path = dir + "/policy.xml";
  const std::string schema_path = dir + "/policy.rng";
  const std::string text = ReadFile(policy_path);
  RightsPolicy policy = ReadPolicy(LoadValidatedXml(policy_path, schema_path), policy_path);
  policy.fingerprint = Sha256Hex(Sha256(text) + Sha256(ReadFile(schema_path)));
  return policy;
}

}  // namespace imprint
