// The build's state file, DIR/.imprint/state.tsv: for every input built into
// DIR, its size, modification time and SHA-256, the digest of all inputs of
// its edition (raw text, templates, rights, key, program version) and the
// edition's catalog data.
//
// It is a cache: an input whose size and time (or, when those changed, whose
// content) and whose inputs digest match its row, and whose edition's manifest
// is in place, is unchanged and not rebuilt; a missing or unreadable state
// only costs a rebuild. Rows of inputs not in a run are kept, so the catalog
// lists every edition ever built into DIR. An edition has one row: the input
// that built it last (an input moved or renamed leaves no row behind for its
// old path, so the edition is neither counted twice nor cataloged from stale
// data). Not thread-safe: the build reads it
// before its workers start and writes it after they finish.
#ifndef IMPRINT_PIPELINE_EDITION_BUILD_STATE_H_
#define IMPRINT_PIPELINE_EDITION_BUILD_STATE_H_

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "pipeline/edition/catalog.h"

namespace imprint {

struct StateRow {
  std::string input;
  uint64_t size = 0;
  int64_t mtime_ns = 0;
  std::string raw_sha256;     // hex
  std::string inputs_sha256;  // hex, as in the manifest
  CatalogEntry edition;
};

class BuildState {
 public:
  static std::string PathIn(const std::string& out_dir);

  // An empty state when the file is missing or not a state file.
  static BuildState Load(const std::string& out_dir);
  void Save(const std::string& out_dir) const;

  const StateRow* Find(const std::string& input) const;
  // The row of the input that built `edition` last, or nullptr.
  const StateRow* FindEdition(const std::string& edition) const;
  // Adds or replaces `row.input`'s row, and drops the row of any other input
  // for the same edition.
  void Put(StateRow row);

  // The catalog entries of every row (one per edition).
  std::vector<CatalogEntry> Editions() const;
  size_t size() const { return rows_.size(); }

 private:
  std::map<std::string, StateRow> rows_;  // by input path
  std::map<std::string, std::string> inputs_;  // edition -> the input of its row
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_BUILD_STATE_H_
