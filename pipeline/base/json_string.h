// JSON strings: the one escaper of text into a JSON string literal, for every
// JSON Imprint writes by hand or canonicalises (manifests, licenses, the
// page's JSON-LD block).
//
// The escaping is RFC 8785's (the JSON Canonicalization Scheme): '"' and '\'
// escaped, \b \f \n \r \t in their short forms, the other C0 controls as
// \u00xx in lower-case hex, everything else (UTF-8 included) as it is. Text
// meant for an HTML <script> element also escapes '<', '>' and '&' as \u003c,
// \u003e and \u0026, so that it cannot end the element. Bytes are copied, not
// validated: the caller's text is UTF-8. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_JSON_STRING_H_
#define IMPRINT_PIPELINE_BASE_JSON_STRING_H_

#include <string>
#include <string_view>

namespace imprint {

enum class JsonEscaping {
  kMinimal,  // RFC 8785
  kInHtml,   // RFC 8785, and '<', '>', '&' too
};

// Appends `text` to *out as a JSON string, quotes included.
void AppendJsonString(std::string_view text, std::string* out, JsonEscaping escaping = JsonEscaping::kMinimal);

// The same, returned.
std::string JsonString(std::string_view text, JsonEscaping escaping = JsonEscaping::kMinimal);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_JSON_STRING_H_
