#include "pipeline/base/clock.h"

#include <ctime>

namespace imprint {

int64_t Now() { return static_cast<int64_t>(std::time(nullptr)); }

}  // namespace imprint
