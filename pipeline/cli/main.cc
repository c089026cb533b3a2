// imprint: the Jamestown Foundation's publishing and copyright-compliance
// pipeline. Everything happens in the pipeline library; see pipeline/cli/cli.h.
// The process-wide settings a library must not make for its host are made here.
#include <malloc.h>

#include <iostream>
#include <string>
#include <vector>

#include "pipeline/cli/cli.h"

namespace {

// A build allocates and frees a few hundred kilobytes per issue on every
// thread; glibc's default trimming hands that memory back to the kernel and
// faults it in again each time, which cost more system time than the work.
// (Without effect when tcmalloc is linked in its place.)
void TuneAllocator() {
  mallopt(M_TRIM_THRESHOLD, 256 << 20);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
}

}  // namespace

int main(int argc, char** argv) {
  TuneAllocator();
  std::ios::sync_with_stdio(false);
  return imprint::RunCommandLine(std::vector<std::string>(argv + 1, argv + argc),
                                 std::cout, std::cerr);
}
