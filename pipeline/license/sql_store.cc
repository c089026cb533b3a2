#include "pipeline/license/sql_store.h"

#include <array>

namespace imprint {
namespace {

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
      // 5: each license's access key (HTTP Basic), kept only as its SHA-256
      // (docs/security.md); '' for a license issued before keys existed. A
      // version bumped by each new key, so that a server can cache hashes.
      "ALTER TABLE licenses ADD COLUMN key_hash TEXT NOT NULL DEFAULT '';"
      "INSERT INTO store_versions (name, version) VALUES ('access_keys', 0);",
      // 6: the client's network (its address cut to a /24 or a /48, never
      // the whole address; docs/security.md); '' for earlier rows.
      "ALTER TABLE audit_log ADD COLUMN client_net TEXT NOT NULL DEFAULT '';",
      // 7: the admin
      // credential of /admin/, an encoded Argon2id hash (admin_credential.h).
      "CREATE TABLE admin_credentials (user_name TEXT PRIMARY KEY, hash TEXT NOT NULL, set_at BIGINT NOT NULL);",
  };
  return migrations;
}

#define IMPRINT_AUDIT_COLUMNS \
  "id, at, license_id, subscriber_id, edition, format, decision, reason, sha256, prev_hash, row_hash, method, item, client_net"

// In Query's order: a table.
constexpr std::array<const char*, kQueryCount> kQueries = {
    "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
    "INSERT INTO schema_migrations (version, description) VALUES ($1, $2)",
    "INSERT INTO licenses (id, subscriber_id, subscriber_name, subscriber_email, tier, publications,"
    " rights_start, rights_end, issued, document) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    "SELECT document FROM licenses WHERE id = $1",
    "SELECT document FROM licenses ORDER BY issued, id",
    "UPDATE licenses SET rights_start = $1, rights_end = $2, document = $3 WHERE id = $4",
    "INSERT INTO license_events (license_id, type, at, detail) VALUES ($1, $2, $3, $4)",
    "SELECT type, at, detail FROM license_events WHERE license_id = $1 ORDER BY id",
    // Two revocations at once: the first stands, the second inserts nothing.
    "INSERT INTO revocations (license_id, reason, revoked_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING "
    "RETURNING license_id",
    "UPDATE store_versions SET version = version + 1 WHERE name = 'revocations'",
    "SELECT reason, revoked_at FROM revocations WHERE license_id = $1",
    "SELECT license_id, reason, revoked_at FROM revocations ORDER BY license_id",
    "SELECT version FROM store_versions WHERE name = 'revocations'",
    "SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1",
    "INSERT INTO audit_log (at, license_id, subscriber_id, edition, format, decision, reason, sha256,"
    " prev_hash, row_hash, method, item, client_net) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    "SELECT " IMPRINT_AUDIT_COLUMNS " FROM audit_log ORDER BY id",
    "SELECT " IMPRINT_AUDIT_COLUMNS " FROM audit_log WHERE license_id = $1 ORDER BY id",
    "SELECT " IMPRINT_AUDIT_COLUMNS " FROM audit_log WHERE id > $1 ORDER BY id LIMIT $2",
    // One statement: one snapshot on both databases.
    "SELECT COUNT(*), COALESCE(MAX(id), 0),"
    " COALESCE((SELECT row_hash FROM audit_log ORDER BY id DESC LIMIT 1), '') FROM audit_log",
    "SELECT COUNT(*), COALESCE((SELECT row_hash FROM audit_log WHERE id = $1), '') FROM audit_log WHERE id <= $1",
    "SELECT row_hash FROM audit_log ORDER BY id LIMIT 1 OFFSET $1",
    "INSERT INTO audit_checkpoints (at, size, note) VALUES ($1, $2, $3) RETURNING id",
    "SELECT id, at, size, note FROM audit_checkpoints ORDER BY id DESC LIMIT 1",
    "SELECT id, at, size, note FROM audit_checkpoints WHERE size > $1 OR (size = $1 AND id > $2)"
    " ORDER BY size, id LIMIT $3",
    "UPDATE licenses SET key_hash = $1 WHERE id = $2 RETURNING id",
    // One statement: the hash and the version of one snapshot.
    "SELECT l.document, l.key_hash, v.version FROM licenses l, store_versions v"
    " WHERE l.id = $1 AND v.name = 'access_keys'",
    "SELECT key_hash FROM licenses WHERE id = $1",
    "UPDATE store_versions SET version = version + 1 WHERE name = 'access_keys'",
    "SELECT version FROM store_versions WHERE name = 'access_keys'",
    // One shape for every filter: an empty text matches all (AuditFilter).
    "SELECT " IMPRINT_AUDIT_COLUMNS " FROM audit_log WHERE id > $1 AND at >= $2 AND at <= $3"
    " AND (CAST($4 AS TEXT) = '' OR license_id = $4) AND (CAST($5 AS TEXT) = '' OR subscriber_id = $5)"
    " AND (CAST($6 AS TEXT) = '' OR edition = $6)"
    " AND (CAST($7 AS TEXT) = '' OR substr(edition, 1, length($7) + 1) = ($7 || '/'))"
    " AND (CAST($8 AS TEXT) = '' OR decision = $8) AND (CAST($9 AS TEXT) = '' OR reason = $9)"
    " ORDER BY id LIMIT $10",
    "SELECT id FROM licenses WHERE substr(id, 1, length(CAST($1 AS TEXT))) = $1 ORDER BY id LIMIT $2",
    "INSERT INTO admin_credentials (user_name, hash, set_at) VALUES ($1, $2, $3)"
    " ON CONFLICT (user_name) DO UPDATE SET hash = excluded.hash, set_at = excluded.set_at",
    "SELECT hash FROM admin_credentials WHERE user_name = $1",
};
#undef IMPRINT_AUDIT_COLUMNS

std::string JoinComma(const std::vector<std::string>& v) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + v[i];
  return out;
}

// Fills prev_hash and row_hash, each row chained to the one before, the
// first to `last` (the log's head).
void ChainAuditRows(std::string last, std::vector<AuditRow>* rows) {
  for (AuditRow& r : *rows) {
    r.prev_hash = std::move(last);
    r.row_hash = AuditRowHash(r);
    last = r.row_hash;
  }
}

}  // namespace

const char* QueryText(Query query) { return kQueries[static_cast<size_t>(query)]; }

std::string MigrationSql(int version, const std::string& serial) {
  std::string sql = Migrations().at(static_cast<size_t>(version - 1));
  for (size_t at; (at = sql.find("{SERIAL}")) != std::string::npos;) sql.replace(at, 8, serial);
  return sql;
}

int LicenseStore::LatestSchemaVersion() { return static_cast<int>(Migrations().size()); }

Error StoreError(const std::string& store, const std::string& reason, const std::string& statement) {
  std::string why = reason;
  while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();  // libpq's end in one
  // The statement's start says which it was; a migration's whole text would bury the reason.
  constexpr size_t kShown = 100;
  const std::string shown = statement.size() > kShown ? statement.substr(0, kShown) + "..." : statement;
  return Error(store, 0, "database: " + why + " (in: " + shown + ")");
}

template <typename Fn>
void SqlStore::Transaction(Fn fn) {
  Begin();
  try {
    fn();
  } catch (...) {
    try {
      Rollback();
    } catch (const Error&) {
      // The first failure is the one to report.
    }
    throw;
  }
  Commit();
}

void SqlStore::Migrate() {
  RunScript("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, description TEXT NOT NULL)");
  for (int v = SchemaVersion() + 1; v <= LatestSchemaVersion(); ++v) {
    Transaction([&] {
      LockMigrations();
      if (SchemaVersion() >= v) return;  // another process migrated meanwhile
      RunScript(MigrationSql(v, SerialKey()));
      Run(Query::kRecordMigration, {v, "migration " + std::to_string(v)});
    });
  }
}

int SqlStore::SchemaVersion() {
  int64_t version = 0;
  Run(Query::kSchemaVersion, {}, [&](const SqlRow& row) { version = row.Int(0); });
  return static_cast<int>(version);
}

void SqlStore::AddLicense(const StoredLicense& s, int64_t at) {
  const License& l = s.license;
  Transaction([&] {
    Run(Query::kInsertLicense, {l.id, l.subscriber_id, l.subscriber_name, l.subscriber_email, l.tier,
                                JoinComma(l.publications), l.start, l.end, l.issued, s.document});
    AddEvent(l.id, "issued", at, "tier " + l.tier);
  });
}

std::optional<StoredLicense> SqlStore::FindLicense(const std::string& id) {
  std::vector<StoredLicense> found = SelectLicenses(Query::kSelectLicense, {id});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

bool SqlStore::RenewLicense(const StoredLicense& s, int64_t at) {
  if (!FindLicense(s.license.id)) return false;
  Transaction([&] {
    Run(Query::kRenewLicense, {s.license.start, s.license.end, s.document, s.license.id});
    AddEvent(s.license.id, "renewed", at, "until " + s.license.end);
  });
  return true;
}

bool SqlStore::SetAccessKeyHash(const std::string& id, const std::string& key_hash) {
  bool found = false;
  Transaction([&] {
    Run(Query::kSetAccessKeyHash, {key_hash, id}, [&found](const SqlRow&) { found = true; });
    if (found) Run(Query::kBumpAccessKeysVersion, {});
  });
  return found;
}

int64_t SqlStore::AccessKeysVersion() {
  int64_t version = 0;
  Run(Query::kAccessKeysVersion, {}, [&](const SqlRow& row) { version = row.Int(0); });
  return version;
}

std::optional<KeyedLicense> SqlStore::FindKeyedLicense(const std::string& id) {
  std::optional<KeyedLicense> found;
  Run(Query::kSelectKeyedLicense, {id}, [&](const SqlRow& row) {
    std::string doc = row.Text(0);
    License license = ParseLicense(doc, name_);
    found = KeyedLicense{{std::move(license), std::move(doc)}, row.Text(1), row.Int(2)};
  });
  return found;
}

std::optional<std::string> SqlStore::FindAccessKeyHash(const std::string& id) {
  std::optional<std::string> found;
  Run(Query::kSelectAccessKeyHash, {id}, [&](const SqlRow& row) { found = row.Text(0); });
  return found;
}

std::vector<StoredLicense> SqlStore::ListLicenses() { return SelectLicenses(Query::kSelectLicenses, {}); }

std::vector<std::string> SqlStore::LicenseIdsWithPrefix(const std::string& prefix, int64_t limit) {
  std::vector<std::string> ids;
  Run(Query::kSelectLicenseIdsWithPrefix, {prefix, limit}, [&](const SqlRow& row) { ids.push_back(row.Text(0)); });
  return ids;
}

std::vector<StoredLicense> SqlStore::SelectLicenses(Query query, std::initializer_list<SqlParam> params) {
  std::vector<StoredLicense> out;
  Run(query, params, [&](const SqlRow& row) {
    std::string doc = row.Text(0);
    License license = ParseLicense(doc, name_);
    out.push_back({std::move(license), std::move(doc)});
  });
  return out;
}

void SqlStore::AddEvent(const std::string& id, const char* type, int64_t at, const std::string& detail) {
  Run(Query::kInsertEvent, {id, type, at, detail});
}

std::vector<LicenseEvent> SqlStore::Events(const std::string& id) {
  std::vector<LicenseEvent> events;
  Run(Query::kSelectEvents, {id},
      [&](const SqlRow& row) { events.push_back({id, row.Text(0), row.Int(1), row.Text(2)}); });
  return events;
}

bool SqlStore::Revoke(const std::string& id, const std::string& reason, int64_t at) {
  if (!FindLicense(id)) return false;
  Transaction([&] {
    // The first revocation stands, also against one committed meanwhile by
    // another process (PostgreSQL reads committed rows as the transaction goes).
    bool inserted = false;
    Run(Query::kInsertRevocation, {id, reason, at}, [&inserted](const SqlRow&) { inserted = true; });
    if (!inserted) return;
    Run(Query::kBumpRevocationsVersion, {});
    AddEvent(id, "revoked", at, reason);
  });
  return true;
}

std::optional<Revocation> SqlStore::FindRevocation(const std::string& id) {
  std::optional<Revocation> found;
  Run(Query::kSelectRevocation, {id}, [&](const SqlRow& row) { found = Revocation{id, row.Text(0), row.Int(1)}; });
  return found;
}

std::vector<Revocation> SqlStore::Revocations() {
  std::vector<Revocation> out;
  Run(Query::kSelectRevocations, {},
      [&](const SqlRow& row) { out.push_back({row.Text(0), row.Text(1), row.Int(2)}); });
  return out;
}

int64_t SqlStore::RevocationsVersion() {
  int64_t version = 0;
  Run(Query::kRevocationsVersion, {}, [&](const SqlRow& row) { version = row.Int(0); });
  return version;
}

void SqlStore::AppendAudit(std::vector<AuditRow>* rows, const AuditScreen& screen) {
  if (rows->empty()) return;
  Transaction([&] {
    LockAuditLog();  // one appender at a time, so the chain has no forks
    if (screen) screen(*this, rows);
    ChainAuditRows(LastAuditHash(), rows);
    for (const AuditRow& r : *rows) {
      Run(Query::kInsertAudit, {r.at, r.license_id, r.subscriber_id, r.edition, r.format,
                                AuditDecisionName(r.decision), r.reason, r.sha256, r.prev_hash, r.row_hash,
                                r.method, r.item, r.client_net});
    }
  });
}

std::string SqlStore::LastAuditHash() {
  std::string last(64, '0');
  Run(Query::kLastAuditHash, {}, [&](const SqlRow& row) { last = row.Text(0); });
  return last;
}

std::vector<AuditRow> SqlStore::Audit(const std::string& license_id) {
  if (license_id.empty()) return SelectAudit(Query::kSelectAudit, {});
  return SelectAudit(Query::kSelectLicenseAudit, {license_id});
}

std::vector<AuditRow> SqlStore::AuditPage(int64_t after_id, int64_t limit) {
  return SelectAudit(Query::kSelectAuditPage, {after_id, limit});
}

std::vector<AuditRow> SqlStore::AuditPage(const AuditFilter& f, int64_t after_id, int64_t limit) {
  const std::string decision = f.decision ? AuditDecisionName(*f.decision) : "";
  return SelectAudit(Query::kSelectFilteredAuditPage, {after_id, f.since, f.until, f.license_id, f.subscriber_id,
                                                       f.edition, f.publication, decision, f.reason, limit});
}

std::vector<AuditRow> SqlStore::SelectAudit(Query query, std::initializer_list<SqlParam> params) {
  std::vector<AuditRow> rows;
  Run(query, params, [&](const SqlRow& row) { rows.push_back(ReadAuditRow(row)); });
  return rows;
}

// A row of IMPRINT_AUDIT_COLUMNS.
AuditRow SqlStore::ReadAuditRow(const SqlRow& row) const {
  AuditRow r;
  r.id = row.Int(0);
  r.at = row.Int(1);
  r.license_id = row.Text(2);
  r.subscriber_id = row.Text(3);
  r.edition = row.Text(4);
  r.format = row.Text(5);
  const std::string decision = row.Text(6);
  const std::optional<AuditDecision> known = ParseAuditDecision(decision);
  if (!known) {
    throw Error(name_, 0, "audit row " + std::to_string(r.id) + ": the decision \"" + decision +
                              "\" is neither permit nor deny");
  }
  r.decision = *known;
  r.reason = row.Text(7);
  r.sha256 = row.Text(8);
  r.prev_hash = row.Text(9);
  r.row_hash = row.Text(10);
  r.method = row.Text(11);
  r.item = row.Text(12);
  r.client_net = row.Text(13);
  return r;
}

AuditHead SqlStore::Head() {
  AuditHead head;
  Run(Query::kHead, {}, [&](const SqlRow& row) { head = {row.Int(0), row.Text(2), row.Int(1)}; });
  if (head.hash.empty()) head.hash = std::string(64, '0');
  return head;
}

AuditHead SqlStore::HeadAt(int64_t id) {
  AuditHead head{0, "", id};
  Run(Query::kHeadAt, {id}, [&](const SqlRow& row) {
    head.size = row.Int(0);
    head.hash = row.Text(1);
  });
  if (id == 0) head.hash = std::string(64, '0');
  return head;
}

std::optional<std::string> SqlStore::HashAtPosition(int64_t position) {
  if (position < 1) return std::nullopt;
  std::optional<std::string> hash;
  Run(Query::kHashAtPosition, {position - 1}, [&](const SqlRow& row) { hash = row.Text(0); });
  return hash;
}

void SqlStore::AddCheckpoint(StoredCheckpoint* c) {
  Run(Query::kInsertCheckpoint, {c->at, c->size, c->note}, [&](const SqlRow& row) { c->id = row.Int(0); });
}

std::optional<StoredCheckpoint> SqlStore::LatestCheckpoint() {
  std::vector<StoredCheckpoint> found = SelectCheckpoints(Query::kLatestCheckpoint, {});
  if (found.empty()) return std::nullopt;
  return std::move(found.front());
}

std::vector<StoredCheckpoint> SqlStore::CheckpointPage(int64_t after_size, int64_t after_id, int64_t limit) {
  return SelectCheckpoints(Query::kCheckpointPage, {after_size, after_id, limit});
}

std::vector<StoredCheckpoint> SqlStore::SelectCheckpoints(Query query, std::initializer_list<SqlParam> params) {
  std::vector<StoredCheckpoint> out;
  Run(query, params,
      [&](const SqlRow& row) { out.push_back({row.Int(0), row.Int(1), row.Int(2), row.Text(3)}); });
  return out;
}

void SqlStore::SetAdminCredential(const std::string& user, const std::string& encoded_hash, int64_t at) {
  Run(Query::kSetAdminCredential, {user, encoded_hash, at});
}

std::optional<std::string> SqlStore::AdminCredential(const std::string& user) {
  std::optional<std::string> hash;
  Run(Query::kSelectAdminCredential, {user}, [&](const SqlRow& row) { hash = row.Text(0); });
  return hash;
}

}  // namespace imprint
