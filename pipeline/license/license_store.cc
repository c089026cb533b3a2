#include "pipeline/license/license_store.h"

#include <Poco/Data/PostgreSQL/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/Utility.h>
#include <Poco/Data/Session.h>
#include <Poco/Data/Statement.h>
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/Tuple.h>
#include <Poco/URI.h>

#include <sqlite3.h>

#include <filesystem>
#include <mutex>
#include <sstream>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"

namespace imprint {
namespace {

using namespace Poco::Data::Keywords;
using Poco::Data::Session;
using Poco::Data::Statement;

enum class Dialect { kSQLite, kPostgreSQL };

// Each migration moves the schema one version on; never edit one that has
// shipped, add the next. "{SERIAL}" is the dialect's auto-increment key.
const std::vector<std::string>& Migrations() {
  static const std::vector<std::string> migrations = {
      // 1: licenses, their revocations and events, and the audit log.
      "CREATE TABLE licenses ("
      " id TEXT PRIMARY KEY, subscriber_id TEXT NOT NULL, subscriber_name TEXT NOT NULL,"
      " subscriber_email TEXT NOT NULL, tier TEXT NOT NULL, publications TEXT NOT NULL,"
      " rights_start TEXT NOT NULL, rights_end TEXT NOT NULL, issued TEXT NOT NULL,"
      " document TEXT NOT NULL);"
      "CREATE TABLE revocations ("
      " license_id TEXT PRIMARY KEY REFERENCES licenses(id), reason TEXT NOT NULL,"
      " revoked_at BIGINT NOT NULL);"
      "CREATE TABLE license_events ("
      " id {SERIAL}, license_id TEXT NOT NULL REFERENCES licenses(id), type TEXT NOT NULL,"
      " at BIGINT NOT NULL, detail TEXT NOT NULL);"
      "CREATE INDEX license_events_by_license ON license_events(license_id, id);"
      "CREATE TABLE audit_log ("
      " id {SERIAL}, at BIGINT NOT NULL, license_id TEXT NOT NULL, subscriber_id TEXT NOT NULL,"
      " edition TEXT NOT NULL, format TEXT NOT NULL, decision TEXT NOT NULL, reason TEXT NOT NULL,"
      " sha256 TEXT NOT NULL, prev_hash TEXT NOT NULL, row_hash TEXT NOT NULL);",
      // 2: a version of the revocations, bumped by each, so that a server can
      // keep them in memory and still see a revocation at once.
      "CREATE TABLE store_versions (name TEXT PRIMARY KEY, version BIGINT NOT NULL);"
      "INSERT INTO store_versions (name, version) VALUES ('revocations', 0);",
      // 3: what an audit row records: a HEAD or a GET, the copy or its
      // signature. Earlier rows were GETs of copies or signatures alike.
      "ALTER TABLE audit_log ADD COLUMN method TEXT NOT NULL DEFAULT 'GET';"
      "ALTER TABLE audit_log ADD COLUMN item TEXT NOT NULL DEFAULT 'copy';",
      // 4: signed checkpoints of the audit log (size and head, C2SP signed
      // notes), so that truncating, re-chaining or forging rows below one fails.
      "CREATE TABLE audit_checkpoints ("
      " id {SERIAL}, at BIGINT NOT NULL, size BIGINT NOT NULL, note TEXT NOT NULL);"
      "CREATE INDEX audit_checkpoints_by_size ON audit_checkpoints(size, id);",
  };
  return migrations;
}

std::string ForDialect(std::string sql, Dialect dialect) {
  const std::string serial = dialect == Dialect::kSQLite ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                                         : "BIGSERIAL PRIMARY KEY";
  for (size_t at; (at = sql.find("{SERIAL}")) != std::string::npos;) sql.replace(at, 8, serial);
  return sql;
}

std::vector<std::string> SplitStatements(const std::string& sql) {
  std::vector<std::string> out;
  std::istringstream in(sql);
  for (std::string s; std::getline(in, s, ';');) {
    if (s.find_first_not_of(" \n\t") != std::string::npos) out.push_back(s);
  }
  return out;
}

std::string JoinComma(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}

// libpq's key=value form from a postgresql:// URL (Poco's connector does not
// take URLs).
std::string PostgresConnectionString(const std::string& url) {
  const Poco::URI uri(url);
  std::string user = uri.getUserInfo(), password;
  if (const size_t colon = user.find(':'); colon != std::string::npos) {
    password = user.substr(colon + 1);
    user = user.substr(0, colon);
  }
  std::string db = uri.getPath();
  if (!db.empty() && db[0] == '/') db.erase(0, 1);
  std::string out = "host=" + (uri.getHost().empty() ? std::string("127.0.0.1") : uri.getHost());
  if (uri.getPort() != 0) out += " port=" + std::to_string(uri.getPort());
  if (!user.empty()) out += " user=" + user;
  if (!password.empty()) out += " password=" + password;
  out += " dbname=" + (db.empty() ? std::string("postgres") : db);
  // A server that does not answer is given up on in 2 s rather than libpq's
  // wait without end: a download server answers 503 meanwhile.
  out += " connect_timeout=2";
  return out;
}

// The URL without its password, for messages: secrets never reach a log.
std::string Redacted(const std::string& url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  // The last '@' before the path: a password may hold '@' itself.
  const size_t at = url.rfind('@', url.find('/', scheme + 3));
  if (at == std::string::npos || at < scheme) return url;
  const size_t colon = url.find(':', scheme + 3);
  if (colon == std::string::npos || colon > at) return url;
  return url.substr(0, colon + 1) + "***" + url.substr(at);
}

// An SQLite statement prepared once and run many times, on the connection
// Poco opened. Poco::Data prepares a statement anew on every execution; for
// the audit log's append, which a loaded download server runs a few thousand
// times a second, that was most of the commit's cost.
class PreparedStatement {
 public:
  PreparedStatement(sqlite3* db, const char* sql) : db_(db) {
    Check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr));
  }
  ~PreparedStatement() { sqlite3_finalize(stmt_); }
  PreparedStatement(const PreparedStatement&) = delete;
  PreparedStatement& operator=(const PreparedStatement&) = delete;

  // Binds parameter `i` (from 1); the text must live until Run() returns.
  void Bind(int i, const std::string& text) {
    Check(sqlite3_bind_text(stmt_, i, text.data(), static_cast<int>(text.size()), SQLITE_STATIC));
  }
  void Bind(int i, int64_t n) { Check(sqlite3_bind_int64(stmt_, i, n)); }

  // Runs the statement; `row` sees each result row's statement.
  template <typename Row>
  void Run(Row row) {
    int rc;
    while ((rc = sqlite3_step(stmt_)) == SQLITE_ROW) row(stmt_);
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
    if (rc != SQLITE_DONE) Poco::Data::SQLite::Utility::throwException(db_, rc);
  }
  void Run() {
    Run([](sqlite3_stmt*) {});
  }

 private:
  void Check(int rc) {
    if (rc != SQLITE_OK) Poco::Data::SQLite::Utility::throwException(db_, rc);
  }
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

// SQLite's transaction statements, and those of an audit append (prepared on
// first use: their tables exist only once the migrations ran).
struct SqliteStatements {
  explicit SqliteStatements(sqlite3* db)
      : db(db), begin(db, "BEGIN IMMEDIATE"), commit(db, "COMMIT"), rollback(db, "ROLLBACK") {}
  struct Audit {
    explicit Audit(sqlite3* db)
        : revocations_version(db, "SELECT version FROM store_versions WHERE name = 'revocations'"),
          last_hash(db, "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1"),
          insert(db,
                 "INSERT INTO audit_log (at, license_id, subscriber_id, edition, format, decision, reason,"
                 " sha256, prev_hash, row_hash, method, item)"
                 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)") {}
    PreparedStatement revocations_version, last_hash, insert;
  };
  Audit& audit() {
    if (!audit_statements) audit_statements = std::make_unique<Audit>(db);
    return *audit_statements;
  }
  sqlite3* db;
  PreparedStatement begin, commit, rollback;
  std::unique_ptr<Audit> audit_statements;
};

class PocoStore : public LicenseStore {
 public:
  PocoStore(const std::string& connector, const std::string& connection, Dialect dialect,
            const std::string& name)
      : session_(connector, connection), dialect_(dialect), name_(name) {
    // PostgreSQL's notices ("relation already exists, skipping") are not ours to print.
    if (dialect_ == Dialect::kPostgreSQL) session_ << "SET client_min_messages TO WARNING", now;
    if (dialect_ == Dialect::kSQLite) {
      // Readers do not block the audit log's writer (WAL), and a commit
      // survives the process crashing without waiting for the disk on every
      // transaction (synchronous=NORMAL). Several connections wait their turn.
      std::string mode;
      session_ << "PRAGMA journal_mode=WAL", into(mode), now;
      session_ << "PRAGMA synchronous=NORMAL", now;
      session_ << "PRAGMA busy_timeout=10000", now;
      // A commit checkpoints the log itself once it holds 4,000 pages (16 MB)
      // rather than SQLite's 1,000: a server's own checkpointer keeps it
      // copied (Checkpoint()), and each commit that checkpoints waits for two
      // fsyncs, holding up the downloads behind it.
      session_ << "PRAGMA wal_autocheckpoint=4000", now;
    }
    if (dialect_ == Dialect::kSQLite) {
      sqlite_ = std::make_unique<SqliteStatements>(Poco::Data::SQLite::Utility::dbHandle(session_));
    }
    Migrate();
  }

  int SchemaVersion() override {
    int version = 0;
    session_ << "SELECT COALESCE(MAX(version), 0) FROM schema_migrations", into(version), now;
    return version;
  }

  void AddLicense(const StoredLicense& s, int64_t at) override {
    Guard([&] {
      const License& l = s.license;
      std::string id = l.id, sid = l.subscriber_id, name = l.subscriber_name, email = l.subscriber_email,
                  tier = l.tier, pubs = JoinComma(l.publications), start = l.start, end = l.end,
                  issued = l.issued, doc = s.document;
      Transaction([&] {
        session_ << "INSERT INTO licenses (id, subscriber_id, subscriber_name, subscriber_email, tier,"
                    " publications, rights_start, rights_end, issued, document)"
                    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            use(id), use(sid), use(name), use(email), use(tier), use(pubs), use(start), use(end),
            use(issued), use(doc), now;
        AddEvent(id, "issued", at, "tier " + tier);
      });
    });
  }

  std::optional<StoredLicense> FindLicense(const std::string& id) override {
    std::vector<StoredLicense> found = Select(" WHERE id = $1", id);
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  bool RenewLicense(const StoredLicense& s, int64_t at) override {
    return Guard([&] {
      if (!FindLicense(s.license.id)) return false;
      std::string id = s.license.id, start = s.license.start, end = s.license.end, doc = s.document;
      Transaction([&] {
        session_ << "UPDATE licenses SET rights_start = $1, rights_end = $2, document = $3 WHERE id = $4",
            use(start), use(end), use(doc), use(id), now;
        AddEvent(id, "renewed", at, "until " + end);
      });
      return true;
    });
  }

  std::vector<StoredLicense> ListLicenses() override { return Select(" ORDER BY issued, id", ""); }

  void AppendAudit(std::vector<AuditRow>* rows, const AuditScreen& screen) override {
    if (rows->empty()) return;
    Guard([&] {
      Transaction([&] {
        // One appender at a time, so the chain has no forks.
        if (dialect_ == Dialect::kPostgreSQL) session_ << "LOCK TABLE audit_log IN EXCLUSIVE MODE", now;
        if (screen) screen(*this, rows);
        std::string prev = LastAuditHash();
        for (AuditRow& r : *rows) {
          r.prev_hash = prev;
          r.row_hash = AuditRowHash(r);
          prev = r.row_hash;
        }
        InsertAudit(*rows);
      });
    });
  }

  void Checkpoint() override {
    if (!sqlite_) return;
    const int rc = sqlite3_wal_checkpoint_v2(sqlite_->db, nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {  // busy: another checkpoint is running
      throw Error(name_, 0, "database: checkpoint: " + std::string(sqlite3_errstr(rc)));
    }
  }

  std::vector<AuditRow> Audit(const std::string& license_id) override {
    return SelectAudit(license_id.empty() ? "" : " WHERE license_id = $1", license_id, 0, 0);
  }

  std::vector<AuditRow> AuditPage(int64_t after_id, int64_t limit) override {
    return SelectAudit(" WHERE id > $1", "", after_id, limit);
  }

  AuditHead Head() override {
    return Guard([&] {
      // One statement: one snapshot on both databases.
      Poco::Int64 size = 0, last_id = 0;
      std::string hash;
      session_ << "SELECT COUNT(*), COALESCE(MAX(id), 0),"
                  " COALESCE((SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1), '') FROM audit_log",
          into(size), into(last_id), into(hash), now;
      return AuditHead{size, hash.empty() ? std::string(64, '0') : hash, last_id};
    });
  }

  AuditHead HeadAt(int64_t id) override {
    return Guard([&] {
      Poco::Int64 size = 0, up_to = id, again = id;
      std::string hash;
      session_ << "SELECT COUNT(*), COALESCE((SELECT row_hash FROM audit_log WHERE id = $1), '')"
                  " FROM audit_log WHERE id <= $2",
          use(up_to), use(again), into(size), into(hash), now;
      return AuditHead{size, id == 0 ? std::string(64, '0') : hash, id};
    });
  }

  std::optional<std::string> HashAtPosition(int64_t position) override {
    if (position < 1) return std::nullopt;
    return Guard([&]() -> std::optional<std::string> {
      Poco::Int64 skip = position - 1;
      std::vector<std::string> hashes;
      session_ << "SELECT row_hash FROM audit_log ORDER BY id LIMIT 1 OFFSET $1", use(skip), into(hashes), now;
      if (hashes.empty()) return std::nullopt;
      return hashes.front();
    });
  }

  void AddCheckpoint(StoredCheckpoint* c) override {
    Guard([&] {
      Poco::Int64 at = c->at, size = c->size, id = 0;
      std::string note = c->note;
      Transaction([&] {
        session_ << "INSERT INTO audit_checkpoints (at, size, note) VALUES ($1, $2, $3)", use(at), use(size),
            use(note), now;
        session_ << "SELECT MAX(id) FROM audit_checkpoints", into(id), now;
      });
      c->id = id;
    });
  }

  std::optional<StoredCheckpoint> LatestCheckpoint() override {
    std::vector<StoredCheckpoint> found = SelectCheckpoints(" ORDER BY id DESC LIMIT 1", 0, 0);
    if (found.empty()) return std::nullopt;
    return found.front();
  }

  std::vector<StoredCheckpoint> CheckpointPage(int64_t after_size, int64_t after_id, int64_t limit) override {
    return SelectCheckpoints(" WHERE size > $1 OR (size = $2 AND id > $3) ORDER BY size, id LIMIT $4", after_size,
                             after_id, limit);
  }

  bool Revoke(const std::string& id, const std::string& reason, int64_t at) override {
    return Guard([&] {
      if (!FindLicense(id)) return false;
      std::string license_id = id, why = reason;
      Poco::Int64 when = at;
      Transaction([&] {
        if (FindRevocation(id)) return;  // the first revocation stands
        session_ << "INSERT INTO revocations (license_id, reason, revoked_at) VALUES ($1, $2, $3)",
            use(license_id), use(why), use(when), now;
        session_ << "UPDATE store_versions SET version = version + 1 WHERE name = 'revocations'", now;
        AddEvent(id, "revoked", at, reason);
      });
      return true;
    });
  }

  std::optional<Revocation> FindRevocation(const std::string& id) override {
    return Guard([&]() -> std::optional<Revocation> {
      std::string license_id = id;
      std::vector<std::string> reasons;
      std::vector<Poco::Int64> times;
      session_ << "SELECT reason, revoked_at FROM revocations WHERE license_id = $1", use(license_id),
          into(reasons), into(times), now;
      if (reasons.empty()) return std::nullopt;
      return Revocation{id, reasons[0], times[0]};
    });
  }

  std::vector<Revocation> Revocations() override {
    return Guard([&] {
      std::vector<std::string> ids, reasons;
      std::vector<Poco::Int64> times;
      session_ << "SELECT license_id, reason, revoked_at FROM revocations ORDER BY license_id", into(ids),
          into(reasons), into(times), now;
      std::vector<Revocation> out;
      for (size_t i = 0; i < ids.size(); ++i) out.push_back({ids[i], reasons[i], times[i]});
      return out;
    });
  }

  int64_t RevocationsVersion() override {
    return Guard([&] {
      if (sqlite_) {
        int64_t version = 0;
        sqlite_->audit().revocations_version.Run([&](sqlite3_stmt* row) { version = sqlite3_column_int64(row, 0); });
        return version;
      }
      Poco::Int64 version = 0;
      session_ << "SELECT version FROM store_versions WHERE name = 'revocations'", into(version), now;
      return static_cast<int64_t>(version);
    });
  }

  std::vector<LicenseEvent> Events(const std::string& id) override {
    return Guard([&] {
      std::string license_id = id;
      std::vector<std::string> types, details;
      std::vector<Poco::Int64> times;
      session_ << "SELECT type, at, detail FROM license_events WHERE license_id = $1 ORDER BY id",
          use(license_id), into(types), into(times), into(details), now;
      std::vector<LicenseEvent> events;
      for (size_t i = 0; i < types.size(); ++i) events.push_back({id, types[i], times[i], details[i]});
      return events;
    });
  }

 private:
  // Runs `fn`, turning database exceptions into imprint::Error.
  template <typename Fn>
  auto Guard(Fn fn) -> decltype(fn()) {
    try {
      return fn();
    } catch (const Error&) {
      throw;
    } catch (const Poco::Exception& e) {
      throw Error(name_, 0, "database: " + e.displayText());
    }
  }

  // Runs `fn` in a transaction: committed when it returns, rolled back when
  // it throws. SQLite's is IMMEDIATE: it takes the write lock at once
  // (waiting its turn), so that what `fn` reads first is still current when
  // it writes; a deferred one fails at its first write when another process
  // wrote in between.
  template <typename Fn>
  void Transaction(Fn fn) {
    if (sqlite_) {
      sqlite_->begin.Run();
    } else {
      session_.begin();
    }
    try {
      fn();
    } catch (...) {
      try {
        if (sqlite_) {
          sqlite_->rollback.Run();
        } else {
          session_.rollback();
        }
      } catch (const Poco::Exception&) {
        // The first failure is the one to report.
      }
      throw;
    }
    if (sqlite_) {
      sqlite_->commit.Run();
    } else {
      session_.commit();
    }
  }

  // The last audit row's hash, or 64 zeros for an empty log.
  std::string LastAuditHash() {
    std::string last(64, '0');
    if (sqlite_) {
      sqlite_->audit().last_hash.Run([&](sqlite3_stmt* row) {
        last.assign(reinterpret_cast<const char*>(sqlite3_column_text(row, 0)),
                    static_cast<size_t>(sqlite3_column_bytes(row, 0)));
      });
      return last;
    }
    std::vector<std::string> found;
    session_ << "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1", into(found), now;
    return found.empty() ? last : found[0];
  }

  void InsertAudit(const std::vector<AuditRow>& rows) {
    if (sqlite_) {
      PreparedStatement& insert = sqlite_->audit().insert;
      for (const AuditRow& r : rows) {
        insert.Bind(1, r.at);
        int i = 2;
        for (const std::string* f : {&r.license_id, &r.subscriber_id, &r.edition, &r.format, &r.decision,
                                     &r.reason, &r.sha256, &r.prev_hash, &r.row_hash, &r.method, &r.item}) {
          insert.Bind(i++, *f);
        }
        insert.Run();
      }
      return;
    }
    // The rows as columns: one statement runs once per row.
    AuditColumns c;
    for (const AuditRow& r : rows) c.Add(r);
    session_ << "INSERT INTO audit_log (at, license_id, subscriber_id, edition, format, decision,"
                " reason, sha256, prev_hash, row_hash, method, item)"
                " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        use(c.at), use(c.license), use(c.subscriber), use(c.edition), use(c.format), use(c.decision),
        use(c.reason), use(c.sha), use(c.prev), use(c.hash), use(c.method), use(c.item), now;
  }

  // Audit rows in id order: `where` uses $1 for `license_id` or, with
  // `limit`, for `after_id`.
  std::vector<AuditRow> SelectAudit(const std::string& where, const std::string& license_id, int64_t after_id,
                                    int64_t limit) {
    return Guard([&] {
      std::vector<Poco::Int64> ids, ats;
      std::vector<std::string> licenses, subscribers, editions, formats, decisions, reasons, shas, prevs, hashes,
          methods, items;
      std::string wanted = license_id;
      Poco::Int64 after = after_id, most = limit;
      Statement select(session_);
      select << "SELECT id, at, license_id, subscriber_id, edition, format, decision, reason, sha256,"
                " prev_hash, row_hash, method, item FROM audit_log" + where + " ORDER BY id" +
                    (limit > 0 ? " LIMIT $2" : ""),
          into(ids), into(ats), into(licenses), into(subscribers), into(editions), into(formats),
          into(decisions), into(reasons), into(shas), into(prevs), into(hashes), into(methods), into(items);
      if (!license_id.empty()) select, use(wanted);
      if (limit > 0) select, use(after), use(most);
      select.execute();
      std::vector<AuditRow> rows;
      rows.reserve(ids.size());
      for (size_t i = 0; i < ids.size(); ++i) {
        AuditRow r;
        r.id = ids[i];
        r.at = ats[i];
        r.license_id = std::move(licenses[i]);
        r.subscriber_id = std::move(subscribers[i]);
        r.edition = std::move(editions[i]);
        r.format = std::move(formats[i]);
        r.method = std::move(methods[i]);
        r.item = std::move(items[i]);
        r.decision = std::move(decisions[i]);
        r.reason = std::move(reasons[i]);
        r.sha256 = std::move(shas[i]);
        r.prev_hash = std::move(prevs[i]);
        r.row_hash = std::move(hashes[i]);
        rows.push_back(std::move(r));
      }
      return rows;
    });
  }

  // Checkpoints: with `limit`, `where` binds after_size twice, after_id and limit.
  std::vector<StoredCheckpoint> SelectCheckpoints(const std::string& where, int64_t after_size, int64_t after_id,
                                                  int64_t limit = 0) {
    return Guard([&] {
      std::vector<Poco::Int64> ids, ats, sizes;
      std::vector<std::string> notes;
      Poco::Int64 size = after_size, size_again = after_size, id = after_id, most = limit;
      Statement select(session_);
      select << "SELECT id, at, size, note FROM audit_checkpoints" + where, into(ids), into(ats), into(sizes),
          into(notes);
      if (limit > 0) select, use(size), use(size_again), use(id), use(most);
      select.execute();
      std::vector<StoredCheckpoint> out;
      for (size_t i = 0; i < ids.size(); ++i) out.push_back({ids[i], ats[i], sizes[i], std::move(notes[i])});
      return out;
    });
  }

  void AddEvent(const std::string& id, const std::string& type, int64_t at, const std::string& detail) {
    std::string license_id = id, event_type = type, text = detail;
    Poco::Int64 when = at;
    session_ << "INSERT INTO license_events (license_id, type, at, detail) VALUES ($1, $2, $3, $4)",
        use(license_id), use(event_type), use(when), use(text), now;
  }

  std::vector<StoredLicense> Select(const std::string& where, const std::string& arg) {
    return Guard([&] {
      std::vector<std::string> docs;
      std::string value = arg;
      Statement select(session_);
      select << "SELECT document FROM licenses" + where, into(docs);
      if (!arg.empty()) select, use(value);
      select.execute();
      std::vector<StoredLicense> out;
      for (const std::string& doc : docs) out.push_back({ParseLicense(doc, name_), doc});
      return out;
    });
  }

  void Migrate() {
    Guard([&] {
      session_ << "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                  " description TEXT NOT NULL)",
          now;
      const int current = SchemaVersion();
      const auto& migrations = Migrations();
      for (int v = current + 1; v <= static_cast<int>(migrations.size()); ++v) {
        Transaction([&] {
          if (SchemaVersion() >= v) return;  // another process migrated meanwhile
          for (const std::string& sql : SplitStatements(ForDialect(migrations[v - 1], dialect_))) {
            session_ << sql, now;
          }
          std::string description = "migration " + std::to_string(v);
          int version = v;
          session_ << "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)", use(version),
              use(description), now;
        });
      }
    });
  }

  Session session_;
  Dialect dialect_;
  std::string name_;
  // SQLite only: the statements every transaction and audit append runs,
  // prepared once. Declared after the session, so finalised before it closes.
  std::unique_ptr<SqliteStatements> sqlite_;
  // AppendAudit's rows as the columns it binds.
  struct AuditColumns {
    std::vector<Poco::Int64> at;
    std::vector<std::string> license, subscriber, edition, format, decision, reason, sha, prev, hash, method, item;
    void Add(const AuditRow& r) {
      method.push_back(r.method);
      item.push_back(r.item);
      at.push_back(r.at);
      license.push_back(r.license_id);
      subscriber.push_back(r.subscriber_id);
      edition.push_back(r.edition);
      format.push_back(r.format);
      decision.push_back(r.decision);
      reason.push_back(r.reason);
      sha.push_back(r.sha256);
      prev.push_back(r.prev_hash);
      hash.push_back(r.row_hash);
    }
  };
};

void RegisterConnectors() {
  static std::once_flag once;
  std::call_once(once, [] {
    Poco::Data::SQLite::Connector::registerConnector();
    Poco::Data::PostgreSQL::Connector::registerConnector();
  });
}

}  // namespace

std::string AuditRowHash(const AuditRow& r) {
  // Each field with its length, so no two different rows hash alike.
  std::string all;
  for (const std::string& f : {r.prev_hash, std::to_string(r.at), r.license_id, r.subscriber_id, r.edition,
                               r.format, r.decision, r.reason, r.sha256}) {
    all += std::to_string(f.size()) + ":" + f + ";";
  }
  if (r.method != "GET" || r.item != "copy") {
    for (const std::string& f : {r.method, r.item}) all += std::to_string(f.size()) + ":" + f + ";";
  }
  return Sha256Hex(all);
}

int64_t FirstBrokenAuditRow(const std::vector<AuditRow>& rows) {
  // Order is the chain's: each row names the one before. Ids only sort the
  // rows; a gap in them is no break (sequences skip after a crash).
  std::string prev(64, '0');
  for (const AuditRow& r : rows) {
    if (r.prev_hash != prev || AuditRowHash(r) != r.row_hash) return r.id;
    prev = r.row_hash;
  }
  return 0;
}

std::string LicenseStatus(LicenseStore& store, const License& license, int64_t now) {
  if (const auto r = store.FindRevocation(license.id); r && r->at <= now) return "revoked";
  if (now > ParseTime(license.end).value_or(0)) return "expired";
  if (now < ParseTime(license.start).value_or(0)) return "not_yet_valid";
  return "active";
}

std::string PublicEventDetail(const LicenseEvent& event) {
  // A revocation's detail is the operator's reason, often about the
  // subscriber ("leaked copy found on a forum"): private.
  if (event.type == "revoked") return "revoked by the foundation";
  return event.detail;  // "tier T", "until DATE": the license's own public facts
}

std::string LicenseStatusDocument(LicenseStore& store, const std::string& id, int64_t now) {
  const auto stored = store.FindLicense(id);
  if (!stored) throw Error(id, 0, "no such license");
  const std::string status = LicenseStatus(store, stored->license, now);
  Poco::JSON::Object root(Poco::JSON_PRESERVE_KEY_ORDER);
  root.set("id", id);
  root.set("status", status);
  root.set("message", status == "revoked"   ? std::string("The license was revoked by the foundation.")
                      : status == "expired" ? "The license expired at " + stored->license.end
                      : status == "active"  ? std::string("The license is active.")
                                            : "The license is valid from " + stored->license.start);
  const std::vector<LicenseEvent> events = store.Events(id);
  Poco::JSON::Object::Ptr updated = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  updated->set("license", stored->license.issued);
  updated->set("status", events.empty() ? stored->license.issued : FormatTime(events.back().at));
  root.set("updated", updated);
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const LicenseEvent& e : events) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("type", e.type);
    o->set("timestamp", FormatTime(e.at));
    o->set("detail", PublicEventDetail(e));
    list->add(o);
  }
  root.set("events", list);
  std::ostringstream out;
  root.stringify(out, 2);
  return out.str() + "\n";
}

std::string RedactedStoreUrl(const std::string& url) { return Redacted(url); }

int LicenseStore::LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

std::string LicenseStore::DefaultUrl(const std::string& out_dir) {
  namespace fs = std::filesystem;
  const fs::path parent = fs::absolute(out_dir).lexically_normal().parent_path();
  return "sqlite:" + (parent / "imprint.db").string();
}

std::unique_ptr<LicenseStore> LicenseStore::Open(const std::string& url) {
  RegisterConnectors();
  try {
    if (url.rfind("sqlite:", 0) == 0) {
      const std::string path = url.substr(7);
      if (path.empty()) throw Error(url, 0, "sqlite: needs a file path");
      return std::make_unique<PocoStore>("SQLite", path, Dialect::kSQLite, path);
    }
    if (url.rfind("postgresql://", 0) == 0 || url.rfind("postgres://", 0) == 0) {
      return std::make_unique<PocoStore>("PostgreSQL", PostgresConnectionString(url),
                                         Dialect::kPostgreSQL, Redacted(url));
    }
  } catch (const Error&) {
    throw;
  } catch (const Poco::Exception& e) {
    throw Error(Redacted(url), 0, "cannot open the store: " + e.displayText());
  }
  throw Error(Redacted(url), 0, "not a store URL: use sqlite:PATH or postgresql://USER@HOST:PORT/DB");
}

}  // namespace imprint
