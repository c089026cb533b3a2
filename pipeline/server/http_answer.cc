#include "pipeline/server/http_answer.h"

#include <utility>

#include "pipeline/base/json_string.h"

namespace imprint {

HttpResponse Answer(int status, const std::string& type, std::string body) {
  HttpResponse r;
  r.status = status;
  r.content_type = type;
  r.body = std::move(body);
  r.Set("X-Content-Type-Options", "nosniff");
  return r;
}

HttpResponse Json(int status, std::string json) { return Answer(status, "application/json", std::move(json)); }

std::string ReasonJson(const char* decision, const std::string& reason, const std::string& detail) {
  std::string json = std::string("{\"decision\":\"") + decision + "\",\"reason\":";
  AppendJsonString(reason, &json);
  json += ",\"detail\":";
  AppendJsonString(detail, &json);
  return json + "}\n";
}

}  // namespace imprint
