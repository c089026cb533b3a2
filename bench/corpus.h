// A synthetic archive for the benchmark: N raw issues of about 4 KB of
// realistic prose (curly quotes, dashes, headlines, the legacy footer), as the
// raw format spec describes them. Deterministic for a given seed.
#ifndef IMPRINT_BENCH_CORPUS_H_
#define IMPRINT_BENCH_CORPUS_H_

#include <cstdint>
#include <string>

namespace imprint::bench {

// The raw text of issue `n` (0-based) of the synthetic archive.
std::string SyntheticIssue(int n, uint32_t seed);

// Writes N issues to DIR/raw/*.txt and, for pandoc, the same prose as
// Markdown to DIR/md/*.md. Returns the total bytes of raw text.
uint64_t WriteCorpus(const std::string& dir, int count, uint32_t seed);

}  // namespace imprint::bench

#endif  // IMPRINT_BENCH_CORPUS_H_
