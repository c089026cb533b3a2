// The full-text index of what is published: DIR/.imprint/search.db, an SQLite
// FTS5 table of each live edition's title, headlines and text (edition_text.h),
// in the output folder's private area (never served).
//
// What is indexed is what the signed catalog.json lists as current: the
// catalog leaves out editions under embargo and lists withdrawn ones with no
// files, so neither is ever searchable, and an embargoed edition joins when a
// catalog written after its release time lists it. SyncSearchIndex() believes
// the catalog only when its signature checks out, indexes an edition only
// from a manifest whose SHA-256 is the catalog's and a Markdown artifact the
// manifest lists, and is incremental: an edition is (re)read only when the
// catalog names another manifest for it than the index holds (a correction),
// and rows of editions the catalog no longer lists are removed. One
// transaction per sync, in WAL mode, so a search running meanwhile sees the
// old index or the new one.
//
// SearchEditions() ranks by BM25 (title weighs most, then headlines, then the
// text) with an FTS5 snippet; the query is never FTS5 syntax (search_query.h).
// The text (the body column) is licensed: a search matches and quotes it
// only for the publications its SearchScope names; every other edition is
// matched by an FTS5 column filter on title and headlines (public in
// catalog.json) and its snippet is taken from the headlines column alone.
// Each call opens the file read-only. Thread-safe (each call is independent),
// and syncs of one folder from several processes (a publish during the
// timer's catalog) take turns: each waits up to a minute for the other's
// transaction and reads the catalog once it holds the lock.
#ifndef IMPRINT_PIPELINE_SEARCH_SEARCH_INDEX_H_
#define IMPRINT_PIPELINE_SEARCH_SEARCH_INDEX_H_

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "pipeline/signing/keystore.h"

namespace imprint {

// DIR/.imprint/search.db
std::string SearchIndexPath(const std::string& out_dir);

struct IndexSync {
  int indexed = 0;    // editions (re)read into the index
  int unchanged = 0;  // editions whose manifest the index already holds
  int removed = 0;    // rows of editions no longer listed (withdrawn, gone)
  // Editions left out of the index, each with why (a manifest that is not
  // the catalog's, a missing or altered Markdown artifact).
  std::vector<std::string> problems;
};

// Brings the index of `out_dir` in line with its catalog.json. Throws
// imprint::Error naming the catalog when it is missing, unsigned or
// unreadable, or the index file when SQLite fails.
IndexSync SyncSearchIndex(const std::string& out_dir, const TrustedKeys& trusted);

// A piece of a snippet: text as the edition has it, and whether a query term
// matched it.
struct SnippetPart {
  std::string text;
  bool match = false;
};

struct SearchHit {
  std::string edition;  // "monitor/v05/i077"
  std::string title;
  std::string date;     // YYYY-MM-DD, or ""
  std::vector<SnippetPart> snippet;
};

constexpr size_t kMaxSearchHits = 50;

// Whose text a search reads. The default reads none (titles and headlines
// only: what anyone may see); the server names the publications a license's
// tier may read; the foundation's own `imprint search` reads all.
struct SearchScope {
  bool all_text = false;
  std::set<std::string> text_publications;  // slugs, when not all_text
  static SearchScope AllText() { return SearchScope{true, {}}; }
};

// The editions matching every term of `query` (QueryTerms) within `scope`,
// best first (one BM25 order over both kinds of match), at most min(limit,
// kMaxSearchHits); none for a query without terms. Throws imprint::Error
// naming the index when there is none or SQLite fails.
std::vector<SearchHit> SearchEditions(const std::string& out_dir, std::string_view query, size_t limit,
                                      const SearchScope& scope);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SEARCH_SEARCH_INDEX_H_
