// The download server's answers as HTTP responses: a body of a type, always
// with X-Content-Type-Options: nosniff, and the JSON of a decision
// ({"decision","reason","detail"}) that denials carry. Pure functions;
// thread-safe.
#ifndef IMPRINT_PIPELINE_SERVER_HTTP_ANSWER_H_
#define IMPRINT_PIPELINE_SERVER_HTTP_ANSWER_H_

#include <string>

#include "pipeline/server/http_server.h"

namespace imprint {

HttpResponse Answer(int status, const std::string& type, std::string body);
// Answer() of type application/json.
HttpResponse Json(int status, std::string json);
// {"decision":D,"reason":R,"detail":DETAIL} and a newline. `decision` and
// `reason` are the server's own words, written as they are; in `detail`,
// quotes and backslashes are escaped and control characters dropped.
std::string ReasonJson(const char* decision, const std::string& reason, const std::string& detail);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_HTTP_ANSWER_H_
