#include "tests/marks_support.h"

#include <cstdio>

#include "bench/corpus.h"
#include "pipeline/edition/document.h"
#include "tests/support.h"

namespace imprint::testing {

MarkKey TestMarkKey() { return MarkKey::FromSecret("imprint test mark key, 32 bytes!"); }

std::vector<std::string> LicenseIds(int n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) {
    const uint64_t a = rng(), b = rng();
    char id[40];
    std::snprintf(id, sizeof id, "%08x-%04x-4%03x-8%03x-%012llx", static_cast<unsigned>(a >> 32),
                  static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                  static_cast<unsigned>(b >> 52), static_cast<unsigned long long>(b & 0xffffffffffffULL));
    ids.push_back(id);
  }
  return ids;
}

std::string ArticleText() {
  std::string text;
  const auto add = [&text](const Document& doc) {
    for (const Article& a : doc.articles) {
      for (const Paragraph& p : a.paragraphs) text += (text.empty() ? "" : "\n\n") + p.text;
    }
  };
  for (const char* sample : {"monitor-v05-i077", "prism-v04-i012", "monitor-v03-i145", "monitor-v01-i003"}) {
    add(ReadEdition(SourceDir() + "/samples/archive/" + sample + ".txt"));
  }
  TempDir dir;
  for (int n = 0; n < 2; ++n) {
    WriteAll(dir / "synthetic.txt", bench::SyntheticIssue(n, 2026));
    add(ReadEdition(dir / "synthetic.txt"));
  }
  return text;
}

std::string MarkedText(const MarkKey& key, const std::string& license_id, const std::string& text) {
  const TextMarker marker(key, license_id);
  std::string out;
  for (size_t line = 0; line <= text.size();) {
    size_t end = text.find('\n', line);
    if (end == std::string::npos) end = text.size();
    marker.Mark(std::string_view(text).substr(line, end - line), &out);
    if (end < text.size()) out.push_back('\n');
    line = end + 1;
  }
  return out;
}

std::string Excerpt(const std::string& text, size_t words, std::mt19937& rng) {
  std::vector<size_t> starts;  // where each word (a run of non-space bytes) starts
  for (size_t i = 0; i < text.size(); ++i) {
    const bool space = text[i] == ' ' || text[i] == '\n';
    if (!space && (i == 0 || text[i - 1] == ' ' || text[i - 1] == '\n')) starts.push_back(i);
  }
  if (starts.size() <= words) return text;
  const size_t first = rng() % (starts.size() - words);
  const size_t end = first + words < starts.size() ? starts[first + words] : text.size();
  std::string out = text.substr(starts[first], end - starts[first]);
  while (!out.empty() && (out.back() == ' ' || out.back() == '\n')) out.pop_back();
  return out;
}

std::string Interleaved(const std::string& a, const std::string& b) {
  const auto split = [](const std::string& text) {
    std::vector<std::string> out;
    for (size_t at = 0; at <= text.size();) {
      size_t end = text.find("\n\n", at);
      if (end == std::string::npos) end = text.size();
      out.push_back(text.substr(at, end - at));
      at = end + 2;
    }
    return out;
  };
  const std::vector<std::string> pa = split(a), pb = split(b);
  std::string out;
  for (size_t i = 0; i < pa.size() && i < pb.size(); ++i) out += (i ? "\n\n" : "") + (i % 2 ? pb[i] : pa[i]);
  return out;
}

std::string Strewn(const std::string& text, std::mt19937& rng) {
  static const char* const kMarks[] = {"\xE2\x80\x8B", "\xE2\x80\x8C", "\xE2\x80\x8D", "\xE2\x81\xA0"};
  std::string out;
  for (char c : text) {
    if (c == ' ' && rng() % 10 == 0) out += kMarks[rng() % 4];
    out.push_back(c);
  }
  return out;
}

}  // namespace imprint::testing
