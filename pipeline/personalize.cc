#include "pipeline/personalize.h"

#include <regex>

#include "pipeline/error.h"
#include "pipeline/markdown_escape.h"
#include "pipeline/markdown_writer.h"
#include "pipeline/template_set.h"
#include "pipeline/zip_writer.h"

namespace imprint {
namespace {

constexpr char kMarker[] = "<!--imprint:licensee-->";
constexpr char kMetaMarker[] = "<!--imprint:licensee-meta-->";

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

std::string PersonalizeHtml(const std::string& html, const Licensee& who) {
  const std::string meta = "<meta name=\"dcterms.accessRights\" content=\"" + EscapeXml(who.wording) + "\">";
  return Fill(Fill(html, kMetaMarker, meta, "html"), kMarker, LicenseeParagraph(who), "html");
}

std::string PersonalizeMarkdown(const std::string& md, const Licensee& who) {
  // Front matter: the keys go before its closing line.
  const size_t close = md.find("\n---\n", 3);
  if (md.rfind("---\n", 0) != 0 || close == std::string::npos) {
    throw Error("md", 0, "no front matter for the licensee");
  }
  std::string out = md.substr(0, close + 1);
  out += "licensee: " + YamlQuote(who.name) + "\nlicense_id: " + YamlQuote(who.license_id) +
         "\nlicense_terms: " + YamlQuote(who.wording) + "\n";
  out += md.substr(close + 1);
  return out + EscapeMarkdownParagraph(who.wording) + "\n";
}

std::string PersonalizeEpub(const std::string& epub, const Licensee& who) {
  std::vector<ZipEntry> entries;
  try {
    entries = ReadZip(epub);
  } catch (const std::exception& e) {
    throw Error("epub", 0, e.what());
  }
  const std::string meta = "<meta property=\"dcterms:accessRights\">" + EscapeXml(who.wording) + "</meta>";
  // The entries keep the original book's time: same inputs, same bytes.
  ZipWriter zip = ZipWriter::WithTimeOf(epub);
  for (const ZipEntry& e : entries) {
    std::string changed;
    if (e.name == "OEBPS/package.opf") {
      changed = Fill(Inflate(e), kMetaMarker, meta, e.name);
    } else if (e.name == "OEBPS/issue.xhtml" || e.name == "OEBPS/rights.xhtml") {
      changed = Fill(Inflate(e), kMarker, LicenseeParagraph(who), e.name);
    }
    if (changed.empty()) {
      zip.AddRaw(e.name, e.method, e.crc, e.size, e.compressed);
    } else {
      zip.AddDeflated(e.name, changed);
    }
  }
  return zip.Finish();
}

}  // namespace

Licensee MakeLicensee(const Tier& tier, const std::string& license_id, const std::string& name) {
  TemplateData data;
  data.Set("name", name).Set("license", license_id);
  const std::string wording = TemplateSet::FromString("watermark.txt", tier.watermark).Render("watermark.txt", data);
  return Licensee{license_id, name, wording};
}

std::string Personalize(const std::string& format, const std::string& artifact, const Licensee& who) {
  if (format == "md") return PersonalizeMarkdown(artifact, who);
  if (format == "html") return PersonalizeHtml(artifact, who);
  if (format == "epub") return PersonalizeEpub(artifact, who);
  throw Error(format, 0, "no such format");
}

std::string FindLicenseId(const std::string& format, const std::string& artifact) {
  static const std::regex id("license[ _a-z\":]*([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})");
  std::string text = artifact;
  if (format == "epub") {
    text.clear();
    try {
      for (const ZipEntry& e : ReadZip(artifact)) {
        if (e.name == "OEBPS/package.opf") text = Inflate(e);
      }
    } catch (const std::exception&) {
      return "";
    }
  }
  std::smatch m;
  return std::regex_search(text, m, id) ? m[1].str() : "";
}

}  // namespace imprint
