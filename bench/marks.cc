// The marks' bench (not a test): build/tests/imprint-bench-marks [TRIALS].
//
// 1. The shortest excerpt that traces reliably: for excerpt lengths from 10
//    words up, TRIALS (default 1,000) random excerpts of random licenses'
//    marked article text (tests/marks_support: the sample archive's prose and
//    two synthetic issues) traced against a store of 10,000 licenses with
//    TraceMarks, the code of `imprint trace --text`; prints the share traced
//    to the right license at each length, and the shortest length at which
//    at least 99% are.
// 2. What marking costs: the time of Personalize for a synthetic issue's EPUB,
//    HTML and Markdown, and of marking its article text alone.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>

#include "bench/corpus.h"
#include "pipeline/edition/document.h"
#include "pipeline/edition/epub_writer.h"
#include "pipeline/edition/html_writer.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/server/personalize.h"
#include "tests/marks_support.h"
#include "tests/support.h"

using namespace imprint;
using namespace imprint::testing;

namespace {

double TracedShare(size_t words, int trials, const MarkKey& key, const MarkSuspects& store,
                   const std::vector<std::string>& copies, std::mt19937& rng) {
  int traced = 0;
  for (int i = 0; i < trials; ++i) {
    const size_t who = rng() % copies.size();
    const MarkTrace t = TraceMarks(Excerpt(copies[who], words, rng), key, store);
    traced += t.outcome == MarkTrace::Outcome::kLicense && t.licenses[0] == store.ids[who];
  }
  return static_cast<double>(traced) / trials;
}

template <typename F>
double MicrosPerCall(int calls, F f) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < calls; ++i) f();
  return std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() / calls;
}

}  // namespace

int main(int argc, char** argv) {
  const int trials = argc > 1 ? std::atoi(argv[1]) : 1000;
  const MarkKey key = TestMarkKey();
  const MarkSuspects store(key, LicenseIds(10000, 99));
  const std::string text = ArticleText();
  std::vector<std::string> copies;  // the first 200 licenses' marked text
  for (int i = 0; i < 200; ++i) copies.push_back(MarkedText(key, store.ids[i], text));
  std::mt19937 rng(2026);
  std::printf("excerpt words  traced (of %d, 10,000 licenses in the store)\n", trials);
  size_t shortest = 0;
  for (size_t words = 10; words <= 150 && shortest == 0; words += 5) {
    const double share = TracedShare(words, trials, key, store, copies, rng);
    std::printf("%13zu  %.1f%%\n", words, 100 * share);
    if (share >= 0.99) shortest = words;
  }
  std::printf("shortest excerpt traced in 99%% of trials: %zu words\n\n", shortest);

  TempDir dir;
  WriteAll(dir / "issue.txt", bench::SyntheticIssue(0, 7));
  const Document doc = ReadEdition(dir / "issue.txt");
  const RightsPolicy policy = LoadRightsPolicy(SourceDir() + "/rights");
  const Licensee who = MakeLicensee(policy.tiers.at("individual"), store.ids[0], "Ada Lovelace");
  for (const auto& [format, base] : {std::pair<std::string, std::string>{"epub", WriteEpub(doc, BundledTemplates())},
                                     {"html", WriteHtml(doc, BundledTemplates())},
                                     {"md", WriteMarkdown(doc, BundledTemplates())}}) {
    const double us = MicrosPerCall(300, [&] { Personalize(format, base, who, key); });
    std::printf("Personalize %-4s  %8.1f us a copy (%zu bytes)\n", format.c_str(), us, base.size());
  }
  std::string article;
  for (const Article& a : doc.articles) {
    for (const Paragraph& p : a.paragraphs) article += p.text + "\n";
  }
  const double mark_us = MicrosPerCall(300, [&] { MarkedText(key, store.ids[1], article); });
  std::printf("marking its article text alone: %.1f us (%zu words)\n", mark_us,
              static_cast<size_t>(std::count(article.begin(), article.end(), ' ')) + 1);
  return 0;
}
