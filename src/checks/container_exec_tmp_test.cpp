#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerExecTmp;
namespace {

TEST(ContainerExecTmpCheckTest, WritableRootOrTmpfsWithoutNoexec) {
  ContainerConfig writable = HardenedContainer("a");
  writable.read_only_rootfs = false;
  writable.mounts.clear();
  ContainerConfig exec_tmpfs = HardenedContainer("b");
  exec_tmpfs.mounts[0].options = "rw,nosuid,nodev";  // Podman's own /tmp on a read-only root
  ContainerConfig host_ipc = HardenedContainer("c");
  host_ipc.host_ipc = true;
  const auto out =
      RunOnConfigs(kContainerExecTmp, {writable, exec_tmpfs, host_ipc, HardenedContainer()});
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].evidence["why"].size(), 2u);  // /tmp and /var/tmp; /dev/shm is the engine's
  EXPECT_EQ(out[1].evidence["why"][0], "/tmp is a tmpfs mount without noexec");
  EXPECT_EQ(out[2].evidence["why"][0], "/dev/shm is the host's (ipc: host)");
}

TEST(ContainerExecTmpCheckTest, ReadOnlyRootWithoutTmpMountsIsFine) {
  ContainerConfig c = HardenedContainer();
  c.mounts.clear();
  EXPECT_TRUE(RunOnConfigs(kContainerExecTmp, {c}).empty());
}

}  // namespace
}  // namespace deminer
