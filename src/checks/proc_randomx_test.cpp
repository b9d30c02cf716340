#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcRandomx;
namespace {

TEST(ProcRandomxCheckTest, FlagsMsrAndHugePagesUnlessExpected) {
  Facts facts = BaseFacts();
  Process msr = MakeProcess(10, 1, {"/usr/bin/x"});
  msr.msr_paths = {"/dev/cpu/0/msr"};
  Process huge = MakeProcess(11, 1, {"/usr/bin/y"});
  huge.hugetlb_kb = 2359296;
  Process pg = MakeProcess(12, 1, {"/usr/lib/postgresql/15/bin/postgres"});
  pg.hugetlb_kb = 1024;
  Process turbostat = MakeProcess(13, 1, {"/usr/sbin/turbostat"});
  turbostat.msr_paths = {"/dev/cpu/1/msr"};
  facts.processes.insert(facts.processes.end(), {msr, huge, pg, turbostat});
  const auto out = RunCheck(kProcRandomx, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].evidence["hugetlb_kb"], 2359296);
}

}  // namespace
}  // namespace deminer
