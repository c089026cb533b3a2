#include "pipeline/server/serve_log.h"

#include <iostream>
#include <mutex>

namespace imprint {

void Log(const std::string& line) {
  static std::mutex mu;
  std::lock_guard<std::mutex> lock(mu);
  std::cerr << "imprint serve: " << line << std::endl;
}

}  // namespace imprint
