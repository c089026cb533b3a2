#include "pipeline/edition/rights_policy.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <memory>
#include <set>
#include <sstream>

#include "pipeline/base/crypto.h"
#include "pipeline/base/error.h"
#include "pipeline/base/file_system.h"

namespace imprint {
namespace {

// libxml2 numbers an element by the line its start tag ends on; a person
// looks for the line it starts on. `text` is the file the element is in.
int StartLine(const std::string& text, int end_line, const xmlChar* name) {
  std::vector<size_t> line_starts = {0};
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts.push_back(i + 1);
  }
  const std::string open = "<" + std::string(reinterpret_cast<const char*>(name));
  for (int line = std::min<int>(end_line, static_cast<int>(line_starts.size())); line >= 1; --line) {
    const size_t begin = line_starts[line - 1];
    const size_t end = line < static_cast<int>(line_starts.size()) ? line_starts[line] : text.size();
    if (text.substr(begin, end - begin).find(open) != std::string::npos) return line;
  }
  return end_line;
}

// The first libxml2 error of a load, with its file and line.
struct XmlErrors {
  bool seen = false;
  std::string file;
  int line = 0;
  std::string message;
  xmlNodePtr element = nullptr;  // the element a validity error is about

  static void Collect(void* self, xmlErrorPtr e) {
    auto* errors = static_cast<XmlErrors*>(self);
    if (errors->seen || e == nullptr || e->level < XML_ERR_ERROR) return;
    errors->seen = true;
    errors->file = e->file ? e->file : "";
    errors->line = e->line;
    errors->message = e->message ? e->message : "unknown XML error";
    while (!errors->message.empty() && errors->message.back() == '\n') {
      errors->message.pop_back();
    }
    auto* node = static_cast<xmlNodePtr>(e->node);
    if (e->domain == XML_FROM_RELAXNGV && node != nullptr && node->type == XML_ELEMENT_NODE) {
      errors->element = node;
    }
  }

  [[noreturn]] void Throw(const std::string& fallback_file) const {
    throw Error(file.empty() ? fallback_file : file, line, message);
  }
};

// Routes libxml2's errors to an XmlErrors for the lifetime of the scope.
class ErrorScope {
 public:
  explicit ErrorScope(XmlErrors* errors) {
    xmlSetStructuredErrorFunc(errors, &XmlErrors::Collect);
  }
  ~ErrorScope() { xmlSetStructuredErrorFunc(nullptr, nullptr); }
};

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

std::string Attr(xmlNodePtr node, const char* name) {
  xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
  if (value == nullptr) return "";
  std::string out(reinterpret_cast<char*>(value));
  xmlFree(value);
  return out;
}

std::string Content(xmlNodePtr node) {
  xmlChar* value = xmlNodeGetContent(node);
  std::string out(value ? reinterpret_cast<char*>(value) : "");
  xmlFree(value);
  return out;
}

bool Is(xmlNodePtr node, const char* name) {
  return node->type == XML_ELEMENT_NODE &&
         xmlStrcmp(node->name, reinterpret_cast<const xmlChar*>(name)) == 0;
}

std::vector<std::string> Words(const std::string& s) {
  std::istringstream in(s);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

DocPtr ParseFile(const std::string& path, XmlErrors* errors) {
  // No network, no entity expansion: the policy is data, not a program.
  DocPtr doc(xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET), &xmlFreeDoc);
  if (!doc) {
    if (!errors->seen) throw Error(path, 0, "cannot read the file");
    errors->Throw(path);
  }
  return doc;
}

void Validate(xmlDocPtr doc, const std::string& schema_path,
              const std::string& policy_path, XmlErrors* errors) {
  DocPtr schema_doc = ParseFile(schema_path, errors);
  std::unique_ptr<xmlRelaxNGParserCtxt, decltype(&xmlRelaxNGFreeParserCtxt)>
      parser(xmlRelaxNGNewDocParserCtxt(schema_doc.get()), &xmlRelaxNGFreeParserCtxt);
  xmlRelaxNGSetParserStructuredErrors(parser.get(), &XmlErrors::Collect, errors);
  std::unique_ptr<xmlRelaxNG, decltype(&xmlRelaxNGFree)> schema(
      xmlRelaxNGParse(parser.get()), &xmlRelaxNGFree);
  if (!schema) {
    if (!errors->seen) throw Error(schema_path, 0, "not a valid RELAX NG schema");
    errors->Throw(schema_path);
  }
  std::unique_ptr<xmlRelaxNGValidCtxt, decltype(&xmlRelaxNGFreeValidCtxt)>
      validator(xmlRelaxNGNewValidCtxt(schema.get()), &xmlRelaxNGFreeValidCtxt);
  xmlRelaxNGSetValidStructuredErrors(validator.get(), &XmlErrors::Collect, errors);
  if (xmlRelaxNGValidateDoc(validator.get(), doc) != 0) {
    if (!errors->seen) throw Error(policy_path, 0, "does not match " + schema_path);
    errors->Throw(policy_path);
  }
}

Rule ReadRule(xmlNodePtr node) {
  Rule rule;
  rule.action = Attr(node, "action");
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (Is(c, "duty")) rule.duties.push_back(Attr(c, "action"));
    // The schema allows only fileFormat isAnyOf constraints so far.
    if (Is(c, "constraint")) rule.formats = Words(Attr(c, "rightOperand"));
  }
  return rule;
}

Tier ReadTier(xmlNodePtr node) {
  Tier tier;
  tier.id = Attr(node, "id");
  tier.title = Attr(node, "title");
  tier.line = xmlGetLineNo(node);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (Is(c, "permission")) tier.permissions.push_back(ReadRule(c));
    if (Is(c, "prohibition")) tier.prohibitions.push_back(ReadRule(c));
    if (Is(c, "watermark")) tier.watermark = Content(c);
  }
  return tier;
}

PolicyPublication ReadPublication(xmlNodePtr node) {
  PolicyPublication pub;
  pub.slug = Attr(node, "slug");
  pub.name = Attr(node, "name");
  pub.language = Attr(node, "language");
  // The schema has checked both numbers' form and range.
  pub.first_year = std::stoi(Attr(node, "first-year"));
  pub.first_volume = std::stoi(Attr(node, "first-volume"));
  pub.footer_template = Attr(node, "footer");
  pub.tiers = Words(Attr(node, "tiers"));
  pub.line = xmlGetLineNo(node);
  return pub;
}

// What the schema cannot say: unique slugs and tier ids, known tier references.
RightsPolicy ReadPolicy(xmlDocPtr doc, const std::string& path, const std::string& text) {
  RightsPolicy policy;
  policy.source = path;
  std::vector<PolicyPublication> publications;
  for (xmlNodePtr n = xmlDocGetRootElement(doc)->children; n; n = n->next) {
    if (Is(n, "holder")) {
      policy.holder = Attr(n, "name");
      policy.holder_url = Attr(n, "url");
    } else if (Is(n, "notice")) {
      policy.notice = Content(n);
    } else if (Is(n, "license")) {
      policy.license_url = Attr(n, "url");
    } else if (Is(n, "publication")) {
      publications.push_back(ReadPublication(n));
      publications.back().line = StartLine(text, publications.back().line, n->name);
    } else if (Is(n, "tier")) {
      Tier tier = ReadTier(n);
      tier.line = StartLine(text, tier.line, n->name);
      const int line = tier.line;
      const std::string id = tier.id;
      if (!policy.tiers.emplace(id, std::move(tier)).second) {
        throw Error(path, line,
                    "tier '" + id + "' is defined twice (first on line " +
                        std::to_string(policy.tiers.at(id).line) + ")");
      }
    }
  }
  for (PolicyPublication& pub : publications) {
    for (const std::string& tier : pub.tiers) {
      if (policy.tiers.count(tier) == 0) {
        throw Error(path, pub.line,
                    "publication '" + pub.slug + "' offers unknown tier '" + tier + "'");
      }
    }
    const int line = pub.line;
    const std::string slug = pub.slug;
    if (!policy.publications.emplace(slug, std::move(pub)).second) {
      throw Error(path, line,
                  "publication '" + slug + "' is defined twice (first on line " +
                      std::to_string(policy.publications.at(slug).line) + ")");
    }
  }
  return policy;
}

}  // namespace

const PolicyPublication* RightsPolicy::FindPublication(const std::string& slug) const {
  auto it = publications.find(slug);
  return it == publications.end() ? nullptr : &it->second;
}

RightsPolicy LoadRightsPolicy(const std::string& dir) {
  const std::string policy_path = dir + "/policy.xml";
  const std::string schema_path = dir + "/policy.rng";
  const std::string text = ReadFile(policy_path);
  XmlErrors errors;
  ErrorScope scope(&errors);
  DocPtr doc = ParseFile(policy_path, &errors);
  try {
    Validate(doc.get(), schema_path, policy_path, &errors);
    RightsPolicy policy = ReadPolicy(doc.get(), policy_path, text);
    policy.fingerprint = Sha256Hex(Sha256(text) + Sha256(ReadFile(schema_path)));
    return policy;
  } catch (const Error& e) {
    if (e.diagnostic().file != policy_path || errors.element == nullptr) throw;
    throw Error(policy_path, StartLine(text, e.diagnostic().line, errors.element->name),
                e.diagnostic().message);
  }
}

}  // namespace imprint
