// The query string of the few routes that take one (/search and
// /opds/search, docs/http.md): application/x-www-form-urlencoded pairs,
// decoded by hand (no regex): '+' is a space, "%XX" a byte, and every name
// and value must then be one line of text (base/text_decoder's
// OneLineTextProblem: UTF-8 without control characters, noncharacters or
// bidirectional controls). Bounded: a query over kMaxQueryString bytes, or with more than
// kMaxQueryPairs pairs, is malformed. Pure; thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_QUERY_STRING_H_
#define IMPRINT_PIPELINE_SERVER_QUERY_STRING_H_

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace imprint {

constexpr size_t kMaxQueryString = 4096;
constexpr size_t kMaxQueryPairs = 16;

using QueryPairs = std::vector<std::pair<std::string, std::string>>;

// The pairs of `query` (the text after '?'), in order; nullopt when it is
// malformed: too long, too many pairs, a '%' not followed by two hex digits,
// a byte outside RFC 3986's query characters, or a decoded name or value
// that is not UTF-8 or holds a control character, a noncharacter or a
// bidirectional control.
std::optional<QueryPairs> DecodeQuery(std::string_view query);

// The first value named `name`, or "" when there is none.
std::string QueryValue(const QueryPairs& pairs, std::string_view name);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_QUERY_STRING_H_
