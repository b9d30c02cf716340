#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcHighCpu;
namespace {

// uptime 10000 s, 100 ticks/s: a process started at tick 100000 (second 1000)
// is 9000 s old.
Process Busy(int pid, std::vector<std::string> argv, double cores, double age_s = 9000) {
  Process p = MakeProcess(pid, 1, std::move(argv));
  p.start_ticks = static_cast<uint64_t>((10000 - age_s) * 100);
  p.cpu_ticks = static_cast<uint64_t>(cores * age_s * 100);
  return p;
}

TEST(ProcHighCpuCheckTest, FlagsSustainedUseByUnexpectedProcess) {
  Facts facts = BaseFacts();
  facts.processes.push_back(Busy(10, {"/usr/local/bin/node", "server.js"}, 1.9));
  facts.processes.push_back(Busy(11, {"/usr/bin/cc1plus"}, 1.0));    // expected
  facts.processes.push_back(Busy(12, {"/usr/bin/idle"}, 0.1));       // idle
  facts.processes.push_back(Busy(13, {"/usr/bin/young"}, 1.0, 30));  // too young
  const auto out = RunCheck(kProcHighCpu, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "pid 10 /usr/local/bin/node");
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["average_cores"], "1.90");
}

}  // namespace
}  // namespace deminer
