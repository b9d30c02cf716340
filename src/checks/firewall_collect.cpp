#include "checks/service_collect.h"
#include "sources/firewall.h"

namespace deminer {

void CollectFirewall(const ScanOptions& options, Facts& facts) {
  facts.firewall = ReadFirewall(options.root, facts.gaps);
}

}  // namespace deminer
