// The license store: licenses, revocations, license events (issued, revoked,
// renewed), the download audit log and its signed checkpoints (kept as the
// server signed them; pipeline/signing/checkpoint.h, not to be confused with
// Checkpoint(), SQLite's write-ahead log), behind one interface, on SQLite (a file
// beside the output, zero set-up; sqlite_store.h) or PostgreSQL (for several
// server instances; postgres_store.h), both running the SQL of sql_store.h.
//
// Open() takes `sqlite:PATH` or `postgresql://USER@HOST:PORT/DB` and applies
// the versioned schema migrations the database has not seen yet, each in a
// transaction. Database errors are imprint::Error naming the store (its URL
// without a password), the statement and the database's reason; no other
// exception leaves a store (but what an AuditScreen throws). A store holds
// one connection: use one per thread.
#ifndef IMPRINT_PIPELINE_LICENSE_LICENSE_STORE_H_
#define IMPRINT_PIPELINE_LICENSE_LICENSE_STORE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/license/license.h"

namespace imprint {

struct StoredLicense {
  License license;
  std::string document;  // the signed text as issued
};

// A license with the hash of its access key (access_key.h), read together:
// the server's HTTP Basic check costs one round trip.
struct KeyedLicense {
  StoredLicense stored;
  std::string key_hash;  // AccessKeyHash() of its key; "" when it has none
  int64_t keys_version = 0;  // AccessKeysVersion() as of the same read
};

struct Revocation {
  std::string license_id;
  std::string reason;
  int64_t at = 0;  // seconds since the epoch
};

struct LicenseEvent {
  std::string license_id;
  std::string type;  // "issued", "revoked", "renewed"
  int64_t at = 0;
  std::string detail;
};

// What the download server decided for a request.
enum class AuditDecision { kPermit, kDeny };
// "permit" or "deny": the audit log's column, the hash's field, and JSON.
const char* AuditDecisionName(AuditDecision decision);
// The decision a name stands for; nullopt for any other text.
std::optional<AuditDecision> ParseAuditDecision(const std::string& name);

// One decision of the download server, chained to the row before it.
struct AuditRow {
  int64_t id = 0;  // assigned by the store, from 1
  int64_t at = 0;
  std::string license_id;
  std::string subscriber_id;
  std::string edition;
  std::string format;
  std::string method = "GET";  // "GET" or "HEAD" (a HEAD is sent no body)
  // "copy" (the book) or "signature" (its .minisig); a license presented to
  // another route: "license", "rights" (/licenses/<id>/...), "feed" (an OPDS
  // catalog), "search"
  std::string item = "copy";
  AuditDecision decision = AuditDecision::kDeny;
  std::string reason;
  std::string sha256;    // of the bytes sent; "" when none were
  // The client's network: its address truncated to a /24 (IPv4) or a /48
  // (IPv6), e.g. "203.0.113.0/24"; "" for rows written before it was kept.
  // Never the full address (docs/security.md).
  std::string client_net;
  std::string prev_hash; // the row before's row_hash (64 zeros for the first)
  std::string row_hash;  // SHA-256 over prev_hash and every field above (method
                         // and item only when not "GET" and "copy", client_net
                         // only when not "", so rows written before they
                         // existed keep their hashes)
  // Not stored, not hashed: the access key hash an HTTP Basic request was let
  // in with, for the commit's screen to check it is still the license's.
  std::string access_key_hash;
  int64_t access_keys_version = 0;  // the AccessKeysVersion() that hash was read at
};

// Which rows of the log a reader wants: each field set narrows, "" and
// nullopt do not. Compared exactly as stored (an id is resolved before).
struct AuditFilter {
  int64_t since = INT64_MIN;  // at >= since
  int64_t until = INT64_MAX;  // at <= until
  std::string license_id;
  std::string subscriber_id;
  std::string edition;      // "monitor/v05/i077"
  std::string publication;  // "monitor": the editions under it
  std::optional<AuditDecision> decision;
  std::string reason;
};

// Whether `row` is an edition file's ("copy" or "signature"): the rows that
// downloads, denials of downloads and sharing are counted from.
bool IsEditionRow(const AuditRow& row);

// The row hash of `row` given its prev_hash.
std::string AuditRowHash(const AuditRow& row);
// The id of the first row whose chain is broken (edited, deleted, reordered
// rows), or 0 when the whole log is intact. Rows are taken in the order
// given; their ids need not be contiguous (a PostgreSQL sequence skips
// numbers after a crash).
int64_t FirstBrokenAuditRow(const std::vector<AuditRow>& rows);

// The log's size (its number of rows) and head (the last row's row_hash, 64
// zeros when empty), as of one moment.
struct AuditHead {
  int64_t size = 0;
  std::string hash;
  int64_t last_id = 0;  // the last row's id; 0 when empty
};

// A signed checkpoint of the log (pipeline/signing/checkpoint.h) as kept in the store.
struct StoredCheckpoint {
  int64_t id = 0;    // assigned by the store
  int64_t at = 0;    // when it was signed, seconds since the epoch
  int64_t size = 0;  // the size it states (kept beside the note to order by)
  std::string note;  // the signed note, verbatim
};

class LicenseStore {
 public:
  virtual ~LicenseStore() = default;

  // Throws imprint::Error for a URL of another kind, or a store that cannot
  // be opened or migrated.
  static std::unique_ptr<LicenseStore> Open(const std::string& url);
  // "sqlite:DIR/imprint.db", DIR being the folder that holds `out_dir`.
  static std::string DefaultUrl(const std::string& out_dir);

  virtual int SchemaVersion() = 0;
  // The version Open() migrates every store to.
  static int LatestSchemaVersion();
  // Records a license and its "issued" event. Throws for a duplicate id.
  virtual void AddLicense(const StoredLicense& license, int64_t at) = 0;
  virtual std::optional<StoredLicense> FindLicense(const std::string& id) = 0;
  // Replaces a license's document (a renewal: same id, a new window) and
  // records a "renewed" event. False for an unknown license.
  virtual bool RenewLicense(const StoredLicense& license, int64_t at) = 0;
  virtual std::vector<StoredLicense> ListLicenses() = 0;
  // Up to `limit` license ids that begin with `prefix`, in id order
  // (license_prefix.h resolves a prefix the user gives).
  virtual std::vector<std::string> LicenseIdsWithPrefix(const std::string& prefix, int64_t limit) = 0;
  // Access keys: the store keeps only their hashes (never a key). Setting
  // one replaces the one before at once and moves AccessKeysVersion() (a
  // reader may cache hashes while it stands still); false for an unknown license.
  virtual bool SetAccessKeyHash(const std::string& id, const std::string& key_hash) = 0;
  virtual int64_t AccessKeysVersion() = 0;
  virtual std::optional<KeyedLicense> FindKeyedLicense(const std::string& id) = 0;
  // Only the hash ("" when the license has no key); nullopt for an unknown license.
  virtual std::optional<std::string> FindAccessKeyHash(const std::string& id) = 0;
  // Records the revocation and its event; false for an unknown license.
  // Revoking twice keeps the first revocation.
  virtual bool Revoke(const std::string& id, const std::string& reason, int64_t at) = 0;
  virtual std::optional<Revocation> FindRevocation(const std::string& id) = 0;
  // Every revocation, and a number that moves with each one (the revoking
  // transaction bumps it): a reader may hold the revocations in memory and
  // reload them only when the number moved.
  virtual std::vector<Revocation> Revocations() = 0;
  virtual int64_t RevocationsVersion() = 0;
  virtual std::vector<LicenseEvent> Events(const std::string& id) = 0;

  // Runs inside AppendAudit's transaction, after the log is locked and before
  // the rows are chained: what it reads through the store is current as of
  // the commit, and it may change the rows.
  using AuditScreen = std::function<void(LicenseStore& store, std::vector<AuditRow>* rows)>;
  // Appends rows in one transaction, each chained to the one before (across
  // processes too: the append locks the log). Fills id, prev_hash, row_hash.
  // When `screen` throws, nothing is appended.
  virtual void AppendAudit(std::vector<AuditRow>* rows, const AuditScreen& screen = nullptr) = 0;
  // SQLite: copies what the write-ahead log holds into the database file,
  // blocking neither readers nor writers. SQLite also checkpoints by itself,
  // inside the commit that finds the log long, and a commit that waits for a
  // checkpoint holds up every download behind it; a busy writer calls this
  // from a thread of its own, so that those find little left to copy.
  // PostgreSQL: nothing to do.
  virtual void Checkpoint() = 0;

  // The log, oldest first; only one license's rows when `license_id` is set.
  virtual std::vector<AuditRow> Audit(const std::string& license_id = "") = 0;
  // Up to `limit` rows with ids above `after_id`, in id order: a reader
  // pages through the log in constant memory, whatever gaps the ids have.
  // The first page is after kBeforeAnyAuditId: a row written straight into
  // the database with an id of 0 or below is read too.
  static constexpr int64_t kBeforeAnyAuditId = INT64_MIN;
  virtual std::vector<AuditRow> AuditPage(int64_t after_id, int64_t limit) = 0;
  // The same, only rows `filter` selects (the database filters: a page is
  // `limit` matching rows, however many it passed over).
  virtual std::vector<AuditRow> AuditPage(const AuditFilter& filter, int64_t after_id, int64_t limit) = 0;
  virtual AuditHead Head() = 0;
  // The head the log had when row `id` was its last: the rows up to it and
  // its hash (64 zeros when `id` is 0). An appended log still gives what
  // Head() gave then; a log cut, edited or re-chained since does not.
  virtual AuditHead HeadAt(int64_t id) = 0;
  // The row hash of the log's row at `position` (from 1) in id order, or
  // nullopt when the log has fewer rows: what a checkpoint of that size states.
  virtual std::optional<std::string> HashAtPosition(int64_t position) = 0;

  // Keeps a signed checkpoint; fills its id.
  virtual void AddCheckpoint(StoredCheckpoint* checkpoint) = 0;
  // The one kept last, if any.
  virtual std::optional<StoredCheckpoint> LatestCheckpoint() = 0;
  // Up to `limit` checkpoints after (after_size, after_id), ordered by size
  // then id: a verifier pages through them beside the rows.
  virtual std::vector<StoredCheckpoint> CheckpointPage(int64_t after_size, int64_t after_id, int64_t limit) = 0;

  // The admin credential (admin_credential.h): `user`'s password as an
  // encoded Argon2id hash, never the password. Setting it replaces the one
  // before; nullopt when `user` has none.
  virtual void SetAdminCredential(const std::string& user, const std::string& encoded_hash, int64_t at) = 0;
  virtual std::optional<std::string> AdminCredential(const std::string& user) = 0;
};

// `url` without its password (user:***@host), to name the store in messages
// and answers: secrets never leave.
std::string RedactedStoreUrl(const std::string& url);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_LICENSE_LICENSE_STORE_H_
