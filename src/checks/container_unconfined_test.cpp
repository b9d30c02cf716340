#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerUnconfined;
namespace {

TEST(ContainerUnconfinedCheckTest, SeccompOrAppArmorOff) {
  ContainerConfig c = HardenedContainer("a");
  c.seccomp_unconfined = true;
  c.apparmor_unconfined = true;
  const auto out = RunOnConfigs(kContainerUnconfined, {c, HardenedContainer()});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["setting"], "seccomp=unconfined, apparmor/label confinement off");
}

}  // namespace
}  // namespace deminer
