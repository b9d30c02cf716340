#include "sources/facts.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

Process P(int pid, int ppid, std::string cmd, std::string container = "") {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.argv = {std::move(cmd)};
  p.container_id = std::move(container);
  return p;
}

TEST(FactsTest, AncestryGoesToPidOneOnTheHost) {
  Facts f;
  f.processes = {P(1, 0, "init"), P(10, 1, "sshd"), P(20, 10, "bash"), P(30, 20, "xmrig")};
  f.Index();
  const auto chain = f.Ancestry(*f.FindProcess(30));
  ASSERT_EQ(chain.size(), 3u);
  EXPECT_EQ(chain[0]->pid, 20);
  EXPECT_EQ(chain[2]->pid, 1);
}

TEST(FactsTest, AncestryStopsAtTheContainersInit) {
  Facts f;
  f.processes = {P(1, 0, "init"), P(50, 1, "containerd-shim"), P(60, 50, "node", "c1"),
                 P(70, 60, "sh", "c1"), P(80, 70, "javae", "c1")};
  f.Index();
  const auto chain = f.Ancestry(*f.FindProcess(80));
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(chain[1]->pid, 60);
}

TEST(FactsTest, AncestrySurvivesLoopsAndMissingParents) {
  Facts f;
  f.processes = {P(5, 6, "a"), P(6, 5, "b"), P(7, 999, "orphan")};
  f.Index();
  EXPECT_LE(f.Ancestry(*f.FindProcess(5)).size(), 32u);
  EXPECT_TRUE(f.Ancestry(*f.FindProcess(7)).empty());
}

TEST(FactsTest, DisplayNameUsesArgvZeroBasename) {
  Process p = P(1, 0, "/usr/sbin/nginx: worker process");
  p.comm = "nginx";
  EXPECT_EQ(p.DisplayName(), "nginx:");
  p.argv.clear();
  EXPECT_EQ(p.DisplayName(), "nginx");
  EXPECT_EQ(p.CommandLine(), "[nginx]");
}

}  // namespace
}  // namespace deminer
