#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerSensitiveMount;
namespace {

TEST(ContainerSensitiveMountCheckTest, SocketAndHostDirsButNotProjectDirsOrLocaltime) {
  ContainerConfig c = HardenedContainer();
  c.mounts.push_back({"bind", "/var/run/docker.sock", "/var/run/docker.sock", true, "", 0});
  c.mounts.push_back({"bind", "/etc", "/host/etc", true, "", 0});
  c.mounts.push_back({"bind", "/", "/host", false, "", 0});
  c.mounts.push_back({"bind", "/etc/localtime", "/etc/localtime", true, "", 0});
  c.mounts.push_back({"bind", "/home/dev/shop/src", "/app", false, "", 0});
  c.mounts.push_back({"volume", "pgdata", "/var/lib/postgresql/data", false, "", 0});
  const auto out = RunOnConfigs(kContainerSensitiveMount, {c});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);  // a socket, read-only or not
  EXPECT_TRUE(out[0].evidence.contains("why"));
  EXPECT_EQ(out[1].severity, Severity::kMedium);    // /etc read-only
  EXPECT_EQ(out[2].severity, Severity::kCritical);  // the host's root
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

}  // namespace
}  // namespace deminer
