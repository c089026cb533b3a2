#include "pipeline/edition_layout.h"

#include <cstdio>

namespace imprint {
namespace {

std::string Padded(char prefix, int n, int width) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%0*d", prefix, width, n);
  return buf;
}

}  // namespace

std::string EditionPath(const std::string& slug, int volume, int issue) {
  return slug + "/" + Padded('v', volume, 2) + "/" + Padded('i', issue, 3);
}

std::string EditionBaseName(const std::string& slug, int volume, int issue) {
  return slug + "-" + Padded('v', volume, 2) + "-" + Padded('i', issue, 3);
}

}  // namespace imprint
