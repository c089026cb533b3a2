#include "pipeline/server/http_route.h"

#include <algorithm>
#include <optional>
#include <string_view>

#include "pipeline/base/edition_layout.h"
#include "pipeline/edition/writers.h"
#include "pipeline/server/query_string.h"

namespace imprint {
namespace {

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsLowerHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f'); }

// A scanner over the path: each Take* consumes a piece when it is there.
class Scanner {
 public:
  explicit Scanner(std::string_view text) : rest_(text) {}

  bool Take(std::string_view literal) {
    if (rest_.substr(0, literal.size()) != literal) return false;
    rest_.remove_prefix(literal.size());
    return true;
  }
  // The 8-4-4-4-12 lower-case hex form of a UUID.
  bool TakeUuid(std::string_view* uuid) {
    static constexpr std::string_view kShape = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";
    if (rest_.size() < kShape.size()) return false;
    for (size_t i = 0; i < kShape.size(); ++i) {
      if (kShape[i] == '-' ? rest_[i] != '-' : !IsLowerHex(rest_[i])) return false;
    }
    *uuid = rest_.substr(0, kShape.size());
    rest_.remove_prefix(kShape.size());
    return true;
  }
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// /licenses/UUID/status, /licenses/UUID/license, /licenses/UUID/rights
bool ParseStatus(std::string_view uri, Route* r) {
  Scanner s(uri);
  std::string_view id;
  if (!s.Take("/licenses/") || !s.TakeUuid(&id)) return false;
  if (s.Take("/status") && s.AtEnd()) {
    r->kind = Route::kStatus;
  } else if (s.Take("/license") && s.AtEnd()) {
    r->kind = Route::kLicense;
  } else if (s.Take("/rights") && s.AtEnd()) {
    r->kind = Route::kRights;
  } else {
    return false;
  }
  r->license_id = std::string(id);
  return true;
}

// /editions/ARTIFACT: an edition's own artifact or its signature, in the
// output layout's canonical spelling (ParseArtifactPath), of a format in the
// writer table.
bool ParseEdition(std::string_view uri, Route* r) {
  constexpr std::string_view kPrefix = "/editions/";
  if (uri.substr(0, kPrefix.size()) != kPrefix) return false;
  std::optional<ArtifactRef> artifact = ParseArtifactPath(uri.substr(kPrefix.size()));
  if (!artifact) return false;
  const Writer* writer = FindWriterByExtension(artifact->extension);
  if (writer == nullptr) return false;
  r->kind = Route::kEdition;
  r->file = artifact->FileName();
  r->edition = std::move(artifact->edition);
  r->format = writer->format;
  r->signature = artifact->signature;
  return true;
}

// A publication slug, as the output layout spells it: what ParseEditionRef
// reads before "/v".
bool IsSlug(std::string_view slug) {
  const auto ref = ParseEditionRef(std::string(slug) + "/v1/i1");
  return ref && ref->publication == slug;
}

// "/page/N" (N from 1, no leading zero, at most 5 digits) or nothing: page 1.
bool ParsePage(std::string_view rest, int* page) {
  *page = 1;
  if (rest.empty()) return true;
  constexpr std::string_view kPage = "/page/";
  if (rest.substr(0, kPage.size()) != kPage) return false;
  rest.remove_prefix(kPage.size());
  if (rest.empty() || rest.size() > 5 || rest[0] == '0' || !std::all_of(rest.begin(), rest.end(), IsDigit)) return false;
  *page = std::stoi(std::string(rest));
  return true;
}

// /opds/recent[/page/N], /opds/publications/PUB[/vVV][/page/N] (the volume
// in its canonical spelling, as EditionPath writes it).
bool ParseOpds(std::string_view uri, Route* r) {
  Scanner s(uri);
  if (s.Take("/opds/recent")) {
    r->kind = Route::kOpds;
    return ParsePage(uri.substr(std::string_view("/opds/recent").size()), &r->page);
  }
  constexpr std::string_view kPrefix = "/opds/publications/";
  if (uri.substr(0, kPrefix.size()) != kPrefix) return false;
  std::string_view rest = uri.substr(kPrefix.size());
  const size_t slash = rest.find('/');
  r->publication = std::string(rest.substr(0, slash));
  if (!IsSlug(r->publication)) return false;
  rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash);
  if (rest.substr(0, 2) == "/v") {
    const size_t end = rest.find('/', 1);
    const auto ref = ParseEditionRef(r->publication + std::string(rest.substr(0, end)) + "/i1");
    if (!ref || ref->Path() != r->publication + std::string(rest.substr(0, end)) + "/i001") return false;
    r->volume = ref->volume;
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end);
  }
  r->kind = Route::kOpds;
  return ParsePage(rest, &r->page);
}

// /feed/PUB.atom
bool ParseAtom(std::string_view uri, Route* r) {
  constexpr std::string_view kPrefix = "/feed/", kSuffix = ".atom";
  if (uri.size() <= kPrefix.size() + kSuffix.size() || uri.substr(0, kPrefix.size()) != kPrefix ||
      uri.substr(uri.size() - kSuffix.size()) != kSuffix) {
    return false;
  }
  r->publication = std::string(uri.substr(kPrefix.size(), uri.size() - kPrefix.size() - kSuffix.size()));
  if (!IsSlug(r->publication)) return false;
  r->kind = Route::kAtom;
  return true;
}

// RFC 3986's pchar less percent-escapes (no path of ours needs one, and
// decoding is where traversals hide): unreserved, sub-delims, ':' and '@'.
bool IsPathChar(char c) {
  if (IsLowerAlnum(c) || (c >= 'A' && c <= 'Z')) return true;
  switch (c) {
    case '-': case '.': case '_': case '~': case '!': case '$': case '&': case '\'': case '(': case ')':
    case '*': case '+': case ',': case ';': case '=': case ':': case '@':
      return true;
    default:
      return false;
  }
}

// A well-formed origin-form path: '/' then segments of path characters, no
// empty segment and no dot segment (nor any "..").
bool WellFormedPath(std::string_view path) {
  if (path.empty() || path[0] != '/' || path.find("..") != std::string_view::npos ||
      path.find("//") != std::string_view::npos) {
    return false;
  }
  for (size_t i = 0; i < path.size(); ++i) {
    const char c = path[i];
    if (c == '/') {
      if (i + 1 < path.size() && path[i + 1] == '.' && (i + 2 == path.size() || path[i + 2] == '/')) return false;
      continue;
    }
    if (!IsPathChar(c)) return false;
  }
  return true;
}

// /search and /opds/search with their decoded `q`; kBad for a malformed query.
bool ParseSearch(std::string_view path, std::string_view query, Route* r) {
  if (path != "/search" && path != "/opds/search") return false;
  const std::optional<QueryPairs> pairs = DecodeQuery(query);
  if (!pairs) {
    r->kind = Route::kBad;
    return true;
  }
  r->kind = path == "/search" ? Route::kSearch : Route::kOpdsSearch;
  r->query = QueryValue(*pairs, "q");
  return true;
}

}  // namespace

Route ParseRoute(const std::string& uri) {
  Route r;
  // The query, if any, is no part of a route; it must still be well formed.
  const size_t question = uri.find('?');
  const std::string_view path = std::string_view(uri).substr(0, question);
  if (!WellFormedPath(path)) return r;
  const std::string_view query =
      question == std::string::npos ? std::string_view() : std::string_view(uri).substr(question + 1);
  if (ParseSearch(path, query, &r)) return r;
  if (question != std::string::npos) {
    for (char c : std::string_view(uri).substr(question + 1)) {
      if (!IsPathChar(c) && c != '/' && c != '?') return r;
    }
  }
  r.kind = Route::kUnknown;  // well formed; one of ours only if it matches below
  if (path == "/") {
    r.kind = Route::kPage;
  } else if (path == "/healthz") {
    r.kind = Route::kHealth;
  } else if (path == "/" + std::string(kPublicKeyPath)) {
    r.kind = Route::kPublicKey;
  } else if (path == "/" + std::string(kCatalogJsonName)) {
    r.kind = Route::kCatalog;
  } else if (path == "/audit/checkpoint") {
    r.kind = Route::kAuditCheckpoint;
  } else if (path == "/opds") {
    r.kind = Route::kOpds;
  } else if (path == "/opds/auth") {
    r.kind = Route::kOpdsAuth;
  } else if (path == "/feed.atom") {
    r.kind = Route::kAtom;
  } else if (path == "/opds/opensearch.xml") {
    r.kind = Route::kOpenSearch;
  } else if (path == "/admin/") {
    r.kind = Route::kAdmin;
  } else if (!ParseStatus(path, &r) && !ParseEdition(path, &r) && !ParseOpds(path, &r) && !ParseAtom(path, &r)) {
    Route unknown;
    unknown.kind = Route::kUnknown;
    return unknown;
  }
  return r;
}

}  // namespace imprint
