#include "checks/service_collect.h"

namespace deminer {

void CollectPostgres(const ScanOptions& /*options*/, Facts& /*facts*/) {}

}  // namespace deminer
