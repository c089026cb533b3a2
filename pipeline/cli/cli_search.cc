// `imprint search` and the index update that build, publish, catalog and
// withdraw run after writing the catalog (search_index.h).
#include <ostream>

#include "pipeline/cli/cli_support.h"
#include "pipeline/search/search_index.h"

namespace imprint::cli {

bool UpdateSearchIndex(const std::string& out_dir, const TrustedKeys& trusted, std::ostream& out,
                       std::ostream& err) {
  try {
    const IndexSync sync = SyncSearchIndex(out_dir, trusted);
    for (const std::string& p : sync.problems) err << p << " (not searchable)\n";
    out << "imprint search: " << sync.indexed << " indexed, " << sync.unchanged << " unchanged, " << sync.removed
        << " removed in " << SearchIndexPath(out_dir) << "\n";
    return sync.problems.empty();
  } catch (const Error& e) {
    PrintDiagnostic(e.diagnostic(), err);
    return false;
  }
}

namespace {

void PrintHit(size_t rank, const SearchHit& hit, std::ostream& out) {
  out << rank << ". " << hit.edition << "  " << hit.title << (hit.date.empty() ? "" : "  " + hit.date) << "\n   ";
  for (const SnippetPart& part : hit.snippet) out << (part.match ? "[" + part.text + "]" : part.text);
  out << "\n";
}

int RunSearch(const Args& args, std::ostream& out, std::ostream& err) {
  std::string query;
  for (const std::string& word : args.positional) query += (query.empty() ? "" : " ") + word;
  if (query.empty()) throw UsageError("give a QUERY");
  const std::string out_dir = args.Get("out", "output");
  if (out_dir.empty() || out_dir == kStandardOutput) throw UsageError("--out takes a folder, not '" + out_dir + "'");
  const int limit = PositiveInt(args, "limit", 10);
  const std::vector<SearchHit> hits = SearchEditions(out_dir, query, static_cast<size_t>(limit),
                                                        SearchScope::AllText());  // the foundation's own folder
  for (size_t i = 0; i < hits.size(); ++i) PrintHit(i + 1, hits[i], out);
  if (hits.empty()) out << "imprint search: no published edition matches\n";
  return kExitOk;
}

}  // namespace

void AddSearchCommands(std::vector<Command>* commands) {
  commands->push_back(
      {"search", "search [--out DIR] [--limit N] QUERY...", "search the published editions' headlines and text",
       "Prints the published editions of DIR that contain every word of QUERY,\n"
       "best first (BM25: a word in the title or a headline weighs more), each\n"
       "with its reference, title, date and a snippet with the matches in [ ].\n"
       "Words are matched whole, case and accents aside; quotes, '*', NEAR,\n"
       "column names and the like are words too, never query syntax. The index\n"
       "(DIR/.imprint/search.db) is kept by build, publish, catalog and\n"
       "withdraw; it holds no embargoed or withdrawn edition.",
       "imprint search --out output Tajikistan border troops",
       [](OptionSet& set) {
         set.addOption(ValueOption("out", "o", "output folder (default: output)", "DIR"));
         set.addOption(ValueOption("limit", "n", "at most N editions (default 10, at most 50)", "N"));
       },
       &RunSearch});
}

}  // namespace imprint::cli
