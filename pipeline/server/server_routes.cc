// The routes other than edition files (server_impl.h): the subscribers'
// page, health, the public key, the catalog, the store's documents, the
// license routes, the feeds and search, each answered on a worker.
#include "pipeline/server/server_impl.h"

namespace imprint {
namespace {

// The row's item for a route that answers the license a request presents
// (docs/http.md, "The audit row each request leaves"); null for every other route.
const char* LicensedItem(const Route& route) {
  switch (route.kind) {
    case Route::kLicense: return "license";
    case Route::kRights: return "rights";
    case Route::kOpds: return "feed";
    case Route::kSearch: case Route::kOpdsSearch: return "search";
    default: return nullptr;
  }
}

// The value of "name":"..." in one of the server's JSON answers ("" when
// none): the codes they carry hold no escapes, and a quote inside a string
// is escaped, so the first match is the field.
std::string JsonCode(const std::string& body, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const size_t at = body.find(key);
  const size_t end = at == std::string::npos ? at : body.find('"', at + key.size());
  return end == std::string::npos ? "" : body.substr(at + key.size(), end - at - key.size());
}

// The outcome an answer states: a 200 permits unless its JSON says "deny"
// (the rights); any other answer denies, for the reason (or error) it gives.
void TakeOutcome(const HttpResponse& answer, AuditRow* row) {
  const bool json = answer.content_type.rfind("application/json", 0) == 0;
  std::string reason = json ? JsonCode(answer.body, "reason") : "";
  if (reason.empty() && json) reason = JsonCode(answer.body, "error");
  const bool permit = answer.status == 200 && (!json || JsonCode(answer.body, "decision") != "deny");
  row->decision = permit ? AuditDecision::kPermit : AuditDecision::kDeny;
  row->reason = permit ? "permit" : reason.empty() ? "internal" : reason;
}

// A feed's or a search's row: the license's own standing (its signature,
// revocation, window, tier); what it may read of each publication is the
// answer's to list.
void TakeStanding(const Decision& d, AuditRow* row) {
  const bool whole = IsSignatureFailure(d.reason) || d.reason == DecisionReason::kRevoked ||
                     d.reason == DecisionReason::kExpired || d.reason == DecisionReason::kNotYetValid ||
                     d.reason == DecisionReason::kUnknownTier;
  row->decision = whole ? AuditDecision::kDeny : AuditDecision::kPermit;
  row->reason = whole ? ToString(d.reason) : "permit";
}

constexpr char kBadKeyDetail[] = "the license id or access key is not right";

}  // namespace

std::optional<AuditRow> DownloadServer::Impl::LicensedRow(const Route& route, const HttpRequest& request) const {
  const char* item = LicensedItem(route);
  if (item == nullptr || !NamesCredentials(request.Header("authorization"))) {
    return std::nullopt;
  }
  AuditRow row;
  row.at = Now();
  row.method = AuditMethod(request.method);
  row.item = item;
  row.client_net = ClientNet(request);
  row.reason = "no_license";  // until the handler says more
  return row;
}

void DownloadServer::Impl::Record(AuditRow row, HttpResponse answer, HttpResponder respond) {
  if (answer.status != 200) TakeOutcome(answer, &row);
  const std::string& body = answer.shared_body ? *answer.shared_body : answer.body;
  // The hash of what is sent: nothing for HEAD, nor for a refusal.
  row.sha256 = row.method == "GET" && answer.status == 200 ? Sha256Hex(body) : "";
  const AuditDecision decision = row.decision;
  const std::string reason = row.reason;
  audit->Submit(std::move(row), [this, decision, reason, respond = std::move(respond),
                                 answer = std::move(answer)](const AuditRow& committed, bool ok) mutable {
    if (!ok) return respond(Json(503, kStoreUnavailable).Set("Retry-After", "1"));
    // The commit turned it into a denial: a revocation, a key replaced.
    if (committed.decision != decision || committed.reason != reason) return respond(DeniedAnswer(committed, 403, ""));
    respond(std::move(answer));
  });
}

HttpResponse DownloadServer::Impl::HandleOther(const Route& route, const HttpRequest& request,
                                                std::optional<AuditRow>* row) {
  *row = LicensedRow(route, request);
  if (request.method != "GET" && request.method != "HEAD") {
    return Json(405, "{\"error\":\"method_not_allowed\"}\n").Set("Allow", "GET, HEAD");
  }
  AuditRow* audited = *row ? &**row : nullptr;
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
    case Route::kCatalog:
      return ServeCatalog();
    case Route::kLicense: case Route::kRights: case Route::kAuditCheckpoint: case Route::kStatus:
    case Route::kOpds:  // opds_feeds.h; their credentials may be Basic, looked up in the store
    case Route::kOpdsAuth: case Route::kAtom:
    case Route::kSearch: case Route::kOpdsSearch: case Route::kOpenSearch:
      try {
        if (route.kind == Route::kLicense || route.kind == Route::kRights) {
          return HandleLicense(route, request, audited);
        }
        if (route.kind == Route::kOpds || route.kind == Route::kOpdsAuth || route.kind == Route::kAtom) {
          return HandleFeed(route, request, audited);
        }
        if (route.kind == Route::kAuditCheckpoint || route.kind == Route::kStatus) return HandleStored(route);
        return HandleSearch(route, request, audited);
      } catch (const StoreUnavailable&) {
        row->reset();  // no row could be committed either
        return Json(503, kStoreUnavailable).Set("Retry-After", "1");
      }
    case Route::kEdition: case Route::kAdmin:  // not here: Handle()
      break;
  }
  return Json(400, "{\"error\":\"malformed_path\"}\n");
}

HttpResponse DownloadServer::Impl::HandleSearch(const Route& route, const HttpRequest& request, AuditRow* row) {
  std::optional<SearchScope> scope;
  if (row) scope = SearchScopeOf(request, row);  // the row's outcome, whatever the query
  return AnswerSearch(
      route, out_root.string(), templates,
      [this](const std::string& edition) {
        const std::shared_ptr<const KeySnapshot> now = keys.Current();
        return withdrawn.Find(edition, now->trusted, now->generation).has_value();
      },
      [this, &request, &scope] { return scope ? *scope : SearchScopeOf(request, nullptr); });
}

// catalog.json, served only as signed by a trusted key, like every edition file.
HttpResponse DownloadServer::Impl::ServeCatalog() {
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

// The license a request presents: a License header, or Basic let in (looked
// up in the store on this worker when the gate's cache cannot say); false
// when none.
bool DownloadServer::Impl::Credentials(const HttpRequest& request, std::string* text, AuditRow* row) {
  Presented p = gate.Read(request.Header("authorization"), kMaxAuthorization);
  // The answer is made before the row's commit screens the key: a key let in from the cache is confirmed now.
  if (p.kind == Presented::Kind::kBasic) {
    pool->Use([&](LicenseStore& store) {
      AccessGate::NeedsLookup(p) ? gate.Lookup(store, &p) : gate.Confirm(store, &p);
      return true;
    });
  }
  bool presented = p.kind == Presented::Kind::kLicense || (p.kind == Presented::Kind::kBasic && p.let_in);
  const VerifiedLicense v = presented ? verdicts.Verify(p.document, *keys.Current()) : VerifiedLicense{};
  const bool good = v.verdict == SignatureVerdict::kGood && v.license;
  // A store row edited to another license's document lets no key in.
  if (p.kind == Presented::Kind::kBasic && good && v.license->id != p.license_id) presented = false;
  if (row != nullptr) {
    if (p.kind == Presented::Kind::kBadBasic || (p.kind == Presented::Kind::kBasic && !presented)) {
      row->reason = kBadAccessKey;
    } else if (good) {
      row->license_id = v.license->id;
      row->subscriber_id = v.license->subscriber_id;
      row->access_key_hash = p.key_hash;  // "" but for Basic
      row->access_keys_version = p.keys_version;
    }
  }
  if (presented) *text = p.document;
  return presented;
}

// GET /licenses/<id>/license and /rights, for the license the request carries.
HttpResponse DownloadServer::Impl::HandleLicense(const Route& route, const HttpRequest& request, AuditRow* row) {
  std::string text;
  const bool presented = Credentials(request, &text, row);
  if (row && row->reason == kBadAccessKey) return DeniedAnswer(*row, 401, kBadKeyDetail);
  const auto verify = [this, now = keys.Current()](const std::string& l) { return verdicts.Verify(l, *now); };
  const LicenseRequest r{route.license_id, presented ? &text : nullptr, &policy, verify, Now()};
  HttpResponse answer = LicenseRouteAnswer(route.kind == Route::kLicense, *pool, r);
  if (row) TakeOutcome(answer, row);
  return answer;
}

HttpResponse DownloadServer::Impl::HandleFeed(const Route& route, const HttpRequest& request, AuditRow* row) {
  const std::shared_ptr<const KeySnapshot> k = keys.Current();
  std::string text;
  // The store's revocation, read once: the server's list is refreshed only by
  // an audit commit, and the feed is made before its row's.
  std::optional<std::optional<Revocation>> stored;
  const RevocationLookup revoked = [&](const std::string& id, int64_t at) -> std::optional<std::string> {
    if (!stored) stored = pool->Use([&id](LicenseStore& store) { return store.FindRevocation(id); });
    if (*stored && (*stored)->at <= at) return (*stored)->reason;
    return Revoked()(id, at);
  };
  const FeedDecision decide = [&](const std::string& publication, const std::string& format) {
    return Decide({&text, EditionRef{publication, 1, 1}, "read", format, Now()}, policy, k->trusted, revoked,
                  [this, &k](const std::string& license) { return verdicts.Verify(license, *k); });
  };
  // Only the OPDS catalogs take credentials: the Atom feeds and the
  // authentication document are public and never wait for the store.
  const bool licensed = route.kind == Route::kOpds && Credentials(request, &text, row);
  if (row && row->reason == kBadAccessKey) return DeniedAnswer(*row, 401, kBadKeyDetail);
  if (row && licensed) TakeStanding(decide("", ""), row);
  return AnswerFeed(*feeds.Current(k->trusted, k->generation), route, licensed ? decide : nullptr,
                    [this](const AuditRow& r, int status, const std::string& d) { return DeniedAnswer(r, status, d); });
}

// Whose text a search with the request's credentials may match and quote:
// the publications of the rights policy its tier may read now (Decide(),
// once per publication, for the Markdown the index is made of); none
// without credentials or with a license that does not check out. `row`, when
// given, takes the license's standing.
SearchScope DownloadServer::Impl::SearchScopeOf(const HttpRequest& request, AuditRow* row) {
  SearchScope scope;
  std::string text;
  if (!Credentials(request, &text, row)) return scope;
  const std::shared_ptr<const KeySnapshot> k = keys.Current();
  const auto decide = [&](const std::string& publication) {
    return Decide({&text, EditionRef{publication, 1, 1}, "read", "md", Now()}, policy, k->trusted, Revoked(),
                  [this, &k](const std::string& license) { return verdicts.Verify(license, *k); });
  };
  if (row) TakeStanding(decide(""), row);
  for (const auto& [publication, offered] : policy.publications) {
    if (decide(publication).permit) scope.text_publications.insert(publication);
  }
  return scope;
}

}  // namespace imprint
