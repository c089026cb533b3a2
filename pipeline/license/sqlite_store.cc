#include "pipeline/license/sqlite_store.h"

#include <sqlite3.h>

#include <array>
#include <chrono>
#include <thread>

#include "pipeline/license/sql_store.h"

namespace imprint {
namespace {

struct CloseDb {
  // _v2: the close waits for any statement still unfinalised.
  void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
};
struct Finalize {
  void operator()(sqlite3_stmt* stmt) const { sqlite3_finalize(stmt); }
};
using Statement = std::unique_ptr<sqlite3_stmt, Finalize>;

class SqliteRow : public SqlRow {
 public:
  explicit SqliteRow(sqlite3_stmt* stmt) : stmt_(stmt) {}
  std::string Text(int column) const override {
    const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, column));
    return text == nullptr ? std::string() : std::string(text, static_cast<size_t>(sqlite3_column_bytes(stmt_, column)));
  }
  int64_t Int(int column) const override { return sqlite3_column_int64(stmt_, column); }

 private:
  sqlite3_stmt* stmt_;
};

// Resets a statement however its run ends (a row callback may throw), so
// that it holds no lock and can run again.
class ResetOnExit {
 public:
  explicit ResetOnExit(sqlite3_stmt* stmt) : stmt_(stmt) {}
  ~ResetOnExit() {
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }
  ResetOnExit(const ResetOnExit&) = delete;
  ResetOnExit& operator=(const ResetOnExit&) = delete;

 private:
  sqlite3_stmt* stmt_;
};

class SqliteStore final : public SqlStore {
 public:
  explicit SqliteStore(const std::string& path) : SqlStore(path) {
    sqlite3* db = nullptr;
    const int rc = sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
                                   nullptr);
    db_.reset(db);  // closed even when the open failed
    if (rc != SQLITE_OK) {
      throw Error(path, 0, "cannot open the store: " + std::string(db ? sqlite3_errmsg(db) : sqlite3_errstr(rc)));
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, 10000);  // several connections wait their turn
    // A commit checkpoints the log itself once it holds 4,000 pages (16 MB)
    // rather than SQLite's 1,000: a server's own checkpointer keeps it
    // copied (Checkpoint()), and each commit that checkpoints waits for two
    // fsyncs, holding up the downloads behind it.
    EnterWal();
    // IMMEDIATE: the write lock at once (waiting its turn), so that what a
    // transaction reads first is still current when it writes; a deferred
    // one fails at its first write when another process wrote in between.
    begin_ = Prepare("BEGIN IMMEDIATE");
    commit_ = Prepare("COMMIT");
    rollback_ = Prepare("ROLLBACK");
    Migrate();
  }

  void Checkpoint() override {
    const int rc = sqlite3_wal_checkpoint_v2(db_.get(), nullptr, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    if (rc != SQLITE_OK && rc != SQLITE_BUSY) {  // busy: another checkpoint is running
      throw StoreError(name(), sqlite3_errstr(rc), "checkpoint");
    }
  }

 protected:
  void Run(Query query, std::initializer_list<SqlParam> params, const RowFn& row) override {
    sqlite3_stmt* stmt = Prepared(query);
    ResetOnExit reset(stmt);
    int i = 1;
    for (const SqlParam& p : params) {
      const int rc = p.text == nullptr ? sqlite3_bind_int64(stmt, i, p.number)
                                       : sqlite3_bind_text64(stmt, i, p.text, p.size, SQLITE_STATIC, SQLITE_UTF8);
      if (rc != SQLITE_OK) throw Failure(QueryText(query));
      ++i;
    }
    Step(stmt, QueryText(query), row);
  }

  // Switching a new file to WAL takes its exclusive lock, and SQLite answers
  // a connection that meets another's lock there "database is locked" at
  // once, without the busy handler (several connections opened at once on a
  // new file, as a server's pool does): try again, as long as a busy wait.
  void EnterWal() {
    static const std::string kPragmas =
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=4000";
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    for (;;) {
      const int rc = sqlite3_exec(db_.get(), kPragmas.c_str(), nullptr, nullptr, nullptr) & 0xff;
      if (rc == SQLITE_OK) return;
      if ((rc != SQLITE_BUSY && rc != SQLITE_LOCKED) || std::chrono::steady_clock::now() > until) {
        throw Failure(kPragmas);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }

  void RunScript(const std::string& sql) override {
    if (sqlite3_exec(db_.get(), sql.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK) throw Failure(sql);
  }

  void Begin() override { RunPrepared(begin_.get(), "BEGIN IMMEDIATE"); }
  void Commit() override { RunPrepared(commit_.get(), "COMMIT"); }
  void Rollback() override {
    // Some failures (a full disk, say) end the transaction themselves.
    if (!sqlite3_get_autocommit(db_.get())) RunPrepared(rollback_.get(), "ROLLBACK");
  }
  // BEGIN IMMEDIATE took the database's one write lock.
  void LockAuditLog() override {}
  void LockMigrations() override {}
  std::string SerialKey() const override { return "INTEGER PRIMARY KEY AUTOINCREMENT"; }

 private:
  Error Failure(const std::string& statement) const {
    return StoreError(name(), sqlite3_errmsg(db_.get()), statement);
  }

  Statement Prepare(const char* sql) {
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v3(db_.get(), sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, nullptr) != SQLITE_OK) {
      throw Failure(sql);
    }
    return Statement(stmt);
  }

  // `query` prepared, at its first use on this connection (its tables exist
  // only once the migrations ran).
  sqlite3_stmt* Prepared(Query query) {
    Statement& stmt = statements_[static_cast<size_t>(query)];
    if (!stmt) {
      stmt = Prepare(QueryText(query));
      // SQLite numbers $N in the order they first appear: they must appear in N's.
      for (int i = 1; i <= sqlite3_bind_parameter_count(stmt.get()); ++i) {
        const char* param = sqlite3_bind_parameter_name(stmt.get(), i);
        if (param == nullptr || param != "$" + std::to_string(i)) {
          throw StoreError(name(), "parameter " + std::to_string(i) + " is not $" + std::to_string(i), QueryText(query));
        }
      }
    }
    return stmt.get();
  }

  void RunPrepared(sqlite3_stmt* stmt, const char* sql) {
    ResetOnExit reset(stmt);
    Step(stmt, sql, nullptr);
  }

  void Step(sqlite3_stmt* stmt, const char* sql, const RowFn& row) {
    int rc;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
      if (row) row(SqliteRow(stmt));
    }
    if (rc != SQLITE_DONE) throw Failure(sql);
  }

  std::unique_ptr<sqlite3, CloseDb> db_;
  // Declared after the connection: finalised before it closes.
  Statement begin_, commit_, rollback_;
  std::array<Statement, kQueryCount> statements_;
};

}  // namespace

std::unique_ptr<LicenseStore> OpenSqliteStore(const std::string& path) {
  return std::make_unique<SqliteStore>(path);
}

}  // namespace imprint
