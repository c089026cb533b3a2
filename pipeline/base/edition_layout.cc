#include "pipeline/base/edition_layout.h"

#include <string>

namespace imprint {
namespace {

// "v05" for ('v', 5, 2): made on every download, so without printf.
// REQUIRES: n >= 0.
std::string Padded(char prefix, int n, int width) {
  const std::string digits = std::to_string(n);
  std::string out(1, prefix);
  if (digits.size() < static_cast<size_t>(width)) out.append(static_cast<size_t>(width) - digits.size(), '0');
  return out + digits;
}

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

// [a-z0-9]+(-[a-z0-9]+)*: no leading, trailing or doubled hyphen.
bool IsSlug(std::string_view s) {
  if (s.empty() || s.front() == '-' || s.back() == '-' || s.find("--") != std::string_view::npos) return false;
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// `prefix` then 1 to 5 digits, the whole of `s`; the number, or 0.
int Numbered(std::string_view s, char prefix) {
  if (s.size() < 2 || s.size() > 6 || s[0] != prefix) return 0;
  int n = 0;
  for (char c : s.substr(1)) {
    if (c < '0' || c > '9') return 0;
    n = n * 10 + (c - '0');
  }
  return n;
}

}  // namespace

std::optional<EditionRef> ParseEditionRef(std::string_view text) {
  const size_t first = text.find('/');
  if (first == std::string_view::npos) return std::nullopt;
  const size_t second = text.find('/', first + 1);
  if (second == std::string_view::npos || text.find('/', second + 1) != std::string_view::npos) return std::nullopt;
  const std::string_view slug = text.substr(0, first);
  const int volume = Numbered(text.substr(first + 1, second - first - 1), 'v');
  const int issue = Numbered(text.substr(second + 1), 'i');
  if (!IsSlug(slug) || volume < 1 || issue < 1) return std::nullopt;
  return EditionRef{std::string(slug), volume, issue};
}

std::optional<EditionRef> ParseEditionBaseName(std::string_view text) {
  const size_t issue_at = text.rfind("-i");
  if (issue_at == std::string_view::npos) return std::nullopt;
  const size_t volume_at = text.rfind("-v", issue_at);
  if (volume_at == std::string_view::npos || volume_at == 0) return std::nullopt;
  const std::string_view slug = text.substr(0, volume_at);
  const int volume = Numbered(text.substr(volume_at + 1, issue_at - volume_at - 1), 'v');
  const int issue = Numbered(text.substr(issue_at + 1), 'i');
  if (!IsSlug(slug) || volume < 1 || issue < 1) return std::nullopt;
  return EditionRef{std::string(slug), volume, issue};
}

std::optional<ArtifactRef> ParseArtifactPath(std::string_view text) {
  const size_t slash = text.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view folder = text.substr(0, slash);
  std::optional<EditionRef> edition = ParseEditionRef(folder);
  if (!edition || edition->Path() != folder) return std::nullopt;
  std::string_view file = text.substr(slash + 1);
  const std::string stem = edition->BaseName() + ".";
  if (file.substr(0, stem.size()) != stem) return std::nullopt;
  file.remove_prefix(stem.size());
  constexpr std::string_view kSuffix = kSignatureSuffix;
  const bool signature = file.size() >= kSuffix.size() && file.substr(file.size() - kSuffix.size()) == kSuffix;
  if (signature) file.remove_suffix(kSuffix.size());
  if (file.empty()) return std::nullopt;
  for (char c : file) {
    if (!IsLowerAlnum(c)) return std::nullopt;
  }
  return ArtifactRef{std::move(*edition), std::string(file), signature};
}

std::string EditionPath(const std::string& slug, int volume, int issue) {
  return slug + "/" + Padded('v', volume, 2) + "/" + Padded('i', issue, 3);
}

std::string EditionBaseName(const std::string& slug, int volume, int issue) {
  return slug + "-" + Padded('v', volume, 2) + "-" + Padded('i', issue, 3);
}

std::string EditionRef::Path() const { return EditionPath(publication, volume, issue); }

std::string EditionRef::BaseName() const { return EditionBaseName(publication, volume, issue); }

std::string ArtifactRef::FileName() const { return edition.BaseName() + "." + extension; }

}  // namespace imprint
