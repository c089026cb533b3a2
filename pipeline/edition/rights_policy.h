// The rights policy: the foundation's rights data, loaded from rights/.
//
// rights/policy.xml names the copyright holder and notice, each publication
// (slug, display name, language, first year, how a volume maps to a year, its
// footer template and the tiers offered), the license tiers in ODRL 2.2
// terms (permissions, prohibitions and duties, constrained by format) and what
// every EPUB declares of its accessibility (<accessibility>). Loading
// validates the file against rights/policy.rng (RELAX NG, through libxml2) and
// then checks what a schema cannot (unique slugs and tiers, known tier
// references); every problem is an imprint::Error with file and line. An
// immutable value once loaded; thread-safe to share.
#ifndef IMPRINT_PIPELINE_EDITION_RIGHTS_POLICY_H_
#define IMPRINT_PIPELINE_EDITION_RIGHTS_POLICY_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/edition/document.h"

namespace imprint {

struct PolicyPublication {
  std::string slug;          // matches PublicationSlug() of the raw header
  std::string name;          // display name: "The Monitor"
  std::string language;      // BCP 47
  int first_year = 0;        // the year of volume `first_volume`
  int first_volume = 1;
  std::string footer_template;  // a template name in templates/
  std::vector<std::string> tiers;  // tier ids offered for it
  int line = 0;              // in the policy file

  // The year an issue of `volume` appeared in.
  int YearOfVolume(int volume) const { return first_year + (volume - first_volume); }
};

// One ODRL rule: an action, optionally narrowed by a constraint to file
// formats (leftOperand fileFormat, operator isAnyOf), with duties.
struct Rule {
  std::string action;                // read, print, share, distribute, ...
  std::vector<std::string> formats;  // empty: any format
  std::vector<std::string> duties;   // e.g. "attribute", "watermark"
};

// When a license's use looks shared (pipeline/license/sharing_flags.h): a
// tier's <sharing> element. Each limit is "more than this within any
// window"; 0 is not checked.
struct SharingLimits {
  int networks = 0;               // distinct client networks (/24, /48)
  int downloads_per_edition = 0;  // book downloads (GET, permitted) of one edition
  int64_t window_seconds = 0;     // window-hours, in seconds
};

struct Tier {
  std::string id;
  std::string title;
  std::vector<Rule> permissions;
  std::vector<Rule> prohibitions;
  std::string watermark;  // wording of the licensee line, a mustache template
  std::optional<SharingLimits> sharing;  // none: the tier is never flagged
  int line = 0;
};

struct RightsPolicy {
  std::string source;        // the policy file's path
  std::string fingerprint;   // SHA-256 (hex) of the policy and its schema
  std::string holder;        // "The Jamestown Foundation"
  std::string holder_url;
  std::string notice;        // one line: what is reserved
  std::string license_url;
  Accessibility accessibility;  // what every EPUB declares (<accessibility>)
  std::map<std::string, PolicyPublication> publications;  // by slug
  std::map<std::string, Tier> tiers;                      // by id

  // REQUIRES: nothing. Returns nullptr when the slug is not in the policy.
  const PolicyPublication* FindPublication(const std::string& slug) const;
};

// Loads and validates DIR/policy.xml against DIR/policy.rng. Throws
// imprint::Error naming the file and line of the first problem.
RightsPolicy LoadRightsPolicy(const std::string& dir);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_RIGHTS_POLICY_H_
