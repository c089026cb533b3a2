#include "pipeline/edition/rights_stage.h"

#include <string>
#include <string_view>

#include "pipeline/edition/raw_reader.h"

namespace imprint {
namespace {

// The footer template's text split into paragraphs at blank lines, each one
// line: templates may wrap their prose for readability.
std::vector<std::string> SplitParagraphs(const std::string& text) {
  std::vector<std::string> paragraphs;
  std::string current;
  size_t start = 0;
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + start, end - start);
    while (!line.empty() && (line.front() == ' ' || line.front() == '\t')) line.remove_prefix(1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r')) {
      line.remove_suffix(1);
    }
    if (line.empty()) {
      if (!current.empty()) paragraphs.push_back(std::move(current));
      current.clear();
    } else {
      if (!current.empty()) current.push_back(' ');
      current.append(line);
    }
    start = end + 1;
  }
  if (!current.empty()) paragraphs.push_back(std::move(current));
  return paragraphs;
}

}  // namespace

void ApplyRights(const RightsPolicy& policy, const TemplateSet& templates,
                 Document* doc) {
  const std::string slug = PublicationSlug(doc->header_name);
  const PolicyPublication* pub = policy.FindPublication(slug);
  if (pub == nullptr) {
    throw Error(doc->source, doc->header_line,
                "publication '" + doc->header_name + "' (slug '" + slug +
                    "') is not in the rights policy " + policy.source +
                    ": no edition without rights");
  }
  doc->publication = {pub->slug, pub->name, pub->language};

  Rights& rights = doc->rights;
  rights.holder = policy.holder;
  rights.holder_url = policy.holder_url;
  rights.first_year = pub->first_year;
  rights.year = doc->date.empty() ? pub->YearOfVolume(doc->volume)
                                  : std::stoi(doc->date.substr(0, 4));
  const std::string years = rights.year > pub->first_year
                                ? std::to_string(pub->first_year) + "-" +
                                      std::to_string(rights.year)
                                : std::to_string(rights.year);
  rights.copyright = "Copyright (c) " + years + " " + policy.holder;
  rights.statement = policy.notice;
  rights.license_url = policy.license_url;

  TemplateData data;
  data.Set("publication", pub->name)
      .Set("holder", policy.holder)
      .Set("holder_url", policy.holder_url)
      .Set("years", years)
      .Set("first_year", std::to_string(pub->first_year))
      .Set("year", std::to_string(rights.year))
      .Set("copyright", rights.copyright)
      .Set("notice", policy.notice)
      .Set("license_url", policy.license_url);
  rights.footer = SplitParagraphs(templates.Render(pub->footer_template, data));

  doc->title = IssueTitle(pub->name, doc->volume, doc->issue);
}

}  // namespace imprint
