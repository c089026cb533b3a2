#include "bench/corpus.h"

#include <filesystem>
#include <fstream>
#include <random>
#include <vector>

namespace imprint::bench {
namespace {

const std::vector<std::string> kSubjects = {
    "The Russian government", "Moscow\u2019s mayor", "The Duma\u2019s budget committee",
    "Ukraine\u2019s parliament", "Kazakhstan\u2019s energy ministry", "The Georgian opposition",
    "Officials in Minsk", "The governor of Samara", "Azerbaijan\u2019s state oil company",
    "A spokesman for the Kremlin", "The central bank", "Tajikistan\u2019s defense ministry"};
const std::vector<std::string> kVerbs = {
    "announced on Tuesday that", "said in an interview that", "denied reports that",
    "confirmed yesterday that", "warned again that", "told reporters that"};
const std::vector<std::string> kClauses = {
    "the new transfer rules would take effect in the spring",
    "the pipeline consortium had not yet agreed on a route",
    "talks with the IMF would resume \u201cwithin weeks\u201d",
    "the border troops\u2019 expenses would be shared on a fifty-fifty basis",
    "the privatization program was \u201con schedule\u201d \u2013 a claim few believe",
    "the excise on imported spirits would double from February",
    "wage arrears in the regions had fallen for the third month running",
    "the treaty was \u201cnot aimed against the interests of other countries\u201d"};
const std::vector<std::string> kTails = {
    " (Russian agencies, April 17\u201319).", " \u2014 or so the ministry says.",
    "; observers in the capital were skeptical.", ". The opposition disputes the figures.",
    ", according to Interfax.", ". Details were not released."};
const std::vector<std::string> kHeadlines = {
    "RUSSIA\u2019S REGIONS TEST THE NEW BUDGET RULES", "A QUIET WEEK IN THE RADA",
    "OIL AND PATIENCE IN THE CASPIAN", "THE KREMLIN AND THE GOVERNORS",
    "BORDER TROOPS: WHO PAYS?", "PRIVATIZATION, ROUND THREE"};

}  // namespace

std::string SyntheticIssue(int n, uint32_t seed) {
  std::mt19937 rng(seed + static_cast<uint32_t>(n) * 7919u);
  auto pick = [&rng](const std::vector<std::string>& v) { return v[rng() % v.size()]; };
  const int volume = 1 + n / 250;
  const int issue = 1 + n % 250;
  std::string text = "Publication: Monitor Volume: " + std::to_string(volume) +
                     " Issue: " + std::to_string(issue) + "\n\n";
  size_t body = 0;
  for (int article = 0; body < 3600; ++article) {
    if (article > 0 || rng() % 2 == 0) text += pick(kHeadlines) + "\n\n";
    for (int p = 0; p < 3 && body < 3600; ++p) {
      std::string paragraph;
      for (int s = 0; s < 3; ++s) {
        paragraph += (s ? " " : "") + pick(kSubjects) + " " + pick(kVerbs) + " " + pick(kClauses) + pick(kTails);
      }
      // Soft-wrap at about 72 columns, as the archive's files are.
      size_t col = 0;
      for (char c : paragraph) {
        if (c == ' ' && col > 72) {
          text += '\n';
          col = 0;
        } else {
          text += c;
          ++col;
        }
      }
      text += "\n\n";
      body += paragraph.size();
    }
  }
  text += "The Monitor is a publication of the Jamestown Foundation. It is researched and\n"
          "written under the direction of senior analysts. If you have any questions\n"
          "regarding the content of the Monitor, please contact us by e-mail at\n"
          "pubs@jamestown.org. Unauthorized reproduction or redistribution of the Monitor\n"
          "is strictly prohibited by law. Copyright (c) 1983-2002 The Jamestown Foundation\n"
          "Site Maintenance by Johnny Flash Productions\n";
  return text;
}

uint64_t WriteCorpus(const std::string& dir, int count, uint32_t seed) {
  namespace fs = std::filesystem;
  fs::create_directories(dir + "/raw");
  fs::create_directories(dir + "/md");
  uint64_t bytes = 0;
  for (int n = 0; n < count; ++n) {
    const std::string raw = SyntheticIssue(n, seed);
    bytes += raw.size();
    const std::string name = "issue-" + std::to_string(100000 + n).substr(1);
    std::ofstream(dir + "/raw/" + name + ".txt", std::ios::binary) << raw;
    // pandoc's input: the same prose as Markdown, without header and footer.
    const size_t body = raw.find("\n\n") + 2;
    const size_t footer = raw.find("The Monitor is a publication");
    std::ofstream(dir + "/md/" + name + ".md", std::ios::binary)
        << "---\ntitle: \"Monitor " << name << "\"\nlang: en\n---\n\n" << raw.substr(body, footer - body);
  }
  return bytes;
}

}  // namespace imprint::bench
