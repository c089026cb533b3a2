// The routes other than edition files (server_impl.h): the subscribers'
// page, health, the public key, the catalog, the store's documents, the
// license routes, the feeds and search, each answered on a worker.
#include "pipeline/server/server_impl.h"

namespace imprint {

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
    case Route::kCatalog:
      return ServeCatalog();
    case Route::kLicense:
    case Route::kRights:
    case Route::kAuditCheckpoint:
    case Route::kStatus:
    case Route::kOpds:  // opds_feeds.h; their credentials may be Basic, looked up in the store
    case Route::kOpdsAuth:
    case Route::kAtom:
      try {
        if (route.kind == Route::kLicense || route.kind == Route::kRights) return HandleLicense(route, request);
        if (route.kind == Route::kOpds || route.kind == Route::kOpdsAuth || route.kind == Route::kAtom) {
          return HandleFeed(route, request);
        }
        return HandleStored(route);
      } catch (const StoreUnavailable&) {
        return Json(503, kStoreUnavailable).Set("Retry-After", "1");
      }
    case Route::kSearch:
    case Route::kOpdsSearch:
    case Route::kOpenSearch:
      try {
        return AnswerSearch(
            route, out_root.string(), templates,
            [this](const std::string& edition) {
              const std::shared_ptr<const KeySnapshot> now = keys.Current();
              return withdrawn.Find(edition, now->trusted, now->generation).has_value();
            },
            [this, &request] { return SearchScopeOf(request); });
      } catch (const StoreUnavailable&) {
        return Json(503, kStoreUnavailable).Set("Retry-After", "1");
      }
    case Route::kEdition: case Route::kAdmin:  // not here: Handle()
      break;
  }
  return Json(400, "{\"error\":\"malformed_path\"}\n");
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
bool DownloadServer::Impl::Credentials(const HttpRequest& request, std::string* text) {
  Presented p = gate.Read(request.Header("authorization"), kMaxAuthorization);
  // No audit row follows, so no Screen(): a key let in from the cache is confirmed in the store.
  if (p.kind == Presented::Kind::kBasic) {
    pool->Use([&](LicenseStore& store) {
      AccessGate::NeedsLookup(p) ? gate.Lookup(store, &p) : gate.Confirm(store, &p);
      return true;
    });
  }
  const bool presented = p.kind == Presented::Kind::kLicense || (p.kind == Presented::Kind::kBasic && p.let_in);
  if (presented) *text = p.document;
  return presented;
}

// GET /licenses/<id>/license and /rights, for the license the request carries.
HttpResponse DownloadServer::Impl::HandleLicense(const Route& route, const HttpRequest& request) {
  std::string text;
  const auto verify = [this, now = keys.Current()](const std::string& l) { return verdicts.Verify(l, *now); };
  const LicenseRequest r{route.license_id, Credentials(request, &text) ? &text : nullptr, &policy, verify, Now()};
  return LicenseRouteAnswer(route.kind == Route::kLicense, *pool, r);
}

HttpResponse DownloadServer::Impl::HandleFeed(const Route& route, const HttpRequest& request) {
  const std::shared_ptr<const KeySnapshot> k = keys.Current();
  std::string text;
  // The store's revocation, read once: the server's list is refreshed only by
  // an audit commit, which a feed does not make.
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
  const bool licensed = route.kind == Route::kOpds && Credentials(request, &text);
  return AnswerFeed(*feeds.Current(k->trusted, k->generation), route, licensed ? decide : nullptr,
                    [this](const AuditRow& r, int status, const std::string& d) { return DeniedAnswer(r, status, d); });
}

// Whose text a search with the request's credentials may match and quote:
// the publications of the rights policy its tier may read now (Decide(),
// once per publication, for the Markdown the index is made of); none
// without credentials or with a license that does not check out.
SearchScope DownloadServer::Impl::SearchScopeOf(const HttpRequest& request) {
  SearchScope scope;
  std::string text;
  if (!Credentials(request, &text)) return scope;
  const std::shared_ptr<const KeySnapshot> k = keys.Current();
  for (const auto& [publication, offered] : policy.publications) {
    if (Decide({&text, EditionRef{publication, 1, 1}, "read", "md", Now()}, policy, k->trusted, Revoked(),
               [this, &k](const std::string& license) { return verdicts.Verify(license, *k); })
            .permit) {
      scope.text_publications.insert(publication);
    }
  }
  return scope;
}

}  // namespace imprint
