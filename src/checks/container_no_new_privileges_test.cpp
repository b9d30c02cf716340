#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerNoNewPrivileges;
namespace {

TEST(ContainerNoNewPrivilegesCheckTest, UnsetOrFalse) {
  ContainerConfig unset = HardenedContainer("a");
  unset.no_new_privileges.reset();
  ContainerConfig off = HardenedContainer("b");
  off.no_new_privileges = false;
  const auto out = RunOnConfigs(kContainerNoNewPrivileges, {unset, off, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
}

}  // namespace
}  // namespace deminer
