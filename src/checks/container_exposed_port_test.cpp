#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerExposedPort;
namespace {

TEST(ContainerExposedPortCheckTest, DatabasePortsOnEveryAddressOnly) {
  ContainerConfig c = HardenedContainer("db");
  c.source = ConfigSource::kCompose;
  c.file = "docker-compose.yml";
  c.ports = {{"", 5432, 5432, "tcp", true, 9},
             {"0.0.0.0", 16379, 6379, "tcp", true, 0},
             {"127.0.0.1", 3306, 3306, "tcp", true, 0},
             {"", 3000, 3000, "tcp", true, 0},
             {"", 0, 27017, "tcp", false, 0}};
  const auto out = RunOnConfigs(kContainerExposedPort, {c, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].evidence["service"], "PostgreSQL");
  EXPECT_EQ(out[0].line, 9);
  EXPECT_EQ(out[1].evidence["service"], "Redis");
  EXPECT_EQ(out[1].evidence["host_port"], 16379);
}

TEST(ContainerExposedPortCheckTest, ImagesThatDeclareADatabasePortAreLow) {
  ContainerConfig image = HardenedContainer("redis:7");
  image.source = ConfigSource::kImage;
  image.runtime_settings = false;
  image.ports = {{"", 0, 6379, "tcp", false, 0}, {"", 0, 8080, "tcp", false, 0}};
  const auto out = RunOnConfigs(kContainerExposedPort, {image});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
  EXPECT_EQ(out[0].evidence["setting"], "declares Redis port 6379/tcp (EXPOSE)");
}

}  // namespace
}  // namespace deminer
