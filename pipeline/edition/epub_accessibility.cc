#include "pipeline/edition/epub_accessibility.h"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <algorithm>
#include <limits>
#include <map>
#include <memory>
#include <sstream>
#include <string>

#include "pipeline/base/error.h"

namespace imprint {
namespace {

constexpr char kOpsNs[] = "http://www.idpf.org/2007/ops";
constexpr char kDcNs[] = "http://purl.org/dc/elements/1.1/";
constexpr char kXhtmlNs[] = "http://www.w3.org/1999/xhtml";

// DPUB-ARIA's role for each EPUB 3 structural semantic that has one: the
// table Ace by DAISY checks (epub-type-has-matching-role). A table.
const std::map<std::string, std::string>& RoleOfType() {
  static const std::map<std::string, std::string> roles = {
      {"abstract", "doc-abstract"}, {"acknowledgments", "doc-acknowledgments"}, {"afterword", "doc-afterword"},
      {"appendix", "doc-appendix"}, {"biblioentry", "doc-biblioentry"}, {"bibliography", "doc-bibliography"},
      {"biblioref", "doc-biblioref"}, {"chapter", "doc-chapter"}, {"colophon", "doc-colophon"},
      {"conclusion", "doc-conclusion"}, {"credit", "doc-credit"}, {"credits", "doc-credits"},
      {"dedication", "doc-dedication"}, {"endnote", "doc-endnote"}, {"endnotes", "doc-endnotes"},
      {"epigraph", "doc-epigraph"}, {"epilogue", "doc-epilogue"}, {"errata", "doc-errata"},
      {"figure", "figure"}, {"footnote", "doc-footnote"}, {"foreword", "doc-foreword"},
      {"glossary", "doc-glossary"}, {"glossdef", "definition"}, {"glossref", "doc-glossref"},
      {"glossterm", "term"}, {"help", "doc-tip"}, {"index", "doc-index"},
      {"introduction", "doc-introduction"}, {"list", "list"}, {"list-item", "listitem"},
      {"noteref", "doc-noteref"}, {"notice", "doc-notice"}, {"page-list", "doc-pagelist"},
      {"pagebreak", "doc-pagebreak"}, {"part", "doc-part"}, {"preface", "doc-preface"},
      {"prologue", "doc-prologue"}, {"pullquote", "doc-pullquote"}, {"qna", "doc-qna"},
      {"referrer", "doc-backlink"}, {"subtitle", "doc-subtitle"}, {"table", "table"},
      {"table-cell", "cell"}, {"table-row", "row"}, {"tip", "doc-tip"}, {"toc", "doc-toc"}};
  return roles;
}

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Joined(const std::vector<std::string>& values) {
  std::string out;
  for (const std::string& v : values) out += (out.empty() ? "'" : ", '") + v + "'";
  return out.empty() ? "none" : out;
}

// An attribute's value, in namespace `ns` (nullptr: none); "" when absent.
std::string Prop(xmlNodePtr node, const char* name, const char* ns) {
  xmlChar* value = ns == nullptr ? xmlGetNoNsProp(node, BAD_CAST name) : xmlGetNsProp(node, BAD_CAST name, BAD_CAST ns);
  std::string s = value == nullptr ? "" : reinterpret_cast<const char*>(value);
  xmlFree(value);
  return s;
}

std::string Content(xmlNodePtr node) {
  xmlChar* content = xmlNodeGetContent(node);
  std::string s = content == nullptr ? "" : reinterpret_cast<const char*>(content);
  xmlFree(content);
  return s;
}

bool InNamespace(xmlNodePtr node, const char* ns) {
  return node->ns != nullptr && node->ns->href != nullptr &&
         std::string(reinterpret_cast<const char*>(node->ns->href)) == ns;
}

std::string Name(xmlNodePtr node) { return reinterpret_cast<const char*>(node->name); }

// What is wrong with one entry: an Error naming the template it came from.
[[noreturn]] void Fail(const TemplateSet& templates, const BookEntry& entry, const std::string& what) {
  throw Error(templates.Path(entry.template_name), 0, "the EPUB's " + entry.name + " " + what);
}

DocPtr Parse(const TemplateSet& templates, const BookEntry& entry) {
  if (entry.text.size() > static_cast<size_t>(std::numeric_limits<int>::max())) Fail(templates, entry, "is too large");
  DocPtr doc(xmlReadMemory(entry.text.data(), static_cast<int>(entry.text.size()), nullptr, "UTF-8",
                           XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING),
             &xmlFreeDoc);
  if (!doc || xmlDocGetRootElement(doc.get()) == nullptr) Fail(templates, entry, "is not well-formed XML");
  return doc;
}

// The package's metadata: every <meta property="P"> text by P ("dc:date" for
// the dc:date elements).
std::multimap<std::string, std::string> Metadata(xmlNodePtr root) {
  std::multimap<std::string, std::string> found;
  for (xmlNodePtr m = root->children; m != nullptr; m = m->next) {
    if (m->type != XML_ELEMENT_NODE || Name(m) != "metadata") continue;
    for (xmlNodePtr c = m->children; c != nullptr; c = c->next) {
      if (c->type != XML_ELEMENT_NODE) continue;
      if (Name(c) == "meta" && Prop(c, "refines", nullptr).empty()) {
        found.emplace(Prop(c, "property", nullptr), Content(c));
      }
      if (Name(c) == "date" && InNamespace(c, kDcNs)) found.emplace("dc:date", Content(c));
    }
  }
  return found;
}

void CheckPackage(const Document& doc, const BookEntry& entry, const TemplateSet& templates) {
  const DocPtr xml = Parse(templates, entry);
  const std::multimap<std::string, std::string> meta = Metadata(xmlDocGetRootElement(xml.get()));
  const Accessibility& a = doc.accessibility;
  const std::vector<std::pair<std::string, std::vector<std::string>>> expected = {
      {"dcterms:conformsTo", {a.conforms_to}},
      {"a11y:certifiedBy", {a.certified_by}},
      {"schema:accessMode", a.access_modes},
      {"schema:accessModeSufficient", a.sufficient_modes},
      {"schema:accessibilityFeature", a.features},
      {"schema:accessibilityHazard", a.hazards},
      {"schema:accessibilitySummary", {a.summary}},
  };
  for (const auto& [property, values] : expected) {
    std::vector<std::string> want = values, got;
    for (auto [it, end] = meta.equal_range(property); it != end; ++it) got.push_back(it->second);
    std::sort(want.begin(), want.end());
    std::sort(got.begin(), got.end());
    if (got != want) {
      Fail(templates, entry,
           "declares " + property + " " + Joined(got) + ", not " + Joined(want) +
               " as the rights policy's <accessibility> gives it: every EPUB declares its accessibility "
               "(EPUB Accessibility 1.1)");
    }
  }
  std::vector<std::string> dates;
  for (auto [it, end] = meta.equal_range("dc:date"); it != end; ++it) dates.push_back(it->second);
  if (dates != std::vector<std::string>{BookDate(doc)}) {
    Fail(templates, entry, "has dc:date " + Joined(dates) + ", not '" + BookDate(doc) + "' (BookDate)");
  }
}

// Every element below `node`, in document order.
void Walk(xmlNodePtr node, std::vector<xmlNodePtr>* out) {
  for (xmlNodePtr c = node; c != nullptr; c = c->next) {
    if (c->type != XML_ELEMENT_NODE) continue;
    out->push_back(c);
    Walk(c->children, out);
  }
}

void CheckPage(const Document& doc, const BookEntry& entry, const TemplateSet& templates) {
  const DocPtr xml = Parse(templates, entry);
  xmlNodePtr root = xmlDocGetRootElement(xml.get());
  const std::string& language = doc.publication.language;
  if (Prop(root, "lang", nullptr) != language || Prop(root, "lang", reinterpret_cast<const char*>(XML_XML_NAMESPACE)) != language) {
    Fail(templates, entry, "does not give its language ('" + language + "') as both lang and xml:lang on <html>");
  }
  std::vector<xmlNodePtr> elements;
  Walk(root, &elements);
  int previous = 0;
  for (xmlNodePtr e : elements) {
    const std::vector<std::string> roles = Words(Prop(e, "role", nullptr));
    for (const std::string& type : Words(Prop(e, "type", kOpsNs))) {
      auto it = RoleOfType().find(type);
      if (it != RoleOfType().end() && std::find(roles.begin(), roles.end(), it->second) == roles.end()) {
        Fail(templates, entry, "has an element <" + Name(e) + "> of epub:type '" + type + "' without its ARIA role '" +
                                   it->second + "' (DPUB-ARIA)");
      }
    }
    const std::string name = Name(e);
    if (InNamespace(e, kXhtmlNs) && name.size() == 2 && name[0] == 'h' && name[1] >= '1' && name[1] <= '6') {
      const int level = name[1] - '0';
      if (level > previous + 1) {
        Fail(templates, entry, "has an <" + name + "> after " +
                                   (previous == 0 ? std::string("no heading") : "an <h" + std::to_string(previous) + ">") +
                                   ": headings start at h1 and never skip a level");
      }
      previous = level;
    }
  }
}

bool EndsWith(const std::string& s, const std::string& tail) {
  return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

}  // namespace

void CheckBookAccessibility(const Document& doc, const std::vector<BookEntry>& entries,
                            const TemplateSet& templates) {
  for (const BookEntry& entry : entries) {
    if (EndsWith(entry.name, ".opf")) CheckPackage(doc, entry, templates);
    if (EndsWith(entry.name, ".xhtml")) CheckPage(doc, entry, templates);
  }
}

}  // namespace imprint
