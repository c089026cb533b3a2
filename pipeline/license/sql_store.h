// The license store's logic, written once in SQL for both databases: the
// schema's migrations, every statement a store runs, its transactions, and
// the audit log's append (screen, chain, insert). SqliteStore
// (sqlite_store.h) and PostgresStore (postgres_store.h) derive from SqlStore
// and adapt their database's C library: they run a Query with its
// parameters, a script of DDL, and the transaction statements, and turn
// every failure into imprint::Error naming the store and the statement
// (StoreError). No dialect is tested for here: what differs is a virtual.
//
// Internal to the license layer: callers open stores with LicenseStore::Open().
// A store is one connection: not thread-safe, use one per thread.
#ifndef IMPRINT_PIPELINE_LICENSE_SQL_STORE_H_
#define IMPRINT_PIPELINE_LICENSE_SQL_STORE_H_

#include <cstdint>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/base/error.h"
#include "pipeline/license/license_store.h"

namespace imprint {

// The statements a store runs, each prepared once per connection. Their
// parameters are $1, $2, ... numbered in the order they first appear (so
// that SQLite, which numbers named parameters that way, and PostgreSQL agree).
enum class Query {
  kSchemaVersion,
  kRecordMigration,
  kInsertLicense,
  kSelectLicense,
  kSelectLicenses,
  kRenewLicense,
  kInsertEvent,
  kSelectEvents,
  kInsertRevocation,
  kBumpRevocationsVersion,
  kSelectRevocation,
  kSelectRevocations,
  kRevocationsVersion,
  kLastAuditHash,
  kInsertAudit,
  kSelectAudit,
  kSelectLicenseAudit,
  kSelectAuditPage,
  kHead,
  kHeadAt,
  kHashAtPosition,
  kInsertCheckpoint,
  kLatestCheckpoint,
  kCheckpointPage,
  kSetAccessKeyHash,
  kSelectKeyedLicense,
  kSelectAccessKeyHash,
  kBumpAccessKeysVersion,
  kAccessKeysVersion,
  kSelectFilteredAuditPage,
  kSelectLicenseIdsWithPrefix,
  kSetAdminCredential,
  kSelectAdminCredential,
};
constexpr int kQueryCount = static_cast<int>(Query::kSelectAdminCredential) + 1;
const char* QueryText(Query query);

// The migration to schema `version` (from 1), its auto-increment key spelt
// `serial`: several statements, separated by ';'.
std::string MigrationSql(int version, const std::string& serial);

// A parameter of a Query: text or a number. Text is borrowed: it must live
// until the Run() it is given to returns.
struct SqlParam {
  SqlParam(const std::string& s) : text(s.data()), size(s.size()) {}  // NOLINT: implicit by design
  SqlParam(const char* s) : text(s), size(std::strlen(s)) {}          // NOLINT
  SqlParam(int64_t n) : number(n) {}                                   // NOLINT
  SqlParam(int n) : number(n) {}                                       // NOLINT
  const char* text = nullptr;  // nullptr for a number
  size_t size = 0;
  int64_t number = 0;
};

// A result row, read by column (from 0). Valid only inside the callback.
class SqlRow {
 public:
  virtual ~SqlRow() = default;
  virtual std::string Text(int column) const = 0;
  virtual int64_t Int(int column) const = 0;
};

// The Error a store throws: `store` (a path, or a URL without its password),
// what the database said, and the statement it said it of.
Error StoreError(const std::string& store, const std::string& reason, const std::string& statement);

class SqlStore : public LicenseStore {
 public:
  int SchemaVersion() override;
  void AddLicense(const StoredLicense& license, int64_t at) override;
  std::optional<StoredLicense> FindLicense(const std::string& id) override;
  bool RenewLicense(const StoredLicense& license, int64_t at) override;
  std::vector<StoredLicense> ListLicenses() override;
  std::vector<std::string> LicenseIdsWithPrefix(const std::string& prefix, int64_t limit) override;
  bool SetAccessKeyHash(const std::string& id, const std::string& key_hash) override;
  int64_t AccessKeysVersion() override;
  std::optional<KeyedLicense> FindKeyedLicense(const std::string& id) override;
  std::optional<std::string> FindAccessKeyHash(const std::string& id) override;
  bool Revoke(const std::string& id, const std::string& reason, int64_t at) override;
  std::optional<Revocation> FindRevocation(const std::string& id) override;
  std::vector<Revocation> Revocations() override;
  int64_t RevocationsVersion() override;
  std::vector<LicenseEvent> Events(const std::string& id) override;
  void AppendAudit(std::vector<AuditRow>* rows, const AuditScreen& screen) override;
  std::vector<AuditRow> Audit(const std::string& license_id) override;
  std::vector<AuditRow> AuditPage(int64_t after_id, int64_t limit) override;
  std::vector<AuditRow> AuditPage(const AuditFilter& filter, int64_t after_id, int64_t limit) override;
  AuditHead Head() override;
  AuditHead HeadAt(int64_t id) override;
  std::optional<std::string> HashAtPosition(int64_t position) override;
  void AddCheckpoint(StoredCheckpoint* checkpoint) override;
  std::optional<StoredCheckpoint> LatestCheckpoint() override;
  std::vector<StoredCheckpoint> CheckpointPage(int64_t after_size, int64_t after_id, int64_t limit) override;
  void SetAdminCredential(const std::string& user, const std::string& encoded_hash, int64_t at) override;
  std::optional<std::string> AdminCredential(const std::string& user) override;

 protected:
  explicit SqlStore(std::string name) : name_(std::move(name)) {}
  const std::string& name() const { return name_; }

  // Brings the schema to LatestSchemaVersion(): called by the derived
  // store's constructor, once connected.
  void Migrate();

  using RowFn = std::function<void(const SqlRow&)>;
  // Runs `query` with `params`, calling `row` for each result row.
  virtual void Run(Query query, std::initializer_list<SqlParam> params, const RowFn& row) = 0;
  void Run(Query query, std::initializer_list<SqlParam> params) { Run(query, params, nullptr); }
  // Runs statements without parameters or results (DDL, locks).
  virtual void RunScript(const std::string& sql) = 0;
  // A transaction that writes: what it reads first is still current when it
  // writes (SQLite takes the write lock at BEGIN).
  virtual void Begin() = 0;
  virtual void Commit() = 0;
  virtual void Rollback() = 0;
  // Inside a transaction: one appender of the audit log, one migrator, at a
  // time, whatever the database's isolation (nothing where Begin() locked).
  virtual void LockAuditLog() = 0;
  virtual void LockMigrations() = 0;
  // The dialect's auto-increment primary key.
  virtual std::string SerialKey() const = 0;

 private:
  // Runs `fn` in a transaction: committed when it returns, rolled back when
  // it throws (the first failure is the one reported).
  template <typename Fn>
  void Transaction(Fn fn);
  void AddEvent(const std::string& id, const char* type, int64_t at, const std::string& detail);
  std::vector<StoredLicense> SelectLicenses(Query query, std::initializer_list<SqlParam> params);
  std::vector<AuditRow> SelectAudit(Query query, std::initializer_list<SqlParam> params);
  AuditRow ReadAuditRow(const SqlRow& row) const;
  std::vector<StoredCheckpoint> SelectCheckpoints(Query query, std::initializer_list<SqlParam> params);
  std::string LastAuditHash();

  const std::string name_;
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_SQL_STORE_H_
