#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerNoLimits;
namespace {

TEST(ContainerNoLimitsCheckTest, MissingCpuIsMediumOthersLow) {
  ContainerConfig none = HardenedContainer("a");
  none.cpu_limit = 0;
  none.memory_limit = 0;
  none.pids_limit = -1;
  ContainerConfig pids = HardenedContainer("b");
  pids.pids_limit = 0;
  ContainerConfig k8s = HardenedContainer("c");
  k8s.pids_limit = 0;
  k8s.pids_limit_settable = false;
  const auto out = RunOnConfigs(kContainerNoLimits, {none, pids, k8s, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["setting"], "no CPU, memory, PIDs limit");
  EXPECT_EQ(out[1].severity, Severity::kLow);
}

}  // namespace
}  // namespace deminer
