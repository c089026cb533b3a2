// The clock: the one reading of the current time, in whole seconds since the
// epoch (UTC), for the license commands, the download server and the
// catalog's embargoes (whether an edition is released yet). No output's bytes
// hold it (no clock in any output). Thread-safe.
#ifndef IMPRINT_PIPELINE_BASE_CLOCK_H_
#define IMPRINT_PIPELINE_BASE_CLOCK_H_

#include <cstdint>

namespace imprint {

int64_t Now();

}  // namespace imprint

#endif  // IMPRINT_PIPELINE_BASE_CLOCK_H_
