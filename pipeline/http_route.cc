#include "pipeline/http_route.h"

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

}  // namespace

Route ParseRoute(const std::string& uri) {
  Route r;
  // Only the characters our paths use: no escapes, no dot segments, no NUL.
  if (uri.empty() || uri[0] != '/' || uri.find("..") != std::string::npos || uri.find("//") != std::string::npos) {
    return r;
  }
  for (char c : uri) {
    if (!IsLowerAlnum(c) && c != '.' && c != '/' && c != '_' && c != '-') return r;
  }
  if (uri == "/") {
    r.kind = Route::kPage;
  } else if (uri == "/healthz") {
    r.kind = Route::kHealth;
  } else if (uri == "/keys/imprint.pub") {
    r.kind = Route::kPublicKey;
  } else if (uri == "/catalog.json") {
    r.kind = Route::kCatalog;
  } else if (uri == "/audit/checkpoint") {
    r.kind = Route::kAuditCheckpoint;
  } else if (!ParseStatus(uri, &r) && !ParseEdition(uri, &r)) {
    return Route();
  }
  return r;
}

}  // namespace imprint
