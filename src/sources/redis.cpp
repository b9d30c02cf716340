#include "sources/redis.h"

namespace deminer {}  // namespace deminer
