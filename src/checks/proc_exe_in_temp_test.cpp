#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcExeInTemp;
namespace {

TEST(ProcExeInTempCheckTest, FlagsEachTempDirAndMarksHiddenPaths) {
  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(10, 1, {"/tmp/dbus_daemon"}));
  facts.processes.push_back(MakeProcess(11, 1, {"/var/tmp/.svc_370/run"}));
  facts.processes.push_back(MakeProcess(12, 1, {"/dev/shm/x"}));
  facts.processes.push_back(MakeProcess(13, 1, {"/run/user/1000/a"}));
  facts.processes.push_back(MakeProcess(14, 1, {"/usr/bin/tmpwatch"}));
  facts.processes.push_back(MakeProcess(15, 1, {"/home/u/tmp/x"}));
  const auto out = RunCheck(kProcExeInTemp, facts);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].subject, "pid 10 /tmp/dbus_daemon");
  EXPECT_EQ(out[1].evidence.value("hidden_path", false), true);
  EXPECT_EQ(out[0].evidence.value("hidden_path", false), false);
  for (const Finding& f : out) EXPECT_EQ(f.severity, Severity::kHigh);
}

}  // namespace
}  // namespace deminer
