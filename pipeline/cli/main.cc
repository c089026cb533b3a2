// imprint: the Jamestown Foundation's publishing and copyright-compliance
// pipeline. Everything happens in the pipeline library; see pipeline/cli/cli.h.
#include <iostream>
#include <string>
#include <vector>

#include "pipeline/cli/cli.h"

int main(int argc, char** argv) {
  std::ios::sync_with_stdio(false);
  return imprint::RunCommandLine(std::vector<std::string>(argv + 1, argv + argc),
                                 std::cout, std::cerr);
}
