#include "pipeline/edition/xml_tree.h"

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include <algorithm>
#include <memory>

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

// The first libxml2 error of a load, with its file, line and element.
struct XmlErrors {
  bool seen = false;
  std::string file;
  int line = 0;
  std::string message;
  xmlNodePtr element = nullptr;

  static void Collect(void* self, xmlErrorPtr e) {
    auto* errors = static_cast<XmlErrors*>(self);
    if (errors->seen || e == nullptr || e->level < XML_ERR_ERROR) return;
    errors->seen = true;
    errors->file = e->file ? e->file : "";
    errors->line = e->line;
    errors->message = e->message ? e->message : "unknown XML error";
    // The first line only: libxml2 adds the file's bytes after it ("Bytes:
    // 0xFF 0x3C ..."), which may be private text (a withdrawal's reason).
    errors->message = errors->message.substr(0, errors->message.find('\n'));
    auto* node = static_cast<xmlNodePtr>(e->node);
    if (e->domain == XML_FROM_RELAXNGV && node != nullptr && node->type == XML_ELEMENT_NODE) errors->element = node;
  }
};

class ErrorScope {
 public:
  explicit ErrorScope(XmlErrors* errors) { xmlSetStructuredErrorFunc(errors, &XmlErrors::Collect); }
  ~ErrorScope() { xmlSetStructuredErrorFunc(nullptr, nullptr); }
};

using DocPtr = std::unique_ptr<xmlDoc, decltype(&xmlFreeDoc)>;

DocPtr ParseFile(const std::string& path, const XmlErrors& errors) {
  DocPtr doc(xmlReadFile(path.c_str(), nullptr, XML_PARSE_NONET), &xmlFreeDoc);
  if (!doc) throw Error(path, errors.seen ? errors.line : 0, errors.seen ? errors.message : "cannot read the file");
  return doc;
}

// Throws the first problem of `doc` against the schema at `schema_path`.
void Validate(xmlDocPtr doc, const std::string& schema_path, const std::string& path, const std::string& text,
              XmlErrors* errors) {
  DocPtr schema_doc = ParseFile(schema_path, *errors);
  std::unique_ptr<xmlRelaxNGParserCtxt, decltype(&xmlRelaxNGFreeParserCtxt)> parser(
      xmlRelaxNGNewDocParserCtxt(schema_doc.get()), &xmlRelaxNGFreeParserCtxt);
  xmlRelaxNGSetParserStructuredErrors(parser.get(), &XmlErrors::Collect, errors);
  std::unique_ptr<xmlRelaxNG, decltype(&xmlRelaxNGFree)> schema(xmlRelaxNGParse(parser.get()), &xmlRelaxNGFree);
  if (!schema) {
    throw Error(schema_path, errors->seen ? errors->line : 0,
                errors->seen ? errors->message : "not a valid RELAX NG schema");
  }
  std::unique_ptr<xmlRelaxNGValidCtxt, decltype(&xmlRelaxNGFreeValidCtxt)> validator(
      xmlRelaxNGNewValidCtxt(schema.get()), &xmlRelaxNGFreeValidCtxt);
  xmlRelaxNGSetValidStructuredErrors(validator.get(), &XmlErrors::Collect, errors);
  if (xmlRelaxNGValidateDoc(validator.get(), doc) == 0) return;
  if (!errors->seen) throw Error(path, 0, "does not match " + schema_path);
  const int line = errors->element ? StartLine(text, errors->line, errors->element->name) : errors->line;
  throw Error(path, line, errors->message);
}

std::string Chars(const xmlChar* s) { return s ? reinterpret_cast<const char*>(s) : ""; }

XmlElement Convert(xmlNodePtr node, const std::string& text) {
  XmlElement e;
  e.name = Chars(node->name);
  e.line = StartLine(text, static_cast<int>(xmlGetLineNo(node)), node->name);
  for (xmlAttrPtr a = node->properties; a; a = a->next) {
    xmlChar* value = xmlNodeListGetString(node->doc, a->children, 1);
    e.attributes[Chars(a->name)] = Chars(value);
    xmlFree(value);
  }
  xmlChar* content = xmlNodeGetContent(node);
  e.text = Chars(content);
  xmlFree(content);
  for (xmlNodePtr c = node->children; c; c = c->next) {
    if (c->type == XML_ELEMENT_NODE) e.children.push_back(Convert(c, text));
  }
  return e;
}

}  // namespace

std::string XmlElement::Attr(const std::string& attribute) const {
  auto it = attributes.find(attribute);
  return it == attributes.end() ? "" : it->second;
}

const XmlElement* XmlElement::Child(const std::string& child) const {
  for (const XmlElement& c : children) {
    if (c.name == child) return &c;
  }
  return nullptr;
}

XmlElement LoadValidatedXml(const std::string& path, const std::string& schema_path) {
  const std::string text = ReadRegularFile(path);  // a FIFO is an error, never waited for
  XmlErrors errors;
  ErrorScope scope(&errors);
  DocPtr doc = ParseFile(path, errors);
  Validate(doc.get(), schema_path, path, text, &errors);
  return Convert(xmlDocGetRootElement(doc.get()), text);
}

}  // namespace imprint
