// libFuzzer target: the rights loader (libxml2, RELAX NG, the policy's own
// checks) on arbitrary policy.xml files, against the bundled schema.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "pipeline/base/error.h"
#include "pipeline/edition/rights_policy.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    const std::string d = std::filesystem::temp_directory_path() / ("imprint-rights-fuzz-" + std::to_string(getpid()));
    std::filesystem::create_directories(d);
    std::filesystem::copy_file(std::string(IMPRINT_SOURCE_DIR) + "/rights/policy.rng", d + "/policy.rng",
                               std::filesystem::copy_options::overwrite_existing);
    return d;
  }();
  std::ofstream(dir + "/policy.xml", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  try {
    imprint::LoadRightsPolicy(dir);
  } catch (const imprint::Error&) {
  }
  return 0;
}
