#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcExeDeleted;
namespace {

TEST(ProcExeDeletedCheckTest, GradesByWhereTheProgramWas) {
  Facts facts = BaseFacts();
  Process temp = MakeProcess(10, 1, {"x"}, "/tmp/javae");
  temp.exe_deleted = true;
  Process upgraded = MakeProcess(11, 1, {"sshd"}, "/usr/sbin/sshd");
  upgraded.exe_deleted = true;
  Process fileless = MakeProcess(12, 1, {"x"}, "/memfd:");
  fileless.exe_deleted = true;
  Process runc = MakeProcess(13, 1, {"runc", "init"}, "/memfd:runc_cloned:/proc/self/exe");
  runc.exe_deleted = true;
  facts.processes.insert(facts.processes.end(), {temp, upgraded, fileless, runc});
  const auto out = RunCheck(kProcExeDeleted, facts);
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].severity, Severity::kLow);
  EXPECT_EQ(out[2].severity, Severity::kHigh);
  EXPECT_EQ(out[3].severity, Severity::kLow);
}

TEST(ProcExeDeletedCheckTest, SilentWhenProgramIsOnDisk) {
  Facts facts = BaseFacts();
  EXPECT_TRUE(RunCheck(kProcExeDeleted, facts).empty());
}

}  // namespace
}  // namespace deminer
