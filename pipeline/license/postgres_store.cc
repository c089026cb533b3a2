#include "pipeline/license/postgres_store.h"

#include <Poco/Exception.h>
#include <Poco/URI.h>
#include <libpq-fe.h>

#include <array>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "pipeline/license/sql_store.h"

namespace imprint {
namespace {

// libpq's connection keywords and values for a postgresql:// URL.
struct ConnectionParams {
  std::vector<std::string> keys, values;
  void Add(const std::string& key, const std::string& value) {
    keys.emplace_back(key);
    values.push_back(value);
  }
};

ConnectionParams ParseUrl(const std::string& url) {
  const Poco::URI uri(url);
  std::string user = uri.getUserInfo(), password;
  if (const size_t colon = user.find(':'); colon != std::string::npos) {
    password = user.substr(colon + 1);
    user = user.substr(0, colon);
  }
  std::string db = uri.getPath();
  if (!db.empty() && db[0] == '/') db.erase(0, 1);
  ConnectionParams p;
  p.Add("host", uri.getHost().empty() ? std::string("127.0.0.1") : uri.getHost());
  if (uri.getPort() != 0) p.Add("port", std::to_string(uri.getPort()));
  if (!user.empty()) p.Add("user", user);
  if (!password.empty()) p.Add("password", password);
  p.Add("dbname", db.empty() ? std::string("postgres") : db);
  p.Add("connect_timeout", "2");
  // The URL's query holds libpq's own settings (sslmode=require, ...): each
  // passed on, the last word on its keyword; an unknown one is libpq's error.
  for (const auto& [key, value] : uri.getQueryParameters()) p.Add(key, value);
  return p;
}

struct Finish {
  void operator()(PGconn* conn) const { PQfinish(conn); }
};
struct Clear {
  void operator()(PGresult* result) const { PQclear(result); }
};
using Result = std::unique_ptr<PGresult, Clear>;

class PostgresRow : public SqlRow {
 public:
  PostgresRow(const PGresult* result, int row) : result_(result), row_(row) {}
  std::string Text(int column) const override {
    return std::string(PQgetvalue(result_, row_, column), static_cast<size_t>(PQgetlength(result_, row_, column)));
  }
  int64_t Int(int column) const override { return std::strtoll(PQgetvalue(result_, row_, column), nullptr, 10); }

 private:
  const PGresult* result_;
  int row_;
};

class PostgresStore final : public SqlStore {
 public:
  explicit PostgresStore(const std::string& url) : SqlStore(RedactedStoreUrl(url)) {
    ConnectionParams params;
    try {
      params = ParseUrl(url);
    } catch (const Poco::Exception& e) {
      throw Error(name(), 0, "not a PostgreSQL URL: " + e.displayText());
    }
    std::vector<const char*> keys, values;
    for (size_t i = 0; i < params.keys.size(); ++i) {
      keys.push_back(params.keys[i].c_str());
      values.push_back(params.values[i].c_str());
    }
    keys.push_back(nullptr);
    values.push_back(nullptr);
    conn_.reset(PQconnectdbParams(keys.data(), values.data(), 0));
    if (!conn_) throw Error(name(), 0, "cannot open the store: out of memory");
    if (PQstatus(conn_.get()) != CONNECTION_OK) {
      std::string why = PQerrorMessage(conn_.get());
      while (!why.empty() && (why.back() == '\n' || why.back() == ' ')) why.pop_back();
      throw Error(name(), 0, "cannot open the store: " + why);
    }
    // The server's notices ("relation already exists, skipping") are not ours to print.
    PQsetNoticeProcessor(conn_.get(), [](void*, const char*) {}, nullptr);
    Migrate();
  }

  void Checkpoint() override {}  // PostgreSQL has no write-ahead log of ours to copy

 protected:
  void Run(Query query, std::initializer_list<SqlParam> params, const RowFn& row) override {
    Prepare(query);
    // Numbers as text; text as given. libpq reads text up to a NUL byte:
    // text holding one would be stored cut short (and an audit row would no
    // longer match its hash), so it is refused.
    std::array<std::string, 16> numbers;
    std::array<const char*, 16> values{};
    if (params.size() > values.size()) throw StoreError(name(), "too many parameters", QueryText(query));
    size_t i = 0;
    for (const SqlParam& p : params) {
      if (p.text == nullptr) numbers[i] = std::to_string(p.number);
      if (p.text != nullptr && std::memchr(p.text, '\0', p.size) != nullptr) {
        throw StoreError(name(), "parameter " + std::to_string(i + 1) + " holds a NUL byte", QueryText(query));
      }
      values[i] = p.text == nullptr ? numbers[i].c_str() : p.text;
      ++i;
    }
    const std::string statement = StatementName(query);
    Result result(PQexecPrepared(conn_.get(), statement.c_str(), static_cast<int>(params.size()), values.data(),
                                 nullptr, nullptr, 0));
    Check(result.get(), QueryText(query));
    if (!row) return;
    for (int r = 0; r < PQntuples(result.get()); ++r) row(PostgresRow(result.get(), r));
  }

  void RunScript(const std::string& sql) override { Check(Result(PQexec(conn_.get(), sql.c_str())).get(), sql); }
  void Begin() override { RunScript("BEGIN"); }
  void Commit() override { RunScript("COMMIT"); }
  void Rollback() override { RunScript("ROLLBACK"); }
  // PostgreSQL's transactions read what others committed meanwhile: the
  // append and the migrations each take a lock that only one holds at once.
  void LockAuditLog() override { RunScript("LOCK TABLE audit_log IN EXCLUSIVE MODE"); }
  void LockMigrations() override { RunScript("LOCK TABLE schema_migrations IN EXCLUSIVE MODE"); }
  std::string SerialKey() const override { return "BIGSERIAL PRIMARY KEY"; }

 private:
  static std::string StatementName(Query query) { return "imprint_" + std::to_string(static_cast<int>(query)); }

  // Prepares `query` on this connection at its first use (its tables exist
  // only once the migrations ran).
  void Prepare(Query query) {
    bool& prepared = prepared_[static_cast<size_t>(query)];
    if (prepared) return;
    Check(Result(PQprepare(conn_.get(), StatementName(query).c_str(), QueryText(query), 0, nullptr)).get(),
          QueryText(query));
    prepared = true;
  }

  void Check(const PGresult* result, const std::string& statement) const {
    const ExecStatusType status = result == nullptr ? PGRES_FATAL_ERROR : PQresultStatus(result);
    if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
    // The connection's message names a lost server too, when there is no result.
    const char* why = result != nullptr ? PQresultErrorMessage(result) : "";
    throw StoreError(name(), *why != '\0' ? why : PQerrorMessage(conn_.get()), statement);
  }

  std::unique_ptr<PGconn, Finish> conn_;
  std::array<bool, kQueryCount> prepared_{};
};

}  // namespace

std::unique_ptr<LicenseStore> OpenPostgresStore(const std::string& url) { return std::make_unique<PostgresStore>(url); }

}  // namespace imprint
