// The download server's inside (server.h): the state a DownloadServer holds
// and its request handlers, shared by server.cc (requests, edition files,
// decisions, copies) and server_routes.cc (the other routes: the page, keys,
// catalog, store documents, license routes, feeds, search). Private to the
// server layer: nothing outside pipeline/server/ includes it.
#ifndef IMPRINT_PIPELINE_SERVER_SERVER_IMPL_H_
#define IMPRINT_PIPELINE_SERVER_SERVER_IMPL_H_

#include "pipeline/server/server.h"

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>

#include "pipeline/base/clock.h"
#include "pipeline/base/crypto.h"
#include "pipeline/base/edition_layout.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"
#include "pipeline/base/json_string.h"
#include "pipeline/edition/catalog.h"
#include "pipeline/edition/verify.h"
#include "pipeline/edition/writers.h"
#include "pipeline/license/decision.h"
#include "pipeline/license/license_status.h"
#include "pipeline/license/license_store.h"
#include "pipeline/license/store_pool.h"
#include "pipeline/server/access_gate.h"
#include "pipeline/server/admin_gate.h"
#include "pipeline/server/artifact_verifier.h"
#include "pipeline/server/audit_writer.h"
#include "pipeline/server/checkpoint_signer.h"
#include "pipeline/server/copy_cache.h"
#include "pipeline/server/http_answer.h"
#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"
#include "pipeline/server/license_routes.h"
#include "pipeline/server/metrics.h"
#include "pipeline/server/opds_feeds.h"
#include "pipeline/server/personalize.h"
#include "pipeline/server/revocation_list.h"
#include "pipeline/server/search_pages.h"
#include "pipeline/server/serve_log.h"
#include "pipeline/server/verdict_cache.h"
#include "pipeline/server/withdrawn_list.h"
#include "pipeline/signing/live_keys.h"
#include "pipeline/signing/mark_key.h"
#include "pipeline/signing/minisign.h"

namespace imprint {
namespace fs = std::filesystem;

// The Authorization header's size at the most (a license of the longest
// name is ~1.5 KB); a longer one is refused, on the record. The whole request
// head may be larger, so that such a request still reaches the record.
inline constexpr size_t kMaxAuthorization = 16 * 1024;
inline constexpr size_t kMaxHead = 64 * 1024;
// The catalog's and the public key's size at the most (a catalog of ten
// thousand editions is a few megabytes).
inline constexpr uint64_t kMaxServedFile = 64 << 20;
// Prepared artifacts kept (personalize.h), and at most 64 MB of them: the
// three formats of the editions in demand.
inline constexpr size_t kPreparedArtifacts = 256;

// The answer while the store cannot be reached: try again in a second.
inline constexpr const char* kStoreUnavailable = "{\"error\":\"store_unavailable\"}\n";


// The method as an audit row keeps it: one of RFC 9110's (and PATCH) as
// sent, anything else "other", so that a client cannot write a head's worth
// of method into the append-only log.
inline std::string AuditMethod(const std::string& method) {
  for (const char* known : {"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"}) {
    if (method == known) return method;
  }
  return "other";
}

struct DownloadServer::Impl {
  Impl(ServerOptions o, RightsPolicy p, TemplateSet t, Keystore keystore)
      : options(std::move(o)), policy(std::move(p)), templates(std::move(t)), keys(keystore),
        watermarks(policy), marks(MarkKey::LoadOrCreate(keystore.dir())), out_root(fs::weakly_canonical(fs::absolute(options.out_dir))),
        verifier(out_root.string()),
        page(templates.Render("subscribers.html", TemplateData())) {
    templates.CheckNames(SearchPageTemplateUse());
  }

  // What a request for an edition file comes to: the audit row to commit,
  // and the answer to send once it is committed (the commit may have turned
  // the row into a revocation).
  struct Plan {
    AuditRow row;
    std::function<HttpResponse(const AuditRow& committed)> answer;
  };

  void Handle(const HttpRequest& request, HttpResponder respond);
  // `row` is set for a request that presents a license to a route that
  // answers one (LicensedRow): the answer is sent once it is committed (Record).
  HttpResponse HandleOther(const Route& route, const HttpRequest& request, std::optional<AuditRow>* row);
  // The audit row of a request to the license routes, an OPDS catalog or
  // search that presents a license (a License or Basic header, good or bad);
  // nullopt for any other request (docs/http.md, "The audit row each request leaves").
  std::optional<AuditRow> LicensedRow(const Route& route, const HttpRequest& request) const;
  // Commits `row` with the outcome `answer` states (when the handler stated
  // none: every answer but a 200), then sends `answer`, or the denial the
  // commit turned the row into, or 503 when it could not be committed.
  void Record(AuditRow row, HttpResponse answer, HttpResponder respond);
  void HandleEdition(const Route& route, const HttpRequest& request, HttpResponder respond);
  void DecideEdition(const Route&, const HttpRequest&, const Presented&, bool failed, HttpResponder respond,
                     const CurrentDocumentLookup& current = {});
  HttpResponse HandleStored(const Route& route);
  HttpResponse ServeCatalog();
  HttpResponse HandleLicense(const Route& route, const HttpRequest& request, AuditRow* row);
  HttpResponse HandleFeed(const Route& route, const HttpRequest& request, AuditRow* row);  // opds_feeds.h
  HttpResponse HandleSearch(const Route& route, const HttpRequest& request, AuditRow* row);  // search_pages.h
  HttpResponse HandleAdmin(const HttpRequest& request);  // admin_routes.cc
  HttpResponse AdminAnswer(const HttpRequest& request);
  // The client's network (client_network.h): the socket's peer, or what
  // X-Forwarded-For says from a proxy the operator trusts (--trust-proxy).
  std::string ClientNet(const HttpRequest& request) const;
  // `row` (may be null) is told the license once its signature checks out,
  // the key hash Basic was let in with, and bad_access_key for Basic refused.
  bool Credentials(const HttpRequest& request, std::string* text, AuditRow* row);
  SearchScope SearchScopeOf(const HttpRequest& request, AuditRow* row);
  Plan DecideAndSend(const Route& route, const HttpRequest& request, const Presented& presented, AuditRow row,
                     const CurrentDocumentLookup& current);
  Plan Failure(AuditRow row, int status, const std::string& reason);
  std::shared_ptr<const PreparedArtifact> PreparedFor(const Route& route, const ArtifactVerifier::Result& base);
  std::shared_ptr<const SignedCopy> CopyFor(const Route& route, const License& license,
                                                 const ArtifactVerifier::Result& base, const SigningKey& key);
  Plan Permit(const Route& route, const HttpRequest& request, AuditRow row, std::shared_ptr<const SignedCopy> copy);
  std::optional<Plan> Withdrawn(const AuditRow& row);

  RevocationLookup Revoked() {  // the store's revocations, as Decide() asks them
    return [this](const std::string& id, int64_t at) {
      const auto r = revocations.Find(id, at);
      return r ? std::optional<std::string>(r->reason) : std::nullopt;
    };
  }
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

  // A file under the output folder, or nullopt (logged): ReadInsideFolder.
  std::optional<std::string> ReadInside(const std::string& relative) const {
    std::optional<std::string> bytes = ReadInsideFolder(out_root.string(), relative, kMaxServedFile);
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
  MarkKey marks;          // the copies' invisible marks (text_marks.h), made on first use
  fs::path out_root;
  ArtifactVerifier verifier;
  std::string page;
  CopyCache cache{static_cast<size_t>(std::max(0, options.copy_cache_entries))};
  BoundedCache<PreparedArtifact> prepared{kPreparedArtifacts};  // per verified base and format
  VerdictCache verdicts;
  AccessGate gate;
  AdminGate admin;  // /admin/'s credential check
  WithdrawnList withdrawn{out_root.string()};
  FeedCatalog feeds{out_root.string()};
  RevocationList revocations;
  std::unique_ptr<StorePool> pool;  // the handlers' store connections
  std::unique_ptr<CheckpointSigner> signer;  // destroyed after `audit`: it signs the last rows
  std::unique_ptr<AuditWriter> audit;
  std::unique_ptr<HttpServer> http;
  // Metrics, when ServerOptions::metrics_port asks for them (else null).
  std::unique_ptr<ServerMetrics> metrics;
  std::unique_ptr<StoreWatch> store_watch;
  std::unique_ptr<MetricsEndpoint> metrics_http;

  // `respond`, counting the answer under `route` with the time since now.
  HttpResponder Metered(int route, HttpResponder respond) {
    return [m = metrics.get(), route, start = std::chrono::steady_clock::now(),
            respond = std::move(respond)](HttpResponse answer) {
      m->CountRequest(route, answer.status, std::chrono::steady_clock::now() - start);
      respond(std::move(answer));
    };
  }
  void StartMetrics();
};

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SERVER_IMPL_H_
