#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerWritableRoot;
namespace {

TEST(ContainerWritableRootCheckTest, WritableOrUnsaidRoot) {
  ContainerConfig writable = HardenedContainer("a");
  writable.read_only_rootfs = false;
  ContainerConfig unsaid = HardenedContainer("b");
  unsaid.read_only_rootfs.reset();
  const auto out = RunOnConfigs(kContainerWritableRoot, {writable, unsaid, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].subject, "container a: root file system is writable");
  EXPECT_EQ(out[0].severity, Severity::kMedium);
}

}  // namespace
}  // namespace deminer
