// libFuzzer target: how `imprint trace` finds license ids in a copy found
// elsewhere (FindLicenseIds, NamesLicensee). The first byte picks the format
// (its value modulo 3: md, html, epub), the rest is the file. Whatever the
// bytes, the scan ends in linear time without a crash, and every id it returns
// is a license id read from an id mark the bytes really hold.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "pipeline/license/license.h"
#include "pipeline/server/personalize.h"
#include "pipeline/edition/rights_policy.h"

namespace {

const imprint::Tier& Individual() {
  static const imprint::RightsPolicy policy = imprint::LoadRightsPolicy(std::string(IMPRINT_SOURCE_DIR) + "/rights");
  return policy.tiers.at("individual");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  static const char* const kFormats[] = {"md", "html", "epub"};
  const std::string format = kFormats[data[0] % 3];
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  for (const std::string& id : imprint::FindLicenseIds(format, bytes)) {
    // An id comes from the text itself (the EPUB's inflated, so not checked there).
    if (!imprint::IsLicenseId(id) || (format != "epub" && bytes.find(id) == std::string::npos)) std::abort();
    imprint::NamesLicensee(format, bytes, imprint::MakeLicensee(Individual(), id, "Ada Lovelace"));
  }
  return 0;
}
