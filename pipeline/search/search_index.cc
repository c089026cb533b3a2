#include "pipeline/search/search_index.h"

#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <utility>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/manifest.h"
#include "pipeline/edition/snapshot_check.h"
#include "pipeline/edition/verify.h"
#include "pipeline/search/edition_text.h"
#include "pipeline/search/search_query.h"

namespace imprint {
namespace {

constexpr size_t kMaxCatalog = 64 << 20;
constexpr size_t kMaxManifest = 1 << 20;
// The build writes what it reads, so an edition's Markdown is as long as its
// raw issue was; it is read whole (to check its digest) but only its first
// kMaxIndexedText bytes of text are indexed.
constexpr size_t kMaxMarkdown = size_t{1} << 30;
constexpr size_t kMaxIndexedText = 4 << 20;

constexpr char kSchema[] =
    "CREATE TABLE IF NOT EXISTS editions("
    " id INTEGER PRIMARY KEY, edition TEXT NOT NULL UNIQUE, manifest_sha256 TEXT NOT NULL,"
    " title TEXT NOT NULL, date TEXT NOT NULL);"
    "CREATE VIRTUAL TABLE IF NOT EXISTS texts USING fts5("
    " title, headlines, body, tokenize = 'unicode61 remove_diacritics 2');"
    "INSERT INTO texts(texts, rank) VALUES('rank', 'bm25(10.0, 4.0, 1.0)');";

// One connection, closed on every path.
class Database {
 public:
  Database(const std::string& path, int flags) : path_(path) {
    if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
      const std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
      sqlite3_close(db_);
      throw Error(path, 0, "cannot open the search index: " + why);
    }
    sqlite3_busy_timeout(db_, 60000);  // another sync's transaction
  }
  ~Database() { sqlite3_close(db_); }
  // Closes this connection and opens `path` afresh, read-write.
  void Reset(const std::string& path) {
    sqlite3_close(db_);
    db_ = nullptr;
    path_ = path;
    if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                        nullptr) != SQLITE_OK) {
      Fail();
    }
    sqlite3_busy_timeout(db_, 60000);
  }
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void Exec(const char* sql) {
    char* message = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &message) != SQLITE_OK) {
      const std::string why = message ? message : sqlite3_errmsg(db_);
      sqlite3_free(message);
      throw Error(path_, 0, "search index: " + why);
    }
  }
  [[noreturn]] void Fail() const { throw Error(path_, 0, std::string("search index: ") + sqlite3_errmsg(db_)); }
  sqlite3* get() const { return db_; }

 private:
  std::string path_;
  sqlite3* db_ = nullptr;
};

// One prepared statement, with text bound by position from 1.
class Statement {
 public:
  Statement(Database& db, const char* sql) : db_(db) {
    if (sqlite3_prepare_v2(db.get(), sql, -1, &stmt_, nullptr) != SQLITE_OK) db.Fail();
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int index, std::string_view text) {
    if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
      db_.Fail();
    return *this;
  }
  Statement& Bind(int index, int64_t value) {
    if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) db_.Fail();
    return *this;
  }
  // True while there is a row.
  bool Step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc != SQLITE_DONE) db_.Fail();
    return false;
  }
  void Run() {
    Step();
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  std::string Text(int column) const {
    const unsigned char* text = sqlite3_column_text(stmt_, column);
    return text ? std::string(reinterpret_cast<const char*>(text), sqlite3_column_bytes(stmt_, column)) : "";
  }
  int64_t Int(int column) const { return sqlite3_column_int64(stmt_, column); }
  sqlite3_stmt* get() const { return stmt_; }

 private:
  Database& db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// What an edition contributes to the index.
struct IndexRow {
  std::string edition, manifest_sha256, title, date, headlines, body;
};

// The parts joined, up to the first that would take it past kMaxIndexedText.
std::string Join(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const std::string& part : parts) {
    if (out.size() + part.size() > kMaxIndexedText) break;
    if (!out.empty()) out += separator;
    out += part;
  }
  return out;
}

// The row of the catalog's entry `entry`, read from its folder and checked
// against the catalog and the manifest; nullopt for an edition whose
// manifest holds it under embargo (a catalog that lists one anyway is not
// believed). Throws imprint::Error saying what does not check out.
std::optional<IndexRow> ReadRow(const std::string& out_dir, const SnapshotEntry& entry) {
  const std::string folder = out_dir + "/" + entry.edition;
  const std::string manifest_path = folder + "/" + kManifestName;
  const std::string manifest_text = ReadFileAtMost(manifest_path, kMaxManifest, "a manifest");
  if (Sha256Hex(manifest_text) != entry.manifest_sha256)
    throw Error(manifest_path, 0, "not the manifest the catalog names for " + entry.edition);
  const Manifest manifest = ParseManifest(manifest_text, manifest_path);
  if (UnderEmbargo(manifest.embargo, Now())) return std::nullopt;
  const std::optional<EditionRef> ref = ParseEditionRef(entry.edition);
  const std::string markdown_name = ref->BaseName() + ".md";
  for (const ManifestArtifact& artifact : manifest.artifacts) {
    if (artifact.name != markdown_name) continue;
    const std::string path = folder + "/" + markdown_name;
    const std::string markdown = ReadFileAtMost(path, kMaxMarkdown, "a Markdown edition");
    const std::string problem = CheckListed(markdown, artifact);
    if (!problem.empty()) throw Error(path, 0, problem);
    const EditionText text = ReadEditionText(markdown);
    return IndexRow{entry.edition,   entry.manifest_sha256,           manifest.issue.title,
                    manifest.issue.date, Join(text.headlines, "\n"), Join(text.paragraphs, "\n")};
  }
  throw Error(manifest_path, 0, "lists no " + markdown_name + " to index");
}

// The catalog's current (not withdrawn) entries, from a signed catalog.json.
std::vector<SnapshotEntry> CurrentEntries(const std::string& out_dir, const TrustedKeys& trusted) {
  const std::string path = out_dir + "/" + kCatalogJsonName;
  const std::string bytes = ReadFileAtMost(path, kMaxCatalog, "a catalog");
  const std::string signature = ReadFileAtMost(path + kSignatureSuffix, 4096, "a signature");
  std::string signer;
  const std::string problem = CheckSignature(kCatalogJsonName, bytes, signature, trusted, &signer);
  if (!problem.empty()) throw Error(path, 0, "the signature: " + problem);
  std::vector<SnapshotEntry> current;
  for (SnapshotEntry& e : ParseCatalogSnapshot(bytes, path)) {
    if (!e.withdrawn) current.push_back(std::move(e));
  }
  return current;
}

// Indexed editions: edition -> (row id, manifest digest).
std::map<std::string, std::pair<int64_t, std::string>> IndexedEditions(Database& db) {
  std::map<std::string, std::pair<int64_t, std::string>> indexed;
  Statement select(db, "SELECT id, edition, manifest_sha256 FROM editions");
  while (select.Step()) indexed[select.Text(1)] = {select.Int(0), select.Text(2)};
  return indexed;
}

// Writes to the index, one statement each, prepared once a sync.
class IndexWriter {
 public:
  explicit IndexWriter(Database& db)
      : delete_edition_(db, "DELETE FROM editions WHERE id = ?1"),
        delete_text_(db, "DELETE FROM texts WHERE rowid = ?1"),
        insert_edition_(db, "INSERT INTO editions(edition, manifest_sha256, title, date) VALUES(?1, ?2, ?3, ?4)"),
        insert_text_(db, "INSERT INTO texts(rowid, title, headlines, body) VALUES(?1, ?2, ?3, ?4)"),
        db_(db) {}

  void Remove(int64_t id) {
    delete_text_.Bind(1, id).Run();
    delete_edition_.Bind(1, id).Run();
  }
  void Insert(const IndexRow& row) {
    insert_edition_.Bind(1, row.edition).Bind(2, row.manifest_sha256).Bind(3, row.title).Bind(4, row.date).Run();
    const int64_t id = sqlite3_last_insert_rowid(db_.get());
    insert_text_.Bind(1, id).Bind(2, row.title).Bind(3, row.headlines).Bind(4, row.body).Run();
  }

 private:
  Statement delete_edition_, delete_text_, insert_edition_, insert_text_;
  Database& db_;
};

}  // namespace

std::string SearchIndexPath(const std::string& out_dir) { return out_dir + "/.imprint/search.db"; }

namespace {

// `path` with its journal files removed: a damaged index goes.
std::string Recreated(const std::string& path) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    std::filesystem::remove(path + suffix, ec);
    if (ec) throw Error(path + suffix, 0, "cannot remove the damaged search index: " + ec.message());
  }
  return path;
}

void OpenSchema(Database& db) {
  db.Exec("PRAGMA journal_mode = WAL");
  Statement exists(db, "SELECT 1 FROM sqlite_master WHERE name = 'editions'");
  if (!exists.Step()) db.Exec(kSchema);
}

}  // namespace

IndexSync SyncSearchIndex(const std::string& out_dir, const TrustedKeys& trusted) {
  CurrentEntries(out_dir, trusted);  // no index is made for a folder without a good catalog
  std::error_code ec;
  std::filesystem::create_directories(out_dir + "/.imprint", ec);
  if (ec) throw Error(out_dir + "/.imprint", 0, "cannot create the folder: " + ec.message());
  Database db(SearchIndexPath(out_dir), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  try {
    OpenSchema(db);
  } catch (const Error&) {
    // Not an index (damaged, or another file): it is a cache of the
    // catalog's editions, so it is made afresh.
    db.Reset(Recreated(SearchIndexPath(out_dir)));
    OpenSchema(db);
  }
  // The catalog is read again once the index is locked, so syncs that meet
  // each follow the catalog as the later one found it.
  db.Exec("BEGIN IMMEDIATE");
  const std::vector<SnapshotEntry> current = CurrentEntries(out_dir, trusted);
  IndexSync sync;
  auto indexed = IndexedEditions(db);
  IndexWriter writer(db);
  for (const SnapshotEntry& entry : current) {
    auto it = indexed.find(entry.edition);
    if (it != indexed.end() && it->second.second == entry.manifest_sha256) {
      ++sync.unchanged;
      indexed.erase(it);
      continue;
    }
    if (it != indexed.end()) {
      writer.Remove(it->second.first);
      indexed.erase(it);
    }
    try {
      if (const std::optional<IndexRow> row = ReadRow(out_dir, entry)) {
        writer.Insert(*row);
        ++sync.indexed;
      }
    } catch (const Error& e) {
      sync.problems.push_back(e.diagnostic().ToString());
    }
  }
  for (const auto& [edition, row] : indexed) {
    writer.Remove(row.first);
    ++sync.removed;
  }
  db.Exec("COMMIT");
  return sync;
}

namespace {

// "a \x02match\x03 b" as parts.
std::vector<SnippetPart> SnippetParts(const std::string& snippet) {
  std::vector<SnippetPart> parts;
  SnippetPart part;
  for (char c : snippet) {
    if (c == '\x02' || c == '\x03') {
      if (!part.text.empty()) parts.push_back(std::move(part));
      part = SnippetPart{"", c == '\x02'};
    } else {
      part.text += c == '\n' ? ' ' : c;
    }
  }
  if (!part.text.empty()) parts.push_back(std::move(part));
  return parts;
}

}  // namespace

namespace {

struct RankedHit {
  double rank = 0;  // BM25 as FTS5 gives it: lower is better
  SearchHit hit;
};

// One MATCH over the index, best first. `text`: the match may be anywhere and
// the snippet from any column; else `match` is a titles-only one
// (Fts5MatchTitles) and the snippet comes from the headlines column, never
// the body. `publications`, when `only` is set, restricts the editions to
// theirs (`only` true) or to others (`only` false); bound, never spliced.
void Select(Database& db, const std::string& match, bool text, const std::set<std::string>* publications,
            bool only, int64_t limit, std::vector<RankedHit>* out) {
  std::string sql = std::string("SELECT e.edition, e.title, e.date, snippet(texts, ") + (text ? "-1" : "1") +
                    ", char(2), char(3), '…', 16), rank FROM texts JOIN editions e ON e.id = texts.rowid"
                    " WHERE texts MATCH ?1";
  if (publications && !publications->empty()) {
    sql += std::string(" AND substr(e.edition, 1, instr(e.edition, '/') - 1)") + (only ? " IN (" : " NOT IN (");
    for (size_t i = 0; i < publications->size(); ++i) sql += (i ? ", ?" : "?") + std::to_string(i + 3);
    sql += ")";
  }
  sql += " ORDER BY rank LIMIT ?2";
  Statement select(db, sql.c_str());
  select.Bind(1, match).Bind(2, limit);
  int index = 3;
  if (publications) {
    for (const std::string& publication : *publications) select.Bind(index++, publication);
  }
  while (select.Step()) {
    out->push_back(RankedHit{sqlite3_column_double(select.get(), 4),
                             SearchHit{select.Text(0), select.Text(1), select.Text(2), SnippetParts(select.Text(3))}});
  }
}

}  // namespace

std::vector<SearchHit> SearchEditions(const std::string& out_dir, std::string_view query, size_t limit,
                                      const SearchScope& scope) {
  const std::vector<std::string> terms = QueryTerms(query);
  const std::string path = SearchIndexPath(out_dir);
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec)) throw Error(path, 0, "no search index: `imprint catalog` builds it");
  Database db(path, SQLITE_OPEN_READONLY);
  std::vector<SearchHit> hits;
  if (terms.empty()) return hits;
  const auto most = static_cast<int64_t>(std::min(limit, kMaxSearchHits));
  std::vector<RankedHit> ranked;
  if (scope.all_text) {
    Select(db, Fts5Match(terms), true, nullptr, false, most, &ranked);
  } else if (scope.text_publications.empty()) {
    Select(db, Fts5MatchTitles(terms), false, nullptr, false, most, &ranked);
  } else {  // the publications the license reads by their text, the others by their titles
    Select(db, Fts5Match(terms), true, &scope.text_publications, true, most, &ranked);
    Select(db, Fts5MatchTitles(terms), false, &scope.text_publications, false, most, &ranked);
    std::stable_sort(ranked.begin(), ranked.end(),
                     [](const RankedHit& a, const RankedHit& b) { return a.rank < b.rank; });
  }
  for (RankedHit& r : ranked) {
    if (hits.size() == static_cast<size_t>(most)) break;
    hits.push_back(std::move(r.hit));
  }
  return hits;
}

}  // namespace imprint
