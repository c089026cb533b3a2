// Canonical JSON (RFC 8785, the JSON Canonicalization Scheme) for what Imprint
// signs: manifests and license documents. Members sorted by their names' UTF-16
// code units, no insignificant white space, strings escaped minimally.
// Numbers must be integers (all Imprint signs): a fraction is an error rather
// than a guess at ECMAScript's number formatting. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_
#define IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_

#include <Poco/Dynamic/Var.h>

#include <string>

namespace imprint {

// REQUIRES: value holds a Poco::JSON object, array, string, integer, boolean
// or empty (null). Throws std::invalid_argument for anything else.
std::string CanonicalJson(const Poco::Dynamic::Var& value);

// Parses JSON text and returns it in canonical form. Throws imprint::Error
// naming `file` when it does not parse.
std::string Canonicalize(const std::string& json, const std::string& file);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_CANONICAL_JSON_H_
