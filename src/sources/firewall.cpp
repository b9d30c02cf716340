#include "sources/firewall.h"

namespace deminer {}  // namespace deminer
