// A subscriber's search words as an FTS5 query that cannot go wrong: the text
// split at white space, each term quoted as an FTS5 string (a double quote
// doubled) and the terms ANDed, so that no input is FTS5 syntax (NEAR, column
// filters, '*', '^', parentheses, AND/OR/NOT are words like any other) and no
// input makes MATCH fail. Bounded: at most kMaxQueryBytes of text and
// kMaxQueryTerms terms are read. Pure functions; thread-safe.
#ifndef IMPRINT_PIPELINE_SEARCH_SEARCH_QUERY_H_
#define IMPRINT_PIPELINE_SEARCH_SEARCH_QUERY_H_

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace imprint {

constexpr size_t kMaxQueryBytes = 1024;
constexpr size_t kMaxQueryTerms = 16;

// The terms of `text`, split at ASCII white space, with no term that holds
// neither a letter nor a digit (FTS5 would find nothing for it, and a
// punctuation-only phrase is no phrase): at most kMaxQueryTerms of them, from
// at most the first kMaxQueryBytes bytes (a cut never splits a character).
// REQUIRES: text is valid UTF-8.
std::vector<std::string> QueryTerms(std::string_view text);

// The FTS5 MATCH expression for `terms`: "\"t1\" AND \"t2\""; "" for none.
std::string Fts5Match(const std::vector<std::string>& terms);

// The same restricted to the index's public columns (search_index.h: title
// and headlines) by an FTS5 column filter of ours around the quoted terms:
// "{title headlines} : (\"t1\" AND \"t2\")"; "" for none.
std::string Fts5MatchTitles(const std::vector<std::string>& terms);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SEARCH_SEARCH_QUERY_H_
