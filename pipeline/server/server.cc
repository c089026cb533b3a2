#include "pipeline/server/server.h"

#include "pipeline/server/client_network.h"
#include "pipeline/server/server_impl.h"

namespace imprint {

// On an I/O thread: an edition file is decided here and answered when its
// audit row is committed; everything else, which may wait for the store or
// the disk, on a worker.
void DownloadServer::Impl::Handle(const HttpRequest& request, HttpResponder respond) {
  const Route route = ParseRoute(request.target);
  if (metrics) respond = Metered(ServerMetrics::RouteIndex(route), std::move(respond));
  if (route.kind == Route::kEdition) return HandleEdition(route, request, std::move(respond));  // any method
  auto job = [this, route, request, respond] {
    HttpResponse answer;
    std::optional<AuditRow> row;  // a license presented: its row is in before the answer leaves
    try {
      answer = route.kind == Route::kAdmin ? HandleAdmin(request) : HandleOther(route, request, &row);
    } catch (const std::exception& e) {
      Log(std::string("request failed: ") + e.what());
      answer = Json(500, "{\"error\":\"internal\"}\n");
    }
    if (row) return Record(std::move(*row), std::move(answer), respond);
    respond(std::move(answer));
  };
  if (!http->Offload(job)) respond(Json(503, "{\"error\":\"busy\"}\n").Set("Retry-After", "1"));
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

// Without `current`, a license past its end (perhaps renewed since) is
// decided again on a worker with the store's current documents.
void DownloadServer::Impl::DecideEdition(const Route& route, const HttpRequest& request, const Presented& presented,
                                         bool failed, HttpResponder respond, const CurrentDocumentLookup& current) {
  AuditRow row;
  row.at = Now();
  row.edition = route.edition.Path();
  row.format = route.format;
  row.method = AuditMethod(request.method);
  row.item = route.signature ? "signature" : "copy";
  row.client_net = ClientNet(request);
  bool ask_store = false;
  const CurrentDocumentLookup not_here = NoteAsked(&ask_store);
  Plan plan;
  try {
    plan = failed ? Failure(row, 500, "internal")
                  : DecideAndSend(route, request, presented, row, current ? current : not_here);
  } catch (const std::exception& e) {
    // Whatever went wrong, the request leaves its one row.
    Log(row.edition + "/" + route.file + ": " + e.what());
    plan = Failure(row, 500, "internal");
  }
  if (ask_store && plan.row.reason == ToString(DecisionReason::kExpired) &&
      http->Offload([=] { DecideEdition(route, request, presented, false, respond, StoreLookup(pool.get())); })) {
    return;
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
std::string DownloadServer::Impl::ClientNet(const HttpRequest& request) const {
  // Any client can write X-Forwarded-For: believed only from a trusted
  // proxy (docs/security.md).
  std::string forwarded_for;
  for (const auto& [name, value] : request.headers) {
    if (name == "x-forwarded-for") forwarded_for += (forwarded_for.empty() ? "" : ",") + value;
  }
  return ClientNetwork(ClientAddress(request.peer, forwarded_for, options.trusted_proxies));
}

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
                                                               const Presented& presented, AuditRow row,
                                                               const CurrentDocumentLookup& current) {
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
  const Decision d =
      Decide({&text, route.edition, "read", route.format, row.at}, policy, keys_now->trusted, Revoked(),
             [this, &keys_now](const std::string& license) { return verdicts.Verify(license, *keys_now); }, current);
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

// A verified base read and its marks planned once, for every license's copy.
std::shared_ptr<const PreparedArtifact> DownloadServer::Impl::PreparedFor(const Route& route,
                                                                         const ArtifactVerifier::Result& base) {
  const std::string key = base.sha256 + "|" + route.format;
  std::shared_ptr<const PreparedArtifact> artifact = prepared.Get(key);
  if (!artifact) {
    artifact = std::make_shared<const PreparedArtifact>(route.format, *base.bytes, marks);
    prepared.Put(key, artifact);
  }
  return artifact;
}

// A copy is the same bytes for the same license, verified base and key: made
// once, then taken from the cache.
std::shared_ptr<const SignedCopy> DownloadServer::Impl::CopyFor(const Route& route, const License& license,
                                                                   const ArtifactVerifier::Result& base,
                                                                   const SigningKey& key) {
  const std::string cache_key = license.id + "|" + route.file + "|" + base.sha256 + "|" + Hex(key.key.id);
  std::shared_ptr<const SignedCopy> copy = cache.Get(cache_key);
  if (copy) return copy;
  auto made = std::make_shared<SignedCopy>();
  made->bytes = PreparedFor(route, base)->Personalize(watermarks.Make(license.tier, license.id, license.subscriber_name));
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
                                                        std::shared_ptr<const SignedCopy> copy) {
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
  if (impl_->options.metrics_port >= 0) impl_->metrics = std::make_unique<ServerMetrics>();
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
      impl_->signer.get(), impl_->pool.get(), impl_->metrics.get());
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
  if (impl_->metrics) impl_->StartMetrics();
}

// The metrics listener, and what a scrape reads besides the counters: the
// store is asked on a thread of its own, a scrape waiting a second at most.
void DownloadServer::Impl::StartMetrics() {
  StorePool* store = pool.get();
  store_watch = std::make_unique<StoreWatch>([store] { return store->Healthy(); });
  StoreWatch* watch = store_watch.get();
  CopyCache* copies = &cache;
  CheckpointSigner* signs = signer.get();
  metrics->SetSources({[copies] { return copies->hits(); }, [copies] { return copies->misses(); },
                       [watch] { return watch->Read(std::chrono::seconds(1)); },
                       [signs] { return signs->LatestAt(); }});
  ServerMetrics* m = metrics.get();
  metrics_http = std::make_unique<MetricsEndpoint>(options.metrics_bind, options.metrics_port,
                                                   [m] { return m->Render(Now()); });
  metrics_http->Start();
}

int DownloadServer::port() const { return impl_->http ? impl_->http->port() : 0; }
int DownloadServer::metrics_port() const { return impl_->metrics_http ? impl_->metrics_http->port() : 0; }

void DownloadServer::Stop() {
  if (!impl_) return;
  // No new requests; the rows handed in are committed (their answers go to a
  // stopped transport, which is destroyed only after); a last checkpoint.
  if (impl_->http) impl_->http->Stop();
  impl_->metrics_http.reset();  // it reads what follows
  impl_->store_watch.reset();
  impl_->audit.reset();
  impl_->signer.reset();  // signs a checkpoint of the last rows
  impl_->http.reset();
  impl_->pool.reset();
}

}  // namespace imprint
