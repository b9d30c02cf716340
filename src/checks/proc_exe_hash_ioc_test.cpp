#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcExeHashIoc;
namespace {

TEST(ProcExeHashIocCheckTest, MatchesSeedMd5) {
  Facts facts = BaseFacts();
  Process p = MakeProcess(10, 1, {"/tmp/dbus_daemon"});
  p.exe_md5 = "0183ffb97a996d80f25a63dbeda24cd2";  // seed 001's dbus_daemon
  Process clean = MakeProcess(11, 1, {"/opt/app/server"});
  clean.exe_md5 = "00000000000000000000000000000000";
  facts.processes.insert(facts.processes.end(), {p, clean});
  const auto out = RunCheck(kProcExeHashIoc, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].evidence["md5"], "0183ffb97a996d80f25a63dbeda24cd2");
  EXPECT_NE(out[0].evidence["ioc"].get<std::string>().find("seed 001"), std::string::npos);
}

}  // namespace
}  // namespace deminer
