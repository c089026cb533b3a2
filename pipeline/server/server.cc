#include "pipeline/server/server.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/json_string.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/writers.h"
#include "pipeline/license/decision.h"
#include "pipeline/license/license_status.h"
#include "pipeline/license/license_store.h"
#include "pipeline/license/store_pool.h"
#include "pipeline/server/access_gate.h"
#include "pipeline/server/artifact_verifier.h"
#include "pipeline/server/audit_writer.h"
#include "pipeline/server/checkpoint_signer.h"
#include "pipeline/server/copy_cache.h"
#include "pipeline/server/http_answer.h"
#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"
#include "pipeline/server/personalize.h"
#include "pipeline/server/revocation_list.h"
#include "pipeline/server/serve_log.h"
#include "pipeline/server/verdict_cache.h"
#include "pipeline/server/withdrawn_list.h"
#include "pipeline/signing/live_keys.h"
#include "pipeline/signing/minisign.h"

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

}  // namespace

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
  void DecideEdition(const Route&, const HttpRequest&, const Presented&, bool failed, HttpResponder respond);
  HttpResponse HandleStored(const Route& route);
  Plan DecideAndSend(const Route& route, const HttpRequest& request, const Presented& presented, AuditRow row);
  Plan Failure(AuditRow row, int status, const std::string& reason);
  std::shared_ptr<const CopyCache::Copy> CopyFor(const Route& route, const License& license,
                                                 const ArtifactVerifier::Result& base, const SigningKey& key);
  Plan Permit(const Route& route, const HttpRequest& request, AuditRow row, std::shared_ptr<const CopyCache::Copy> copy);
  std::optional<Plan> Withdrawn(const AuditRow& row);

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
    if (row.reason == kBadAccessKey) status = 401;  // also a key replaced while the row was committed
    if (row.reason == ToString(DecisionReason::kRevoked) && revocations.Find(row.license_id, std::max(row.at, Now()))) {
      status = 403;
      why = RevokedDetail(row.license_id);
    }
    HttpResponse answer = Json(status, ReasonJson("deny", row.reason, why));
    if (status == 401) answer.Set("WWW-Authenticate", ChallengeFor(row));
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
  AccessGate gate;
  WithdrawnList withdrawn{out_root.string()};
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
      const auto bytes = ReadInside(kCatalogJsonName);
      const auto signature = ReadInside(std::string(kCatalogJsonName) + kSignatureSuffix);
      if (!bytes) return Json(404, "{\"error\":\"not_found\"}\n");
      std::string signer;
      const std::string problem = signature ? CheckSignature(kCatalogJsonName, *bytes, *signature,
                                                             keys.Current()->trusted, &signer)
                                            : "no signature beside it";
      if (!problem.empty()) {
        Log(std::string("catalog_unverified: ") + kCatalogJsonName + ": " + problem);
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

// Basic not let in from the gate's cache asks the store on a worker, not here.
void DownloadServer::Impl::HandleEdition(const Route& route, const HttpRequest& request, HttpResponder respond) {
  Presented presented = gate.Read(request.Header("authorization"), kMaxAuthorization);
  if (!AccessGate::NeedsLookup(presented)) return DecideEdition(route, request, presented, false, std::move(respond));
  auto job = [this, route, request, presented, respond]() mutable {
    bool failed = false;
    try {
      pool->Use([&](LicenseStore& store) { return gate.Lookup(store, &presented), true; });
    } catch (const StoreUnavailable&) {  // no row could be committed either
      return respond(Json(503, kStoreUnavailable).Set("Retry-After", "1"));
    } catch (const std::exception& e) {
      Log(std::string("access key lookup failed: ") + e.what());
      failed = true;
    }
    DecideEdition(route, request, presented, failed, std::move(respond));
  };
  if (!http->Offload(job)) respond(Json(503, "{\"error\":\"busy\"}\n").Set("Retry-After", "1"));
}

void DownloadServer::Impl::DecideEdition(const Route& route, const HttpRequest& request, const Presented& presented,
                                         bool failed, HttpResponder respond) {
  AuditRow row;
  row.at = Now();
  row.edition = route.edition.Path();
  row.format = route.format;
  row.method = request.method;
  row.item = route.signature ? "signature" : "copy";
  Plan plan;
  try {
    plan = failed ? Failure(row, 500, "internal") : DecideAndSend(route, request, presented, row);
  } catch (const std::exception& e) {
    // Whatever went wrong, the request leaves its one row.
    Log(row.edition + "/" + route.file + ": " + e.what());
    plan = Failure(row, 500, "internal");
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

// A denial that answers with a bare {"error":ERROR} (the failures that are
// the server's, not the license's).
DownloadServer::Impl::Plan DownloadServer::Impl::Failure(AuditRow row, int status, const std::string& reason) {
  Plan plan = Deny(std::move(row), status, reason, "");
  plan.answer = [status, reason](const AuditRow&) { return Json(status, "{\"error\":\"" + reason + "\"}\n"); };
  return plan;
}

// A withdrawn edition's files are gone for everyone, licensed or not: 410
// with the public notice and date the signed catalog carries.
std::optional<DownloadServer::Impl::Plan> DownloadServer::Impl::Withdrawn(const AuditRow& row) {
  const std::shared_ptr<const KeySnapshot> keys_now = keys.Current();
  const auto w = withdrawn.Find(row.edition, keys_now->trusted, keys_now->generation);
  if (!w) return std::nullopt;
  std::string body = "{\"decision\":\"deny\",\"reason\":\"withdrawn\",\"detail\":";
  AppendJsonString("withdrawn on " + w->date + ": " + w->notice, &body);
  body += ",\"edition\":";
  AppendJsonString(row.edition, &body);
  body += ",\"date\":";
  AppendJsonString(w->date, &body);
  body += ",\"notice\":";
  AppendJsonString(w->notice, &body);
  body += "}\n";
  Plan plan = Deny(row, 410, "withdrawn", "");
  plan.answer = [body](const AuditRow&) { return Json(410, body); };
  return plan;
}

DownloadServer::Impl::Plan DownloadServer::Impl::DecideAndSend(const Route& route, const HttpRequest& request,
                                                               const Presented& presented, AuditRow row) {
  if (std::optional<Plan> gone = Withdrawn(row)) return std::move(*gone);
  if (request.method != "GET" && request.method != "HEAD") {
    Plan plan = Deny(row, 405, "method_not_allowed", "GET or HEAD");
    plan.answer = [this](const AuditRow& r) { return DeniedAnswer(r, 405, "GET or HEAD").Set("Allow", "GET, HEAD"); };
    return plan;
  }
  using Kind = Presented::Kind;
  if (presented.kind == Kind::kBadBasic || (presented.kind == Kind::kBasic && !presented.let_in)) {
    return Deny(row, 401, kBadAccessKey, "the license id or access key is not right");
  }
  if (presented.kind == Kind::kNone) return Deny(row, 401, "no_license", "send Authorization: License <base64url of your license>");
  const std::string& text = presented.document;  // as sent, or as the store holds it (Basic)
  row.access_key_hash = presented.key_hash;  // "" but for Basic
  row.access_keys_version = presented.keys_version;
  // The keys as of now (reloaded when the keystore changed), for the whole
  // request: the license is checked and the copy signed with one generation.
  const std::shared_ptr<const KeySnapshot> keys_now = keys.Current();
  const auto revoked = [this](const std::string& id, int64_t at) -> std::optional<std::string> {
    if (const auto r = revocations.Find(id, at)) return r->reason;
    return std::nullopt;
  };
  const Decision d =
      Decide({&text, route.edition, "read", route.format, row.at}, policy, keys_now->trusted, revoked,
             [this, &keys_now](const std::string& license) { return verdicts.Verify(license, *keys_now); });
  if (d.license) {
    row.license_id = d.license->id;
    row.subscriber_id = d.license->subscriber_id;
  }
  if (IsSignatureFailure(d.reason)) return Deny(row, 401, ToString(d.reason), d.detail);
  if (presented.kind == Kind::kBasic && (!d.license || d.license->id != presented.license_id)) {  // a row edited
    return Deny(row, 401, kBadAccessKey, "the license id or access key is not right");
  }
  // Only bytes the edition's signed manifest proves are personalised and
  // signed; each file is verified once per change of its identity. An
  // unknown edition is 404 before a denial says anything of the license.
  const ArtifactVerifier::Result base =
      verifier.Read(route.edition, route.file, keys_now->trusted, keys_now->generation);
  // An edition under embargo is not there until its time (docs/http.md):
  // the same answer and row as a missing one, and no log line.
  if (base.code == ArtifactVerifier::Result::Code::kNotFound || UnderEmbargo(base.embargo, row.at)) {
    return Deny(row, 404, "unknown_edition", "no such edition");
  }
  if (!d.permit) return Deny(row, 403, ToString(d.reason), d.detail);
  if (base.code != ArtifactVerifier::Result::Code::kOk) {
    Log("edition_unverified: " + row.edition + "/" + route.file + ": " + base.detail);
    return Failure(row, 500, "edition_unverified");
  }
  if (!keys_now->signing) {
    Log("no signing key: " + keys.error());
    return Failure(row, 503, "no_signing_key");
  }
  return Permit(route, request, std::move(row), CopyFor(route, *d.license, base, *keys_now->signing));
}

// A copy is the same bytes for the same license, verified base and key: made
// once, then taken from the cache.
std::shared_ptr<const CopyCache::Copy> DownloadServer::Impl::CopyFor(const Route& route, const License& license,
                                                                   const ArtifactVerifier::Result& base,
                                                                   const SigningKey& key) {
  const std::string cache_key = license.id + "|" + route.file + "|" + base.sha256 + "|" + Hex(key.key.id);
  std::shared_ptr<const CopyCache::Copy> copy = cache.Get(cache_key);
  if (copy) return copy;
  auto made = std::make_shared<CopyCache::Copy>();
  made->bytes = Personalize(route.format, *base.bytes, watermarks.Make(license.tier, license.id, license.subscriber_name));
  made->signature =
      SignMinisign(key.signer, key.key.id, made->bytes, FormatTrustedComment({route.file, route.edition.Path(), "", license.id}));
  made->sha256 = Sha256Hex(made->bytes);
  made->signature_sha256 = Sha256Hex(made->signature);
  cache.Put(cache_key, made);
  return made;
}

// The permit of `copy` (or of its signature), and its answer once the row is
// in: the commit may have found the license revoked meanwhile.
DownloadServer::Impl::Plan DownloadServer::Impl::Permit(const Route& route, const HttpRequest& request, AuditRow row,
                                                        std::shared_ptr<const CopyCache::Copy> copy) {
  const std::string& sha256 = route.signature ? copy->signature_sha256 : copy->sha256;
  const std::string etag = "\"" + sha256 + "\"";
  const bool not_modified = request.Header("if-none-match") == etag;
  row.decision = AuditDecision::kPermit;
  row.reason = not_modified ? "not_modified" : "permit";
  // The hash of what is sent: nothing for HEAD and 304, which send no body.
  row.sha256 = request.method == "HEAD" || not_modified ? "" : sha256;
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
  return {std::move(row), std::move(answer)};
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
  AccessGate* gate = &impl_->gate;
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
      [revocations, gate](LicenseStore& store, std::vector<AuditRow>* rows) {
        revocations->Refresh(store);
        revocations->Screen(rows, Now());
        gate->Screen(store, rows);  // after revocations: a replaced key is 401, whatever else
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
