// An XML file of rights/ as a plain tree, validated against its RELAX NG
// schema on load (libxml2, no network, no entity expansion). The project's
// own types only: no libxml2 type leaves xml_tree.cc. Every problem (not
// well formed, not valid, an unreadable file or schema) is an imprint::Error
// naming the file and the line the offending element starts on. (Writing one
// escapes with pipeline/base/xml_escape.h.) Pure apart from reading the files;
// thread-compatible (libxml2's error handler is per thread).
#ifndef IMPRINT_PIPELINE_EDITION_XML_TREE_H_
#define IMPRINT_PIPELINE_EDITION_XML_TREE_H_

#include <map>
#include <string>
#include <vector>

namespace imprint {

struct XmlElement {
  std::string name;  // local name
  std::map<std::string, std::string> attributes;
  std::string text;  // all the text below it, as libxml2's content
  int line = 0;      // the line its start tag starts on
  std::vector<XmlElement> children;  // its child elements, in order

  // "" when the attribute is absent.
  std::string Attr(const std::string& attribute) const;
  // nullptr when it has no child element of that name.
  const XmlElement* Child(const std::string& child) const;
};

// The root element of `path`, once it is valid against `schema_path`.
XmlElement LoadValidatedXml(const std::string& path, const std::string& schema_path);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_EDITION_XML_TREE_H_
