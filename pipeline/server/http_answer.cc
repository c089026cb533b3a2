#include "pipeline/server/http_answer.h"

#include <utility>

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
  std::string d;
  for (char c : detail) {
    if (c == '"' || c == '\\') d += '\\';
    if (static_cast<unsigned char>(c) >= 0x20) d += c;
  }
  return std::string("{\"decision\":\"") + decision + "\",\"reason\":\"" + reason + "\",\"detail\":\"" + d + "\"}\n";
}

}  // namespace imprint
