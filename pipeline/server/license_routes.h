// The license routes of the download server (docs/http.md): the current
// signed document of a license (GET /licenses/<id>/license, which the status
// document links to, as Readium LCP's does), what a license may take now
// (GET /licenses/<id>/rights, for the subscribers' page), and the store's
// current document that lets an old file count with its renewal's window
// (Decide()'s CurrentDocumentLookup).
//
// Both routes answer only a request that carries a license of the same id
// whose signature checks out (Authorization: License ...): the license
// document is what the server asks downloads to present, so serving it to
// anyone who knows an id would let them download as that subscriber. A
// revoked license's current document is refused (403 revoked, public wording
// only). Pure given the facts read from the store; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_LICENSE_ROUTES_H_
#define IMPRINT_PIPELINE_SERVER_LICENSE_ROUTES_H_

#include <cstdint>
#include <optional>
#include <string>

#include "pipeline/edition/rights_policy.h"
#include "pipeline/license/decision.h"
#include "pipeline/license/license_status.h"  // kLicenseMediaType
#include "pipeline/license/license_store.h"
#include "pipeline/license/store_pool.h"
#include "pipeline/server/http_server.h"

namespace imprint {

// What the store holds of license `id`, read once for a request.
struct StoredFacts {
  std::optional<std::string> document;  // the current signed document; none: unknown id
  std::optional<Revocation> revocation;
};
StoredFacts ReadStoredFacts(LicenseStore& store, const std::string& id);

// The store's current document of `id` through `pool`; nullopt when the store
// does not know it or cannot be reached (then the old file's own window
// counts, and the audit commit that follows says whether the store is back).
std::optional<std::string> CurrentDocument(StorePool& pool, const std::string& id);
// CurrentDocument through `pool`, as Decide() asks it.
CurrentDocumentLookup StoreLookup(StorePool* pool);
// A lookup that only notes, in *asked, that it was asked, for a thread that
// must not wait for the store.
CurrentDocumentLookup NoteAsked(bool* asked);

// One request to a license route.
struct LicenseRequest {
  std::string id;                          // from the path
  const std::string* presented = nullptr;  // the license the request carries; null: none
  const RightsPolicy* policy = nullptr;
  LicenseVerifier verify;                  // the server's (current keys, remembered verdicts)
  int64_t now = 0;
};

// GET /licenses/<id>/license: 200 kLicenseMediaType, the current signed
// document (Cache-Control: no-store); 401 without a license whose signature
// checks out; 403 other_license for another id's; 404 unknown_license; 403
// revoked; 500 license_unverified when the stored document does not verify.
HttpResponse CurrentLicenseAnswer(const LicenseRequest& request, const StoredFacts& facts);

// GET /licenses/<id>/rights: authenticated as above, 200 with
// {"decision","reason","detail","id","tier","end","renewed","publications"}:
// per publication the license covers, per action its tier permits ("read"
// first: what downloads are decided for), the formats Decide() permits now;
// none, and the deny reason, for a revoked, expired or not yet valid license.
HttpResponse RightsAnswer(const LicenseRequest& request, const StoredFacts& facts);

// CurrentLicenseAnswer (when `current_license`) or RightsAnswer, with the
// facts read through `pool`. Throws StoreUnavailable when it cannot be reached.
HttpResponse LicenseRouteAnswer(bool current_license, StorePool& pool, const LicenseRequest& request);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_LICENSE_ROUTES_H_
