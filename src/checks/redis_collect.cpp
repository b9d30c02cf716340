#include "checks/service_collect.h"

namespace deminer {

void CollectRedis(const ScanOptions& /*options*/, Facts& /*facts*/) {}

void CollectDockerTcp(const ScanOptions& /*options*/, Facts& /*facts*/) {}

}  // namespace deminer
