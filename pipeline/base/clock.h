// The clock: the one reading of the current time, in whole seconds since the
// epoch (UTC), for the license commands and the download server. Editions
// never read it (no clock in any output). Thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_CLOCK_H_
#define IMPRINT_PIPELINE_BASE_CLOCK_H_

#include <cstdint>

namespace imprint {

int64_t Now();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_CLOCK_H_
