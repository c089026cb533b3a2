// Test helpers for the invisible marks (text_marks_test, personalize_marks_test,
// bench/marks): a fixed mark key, license ids, article text, marked copies of
// it and excerpts cut at random word boundaries.
#ifndef IMPRINT_TESTS_MARKS_SUPPORT_H_
#define IMPRINT_TESTS_MARKS_SUPPORT_H_

#include <random>
#include <string>
#include <vector>

#include "pipeline/server/text_marks.h"

namespace imprint::testing {

MarkKey TestMarkKey();
// `n` distinct UUID-shaped license ids, the same for the same seed.
std::vector<std::string> LicenseIds(int n, uint32_t seed);
// The article paragraphs of the sample archive and two synthetic issues,
// blank-line separated (a few thousand words).
std::string ArticleText();
// `text` with every paragraph marked for `license_id` (as Personalize marks
// a Markdown copy's lines).
std::string MarkedText(const MarkKey& key, const std::string& license_id, const std::string& text);
// `words` consecutive words of `text` from a random word, its separators kept.
std::string Excerpt(const std::string& text, size_t words, std::mt19937& rng);
// Paragraphs taken in turn from `a` and `b`.
std::string Interleaved(const std::string& a, const std::string& b);
// `text` with a mark character put at random in about one gap in ten.
std::string Strewn(const std::string& text, std::mt19937& rng);

}  // namespace imprint::testing

#endif  // IMPRINT_TESTS_MARKS_SUPPORT_H_
