#include "pipeline/server/server.h"


#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include <algorithm>
#include <condition_variable>
#include <iostream>
#include <functional>
#include <filesystem>
#include <list>
#include <map>
#include <mutex>
#include <iostream>
#include <sstream>
#include <thread>
#include <unordered_map>

#include "pipeline/server/artifact_verifier.h"
#include "pipeline/signing/checkpoint.h"
#include "pipeline/base/crypto.h"
#include "pipeline/license/decision.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"
#include "pipeline/license/license_status.h"
#include "pipeline/license/license_store.h"
#include "pipeline/signing/live_keys.h"
#include "pipeline/signing/minisign.h"
#include "pipeline/server/personalize.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/writers.h"
#include "pipeline/license/store_pool.h"

namespace imprint {
namespace fs = std::filesystem;
namespace {

// The Authorization header's size at the most (a license of the longest
// name is ~1.5 KB); a longer one is refused, on the record. The whole request
// head may be larger, so that such a request still reaches the record.
constexpr size_t kMaxAuthorization = 16 * 1024;
constexpr size_t kMaxHead = 64 * 1024;
// The catalog's and the public key's size at the most (a catalog of ten
// thousand editions is a few megabytes).
constexpr uint64_t kMaxServedFile = 64 << 20;

// The answer while the store cannot be reached: try again in a second.
constexpr const char* kStoreUnavailable = "{\"error\":\"store_unavailable\"}\n";

int64_t Now() { return static_cast<int64_t>(::time(nullptr)); }

// The revocations, held in memory so that a request asks no database. They
// are brought up to date inside every audit commit (LicenseStore::AuditScreen),
// where a row whose license has been revoked meanwhile, by this process or
// another, is turned into a denial before it is written: a download is refused
// from the moment its license's revocation is committed.
class RevocationList {
 public:
  // Reloads the list when the store's revocations moved since the last call.
  void Refresh(LicenseStore& store) {
    const int64_t version = store.RevocationsVersion();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (version == version_) return;
    }
    auto fresh = std::make_shared<std::unordered_map<std::string, Revocation>>();
    for (Revocation& r : store.Revocations()) fresh->emplace(r.license_id, std::move(r));
    std::lock_guard<std::mutex> lock(mu_);
    list_ = std::move(fresh);
    version_ = version;
  }

  // The revocation of `license_id` when it was in force at `at`.
  std::optional<Revocation> Find(const std::string& license_id, int64_t at) const {
    std::shared_ptr<const std::unordered_map<std::string, Revocation>> list;
    {
      std::lock_guard<std::mutex> lock(mu_);
      list = list_;
    }
    const auto it = list->find(license_id);
    if (it == list->end() || it->second.at > at) return std::nullopt;
    return it->second;
  }

  // Turns the rows of licenses revoked by now (the commit's time; a request
  // begun before the revocation may commit after it) into denials.
  void Screen(std::vector<AuditRow>* rows) const {
    const int64_t now = Now();
    for (AuditRow& row : *rows) {
      if (row.license_id.empty() || row.reason == "revoked" || !Find(row.license_id, std::max(row.at, now))) {
        continue;
      }
      row.decision = AuditDecision::kDeny;
      row.reason = "revoked";
      row.sha256.clear();
    }
  }

 private:
  mutable std::mutex mu_;
  std::shared_ptr<const std::unordered_map<std::string, Revocation>> list_ =
      std::make_shared<std::unordered_map<std::string, Revocation>>();
  int64_t version_ = -1;  // none loaded yet
};

// A thread of its own that runs `work` when nudged, at most once per `pace`,
// and sleeps while nothing nudges it; with `once_more_at_stop`, `work` runs a
// last time when it is destroyed (after every nudge before). Nudge() is
// cheap: it wakes the thread only when the thread waits for a nudge. The
// shared part of the checkpointer and the checkpoint signer.
class PacedThread {
 public:
  PacedThread(std::chrono::milliseconds pace, std::function<void()> work, bool once_more_at_stop)
      : pace_(pace), work_(std::move(work)), once_more_at_stop_(once_more_at_stop), thread_([this] { Run(); }) {}
  ~PacedThread() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_all();
    thread_.join();
  }

  void Nudge() {
    std::lock_guard<std::mutex> lock(mu_);
    if (dirty_) return;
    dirty_ = true;
    if (idle_) wake_.notify_one();
  }

 private:
  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      idle_ = true;
      wake_.wait(lock, [this] { return dirty_ || stop_; });
      idle_ = false;
      if (stop_) break;
      dirty_ = false;
      lock.unlock();
      work_();
      lock.lock();
      if (wake_.wait_for(lock, pace_, [this] { return stop_; })) break;
    }
    lock.unlock();
    if (once_more_at_stop_) work_();
  }

  const std::chrono::milliseconds pace_;
  const std::function<void()> work_;
  const bool once_more_at_stop_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false, dirty_ = false, idle_ = false;
  std::thread thread_;  // last: it starts once the rest is ready
};

// Keeps the store's write-ahead log checkpointed from a thread of its own
// (LicenseStore::Checkpoint): a pass at most every 10 ms while commits come,
// none while the server is idle. The commit that finds the log long (see
// license_store.cc) then has only the last few milliseconds to copy.
// Measured under bench/load-test: p99 9 -> 5.5 ms.
class Checkpointer {
 public:
  explicit Checkpointer(const std::string& url)
      : url_(url), thread_(std::chrono::milliseconds(10), [this] { Pass(); }, false) {}

  // Says the log has grown: called after each commit.
  void Nudge() { thread_.Nudge(); }

 private:
  void Pass() {
    try {
      if (!store_) store_ = LicenseStore::Open(url_);  // at first, and after a failure
      store_->Checkpoint();
    } catch (const Error&) {
      // The next pass tries again on a new connection, and commits still
      // checkpoint by themselves.
      store_.reset();
    }
  }

  const std::string url_;
  std::unique_ptr<LicenseStore> store_;  // only Pass() touches it
  PacedThread thread_;  // last: it starts once the rest is ready
};

// The bytes of a row hash as the rows keep it (lower-case hex).
std::string FromHex(const std::string& hex) {
  std::string bytes;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return bytes;
}

// Whether a checkpoint's signed note states `size` rows with head `hex_hash`
// (its second and third lines), its signature unchecked: the signer only
// compares what it kept with the log.
bool NoteStates(const std::string& note, int64_t size, const std::string& hex_hash) {
  const size_t first = note.find('\n');
  const std::string stated = std::to_string(size) + "\n" + Base64Encode(FromHex(hex_hash)) + "\n";
  return first != std::string::npos && note.compare(first + 1, stated.size(), stated) == 0;
}

// Signs checkpoints of the audit log (pipeline/signing/checkpoint.h) from a thread of
// its own: when nudged (at start, and after each commit), at once if idle,
// else at the end of the `interval` that follows the last signature, so no
// committed row waits longer than that for its anchor; and once more when it
// is destroyed (the server's shutdown), after the last commit. A round
// signs only when the log moved since the last one this signer made. The key
// comes through `key` each round, so a reloaded key signs from then on. A
// round that fails (no key, no database) leaves the next to try again, on a
// new connection when the database failed.
class CheckpointSigner {
 public:
  using KeySource = std::function<std::shared_ptr<const SigningKey>()>;
  // At shutdown the handlers are done and every row is in: one more round.
  CheckpointSigner(const std::string& url, std::string origin, KeySource key, std::chrono::milliseconds interval)
      : url_(url), origin_(std::move(origin)), key_(std::move(key)),
        thread_(interval, [this] { SignIfMoved(); }, true) {}

  // Says rows were committed.
  void Nudge() { thread_.Nudge(); }

 private:

  void SignIfMoved() {
    try {
      if (refused_) return;
      if (!store_) store_ = LicenseStore::Open(url_);  // at first, and after a failure
      const AuditHead head = store_->Head();
      if (signed_ && head.size == last_.size && head.hash == last_.hash) return;
      // Never sign over a log changed below the last checkpoint: rows
      // deleted, edited or re-chained while the server ran (and the stored
      // checkpoints that would show it deleted too). Left unsigned, the rows
      // from here on fail `imprint audit verify` as not anchored.
      // Rows no signer saw arrive (a crashed server's last ones, or rows
      // forged while none ran) cannot be told apart here: say so, then sign.
      const auto latest = signed_ ? std::nullopt : store_->LatestCheckpoint();
      // At start, the same for the latest checkpoint kept: a log changed
      // below it while no server ran is not signed over (that would vouch
      // for two logs of one size, or for the changed one once the other
      // checkpoint is deleted).
      if (latest && latest->size > 0) {
        const std::optional<std::string> then = store_->HashAtPosition(latest->size);
        if (!then || !NoteStates(latest->note, latest->size, *then)) {
          refused_ = true;
          std::cerr << "imprint serve: the audit log changed below its latest checkpoint of " << latest->size
                    << " rows; no checkpoints are signed (run imprint audit verify)" << std::endl;
          return;
        }
      }
      if (latest && head.size > latest->size) {
        std::cerr << "imprint serve: " << head.size - latest->size << " audit rows after the last checkpoint were "
                  << "written while no server signed (a crash, or forged); signing them now" << std::endl;
      }
      if (signed_) {
        const AuditHead then = store_->HeadAt(last_.last_id);
        if (then.size != last_.size || then.hash != last_.hash) {
          refused_ = true;
          std::cerr << "imprint serve: the audit log changed below its checkpoint of " << last_.size
                    << " rows; no more checkpoints are signed (run imprint audit verify)" << std::endl;
          return;
        }
      }
      const std::shared_ptr<const SigningKey> key = key_();
      if (!key) return;  // no usable key now (revoked): the next round tries again
      const std::string hash = FromHex(head.hash);
      StoredCheckpoint c;
      c.at = Now();
      c.size = head.size;
      c.note = SignCheckpoint({origin_, head.size, hash}, key->signer);
      store_->AddCheckpoint(&c);
      last_ = head;
      signed_ = true;
    } catch (const std::exception&) {
      // The next round tries again; verify reports rows left unanchored.
      store_.reset();
    }
  }

  const std::string url_;
  std::unique_ptr<LicenseStore> store_;  // the signer's own connection, opened when needed
  const std::string origin_;
  const KeySource key_;
  AuditHead last_;  // what this signer signed last
  bool signed_ = false;
  bool refused_ = false;  // the log changed under a checkpoint: sign no more
  PacedThread thread_;  // last: it starts once the rest is ready
};

// Appends audit rows in groups from a thread of its own: requests hand in
// their rows (Submit) and go on; the writer takes every row handed in while
// it committed the last group and commits them in one transaction, then calls
// each row's `done` with the row as committed. A row is in the database
// before its answer is sent: the answer is made in `done`. One connection of
// the writer's own keeps its page cache warm (a connection discards its cache
// whenever another one wrote). The screen runs inside each commit and may
// change the rows. A commit that fails closes the connection (after a
// database restart it is dead) and the next opens a new one; each outcome is
// the store's health (StorePool::Report). Destroying the writer commits every
// row handed in before.
class AuditWriter {
 public:
  // `committed` is false when the commit failed (the row may or may not be
  // in: the database's answer was lost). Runs on the writer's thread.
  using Done = std::function<void(const AuditRow& row, bool committed)>;

  AuditWriter(const std::string& url, LicenseStore::AuditScreen screen, CheckpointSigner* signer, StorePool* health)
      : url_(url), store_(LicenseStore::Open(url)), screen_(std::move(screen)), checkpointer_(url), signer_(signer),
        health_(health), thread_([this] { Run(); }) {}
  ~AuditWriter() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

  void Submit(AuditRow row, Done done) {
    std::lock_guard<std::mutex> lock(mu_);
    queue_.push_back({std::move(row), std::move(done)});
    if (idle_) wake_.notify_one();  // a busy writer takes it with its next group
  }

 private:
  struct Item {
    AuditRow row;
    Done done;
  };

  void Run() {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      idle_ = true;
      wake_.wait(lock, [this] { return !queue_.empty() || stop_; });
      idle_ = false;
      if (queue_.empty()) return;  // stopped, and every row handed in is done
      std::vector<Item> group;
      group.swap(queue_);
      lock.unlock();
      Commit(&group);
      lock.lock();
    }
  }

  void Commit(std::vector<Item>* group) {
    bool ok = true;
    std::string why;
    std::vector<AuditRow> rows;
    rows.reserve(group->size());
    for (Item& item : *group) rows.push_back(std::move(item.row));
    try {
      if (!store_) store_ = LicenseStore::Open(url_);  // after a failure
      store_->AppendAudit(&rows, screen_);
      checkpointer_.Nudge();
      if (signer_ != nullptr) signer_->Nudge();
    } catch (const std::exception& e) {
      ok = false;
      why = e.what();
      store_.reset();
    }
    health_->Report(ok, why);
    for (size_t i = 0; i < rows.size(); ++i) (*group)[i].done(rows[i], ok);
  }

  std::string url_;
  std::unique_ptr<LicenseStore> store_;  // only the writer's thread touches it
  LicenseStore::AuditScreen screen_;
  Checkpointer checkpointer_;
  CheckpointSigner* signer_;  // not owned; outlives the writer
  StorePool* health_;         // not owned; outlives the writer
  std::mutex mu_;
  std::condition_variable wake_;
  std::vector<Item> queue_;  // GUARDED_BY(mu_)
  bool idle_ = false, stop_ = false;  // GUARDED_BY(mu_)
  std::thread thread_;  // last: it starts once the rest is ready
};

// Personalised copies and their signatures, per license, edition and file,
// least recently used dropped first, at most `max_entries` of them (4,096 by
// default) and 64 MB.
class CopyCache {
 public:
  explicit CopyCache(size_t max_entries) : max_entries_(max_entries) {}
  struct Copy {
    std::string bytes;
    std::string signature;
    std::string sha256;            // of bytes
    std::string signature_sha256;  // of signature
    size_t Size() const { return bytes.size() + signature.size() + 128; }
  };
  std::shared_ptr<const Copy> Get(const std::string& key) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = index_.find(key);
    if (it == index_.end()) return nullptr;
    order_.splice(order_.begin(), order_, it->second.second);
    return it->second.first;
  }
  void Put(const std::string& key, std::shared_ptr<const Copy> copy) {
    std::lock_guard<std::mutex> lock(mu_);
    if (index_.count(key) || copy->Size() > kMaxBytes || max_entries_ == 0) return;
    bytes_ += copy->Size();
    order_.push_front(key);
    index_[key] = {std::move(copy), order_.begin()};
    while (index_.size() > max_entries_ || bytes_ > kMaxBytes) {
      const auto last = index_.find(order_.back());
      bytes_ -= last->second.first->Size();
      index_.erase(last);
      order_.pop_back();
    }
  }

 private:
  // Bounded both ways: a busy archive's copies never take more than this.
  const size_t max_entries_;
  static constexpr size_t kMaxBytes = size_t{64} << 20;
  std::mutex mu_;
  size_t bytes_ = 0;  // GUARDED_BY(mu_)
  std::list<std::string> order_;
  std::unordered_map<std::string, std::pair<std::shared_ptr<const Copy>, std::list<std::string>::iterator>> index_;
};

// Signature verdicts by the license's exact text: a subscriber downloads many
// files with one license, and Ed25519 verification is the costliest step of a
// request. A verdict holds for one generation of the keys (LiveKeys): when
// they change, every verdict is dropped. Bounded; cleared when full.
class VerdictCache {
 public:
  VerifiedLicense Verify(const std::string& text, const KeySnapshot& keys) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (generation_ != keys.generation) {
        verdicts_.clear();
        generation_ = keys.generation;
      }
      auto it = verdicts_.find(text);
      if (it != verdicts_.end()) return it->second;
    }
    VerifiedLicense v = VerifyAndParse(text, keys.trusted);
    std::lock_guard<std::mutex> lock(mu_);
    if (generation_ != keys.generation) return v;  // the keys moved meanwhile: keep nothing
    if (verdicts_.size() >= kCapacity) verdicts_.clear();
    verdicts_.emplace(text, v);
    return v;
  }

 private:
  static constexpr size_t kCapacity = 8192;
  std::mutex mu_;
  uint64_t generation_ = 0;
  std::unordered_map<std::string, VerifiedLicense> verdicts_;
};

HttpResponse Answer(int status, const std::string& type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = type;
  r.body = std::move(body);
  r.Set("X-Content-Type-Options", "nosniff");
  return r;
}

HttpResponse Json(int status, std::string json) { return Answer(status, "application/json", std::move(json)); }

std::string ReasonJson(const char* decision, const std::string& reason, const std::string& detail) {
  std::string d;
  for (char c : detail) {
    if (c == '"' || c == '\\') d += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) d += c;
  }
  return std::string("{\"decision\":\"") + decision + "\",\"reason\":\"" + reason + "\",\"detail\":\"" + d + "\"}\n";
}

// One line on stderr per event an operator must see; never a license, a
// secret or a private reason. Lines from many threads do not interleave.
void Log(const std::string& line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::cerr << "imprint serve: " << line << std::endl;
}

}  // namespace

bool Base64UrlDecode(const std::string& text, std::string* bytes) {
  std::string standard = text;
  for (char& c : standard) {
    if (c == '-') c = '+';
    else if (c == '_') c = '/';
    else if (c == '+' || c == '/') return false;
  }
  while (standard.size() % 4 != 0) standard += '=';
  return Base64Decode(standard, bytes);
}

struct DownloadServer::Impl {
  Impl(ServerOptions o, RightsPolicy p, TemplateSet t, Keystore keystore)
      : options(std::move(o)), policy(std::move(p)), templates(std::move(t)), keys(std::move(keystore)),
        watermarks(policy), out_root(fs::weakly_canonical(fs::absolute(options.out_dir))),
        verifier(out_root.string()),
        page(templates.Render("subscribers.html", TemplateData())) {}

  // What a request for an edition file comes to: the audit row to commit,
  // and the answer to send once it is committed (the commit may have turned
  // the row into a revocation).
  struct Plan {
    AuditRow row;
    std::function<HttpResponse(const AuditRow& committed)> answer;
  };

  void Handle(const HttpRequest& request, HttpResponder respond);
  HttpResponse HandleOther(const Route& route, const HttpRequest& request);
  void HandleEdition(const Route& route, const HttpRequest& request, HttpResponder respond);
  HttpResponse HandleStored(const Route& route);
  Plan DecideAndSend(const Route& route, const HttpRequest& request, AuditRow row);

  // A denial for `reason`, answered `status` once committed.
  Plan Deny(AuditRow row, int status, const std::string& reason, const std::string& detail) {
    row.decision = AuditDecision::kDeny;
    row.reason = reason;
    row.sha256.clear();
    return {std::move(row), [this, status, detail](const AuditRow& r) { return DeniedAnswer(r, status, detail); }};
  }

  // The answer to a committed denial. The commit may have turned the row
  // into a revocation: then the revocation's public wording (never its
  // reason, the foundation's private note).
  HttpResponse DeniedAnswer(const AuditRow& row, int status, const std::string& detail) {
    std::string why = detail;
    if (row.reason == "revoked" && revocations.Find(row.license_id, std::max(row.at, Now()))) {
      status = 403;
      why = RevokedDetail(row.license_id);
    }
    HttpResponse answer = Json(status, ReasonJson("deny", row.reason, why));
    if (status == 401) answer.Set("WWW-Authenticate", "License");
    return answer;
  }

  // A file under the output folder, or nullopt: never a path outside it, even
  // through a symbolic link inside it; only a regular file, as opened (a FIFO
  // put in its place after the path was resolved is not waited for), of at
  // most kMaxServedFile bytes (a sparse file is not read into memory).
  std::optional<std::string> ReadInside(const std::string& relative) const {
    std::error_code ec;
    const fs::path real = fs::canonical(out_root / relative, ec);
    if (ec) return std::nullopt;
    const auto mismatch = std::mismatch(out_root.begin(), out_root.end(), real.begin(), real.end());
    if (mismatch.first != out_root.end()) return std::nullopt;
    const int fd = ::open(real.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) return std::nullopt;
    std::optional<std::string> bytes;
    struct stat st;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) <= kMaxServedFile) {
      bytes.emplace();
      char buf[1 << 16];
      for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) != 0;) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 || bytes->size() + static_cast<size_t>(n) > kMaxServedFile) {  // failed, or grew
          bytes.reset();
          break;
        }
        bytes->append(buf, static_cast<size_t>(n));
      }
    }
    ::close(fd);
    if (!bytes) {
      Log(relative + ": not served: not a regular file of at most " + std::to_string(kMaxServedFile) + " bytes");
    }
    return bytes;
  }

  ServerOptions options;
  RightsPolicy policy;
  TemplateSet templates;
  LiveKeys keys;
  Watermarks watermarks;  // each tier's wording, parsed once
  fs::path out_root;
  ArtifactVerifier verifier;
  std::string page;
  CopyCache cache{static_cast<size_t>(std::max(0, options.copy_cache_entries))};
  VerdictCache verdicts;
  RevocationList revocations;
  std::unique_ptr<StorePool> pool;  // the handlers' store connections
  std::unique_ptr<CheckpointSigner> signer;  // destroyed after `audit`: it signs the last rows
  std::unique_ptr<AuditWriter> audit;
  std::unique_ptr<HttpServer> http;
};

// On an I/O thread: an edition file is decided here and answered when its
// audit row is committed; everything else, which may wait for the store or
// the disk, on a worker.
void DownloadServer::Impl::Handle(const HttpRequest& request, HttpResponder respond) {
  const Route route = ParseRoute(request.target);
  if (route.kind == Route::kEdition) return HandleEdition(route, request, std::move(respond));  // any method
  auto job = [this, route, request, respond] {
    HttpResponse answer;
    try {
      answer = HandleOther(route, request);
    } catch (const std::exception& e) {
      Log(std::string("request failed: ") + e.what());
      answer = Json(500, "{\"error\":\"internal\"}\n");
    }
    respond(std::move(answer));
  };
  if (!http->Offload(job)) respond(Json(503, "{\"error\":\"busy\"}\n").Set("Retry-After", "1"));
}

HttpResponse DownloadServer::Impl::HandleOther(const Route& route, const HttpRequest& request) {
  if (request.method != "GET" && request.method != "HEAD") {
    return Json(405, "{\"error\":\"method_not_allowed\"}\n").Set("Allow", "GET, HEAD");
  }
  switch (route.kind) {
    case Route::kBad:
      return Json(400, "{\"error\":\"malformed_path\"}\n");
    case Route::kUnknown:
      return Json(404, "{\"error\":\"not_found\"}\n");
    case Route::kPage:
      return Answer(200, "text/html; charset=utf-8", page);
    case Route::kHealth:
      if (!pool->Healthy()) {
        return Answer(503, "text/plain", "store unavailable: " + pool->name() + "\n").Set("Retry-After", "1");
      }
      return Answer(200, "text/plain", "ok\n");
    case Route::kPublicKey: {
      // The key that signs now, from the keystore: not a file of the output
      // folder, which whoever writes there could swap for a key of their own.
      const std::shared_ptr<const KeySnapshot> now = keys.Current();
      if (!now->signing) return Json(503, "{\"error\":\"no_signing_key\"}\n");
      return Answer(200, "text/plain", FormatPublicKey(now->signing->key));
    }
    case Route::kCatalog: {
      // Served only as signed by a trusted key, like every edition file.
      const auto bytes = ReadInside("catalog.json");
      const auto signature = ReadInside(std::string("catalog.json") + kSignatureSuffix);
      if (!bytes) return Json(404, "{\"error\":\"not_found\"}\n");
      std::string signer;
      const std::string problem = signature ? CheckSignature("catalog.json", *bytes, *signature,
                                                             keys.Current()->trusted, &signer)
                                            : "no signature beside it";
      if (!problem.empty()) {
        Log("catalog_unverified: catalog.json: " + problem);
        return Json(500, "{\"error\":\"catalog_unverified\"}\n");
      }
      return Answer(200, "application/json", *bytes);
    }
    case Route::kAuditCheckpoint:
    case Route::kStatus:
      try {
        return HandleStored(route);
      } catch (const StoreUnavailable&) {
        return Json(503, kStoreUnavailable).Set("Retry-After", "1");
      }
    case Route::kEdition:
      break;  // not here: Handle()
  }
  return Json(400, "{\"error\":\"malformed_path\"}\n");
}

// The routes answered from the store. Only a lookup that worked can say a
// license is unknown: one that failed is StoreUnavailable, never a 404.
HttpResponse DownloadServer::Impl::HandleStored(const Route& route) {
  if (route.kind == Route::kAuditCheckpoint) {
    // The latest signed checkpoint, for outside parties to keep copies of.
    const auto latest = pool->Use([](LicenseStore& store) { return store.LatestCheckpoint(); });
    if (!latest) return Json(404, "{\"error\":\"no_checkpoint\"}\n");
    return Answer(200, "text/plain; charset=utf-8", latest->note).Set("Cache-Control", "no-cache");
  }
  const std::string& id = route.license_id;
  const auto document = pool->Use([&id](LicenseStore& store) -> std::optional<std::string> {
    if (!store.FindLicense(id)) return std::nullopt;
    return LicenseStatusDocument(store, id, Now());  // licenses are never deleted: its Error is the store's
  });
  if (!document) return Json(404, "{\"error\":\"unknown_license\"}\n");
  return Json(200, *document);
}

void DownloadServer::Impl::HandleEdition(const Route& route, const HttpRequest& request, HttpResponder respond) {
  AuditRow row;
  row.at = Now();
  row.edition = route.edition.Path();
  row.format = route.format;
  row.method = request.method;
  row.item = route.signature ? "signature" : "copy";
  Plan plan;
  try {
    plan = DecideAndSend(route, request, row);
  } catch (const std::exception& e) {
    // Whatever went wrong, the request leaves its one row.
    Log(row.edition + "/" + route.file + ": " + e.what());
    plan = Deny(row, 500, "internal", "");
    plan.answer = [](const AuditRow&) { return Json(500, "{\"error\":\"internal\"}\n"); };
  }
  // The record of what is sent is in before it is sent.
  audit->Submit(std::move(plan.row), [respond = std::move(respond), answer = std::move(plan.answer)](
                                         const AuditRow& committed, bool ok) {
    if (!ok) {
      // No row could be committed, so nothing is sent: try again shortly.
      respond(Json(503, kStoreUnavailable).Set("Retry-After", "1"));
      return;
    }
    HttpResponse response;
    try {
      response = answer(committed);
    } catch (const std::exception&) {
      response = Json(500, "{\"error\":\"internal\"}\n");
    }
    respond(std::move(response));
  });
}

DownloadServer::Impl::Plan DownloadServer::Impl::DecideAndSend(const Route& route, const HttpRequest& request,
                                                               AuditRow row_in) {
  AuditRow* row = &row_in;
  if (request.method != "GET" && request.method != "HEAD") {
    Plan plan = Deny(*row, 405, "method_not_allowed", "GET or HEAD");
    plan.answer = [this](const AuditRow& r) { return DeniedAnswer(r, 405, "GET or HEAD").Set("Allow", "GET, HEAD"); };
    return plan;
  }
  // The license: "Authorization: License <base64url of the document>".
  const std::string& auth = request.Header("authorization");
  std::string text;
  if (auth.rfind("License ", 0) != 0 || auth.size() > kMaxAuthorization || !Base64UrlDecode(auth.substr(8), &text)) {
    return Deny(*row, 401, "no_license", "send Authorization: License <base64url of your license>");
  }
  // The keys as of now (reloaded when the keystore changed), for the whole
  // request: the license is checked and the copy signed with one generation.
  const std::shared_ptr<const KeySnapshot> keys_now = keys.Current();
  const auto revoked = [this](const std::string& id, int64_t at) -> std::optional<std::string> {
    if (const auto r = revocations.Find(id, at)) return r->reason;
    return std::nullopt;
  };
  const Decision d =
      Decide({&text, route.edition, "read", route.format, row->at}, policy, keys_now->trusted, revoked,
             [this, &keys_now](const std::string& license) { return verdicts.Verify(license, *keys_now); });
  if (d.license) {
    row->license_id = d.license->id;
    row->subscriber_id = d.license->subscriber_id;
  }
  if (IsSignatureFailure(d.reason)) {
    return Deny(*row, 401, ToString(d.reason), d.detail);
  }
  // Only bytes the edition's signed manifest proves are personalised and
  // signed; each file is verified once per change of its identity. An
  // unknown edition is 404 before a denial says anything of the license.
  const ArtifactVerifier::Result base =
      verifier.Read(route.edition, route.file, keys_now->trusted, keys_now->generation);
  if (base.code == ArtifactVerifier::Result::Code::kNotFound) {
    return Deny(*row, 404, "unknown_edition", "no such edition");
  }
  if (!d.permit) return Deny(*row, 403, ToString(d.reason), d.detail);
  if (base.code != ArtifactVerifier::Result::Code::kOk) {
    Log("edition_unverified: " + row->edition + "/" + route.file + ": " + base.detail);
    Plan plan = Deny(*row, 500, "edition_unverified", "");
    plan.answer = [](const AuditRow&) { return Json(500, "{\"error\":\"edition_unverified\"}\n"); };
    return plan;
  }
  if (!keys_now->signing) {
    Log("no signing key: " + keys.error());
    Plan plan = Deny(*row, 503, "no_signing_key", "");
    plan.answer = [](const AuditRow&) { return Json(503, "{\"error\":\"no_signing_key\"}\n"); };
    return plan;
  }
  const SigningKey& key = *keys_now->signing;
  // A copy is the same bytes for the same license, verified base and key.
  const std::string cache_key = d.license->id + "|" + route.file + "|" + base.sha256 + "|" + Hex(key.key.id);
  std::shared_ptr<const CopyCache::Copy> copy = cache.Get(cache_key);
  if (!copy) {
    auto made = std::make_shared<CopyCache::Copy>();
    made->bytes = Personalize(route.format, *base.bytes,
                              watermarks.Make(d.license->tier, d.license->id, d.license->subscriber_name));
    made->signature = SignMinisign(key.signer, key.key.id, made->bytes,
                                   "file:" + route.file + "\tedition:" + row->edition + "\tlicense:" + d.license->id);
    made->sha256 = Sha256Hex(made->bytes);
    made->signature_sha256 = Sha256Hex(made->signature);
    copy = made;
    cache.Put(cache_key, copy);
  }
  const std::string& sha256 = route.signature ? copy->signature_sha256 : copy->sha256;
  const std::string etag = "\"" + sha256 + "\"";
  const bool not_modified = request.Header("if-none-match") == etag;
  row->decision = AuditDecision::kPermit;
  row->reason = not_modified ? "not_modified" : "permit";
  // The hash of what is sent: nothing for HEAD and 304, which send no body.
  row->sha256 = request.method == "HEAD" || not_modified ? "" : sha256;
  // Answered once the row is in; the commit may have found the license
  // revoked meanwhile.
  const bool signature = route.signature;
  const std::string file = route.file, format = route.format;
  auto answer = [this, copy, etag, not_modified, signature, file, format](const AuditRow& r) {
    if (r.decision != AuditDecision::kPermit) return DeniedAnswer(r, 403, "");
    HttpResponse response;
    response.status = not_modified ? 304 : 200;
    response.Set("Cache-Control", "private").Set("ETag", etag);
    if (not_modified) return response;
    response.content_type = signature ? "text/plain" : FindWriter(format)->mime_type;  // a route's format is one
    response.Set("X-Content-Type-Options", "nosniff");
    response.Set("Content-Disposition", "attachment; filename=\"" + file + (signature ? kSignatureSuffix : "") + "\"");
    // The cached copy itself, not a copy of it: the aliasing pointer keeps
    // the whole entry alive while the answer is written.
    response.shared_body = std::shared_ptr<const std::string>(copy, signature ? &copy->signature : &copy->bytes);
    return response;
  };
  return {std::move(row_in), std::move(answer)};
}

DownloadServer::DownloadServer(ServerOptions options, RightsPolicy policy, TemplateSet templates, Keystore keystore)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(policy), std::move(templates),
                                   std::move(keystore))) {}

DownloadServer::~DownloadServer() { Stop(); }

void DownloadServer::Start() {
  const std::string url = impl_->options.db_url;
  impl_->pool = std::make_unique<StorePool>(
      [url] { return LicenseStore::Open(url); }, impl_->options.db_connections, std::chrono::seconds(2),
      RedactedStoreUrl(url), [](bool healthy, std::string why) {
        for (char& c : why) c = c == '\n' || c == '\t' ? ' ' : c;  // libpq's messages span lines
        Log(healthy ? "the store is available again" : "the store is unavailable: " + why);
      });
  // Opens (and migrates) the store, or says why not.
  {
    const std::unique_ptr<LicenseStore> store = LicenseStore::Open(url);
    impl_->revocations.Refresh(*store);
  }
  RevocationList* revocations = &impl_->revocations;
  // The key as it is now (LiveKeys), each time a checkpoint is signed.
  Impl* keys_of = impl_.get();
  impl_->signer = std::make_unique<CheckpointSigner>(
      impl_->options.db_url, impl_->options.log_origin,
      [keys_of] { return keys_of->keys.Current()->signing; }, impl_->options.checkpoint_interval);
  // A checkpoint at start too: rows a crashed server left unsigned are
  // anchored at once, and an empty log is anchored at size 0.
  impl_->signer->Nudge();
  impl_->audit = std::make_unique<AuditWriter>(
      impl_->options.db_url,
      [revocations](LicenseStore& store, std::vector<AuditRow>* rows) {
        revocations->Refresh(store);
        revocations->Screen(rows);
      },
      impl_->signer.get(), impl_->pool.get());
  HttpServerOptions http;
  http.bind = impl_->options.bind;
  http.port = impl_->options.port;
  http.workers = impl_->options.workers;
  http.io_threads = impl_->options.io_threads;
  http.queue = impl_->options.queue;
  http.head_timeout_seconds = impl_->options.timeout_seconds;
  http.max_head_bytes = kMaxHead;
  Impl* impl = impl_.get();
  impl_->http = std::make_unique<HttpServer>(
      http, AsyncHttpHandler([impl](const HttpRequest& r, HttpResponder respond) { impl->Handle(r, std::move(respond)); }));
  impl_->http->Start();
}

int DownloadServer::port() const { return impl_->http ? impl_->http->port() : 0; }

void DownloadServer::Stop() {
  if (!impl_) return;
  // No new requests; the rows handed in are committed (their answers go to a
  // stopped transport, which is destroyed only after); a last checkpoint.
  if (impl_->http) impl_->http->Stop();
  impl_->audit.reset();
  impl_->signer.reset();  // signs a checkpoint of the last rows
  impl_->http.reset();
  impl_->pool.reset();
}

}  // namespace imprint
