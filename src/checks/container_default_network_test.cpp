#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerDefaultNetwork;
namespace {

TEST(ContainerDefaultNetworkCheckTest, EnginesDefaultNetworkOnly) {
  ContainerConfig docker = HardenedContainer("a");
  docker.networks = {"bridge"};
  ContainerConfig podman = HardenedContainer("b");
  podman.networks = {"podman"};
  ContainerConfig own = HardenedContainer("c");
  own.networks = {"shop_backend"};
  ContainerConfig compose = HardenedContainer("d");
  compose.source = ConfigSource::kCompose;
  compose.networks = {"bridge"};
  const auto out = RunOnConfigs(kContainerDefaultNetwork, {docker, podman, own, compose});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].evidence["setting"], "on the engine's default network \"bridge\"");
  EXPECT_EQ(out[1].severity, Severity::kLow);
}

}  // namespace
}  // namespace deminer
