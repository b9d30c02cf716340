#include "sources/netns_probe.h"

namespace deminer {}  // namespace deminer
