#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcMiner;
namespace {

constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks"
    "2";

TEST(ProcMinerCheckTest, FlagsSeedZeroMinerWithAncestryAndContainer) {
  Facts facts = BaseFacts();
  Process miner = MakeProcess(812, 700,
                              {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-k", "--tls",
                               "--cpu-max-threads-hint=60", "-u", kSeedWallet});
  miner.container_id = "c0ffee";
  miner.container_runtime = "docker";
  facts.processes[1].container_id = "c0ffee";
  facts.processes.push_back(miner);
  facts.containers["c0ffee"] = ContainerRef{"c0ffee", "barofarm-frontend", "next:1", "docker", ""};

  const auto out = RunCheck(kProcMiner, facts);
  ASSERT_EQ(out.size(), 1u);
  const Finding& f = out[0];
  EXPECT_EQ(f.check, "proc.miner");
  EXPECT_EQ(f.severity, Severity::kCritical);
  EXPECT_EQ(f.subject, "pid 812 /tmp/javae");
  ASSERT_TRUE(f.container.has_value());
  EXPECT_EQ(f.container->name, "barofarm-frontend");
  // Ancestry stops at the container's init (node, whose parent is outside).
  ASSERT_EQ(f.evidence["ancestry"].size(), 1u);
  EXPECT_EQ(f.evidence["ancestry"][0]["cmdline"], "node server.js");
  EXPECT_EQ(f.evidence["pools"][0], "pool.supportxmr.com:443");
  EXPECT_EQ(f.evidence["wallets"][0], kSeedWallet);
  EXPECT_EQ(f.fingerprint.size(), 32u);
}

TEST(ProcMinerCheckTest, FingerprintDoesNotDependOnPid) {
  Facts a = BaseFacts();
  a.processes.push_back(MakeProcess(812, 700, {"/tmp/xmrig", "-o", "pool.supportxmr.com:3333"}));
  Facts b = BaseFacts();
  b.processes.push_back(MakeProcess(9812, 700, {"/tmp/xmrig", "-o", "pool.supportxmr.com:3333"}));
  const auto fa = RunCheck(kProcMiner, a);
  const auto fb = RunCheck(kProcMiner, b);
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0].fingerprint, fb[0].fingerprint);
}

TEST(ProcMinerCheckTest, SilentOnOrdinaryProcesses) {
  Facts facts = BaseFacts();
  facts.processes.push_back(MakeProcess(900, 1, {"/usr/sbin/sshd", "-D"}));
  facts.processes.push_back(MakeProcess(901, 1, {"/usr/bin/dbus-daemon", "--system"}));
  facts.processes.push_back(
      MakeProcess(902, 1, {"/usr/lib/postgresql/15/bin/postgres", "-D", "/var/lib/pg"}));
  EXPECT_TRUE(RunCheck(kProcMiner, facts).empty());
}

TEST(ProcMinerCheckTest, IgnoresItself) {
  Facts facts = BaseFacts();
  facts.processes.push_back(
      MakeProcess(99999, 1, {"/tmp/xmrig", "-o", "pool.supportxmr.com:3333"}));
  EXPECT_TRUE(RunCheck(kProcMiner, facts).empty());
}

}  // namespace
}  // namespace deminer
