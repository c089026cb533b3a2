// The server's operator log: one line on standard error per event an
// operator must see, "imprint serve: LINE". Never a license, a secret or a
// private reason (the callers' duty). Thread-safe: lines from many threads
// do not interleave.
#ifndef IMPRINT_PIPELINE_SERVER_SERVE_LOG_H_
#define IMPRINT_PIPELINE_SERVER_SERVE_LOG_H_

#include <string>

namespace imprint {

void Log(const std::string& line);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_SERVER_SERVE_LOG_H_
