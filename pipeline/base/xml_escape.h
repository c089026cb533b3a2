// The one XML and HTML escaper: text made safe for XML 1.0 character data and for
// attribute values in either quote, as the catalog's rights files, the feeds,
// the search results and the personalised copies write them. Pure.
//
// & < > " ' become entity references; tab, line feed and carriage return
// become character references (an attribute keeps them then, where a parser
// would turn them into spaces; in content they read back the same); what
// XML 1.0 cannot carry at all (the C0 controls but those three, U+FFFE and
// U+FFFF) is dropped, so no caller can write a document a parser refuses.
// Other bytes pass unchanged: the input is expected to be UTF-8 already.
//
// HtmlEscaped is the same for HTML pages (the report and its inline SVG):
// there tab and line feed stay as they are, and what HTML calls a parse
// error is dropped as well: a carriage return (even as a reference) and DEL.
#ifndef IMPRINT_PIPELINE_BASE_XML_ESCAPE_H_
#define IMPRINT_PIPELINE_BASE_XML_ESCAPE_H_

#include <string>
#include <string_view>

namespace imprint {

// `text`, escaped, appended to `out`.
void AppendXmlEscaped(std::string_view text, std::string* out);
// `text`, escaped.
std::string XmlEscaped(std::string_view text);
std::string HtmlEscaped(std::string_view text);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_XML_ESCAPE_H_
