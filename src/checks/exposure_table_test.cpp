#include "checks/exposure_table.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "checks/exposure_test_facts.h"

namespace deminer {
namespace {

std::string Testdata(const std::string& name) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/firewall/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

TEST(ExposureTableTest, VerdictsByBindAddressAndRules) {
  Facts f = WithNft(InputChain("inet", "accept", {{DportMatch("tcp", 5432), Verdict("drop")}}));
  f.processes.push_back(MakeProcess(800, 1, {"/usr/lib/postgresql/15/bin/postgres"}));
  f.processes.push_back(MakeProcess(801, 1, {"redis-server", "*:6379"}));
  f.sockets = {Listener("0.0.0.0", 5432, 1, {800}), Listener("0.0.0.0", 5432, 1, {800}),
               Listener("0.0.0.0", 6379, 2, {801}), Listener("127.0.0.1", 3000, 3, {700}),
               Listener("0.0.0.0", 8080, 4, {700}), Listener("0.0.0.0", 53, 5, {}, Proto::kUdp)};
  f.Index();
  const auto rows = BuildExposureTable(f);
  ASSERT_EQ(rows.size(), 5u);   // the duplicate 5432 socket is one row
  EXPECT_EQ(rows[0].port, 53);  // sorted by port
  const ExposureRow& pg = RowOf(rows, 5432);
  EXPECT_EQ(pg.verdict, Reach::kFiltered);
  EXPECT_EQ(pg.process, "postgres");
  EXPECT_EQ(pg.pid, 800);
  EXPECT_EQ(pg.service, "postgresql");
  EXPECT_TRUE(pg.sensitive);
  EXPECT_EQ(pg.reason, "nftables inet filter input handle 2: tcp dport 5432 drop");
  const ExposureRow& redis = RowOf(rows, 6379);
  EXPECT_EQ(redis.verdict, Reach::kReachableSensitive);
  EXPECT_EQ(redis.service, "redis");
  EXPECT_EQ(redis.reason, "nftables inet filter input: policy accept");
  EXPECT_EQ(RowOf(rows, 3000).verdict, Reach::kLocal);
  EXPECT_EQ(RowOf(rows, 3000).reason, "bound to 127.0.0.1");
  EXPECT_EQ(RowOf(rows, 8080).verdict, Reach::kReachable);
  EXPECT_FALSE(RowOf(rows, 8080).sensitive);
  EXPECT_EQ(RowOf(rows, 53).proto, Proto::kUdp);
}

TEST(ExposureTableTest, SourceRestrictedAcceptIsReachableFromThose) {
  Facts f = WithNft(
      InputChain("inet", "drop",
                 {{DportMatch("tcp", 5432), SaddrMatch("ip", "10.0.0.0", 8), Verdict("accept")}}));
  f.sockets = {Listener("0.0.0.0", 5432, 1)};
  const auto rows = BuildExposureTable(f);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].verdict, Reach::kReachableSensitive);
  ASSERT_EQ(rows[0].only_from.size(), 1u);
  EXPECT_NE(rows[0].only_from[0].find("10.0.0.0/8"), std::string::npos);
  EXPECT_TRUE(rows[0].reason.starts_with("only from 10.0.0.0/8")) << rows[0].reason;
}

TEST(ExposureTableTest, DualStackSocketJudgedForBothFamilies) {
  // An ip (IPv4-only) table drops 5432; nothing filters IPv6.
  Facts f = WithNft(InputChain("ip", "accept", {{DportMatch("tcp", 5432), Verdict("drop")}}));
  f.sockets = {Listener("::", 5432, 1), Listener("0.0.0.0", 6379, 2), Listener("::", 6379, 3)};
  const auto rows = BuildExposureTable(f);
  const ExposureRow& pg = RowOf(rows, 5432);
  ASSERT_TRUE(pg.v4 && pg.v6);
  EXPECT_EQ(*pg.v4, Reach::kFiltered);
  EXPECT_EQ(*pg.v6, Reach::kReachableSensitive);
  EXPECT_EQ(pg.verdict, Reach::kReachableSensitive);
  EXPECT_TRUE(pg.reason.starts_with("IPv6: ")) << pg.reason;
}

TEST(ExposureTableTest, UnreadFirewallIsUnknownAndContainersAreLocal) {
  Facts f = BaseFacts();
  Process c = MakeProcess(900, 1, {"redis-server"});
  c.container_id = "abc123";
  c.netns = 4026532000;
  Process ns = MakeProcess(901, 1, {"nc", "-l"});
  ns.netns = 4026532001;
  f.processes.push_back(c);
  f.processes.push_back(ns);
  f.sockets = {Listener("0.0.0.0", 8080, 1, {700}),
               Listener("0.0.0.0", 6379, 2, {900}, Proto::kTcp, 4026532000),
               Listener("0.0.0.0", 9999, 3, {901}, Proto::kTcp, 4026532001)};
  f.Index();
  const auto rows = BuildExposureTable(f);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(RowOf(rows, 8080).verdict, Reach::kUnknown);
  EXPECT_EQ(RowOf(rows, 8080).reason, "the packet filter rules in force were not read");
  EXPECT_EQ(RowOf(rows, 6379).verdict, Reach::kLocal);
  EXPECT_EQ(RowOf(rows, 6379).reason, "container network only, not published");
  ASSERT_TRUE(RowOf(rows, 6379).container);
  EXPECT_EQ(RowOf(rows, 6379).container->id, "abc123");
  EXPECT_EQ(RowOf(rows, 9999).verdict, Reach::kUnknown);
}

TEST(ExposureTableTest, PublishedPortsAreJudgedByTheForwardChains) {
  Facts f = BaseFacts();
  auto legacy = ParseIptablesSave(Testdata("iptables_legacy_docker.save"), 4);
  ASSERT_TRUE(legacy.has_value());
  f.firewall.read = f.firewall.legacy_read = true;
  f.firewall.legacy = *legacy;
  f.firewall.published = FindPublishedPorts(*legacy);
  f.processes.push_back(MakeProcess(950, 1, {"/usr/bin/docker-proxy", "-host-port", "5432"}));
  f.sockets = {Listener("0.0.0.0", 5432, 1, {950})};
  ContainerConfig db = HardenedContainer("db");
  db.ports = {{"", 5432, 5432, "tcp", true, 0}};
  f.container_configs = {db};
  f.Index();
  const auto rows = BuildExposureTable(f);
  ASSERT_EQ(rows.size(), 2u);
  const ExposureRow& pg = RowOf(rows, 5432);
  // INPUT's policy is drop, but the DNATed packet never meets INPUT.
  EXPECT_EQ(pg.verdict, Reach::kReachableSensitive);
  EXPECT_TRUE(pg.published);
  EXPECT_TRUE(pg.input_filters);
  EXPECT_EQ(pg.engine, "docker");
  EXPECT_EQ(pg.published_to, "172.17.0.2:5432");
  ASSERT_TRUE(pg.container);
  EXPECT_EQ(pg.container->name, "db");
  EXPECT_NE(pg.reason.find("forward chains: iptables-legacy ip filter DOCKER line"),
            std::string::npos)
      << pg.reason;
  // 6379 is published on 127.0.0.1 only, and no host socket holds it.
  const ExposureRow& redis = RowOf(rows, 6379);
  EXPECT_EQ(redis.address, "127.0.0.1");
  EXPECT_EQ(redis.verdict, Reach::kLocal);
}

TEST(ExposureTableTest, ServiceGuesses) {
  EXPECT_EQ(GuessService(5432, "").name, "postgresql");
  EXPECT_TRUE(GuessService(2375, "").sensitive);
  EXPECT_EQ(GuessService(2375, "").name, "docker-api");
  EXPECT_EQ(GuessService(15432, "postgres").name, "postgresql");
  EXPECT_FALSE(GuessService(22, "").sensitive);
  EXPECT_EQ(GuessService(22, "sshd").name, "ssh");
  EXPECT_TRUE(GuessService(8080, "node").name.empty());
}

}  // namespace
}  // namespace deminer
