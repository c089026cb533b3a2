// Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) for what Imprint
// signs: manifests and license documents. Members sorted by their names' UTF-16
// code units, no insignificant white space, strings escaped minimally.
// Numbers must be integers (all Imprint signs): a fraction is an error rather
// than a guess at ECMAScript's number formatting. Text in, text out: the JSON
// library that parses it stays inside canonical_json.cc. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_
#define IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_

#include <string>

namespace imprint {

// Parses JSON text and returns it in canonical form. Throws imprint::Error
// naming `file` when it does not parse or holds a number that is not an
// integer.
std::string Canonicalize(const std::string& json, const std::string& file);

// The same for a JSON object without its top-level member `omit` (when it has
// one): what a signature stored in the document covers. Throws imprint::Error
// naming `file` as Canonicalize does, and when `json` is not an object.
std::string CanonicalizeWithout(const std::string& json, const std::string& omit, const std::string& file);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_
