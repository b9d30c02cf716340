#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerHostNamespace;
namespace {

TEST(ContainerHostNamespaceCheckTest, EachSharedNamespaceWithItsLine) {
  ContainerConfig c = HardenedContainer();
  c.source = ConfigSource::kCompose;
  c.name = "web";
  c.file = "docker-compose.yml";
  c.line = 2;
  c.lines["pid"] = 7;
  c.host_pid = true;
  c.host_ipc = true;
  const auto out = RunOnConfigs(kContainerHostNamespace, {c, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].line, 7);
  EXPECT_EQ(out[0].path, "docker-compose.yml");
  EXPECT_EQ(out[0].evidence["fix"], "remove `pid: host`");
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].line, 2);  // no line of its own: the service's
}

}  // namespace
}  // namespace deminer
