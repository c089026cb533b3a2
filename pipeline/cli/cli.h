// The command line: `imprint COMMAND [OPTIONS] ARGS...`.
//
// Parses the arguments (Poco::Util options, Unix style), loads what a command
// needs, calls the pipeline, and turns results into output and an exit
// status: 0 success, 1 a failure of the work, 2 a usage error. main() only
// calls RunCommandLine. Not thread-safe (writes to the given streams).
#ifndef IMPRINT_PIPELINE_CLI_CLI_H_
#define IMPRINT_PIPELINE_CLI_CLI_H_

#include <ostream>
#include <string>
#include <vector>

namespace imprint {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr int kExitUsage = 2;

// `args` excludes the program name.
int RunCommandLine(const std::vector<std::string>& args, std::ostream& out,
                   std::ostream& err);

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_CLI_CLI_H_
