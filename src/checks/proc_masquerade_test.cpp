#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcMasquerade;
namespace {

TEST(ProcMasqueradeCheckTest, FlagsFakeKernelThreadsAndDaemons) {
  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(10, 1, {"[kworker/0:1]"}, "/tmp/.x/k"));
  facts.processes.push_back(MakeProcess(11, 1, {"kswapd0"}, "/var/tmp/kswapd0"));
  facts.processes.push_back(MakeProcess(12, 1, {"dbus-daemon", "--system"}, "/tmp/dbus-daemon"));
  facts.processes.push_back(MakeProcess(13, 1, {"/tmp/dbus_daemon"}));
  const auto out = RunCheck(kProcMasquerade, facts);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].evidence["imitates"], "kworker/0:1");
  EXPECT_EQ(out[2].evidence["imitates"], "dbus-daemon");
  EXPECT_EQ(out[3].evidence["imitates"], "dbus-daemon");
  EXPECT_NE(out[3].evidence["reason"].get<std::string>().find("near miss"), std::string::npos);
}

TEST(ProcMasqueradeCheckTest, FlagsCommRenamedToKernelThread) {
  Facts facts = BaseFacts();
  Process p = MakeProcess(10, 1, {"./xmrig", "-o", "x:3333"}, "/opt/x/xmrig");
  p.comm = "kworker/0:1";  // prctl(PR_SET_NAME)
  facts.processes.push_back(p);
  const auto out = RunCheck(kProcMasquerade, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["imitates"], "kworker/0:1");
}

TEST(ProcMasqueradeCheckTest, SilentOnRealKernelThreadsAndDaemons) {
  Facts facts = BaseFacts();
  Process kthread = MakeProcess(2, 0, {});
  kthread.comm = "kworker/0:1";
  kthread.exe.clear();
  kthread.kernel_thread = true;
  facts.processes.push_back(kthread);
  facts.processes.push_back(MakeProcess(20, 1, {"/usr/bin/dbus-daemon", "--system"}));
  facts.processes.push_back(MakeProcess(21, 1, {"sshd: root@pts/0"}, "/usr/sbin/sshd"));
  facts.processes.push_back(MakeProcess(22, 1, {"/lib/systemd/systemd-journald"}));
  // Real daemons whose executable is not named like them or lives elsewhere.
  facts.processes.push_back(MakeProcess(23, 1, {"/lib/systemd/systemd-udevd"}, "/usr/bin/udevadm"));
  facts.processes.push_back(
      MakeProcess(24, 1, {"/usr/lib/snapd/snapd"}, "/snap/snapd/21759/usr/lib/snapd/snapd"));
  facts.processes.push_back(MakeProcess(25, 1, {"crond", "-f"}, "/bin/busybox"));
  facts.processes.push_back(MakeProcess(26, 1, {"/usr/bin/python3", "/usr/bin/networkd-dispatcher"},
                                        "/usr/bin/python3.11"));
  facts.processes.back().comm = "networkd-dispat";
  facts.processes.push_back(MakeProcess(27, 1, {"dockerd"}, "/snap/docker/2915/bin/dockerd"));
  const auto out = RunCheck(kProcMasquerade, facts);
  EXPECT_TRUE(out.empty()) << out.size() << " " << (out.empty() ? "" : out[0].subject);
}

}  // namespace
}  // namespace deminer
