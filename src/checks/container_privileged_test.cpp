#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerPrivileged;
namespace {

TEST(ContainerPrivilegedCheckTest, PrivilegedIsCriticalAndNamesTheContainer) {
  ContainerConfig weak = HardenedContainer("web");
  weak.privileged = true;
  weak.ref.compose_project = "shop";
  const auto out = RunOnConfigs(kContainerPrivileged, {weak, HardenedContainer()});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].subject, "container web: privileged");
  ASSERT_TRUE(out[0].container);
  EXPECT_EQ(out[0].container->compose_project, "shop");
}

TEST(ContainerPrivilegedCheckTest, DockerfilesCannotBePrivileged) {
  ContainerConfig d = HardenedContainer();
  d.source = ConfigSource::kDockerfile;
  d.runtime_settings = false;
  d.privileged = true;
  EXPECT_TRUE(RunOnConfigs(kContainerPrivileged, {d}).empty());
}

}  // namespace
}  // namespace deminer
