#include "pipeline/edition/rights_stage.h"

#include <cctype>
#include <string>
#include <string_view>

#include "pipeline/base/error.h"
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

// The year of an issue without a Date: its volume's, as the policy maps
// volumes to years. A volume the policy cannot map (before the publication's
// first volume, or past year 9999) is the raw file's error: the book's
// dc:date and copyright would be false.
int VolumeYear(const RightsPolicy& policy, const PolicyPublication& pub, const Document& doc) {
  const int year = pub.YearOfVolume(doc.volume);
  std::string problem;
  if (doc.volume < pub.first_volume) {
    problem = "starts at volume " + std::to_string(pub.first_volume) + " (" + std::to_string(pub.first_year) + ")";
  } else if (year > 9999) {
    problem = "maps it to year " + std::to_string(year) + " (volume " + std::to_string(pub.first_volume) + " is " +
              std::to_string(pub.first_year) + ", one volume a year)";
  }
  if (!problem.empty()) {
    throw Error(doc.source, doc.header_line,
                "no Date line, and volume " + std::to_string(doc.volume) + " has no year: the rights policy " +
                    policy.source + " " + problem + " for '" + pub.slug + "'; add a Date line");
  }
  return year;
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
  doc->accessibility = policy.accessibility;

  Rights& rights = doc->rights;
  rights.holder = policy.holder;
  rights.holder_url = policy.holder_url;
  rights.first_year = pub->first_year;
  rights.year = doc->date.empty() ? VolumeYear(policy, *pub, *doc) : std::stoi(doc->date.substr(0, 4));
  const std::string years = rights.year > pub->first_year
                                ? std::to_string(pub->first_year) + "-" +
                                      std::to_string(rights.year)
                                : std::to_string(rights.year);
  rights.copyright = "Copyright (c) " + years + " " + policy.holder;
  rights.statement = policy.notice;
  rights.license_url = policy.license_url;

  // The names here are FooterTemplateUse()'s: a name added here goes there.
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

namespace {

// Whether `text` holds `value` whole: followed by its end, a space or
// punctuation, not by a letter, digit or another character of an address.
bool HoldsWhole(const std::string& text, const std::string& value) {
  for (size_t at = text.find(value); at != std::string::npos; at = text.find(value, at + 1)) {
    const size_t end = at + value.size();
    if (end == text.size()) return true;
    const unsigned char next = static_cast<unsigned char>(text[end]);
    if (!std::isalnum(next) && std::string_view("_~/%?#=&+-").find(next) == std::string_view::npos) {
      return true;
    }
  }
  return false;
}

}  // namespace

std::string MissingRights(const Rights& rights, const std::string& text,
                          std::string (*escape)(const std::string&)) {
  const auto has = [&](const std::string& value) {
    return HoldsWhole(text, escape == nullptr ? value : escape(value));
  };
  if (!has(rights.copyright) || !has(rights.statement)) {
    return "the copyright notice '" + rights.copyright + ". " + rights.statement + "'";
  }
  if (!has(rights.holder) || !has(rights.holder_url)) {
    return "the holder '" + rights.holder + "' <" + rights.holder_url + ">";
  }
  if (!has(rights.license_url)) return "the license link " + rights.license_url;
  return "";
}

TemplateUse FooterTemplateUse(const std::string& name) {
  return {name, {"publication", "holder", "holder_url", "years", "first_year", "year", "copyright",
                 "notice", "license_url"}};
}

Document SampleIssue(const RightsPolicy& policy, const TemplateSet& templates,
                     const PolicyPublication& pub) {
  Document doc;
  doc.source = policy.source;
  doc.header_line = pub.line;
  doc.header_name = pub.slug;
  doc.volume = pub.first_volume + 1;  // a second year, so the copyright is a range
  doc.issue = 1;
  ApplyRights(policy, templates, &doc);
  return doc;
}

void CheckFooter(const RightsPolicy& policy, const TemplateSet& templates,
                 const PolicyPublication& pub) {
  if (!templates.Has(pub.footer_template)) {
    throw Error(policy.source, pub.line,
                "publication '" + pub.slug + "' names footer template '" + pub.footer_template +
                    "', which is not in " + templates.dir());
  }
  templates.CheckNames(FooterTemplateUse(pub.footer_template));
  const Rights rights = SampleIssue(policy, templates, pub).rights;
  std::string text;
  for (const std::string& p : rights.footer) text += p + "\n";
  const std::string missing = MissingRights(rights, text);
  if (!missing.empty()) {
    throw Error(templates.Path(pub.footer_template), 0,
                "the footer of '" + pub.slug + "' does not render " + missing +
                    ": every edition's footer must carry the publication's copyright notice, holder "
                    "and license link");
  }
}

}  // namespace imprint
