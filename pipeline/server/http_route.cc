#include "pipeline/server/http_route.h"

#include <algorithm>
#include <string_view>

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
  // [a-z0-9]+(-[a-z0-9]+)*, up to the next '/'.
  bool TakeSlug(std::string_view* slug) {
    const size_t end = std::min(rest_.find('/'), rest_.size());
    const std::string_view s = rest_.substr(0, end);
    if (s.empty() || s.front() == '-' || s.back() == '-' || s.find("--") != std::string_view::npos) return false;
    for (char c : s) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    *slug = s;
    rest_.remove_prefix(end);
    return true;
  }
  // Between `min` and `max` decimal digits, as many as there are.
  bool TakeDigits(size_t min, size_t max, std::string_view* digits) {
    size_t n = 0;
    while (n < rest_.size() && IsDigit(rest_[n])) ++n;
    if (n < min || n > max) return false;
    *digits = rest_.substr(0, n);
    rest_.remove_prefix(n);
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

int ToInt(std::string_view digits) {
  int n = 0;
  for (char c : digits) n = n * 10 + (c - '0');
  return n;
}

// /licenses/UUID/status
bool ParseStatus(std::string_view uri, Route* r) {
  Scanner s(uri);
  std::string_view id;
  if (!s.Take("/licenses/") || !s.TakeUuid(&id) || !s.Take("/status") || !s.AtEnd()) return false;
  r->kind = Route::kStatus;
  r->license_id = std::string(id);
  return true;
}

// /editions/SLUG/vVOL/iISS/SLUG-vVOL-iISS.(md|html|epub)[.minisig]: the file
// must be this edition's own artifact, its numbers written as in the folder
// names, and those in their canonical zero-padded form.
bool ParseEdition(std::string_view uri, Route* r) {
  Scanner s(uri);
  std::string_view slug, volume, issue;
  if (!s.Take("/editions/") || !s.TakeSlug(&slug) || !s.Take("/v") || !s.TakeDigits(2, 5, &volume) ||
      !s.Take("/i") || !s.TakeDigits(3, 5, &issue) || !s.Take("/")) {
    return false;
  }
  const std::string stem = std::string(slug) + "-v" + std::string(volume) + "-i" + std::string(issue) + ".";
  if (!s.Take(stem)) return false;
  std::string format;
  for (const char* ext : {"md", "html", "epub"}) {
    if (s.Take(ext)) {
      format = ext;
      break;
    }
  }
  if (format.empty()) return false;
  const bool signature = s.Take(".minisig");
  if (!s.AtEnd()) return false;
  EditionRef edition{std::string(slug), ToInt(volume), ToInt(issue)};
  if (edition.volume < 1 || edition.issue < 1 ||
      edition.Path() != std::string(slug) + "/v" + std::string(volume) + "/i" + std::string(issue)) {
    return false;
  }
  r->kind = Route::kEdition;
  r->edition = std::move(edition);
  r->file = stem + format;
  r->format = std::move(format);
  r->signature = signature;
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

}  // namespace

Route ParseRoute(const std::string& uri) {
  Route r;
  // The query, if any, is no part of a route; it must still be well formed.
  const size_t question = uri.find('?');
  const std::string_view path = std::string_view(uri).substr(0, question);
  if (!WellFormedPath(path)) return r;
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
  } else if (path == "/keys/imprint.pub") {
    r.kind = Route::kPublicKey;
  } else if (path == "/catalog.json") {
    r.kind = Route::kCatalog;
  } else if (path == "/audit/checkpoint") {
    r.kind = Route::kAuditCheckpoint;
  } else if (!ParseStatus(path, &r) && !ParseEdition(path, &r)) {
    Route unknown;
    unknown.kind = Route::kUnknown;
    return unknown;
  }
  return r;
}

}  // namespace imprint
