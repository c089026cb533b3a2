// libFuzzer target: the download server's reading of a request head (Beast's
// parser, the head limit and the framing rules) and the router behind it.
// Whatever the transport lets through as a request must announce no body, so
// that the bytes after it can never be read as a request of their own
// (RFC 9112 section 6.3), no field may be folded over lines (section 5.2),
// and an edition route must stay inside its edition.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/server/http_route.h"
#include "pipeline/server/http_server.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  imprint::HttpRequest request;
  imprint::HttpResponse refusal;
  const imprint::HeadResult result = imprint::ReadRequestHead(bytes, 4096, 100, &request, &refusal);
  if (result == imprint::HeadResult::kRefused && (!refusal.close || refusal.status < 400)) std::abort();
  if (result != imprint::HeadResult::kRequest) return 0;
  // No obsolete folded line (a line break, then a space or tab) in a head let
  // through: a proxy in front could read it as a field of its own.
  const std::string head = bytes.substr(0, bytes.find("\r\n\r\n"));
  if (head.find("\n ") != std::string::npos || head.find("\n\t") != std::string::npos) std::abort();
  int lengths = 0;
  for (const auto& [name, value] : request.headers) {
    if (name == "transfer-encoding") std::abort();  // a body's framing let through
    if (name != "content-length") continue;
    if (++lengths > 1 || value.empty() || value.find_first_not_of('0') != std::string::npos) std::abort();
  }
  if (request.method.empty() || request.target.empty()) std::abort();
  const imprint::Route route = imprint::ParseRoute(request.target);
  if (route.kind == imprint::Route::kEdition) {
    const std::string path = route.edition.Path() + "/" + route.file;
    if (path.find("..") != std::string::npos || path.find('\0') != std::string::npos || path[0] == '/' ||
        route.file.rfind(route.edition.publication + "-", 0) != 0) {
      std::abort();
    }
  }
  return 0;
}
