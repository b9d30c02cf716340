#include "checks/service_collect.h"

namespace deminer {

void CollectFirewall(const ScanOptions& /*options*/, Facts& /*facts*/) {}

}  // namespace deminer
