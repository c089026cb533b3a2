#include "pipeline/server/personalize.h"

#include <algorithm>
#include <cstdint>
#include <string_view>
#include <utility>
#include <vector>

#include "pipeline/edition/epub_writer.h"
#include "pipeline/base/error.h"
#include "pipeline/license/license.h"
#include "pipeline/base/markdown_escape.h"
#include "pipeline/edition/markdown_writer.h"
#include "pipeline/edition/template_set.h"
#include "pipeline/base/text_decoder.h"
#include "pipeline/base/zip_writer.h"
#include "pipeline/edition/writers.h"
#include "pipeline/server/text_marks.h"

namespace imprint {
namespace {

constexpr char kMarker[] = "<!--imprint:licensee-->";
constexpr char kMetaMarker[] = "<!--imprint:licensee-meta-->";
// The trace's one source: a comment carrying only the license id, written
// before the licensee's text (which, escaped, can never spell a comment).
constexpr std::string_view kIdMarkOpen = "<!--imprint:license-id ";
constexpr std::string_view kIdMarkClose = "-->";
// Markdown's: the front matter's own key, written before the licensee's.
constexpr std::string_view kIdKey = "license_id: \"";
// The entries of a book that carry the licensee (the package document first).
const char* const kEpubEntries[] = {"OEBPS/package.opf", "OEBPS/issue.xhtml", "OEBPS/rights.xhtml"};
// An entry larger than this is no entry Personalize wrote: not read by a trace.
constexpr uint32_t kMaxTracedEntry = 16 << 20;
// Nor are licensee entries past this many bytes in all (a book has three; a
// zip of the same entry repeated would otherwise be inflated many times over).
constexpr uint64_t kMaxTracedBytes = 3 * uint64_t{kMaxTracedEntry};

std::string EscapeXml(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string IdMark(const Licensee& who) {
  return std::string(kIdMarkOpen) + who.license_id + std::string(kIdMarkClose);
}

// Replaces the one `marker` in `text` by `with`.
std::string Fill(std::string text, const char* marker, const std::string& with, const std::string& what) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) throw Error(what, 0, "no place for the licensee (" + std::string(marker) + ")");
  text.replace(at, std::char_traits<char>::length(marker), with);
  return text;
}

std::string LicenseeParagraph(const Licensee& who) {
  return "<p class=\"licensee\">" + EscapeXml(who.wording) + "</p>";
}

std::string HtmlMeta(const Licensee& who) {
  return "<meta name=\"dcterms.accessRights\" content=\"" + EscapeXml(who.wording) + "\">";
}

std::string EpubMeta(const Licensee& who) {
  return "<meta property=\"dcterms:accessRights\">" + EscapeXml(who.wording) + "</meta>";
}

// The front matter's licensee keys, in this order: the id before any text of
// the licensee's.
std::string FrontMatterKeys(const Licensee& who) {
  return std::string(kIdKey) + who.license_id + "\"\nlicensee: " + YamlQuote(who.name) +
         "\nlicense_terms: " + YamlQuote(who.wording) + "\n";
}

// Refuses a licensee no format can carry as one line of text: a copy is never
// made, signed and served broken, whatever a license says.
void CheckRenderable(const Licensee& who) {
  if (!IsLicenseId(who.license_id)) throw Error("licensee", 0, "the license id is not a UUID");
  if (const std::string problem = SubscriberNameProblem(who.name); !problem.empty()) {
    throw Error("licensee", 0, "the subscriber name cannot go into a copy: " + problem);
  }
  size_t length = 0;
  if (const std::string problem = OneLineTextProblem(who.wording, &length); !problem.empty()) {
    throw Error("licensee", 0, "the licensee's wording cannot go into a copy: " + problem);
  }
  if (who.wording.empty() || who.wording.front() == ' ' || who.wording.back() == ' ') {
    throw Error("licensee", 0, "the licensee's wording is empty or starts or ends with a space");
  }
}

// Plans the marks of the page's article text (the text between the tags of
// <main>, never a tag, attribute or comment).
void PlanHtmlMain(std::string_view html, MarkPlan* plan, const std::string& what) {
  const size_t open = html.find("<main");
  const size_t close = open == std::string::npos ? open : html.find("</main>", open);
  if (close == std::string::npos) throw Error(what, 0, "no article text to mark (<main>)");
  for (size_t at = open; at < close;) {
    if (html[at] == '<') {
      const bool comment = html.compare(at, 4, "<!--") == 0;
      const size_t end = comment ? html.find("-->", at) : html.find('>', at);
      at = end == std::string::npos || end > close ? close : end + (comment ? 3 : 1);
      continue;
    }
    const size_t text_end = std::min(html.find('<', at), close);
    plan->Add(html.substr(at, text_end - at), at);
    at = text_end;
  }
}

// The front matter's closing line, or npos when the text has none.
size_t FrontMatterEnd(const std::string& md) {
  if (md.rfind("---\n", 0) != 0) return std::string::npos;
  return md.find("\n---\n", 3);
}

// Plans the marks of the articles' lines of an edition's Markdown body (after
// the title and the corrections' quote, before the rule above the footer);
// the title, corrections and footer carry none.
void PlanMarkdownArticles(std::string_view body, MarkPlan* plan, const std::string& what) {
  const size_t title = body.find("\n# ");
  const size_t rule = title == std::string::npos ? title : body.find("\n---\n", title + 1);
  if (rule == std::string::npos) throw Error(what, 0, "no article text to mark (the title and the rule)");
  for (size_t line = body.find('\n', title + 1) + 1; line <= rule;) {
    const size_t end = body.find('\n', line);
    const std::string_view text = body.substr(line, end - line);
    if (!text.empty() && text[0] != '>') plan->Add(text, line);
    line = end + 1;
  }
}

void CheckWellFormed(const std::string& entry, const std::string& name) {
  if (!IsWellFormedXml(entry)) throw Error(name, 0, "the personalised entry is not well-formed XML");
}

// Whether `name` is one of the book's entries that carry the licensee.
bool IsLicenseeEntry(const std::string& name) {
  return std::find(std::begin(kEpubEntries), std::end(kEpubEntries), name) != std::end(kEpubEntries);
}

// Every id mark in `text`, in order: a linear scan, no pattern.
void CollectIdMarks(const std::string& text, std::vector<std::string>* ids) {
  for (size_t at = text.find(kIdMarkOpen); at != std::string::npos; at = text.find(kIdMarkOpen, at + 1)) {
    const size_t id = at + kIdMarkOpen.size();
    if (id + 36 + kIdMarkClose.size() > text.size()) break;
    if (IsLicenseId(std::string_view(text).substr(id, 36)) &&
        text.compare(id + 36, kIdMarkClose.size(), kIdMarkClose) == 0) {
      ids->push_back(text.substr(id, 36));
    }
  }
}

// Every `license_id: "ID"` line of the front matter (and nowhere else).
void CollectFrontMatterIds(const std::string& md, std::vector<std::string>* ids) {
  const size_t close = FrontMatterEnd(md);
  if (close == std::string::npos) return;
  for (size_t line = 4; line <= close; line = md.find('\n', line) + 1) {
    const size_t end = md.find('\n', line);
    if (end - line == kIdKey.size() + 37 && md.compare(line, kIdKey.size(), kIdKey) == 0 && md[end - 1] == '"' &&
        IsLicenseId(std::string_view(md).substr(line + kIdKey.size(), 36))) {
      ids->push_back(md.substr(line + kIdKey.size(), 36));
    }
  }
}

// The inflated entries of a book that carry the licensee; none when the
// bytes are not a book, or hold more licensee entries than one would.
std::vector<std::pair<std::string, std::string>> LicenseeEntries(const std::string& epub) {
  std::vector<std::pair<std::string, std::string>> out;
  uint64_t inflated = 0;
  try {
    for (const ZipEntry& e : ReadZip(epub)) {
      for (const char* name : kEpubEntries) {
        if (e.name != name || e.size > kMaxTracedEntry) continue;
        inflated += e.size;
        if (inflated > kMaxTracedBytes) return {};
        out.emplace_back(e.name, Inflate(e));
      }
    }
  } catch (const std::exception&) {
    out.clear();
  }
  return out;
}

bool Contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

namespace {
Licensee Worded(const TemplateSet& watermark, const std::string& license_id, const std::string& name) {
  TemplateData data;
  data.Set("name", name).Set("license", license_id);
  return Licensee{license_id, name, watermark.Render("watermark.txt", data)};
}
}  // namespace

Licensee MakeLicensee(const Tier& tier, const std::string& license_id, const std::string& name) {
  return Worded(TemplateSet::FromString("watermark.txt", tier.watermark), license_id, name);
}

void CheckWatermarks(const RightsPolicy& policy) {
  for (const auto& [id, tier] : policy.tiers) {
    try {
      const TemplateSet set = TemplateSet::FromString("watermark.txt", tier.watermark);
      set.CheckNames({"watermark.txt", {"name", "license"}});  // what Worded() gives
      const Licensee probe = Worded(set, "LICENSE-ID", "NAME");
      for (const auto& [value, what] : {std::pair<const char*, const char*>{"NAME", "name"}, {"LICENSE-ID", "license"}}) {
        if (!Contains(probe.wording, value)) throw Error("", 0, std::string("does not render the licensee's ") + what);
      }
    } catch (const Error& e) {
      throw Error(policy.source, tier.line, "the watermark of tier '" + id + "': " + e.diagnostic().message);
    }
  }
}

Watermarks::Watermarks(const RightsPolicy& policy) {
  CheckWatermarks(policy);
  for (const auto& [id, tier] : policy.tiers) {
    templates_.emplace(id, TemplateSet::FromString("watermark.txt", tier.watermark));
  }
}

Licensee Watermarks::Make(const std::string& tier, const std::string& license_id, const std::string& name) const {
  return Worded(templates_.at(tier), license_id, name);
}

namespace {
// The writer table's entry for `format`; throws imprint::Error for none.
const Writer& WriterOf(const std::string& format) {
  const Writer* w = FindWriter(format);
  if (w == nullptr) throw Error(format, 0, "no such format");
  return *w;
}
}  // namespace

PreparedArtifact::PreparedArtifact(const std::string& format, const std::string& artifact, const MarkKey& marks)
    : PreparedArtifact(WriterOf(format), artifact, marks) {}

PreparedArtifact::PreparedArtifact(const Writer& writer, const std::string& artifact, const MarkKey& marks)
    : format_(writer.format), kind_(writer.personalization), marks_(marks), plan_(marks) {
  switch (kind_) {
    case Personalization::kFrontMatter:
      text_ = artifact;
      front_matter_end_ = FrontMatterEnd(text_);
      if (front_matter_end_ == std::string::npos) throw Error(format_, 0, "no front matter for the licensee");
      PlanMarkdownArticles(std::string_view(text_).substr(front_matter_end_ + 1), &plan_, format_);
      return;
    case Personalization::kHtmlMarkers:
      text_ = artifact;
      PlanHtmlMain(text_, &plan_, format_);
      return;
    case Personalization::kEpubMarkers: PrepareBook(artifact); return;
  }
}

void PreparedArtifact::PrepareBook(const std::string& epub) {
  try {
    entries_ = ReadZip(epub);
  } catch (const std::exception& e) {
    throw Error(format_, 0, e.what());
  }
  book_writer_ = ZipWriter::WithTimeOf(epub);
  for (ZipEntry& e : entries_) {
    if (!IsLicenseeEntry(e.name)) continue;
    (e.name == kEpubEntries[0] ? opf_ : e.name == kEpubEntries[1] ? text_ : rights_) = Inflate(e);
    e.compressed.clear();  // made afresh for each license
  }
  PlanHtmlMain(text_, &plan_, kEpubEntries[1]);
}

size_t PreparedArtifact::Size() const {
  size_t size = text_.size() + opf_.size() + rights_.size() + plan_.gaps() * sizeof(size_t) * 2;
  for (const ZipEntry& e : entries_) size += e.name.size() + e.compressed.size() + sizeof e;
  return size;
}

std::string PreparedArtifact::Personalize(const Licensee& who) const {
  CheckRenderable(who);
  const std::string tag = marks_.Tag(who.license_id);
  std::string marked;
  switch (kind_) {
    case Personalization::kFrontMatter: {
      marked.append(text_, 0, front_matter_end_ + 1).append(FrontMatterKeys(who));
      plan_.Apply(std::string_view(text_).substr(front_matter_end_ + 1), tag, &marked);
      // The wording is one line without control characters (CheckRenderable),
      // so escaped it stays one paragraph of inline text.
      return marked.append(EscapeMarkdownParagraph(who.wording)).append("\n");
    }
    case Personalization::kHtmlMarkers:
      plan_.Apply(text_, tag, &marked);
      return Fill(Fill(std::move(marked), kMetaMarker, IdMark(who) + "\n" + HtmlMeta(who), format_), kMarker,
                  LicenseeParagraph(who), format_);
    case Personalization::kEpubMarkers: return PersonalizeBook(who, tag);
  }
  throw Error(format_, 0, "no such format");
}

std::string PreparedArtifact::PersonalizeBook(const Licensee& who, const std::string& tag) const {
  ZipWriter zip = book_writer_;
  for (const ZipEntry& e : entries_) {
    if (!IsLicenseeEntry(e.name)) {
      zip.AddRaw(e.name, e.method, e.crc, e.size, e.compressed);
      continue;
    }
    std::string changed;
    if (e.name == kEpubEntries[0]) {
      changed = Fill(opf_, kMetaMarker, IdMark(who) + "\n    " + EpubMeta(who), e.name);
      CheckWellFormed(changed, e.name);
    } else if (e.name == kEpubEntries[1]) {
      // The page is checked before its marks: marking adds only U+200B,
      // U+200C, U+200D and U+2060 (XML characters) at word gaps of the
      // character data between tags, never inside a tag, a comment or a
      // reference (text_marks.h), so a well-formed page stays well-formed;
      // and libxml2 reads the marked page at half the speed.
      CheckWellFormed(Fill(text_, kMarker, LicenseeParagraph(who), e.name), e.name);
      plan_.Apply(text_, tag, &changed);
      changed = Fill(std::move(changed), kMarker, LicenseeParagraph(who), e.name);
    } else {
      changed = Fill(rights_, kMarker, LicenseeParagraph(who), e.name);
      CheckWellFormed(changed, e.name);
    }
    zip.AddDeflatedFast(e.name, changed);
  }
  return zip.Finish();
}

std::string Personalize(const std::string& format, const std::string& artifact, const Licensee& who,
                        const MarkKey& marks) {
  WriterOf(format);
  CheckRenderable(who);
  return PreparedArtifact(format, artifact, marks).Personalize(who);
}

std::vector<std::string> FindLicenseIds(const std::string& format, const std::string& artifact) {
  std::vector<std::string> found;
  const Writer* writer = FindWriter(format);
  if (writer == nullptr) return found;
  switch (writer->personalization) {
    case Personalization::kFrontMatter: CollectFrontMatterIds(artifact, &found); break;
    case Personalization::kHtmlMarkers: CollectIdMarks(artifact, &found); break;
    case Personalization::kEpubMarkers:
      for (const auto& [name, text] : LicenseeEntries(artifact)) CollectIdMarks(text, &found);
      break;
  }
  std::vector<std::string> distinct;
  for (const std::string& id : found) {
    if (std::find(distinct.begin(), distinct.end(), id) == distinct.end()) distinct.push_back(id);
  }
  return distinct;
}

namespace {

bool EpubNamesLicensee(const std::string& artifact, const Licensee& who) {
  const auto entries = LicenseeEntries(artifact);
  if (entries.size() != 3) return false;
  for (const auto& [name, text] : entries) {
    const std::string expected =
        name == kEpubEntries[0] ? IdMark(who) + "\n    " + EpubMeta(who) : LicenseeParagraph(who);
    if (!Contains(text, expected)) return false;
  }
  return true;
}

}  // namespace

bool NamesLicensee(const std::string& format, const std::string& artifact, const Licensee& who) {
  const Writer* writer = FindWriter(format);
  if (writer == nullptr) return false;
  switch (writer->personalization) {
    case Personalization::kFrontMatter: {
      const size_t close = FrontMatterEnd(artifact);
      return close != std::string::npos && Contains(artifact.substr(0, close + 1), "\n" + FrontMatterKeys(who)) &&
             Contains(artifact.substr(close), "\n" + EscapeMarkdownParagraph(who.wording) + "\n");
    }
    case Personalization::kHtmlMarkers:
      return Contains(artifact, IdMark(who) + "\n" + HtmlMeta(who)) && Contains(artifact, LicenseeParagraph(who));
    case Personalization::kEpubMarkers: return EpubNamesLicensee(artifact, who);
  }
  return false;
}

}  // namespace imprint
