#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerRootUser;
namespace {

TEST(ContainerRootUserCheckTest, RootLiveMediumUnsaidComposeLow) {
  ContainerConfig live = HardenedContainer("a");
  live.user = "";
  ContainerConfig zero = HardenedContainer("b");
  zero.user = "0:0";
  ContainerConfig compose = HardenedContainer("c");
  compose.source = ConfigSource::kCompose;
  compose.user.reset();
  ContainerConfig k8s = HardenedContainer("d");
  k8s.source = ConfigSource::kKubernetes;
  k8s.user.reset();
  k8s.run_as_non_root = true;
  const auto out =
      RunOnConfigs(kContainerRootUser, {live, zero, compose, k8s, HardenedContainer()});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[1].evidence["setting"], "runs as 0:0");
  EXPECT_EQ(out[2].severity, Severity::kLow);
}

}  // namespace
}  // namespace deminer
