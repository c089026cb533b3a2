// libFuzzer target: the download server's request-path router. Whatever it
// accepts must be one of its shapes, and an edition route must name that
// edition's own artifact, with no way out of the output folder.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/server/http_route.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string uri(reinterpret_cast<const char*>(data), size);
  const imprint::Route route = imprint::ParseRoute(uri);
  if (route.kind == imprint::Route::kEdition) {
    const std::string path = route.edition.Path() + "/" + route.file;
    if (path.find("..") != std::string::npos || path.find('\0') != std::string::npos || path[0] == '/' ||
        route.file.rfind(route.edition.publication + "-", 0) != 0) {
      std::abort();  // the router let through a path it must not
    }
  }
  return 0;
}
