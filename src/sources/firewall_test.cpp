#include "sources/firewall.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace deminer {
namespace {

// Captured from rule sets loaded into scratch network namespaces (see
// tests/testdata/firewall/README).
std::string Testdata(const std::string& name) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/firewall/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  EXPECT_FALSE(ss.str().empty()) << name;
  return ss.str();
}

FwRuleset Nft(const std::string& name) {
  auto rs = ParseNftJson(Testdata(name));
  EXPECT_TRUE(rs.has_value()) << (rs ? "" : rs.error().message());
  return rs ? *rs : FwRuleset{};
}

FwRuleset Save(const std::string& name, int family, std::string_view backend = "iptables-legacy") {
  auto rs = ParseIptablesSave(Testdata(name), family, backend);
  EXPECT_TRUE(rs.has_value()) << (rs ? "" : rs.error().message());
  return rs ? *rs : FwRuleset{};
}

const FwTable* TableOf(const FwRuleset& rs, std::string_view family, std::string_view name) {
  for (const FwTable& t : rs.tables) {
    if (t.family == family && t.name == name) return &t;
  }
  return nullptr;
}

FwPacket Packet(int family, std::string proto, uint16_t port) {
  FwPacket p;
  p.family = family;
  p.proto = std::move(proto);
  p.port = port;
  return p;
}

struct Case {
  int family;
  std::string proto;
  uint16_t port;
  FwPass pass;
  std::string reason_has;  // a part of the reason
  std::string source_has = "";
};

void RunCases(const FwRuleset& rs, const std::vector<Case>& cases) {
  for (const Case& c : cases) {
    const FwOutcome o = EvaluateRuleset(rs, Packet(c.family, c.proto, c.port));
    SCOPED_TRACE(c.proto + " " + std::to_string(c.port) + " IPv" + std::to_string(c.family) + ": " +
                 o.reason);
    EXPECT_EQ(FwPassName(o.pass), FwPassName(c.pass));
    EXPECT_NE(o.reason.find(c.reason_has), std::string::npos);
    if (!c.source_has.empty()) {
      ASSERT_FALSE(o.sources.empty());
      EXPECT_NE(o.sources[0].find(c.source_has), std::string::npos);
    }
  }
}

TEST(FirewallParseTest, NftInetFilterWithPolicyDrop) {
  const FwRuleset rs = Nft("nft_inet_drop.json");
  const FwTable* t = TableOf(rs, "inet", "filter");
  ASSERT_NE(t, nullptr);
  EXPECT_EQ(t->backend, "nftables");
  const FwChain* input = t->Find("input");
  ASSERT_NE(input, nullptr);
  EXPECT_TRUE(input->base);
  EXPECT_EQ(input->hook, "input");
  EXPECT_EQ(input->type, "filter");
  EXPECT_EQ(input->policy, "drop");
  EXPECT_EQ(input->rules.size(), 14u);
  ASSERT_NE(t->Find("admin"), nullptr);
  EXPECT_FALSE(t->Find("admin")->base);
  // The named set @admin_ports is resolved into the rule.
  const FwRule& jump = input->rules[10];
  EXPECT_EQ(jump.handle, "handle 17");
  EXPECT_EQ(jump.verdict, FwVerdict::kJump);
  EXPECT_EQ(jump.target, "admin");
  bool ports = false;
  for (const FwMatch& m : jump.matches) {
    if (m.field == FwField::kDport) {
      ports = true;
      ASSERT_EQ(m.ports.size(), 2u);
      EXPECT_EQ(m.ports[0].first, 8080);
      EXPECT_EQ(m.ports[1].first, 9000);
    }
  }
  EXPECT_TRUE(ports);
  EXPECT_EQ(input->rules[7].text, "tcp dport 5432 ip saddr 10.0.0.0/8 accept");
}

TEST(FirewallParseTest, NftInputVerdicts) {
  const FwRuleset rs = Nft("nft_inet_drop.json");
  RunCases(rs, {
                   {4, "tcp", 22, FwPass::kAccept, "handle 11"},
                   {6, "tcp", 22, FwPass::kAccept, "handle 11"},
                   {4, "tcp", 443, FwPass::kAccept, "handle 13"},
                   {4, "tcp", 6005, FwPass::kAccept, "handle 15"},
                   {4, "udp", 53, FwPass::kAccept, "handle 16"},
                   {4, "tcp", 53, FwPass::kDrop, "policy drop"},
                   {4, "tcp", 5432, FwPass::kSome, "policy drop", "10.0.0.0/8"},
                   {6, "tcp", 5432, FwPass::kDrop, "policy drop"},
                   {4, "tcp", 8080, FwPass::kSome, "policy drop", "192.168.1.0/24"},
                   {6, "tcp", 9200, FwPass::kSome, "", "fd00::/8"},
                   {4, "tcp", 9200, FwPass::kDrop, "policy drop"},
                   {4, "tcp", 3306, FwPass::kDrop, "handle 19"},
                   {4, "tcp", 7777, FwPass::kDrop, "inet filter input: policy drop"},
               });
}

TEST(FirewallParseTest, IptablesNftTablesInNftJsonAreUnknownWhereXtDecides) {
  const FwRuleset rs = Nft("nft_iptables_docker.json");
  const FwTable* filter = TableOf(rs, "ip", "filter");
  ASSERT_NE(filter, nullptr);
  EXPECT_EQ(filter->backend, "iptables-nft");
  ASSERT_NE(filter->Find("DOCKER-USER"), nullptr);
  RunCases(rs, {
                   // The xt conntrack accept before it cannot change an accept.
                   {4, "tcp", 22, FwPass::kAccept, "handle 10"},
                   // But it could accept a port the policy drops: unknown, never a guess.
                   {4, "tcp", 7777, FwPass::kUnknown, "xt match conntrack"},
                   // IPv6: ip6 filter drops 5432, accepts the rest by policy.
                   {6, "tcp", 5432, FwPass::kDrop, "ip6 filter INPUT handle 5"},
                   {6, "tcp", 7777, FwPass::kAccept, "policy accept"},
               });
  // The DNAT targets are xt: the port is known, the destination is not.
  const auto pub = FindPublishedPorts(rs);
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_EQ(pub[0].host_port, 5432);
  EXPECT_EQ(pub[0].engine, "docker");
  EXPECT_EQ(pub[0].to_addr, "");
}

TEST(FirewallParseTest, IptablesSaveLegacyDocker) {
  const FwRuleset rs = Save("iptables_legacy_docker.save", 4);
  const FwTable* filter = TableOf(rs, "ip", "filter");
  ASSERT_NE(filter, nullptr);
  const FwChain* input = filter->Find("INPUT");
  ASSERT_NE(input, nullptr);
  EXPECT_TRUE(input->base);
  EXPECT_EQ(input->policy, "drop");
  EXPECT_EQ(input->rules.size(), 7u);
  EXPECT_EQ(input->rules[0].handle, "line 10");
  RunCases(rs, {
                   {4, "tcp", 22, FwPass::kAccept, "line 12"},
                   {4, "tcp", 443, FwPass::kSome, "policy drop", "10.1.0.0/16"},
                   {4, "tcp", 8050, FwPass::kSome, "policy drop", "10.1.0.0/16"},
                   {4, "tcp", 8101, FwPass::kDrop, "policy drop"},
                   {4, "udp", 53, FwPass::kAccept, "line 14"},
                   {4, "tcp", 25, FwPass::kDrop, "line 15"},
                   // The LOG rule with an unknown match does not decide: policy drop.
                   {4, "tcp", 7777, FwPass::kDrop, "ip filter INPUT: policy drop"},
               });
}

TEST(FirewallParseTest, PublishedPortsAndForwardChains) {
  const FwRuleset rs = Save("iptables_legacy_docker.save", 4);
  const auto pub = FindPublishedPorts(rs);
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_EQ(pub[0].engine, "docker");
  EXPECT_EQ(pub[0].proto, "tcp");
  EXPECT_EQ(pub[0].host_port, 5432);
  EXPECT_EQ(pub[0].host_ip, "");
  EXPECT_EQ(pub[0].to_addr, "172.17.0.2");
  EXPECT_EQ(pub[0].to_port, 5432);
  EXPECT_EQ(pub[1].host_ip, "127.0.0.1");
  EXPECT_EQ(pub[1].to_port, 6379);
  FwPacket fwd = Packet(4, "tcp", 5432);
  fwd.daddr = "172.17.0.2";
  fwd.forwarded = true;
  const FwOutcome o = EvaluateRuleset(rs, fwd);
  EXPECT_EQ(o.pass, FwPass::kAccept) << o.reason;
  EXPECT_NE(o.reason.find("DOCKER line"), std::string::npos) << o.reason;
  fwd.daddr = "172.17.0.9";
  EXPECT_EQ(EvaluateRuleset(rs, fwd).pass, FwPass::kDrop);
  FirewallState fw;
  fw.read = fw.legacy_read = true;
  fw.legacy = rs;
  EXPECT_FALSE(DockerUserFilters(fw));
  fw.legacy.tables[0].chains[6].rules.insert(fw.legacy.tables[0].chains[6].rules.begin(), FwRule{});
  ASSERT_EQ(fw.legacy.tables[0].chains[6].name, "DOCKER-USER");
  EXPECT_TRUE(DockerUserFilters(fw));
}

TEST(FirewallParseTest, IptablesNftSaveHasWhatNftJsonHides) {
  const FwRuleset rs = Save("iptables_nft_docker.save", 4, "iptables-nft");
  RunCases(rs, {
                   {4, "tcp", 7777, FwPass::kDrop, "iptables-nft ip filter INPUT"},
                   {4, "tcp", 22, FwPass::kAccept, "line"},
               });
  const auto pub = FindPublishedPorts(rs);
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_EQ(pub[0].to_addr, "172.17.0.2");
}

TEST(FirewallParseTest, Ip6tablesLegacy) {
  const FwRuleset rs = Save("ip6tables_legacy.save", 6);
  ASSERT_NE(TableOf(rs, "ip6", "filter"), nullptr);
  RunCases(rs, {
                   {6, "tcp", 5432, FwPass::kDrop, "line"},
                   {6, "tcp", 80, FwPass::kAccept, "policy accept"},
                   // an ip6 table does not see IPv4
                   {4, "tcp", 5432, FwPass::kAccept, "no input chain"},
               });
}

TEST(FirewallParseTest, NetavarkDnatAndVerdictMaps) {
  const FwRuleset rs = Nft("nft_netavark.json");
  const auto pub = FindPublishedPorts(rs);
  ASSERT_EQ(pub.size(), 2u);
  EXPECT_EQ(pub[0].engine, "podman");
  EXPECT_EQ(pub[0].host_port, 8080);
  EXPECT_EQ(pub[0].to_addr, "10.88.0.2");
  EXPECT_EQ(pub[0].to_port, 80);
  EXPECT_EQ(pub[1].proto, "udp");
  EXPECT_EQ(pub[1].host_ip, "127.0.0.1");
  RunCases(rs, {
                   {4, "tcp", 22, FwPass::kAccept, "handle 6"},
                   {4, "tcp", 8080, FwPass::kDrop, "handle 6"},
                   {4, "tcp", 9999, FwPass::kDrop, "policy drop"},
               });
  FwPacket fwd = Packet(4, "tcp", 80);
  fwd.daddr = "10.88.0.2";
  fwd.forwarded = true;
  EXPECT_EQ(EvaluateRuleset(rs, fwd).pass, FwPass::kAccept);
}

TEST(FirewallParseTest, BothBackEndsMustPass) {
  FirewallState fw;
  fw.read = fw.nft_read = fw.legacy_read = true;
  fw.nft = Nft("nft_netavark.json");
  fw.legacy = Save("ip6tables_legacy.save", 6);
  // nft accepts 22; legacy has no IPv4 tables -> accept
  EXPECT_EQ(EvaluateFirewall(fw, Packet(4, "tcp", 22)).pass, FwPass::kAccept);
  // IPv6 5432: nft drops by policy, legacy drops by rule: a drop either way
  EXPECT_EQ(EvaluateFirewall(fw, Packet(6, "tcp", 5432)).pass, FwPass::kDrop);
  fw.nft = FwRuleset{};
  const FwOutcome o = EvaluateFirewall(fw, Packet(6, "tcp", 5432));
  EXPECT_EQ(o.pass, FwPass::kDrop);
  EXPECT_NE(o.reason.find("iptables-legacy"), std::string::npos) << o.reason;
  fw.read = false;
  EXPECT_EQ(EvaluateFirewall(fw, Packet(6, "tcp", 5432)).pass, FwPass::kUnknown);
}

TEST(FirewallParseTest, NoRulesAcceptsAndSaysSo) {
  const FwOutcome o = EvaluateRuleset(FwRuleset{}, Packet(4, "tcp", 5432));
  EXPECT_EQ(o.pass, FwPass::kAccept);
  EXPECT_FALSE(o.filtered_any);
  EXPECT_EQ(o.reason, "no input chain filters it");
}

TEST(FirewallParseTest, GarbageIsAnErrorValue) {
  EXPECT_FALSE(ParseNftJson("").has_value());
  EXPECT_FALSE(ParseNftJson("not json").has_value());
  EXPECT_FALSE(ParseNftJson("{}").has_value());
  EXPECT_FALSE(ParseNftJson(R"({"nftables": 3})").has_value());
  // Odd shapes inside a valid document are tolerated, as unknown.
  auto odd = ParseNftJson(
      R"({"nftables":[{"rule":{"family":"inet","table":"t","chain":"c","expr":[{"match":{}},{"xyz":1},{"vmap":2}]}}, 5, []]})");
  ASSERT_TRUE(odd.has_value());
  EXPECT_EQ(odd->RuleCount(), 1u);
  EXPECT_FALSE(ParseIptablesSave("hello world", 4).has_value());
  EXPECT_FALSE(ParseIptablesSave("*filter\n-A INPUT -p", 4).has_value());
  EXPECT_FALSE(ParseIptablesSave("*filter\n-A INPUT -m comment --comment \"open", 4).has_value());
  auto empty = ParseIptablesSave("# nothing\n", 4);
  ASSERT_TRUE(empty.has_value());
  EXPECT_TRUE(empty->tables.empty());
}

TEST(FirewallParseTest, SavedRuleCounts) {
  EXPECT_EQ(CountSavedNftRules(Testdata("inet_drop.nft")), 16u);
  // Debian's default /etc/nftables.conf: chains, no rules.
  EXPECT_EQ(
      CountSavedNftRules("#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n"
                         "\tchain input {\n\t\ttype filter hook input priority filter;\n\t}\n}\n"),
      0u);
  EXPECT_EQ(CountSavedIptablesRules(Testdata("iptables_legacy_docker.save")), 26u);
}

}  // namespace
}  // namespace deminer
