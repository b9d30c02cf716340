#include "match/rule_pack.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "match/test_rules.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "deminer-rules-XXXXXX").string();
    path_ = mkdtemp(tmpl.data());
  }
  ~TempDir() { fs::remove_all(path_); }
  void Write(const std::string& name, const std::string& text) const {
    std::ofstream(fs::path(path_) / name) << text;
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

TEST(RulePackTest, DefaultPackHoldsEverySeedProcessAndNetworkIoc) {
  const RulePack& r = DefaultRules();
  EXPECT_NE(r.version, "unknown");
  for (const char* name : {"javae", "dbus_daemon", "XXmOKKAJ", "eBiuuDYv", "n_bin", "xmrig"}) {
    EXPECT_NE(r.miner_names.Match(name), nullptr) << name;
  }
  EXPECT_EQ(r.miner_names.Match("dbus-daemon"), nullptr);
  for (const char* host : {"pool.supportxmr.com", "gulf.moneroocean.stream"}) {
    EXPECT_NE(r.MatchPoolDomain(host), nullptr) << host;
  }
  EXPECT_EQ(r.MatchPoolDomain("example.com"), nullptr);
  EXPECT_EQ(r.MatchPoolDomain("notsupportxmr.com"), nullptr);
  for (const uint16_t port : {uint16_t{3333}, uint16_t{10128}})
    EXPECT_TRUE(r.pool_ports.contains(port)) << port;
  EXPECT_FALSE(r.pool_ports.contains(443));
  EXPECT_FALSE(r.pool_ports.contains(80));
  EXPECT_NE(r.MatchC2("72.62.186.16", 4449), nullptr);
  for (const char* ip : {"141.94.96.144", "185.202.239.150", "77.110.110.55", "51.91.236.255"}) {
    EXPECT_NE(r.MatchC2(ip, 443), nullptr) << ip;
  }
  EXPECT_NE(r.MatchC2("accrochezvous.fr", 443), nullptr);
  EXPECT_TRUE(r.c2_ports.contains(4449));
  EXPECT_EQ(r.wallet_fragments.size(), 2u);
  EXPECT_FALSE(r.wallets.empty());
}

TEST(RulePackTest, EveryListEntryNamesItsSource) {
  const RulePack& r = DefaultRules();
  for (const auto& [port, source] : r.pool_ports) EXPECT_FALSE(source.empty()) << port;
  for (const auto& [domain, source] : r.pool_domains) EXPECT_FALSE(source.empty()) << domain;
  for (const auto& [addr, source] : r.c2_addresses) EXPECT_FALSE(source.empty()) << addr;
  for (const auto& o : r.miner_options) EXPECT_FALSE(o.source.empty()) << o.flag;
}

TEST(RulePackTest, YamlErrorNamesFileAndLine) {
  TempDir dir;
  dir.Write("bad.yaml", "miner_names:\n  - source: x\n    entries: [a, b\n");
  const auto r = RulePack::Load({dir.path()});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("bad.yaml:"), std::string::npos) << r.error().message();
}

TEST(RulePackTest, GroupWithoutSourceIsRejected) {
  TempDir dir;
  dir.Write("nosource.yaml", "pool_ports:\n  - entries: [3333]\n");
  const auto r = RulePack::Load({dir.path()});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("nosource.yaml:2"), std::string::npos) << r.error().message();
}

TEST(RulePackTest, UnknownListIsRejected) {
  TempDir dir;
  dir.Write("typo.yaml", "pool_portz:\n  - source: s\n    entries: [1]\n");
  const auto r = RulePack::Load({dir.path()});
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message().find("pool_portz"), std::string::npos);
}

TEST(RulePackTest, LogRulesLoadAndBadOnesNameTheirLine) {
  TempDir dir;
  const std::string head = "log_rules:\n  - source: s\n    entries:\n";
  dir.Write("logs.yaml",
            head +
                "      - id: r\n        title: t\n        severity: high\n"
                "        logs: [postgres, web]\n        caseless: true\n"
                "        capture: [ip]\n        escalate: {count: 5, severity: critical}\n"
                "        patterns: ['a+b', 'c']\n");
  const auto ok = RulePack::Load({dir.path()});
  ASSERT_TRUE(ok) << ok.error().message();
  ASSERT_EQ(ok->log_rules.size(), 1u);
  const LogRule& r = ok->log_rules[0];
  EXPECT_EQ(r.patterns, (std::vector<std::string>{"a+b", "c"}));
  EXPECT_NE(r.pattern_where[1].find("logs.yaml:11"), std::string::npos) << r.pattern_where[1];
  EXPECT_TRUE(r.Reads(LogKind::kPostgres));
  EXPECT_FALSE(r.Reads(LogKind::kAuth));
  EXPECT_TRUE(r.Reads(LogKind::kFile));  // a log of no known kind: every rule
  EXPECT_EQ(r.escalate_count, 5u);
  EXPECT_EQ(r.escalate_severity, Severity::kCritical);
  for (const std::string& bad :
       {std::string("        logs: [nowhere]\n        patterns: [x]\n"),
        std::string("        logs: [any]\n        patterns: []\n"),
        std::string("        logs: [any]\n        patterns: [x]\n        capture: [email]\n"),
        std::string("        logs: [any]\n        patterns: [x]\n        escalate: {count: 1}\n"),
        // A novelty rule needs something captured to compare.
        std::string("        logs: [any]\n        patterns: [x]\n        new_within: 7d\n")}) {
    TempDir d;
    d.Write("logs.yaml", head + "      - id: r\n        title: t\n" + bad);
    const auto r2 = RulePack::Load({d.path()});
    ASSERT_FALSE(r2) << bad;
    EXPECT_NE(r2.error().message().find("logs.yaml:"), std::string::npos) << r2.error().message();
  }
}

TEST(RulePackTest, LokiFilesLoadAndBadLinesAreReported) {
  TempDir dir;
  dir.Write("hash-iocs.txt",
            "# comment\n0183ffb97a996d80f25a63dbeda24cd2;dbus_daemon seed 001\nnothex;x\n");
  dir.Write("c2-iocs.txt", "203.0.113.50;test c2\nevil.example;domain\nbad value;x\n");
  dir.Write("filename-iocs.txt", "\\/tmp\\/\\.x[a-z]+;90\n(?<=look)behind;50\nnoscore;\n");
  const auto r = RulePack::Load({dir.path()});
  ASSERT_TRUE(r.has_value()) << r.error().message();
  EXPECT_TRUE(r->hashes.contains("0183ffb97a996d80f25a63dbeda24cd2"));
  EXPECT_EQ(r->hashes.size(), 1u);
  EXPECT_NE(r->MatchC2("203.0.113.50", 1), nullptr);
  EXPECT_NE(r->MatchC2("EVIL.example", 1), nullptr);
  EXPECT_EQ(r->MatchFilename("/tmp/.xmr").size(), 1u);
  EXPECT_TRUE(r->MatchFilename("/usr/bin/ls").empty());
  // The bad hash, the bad c2 line, the look-behind Vectorscan cannot compile and
  // the line with no score.
  ASSERT_EQ(r->problems.size(), 4u);
  std::string all;
  for (const Gap& g : r->problems) all += g.what + " " + g.reason + "\n";
  EXPECT_NE(all.find("hash-iocs.txt:3"), std::string::npos) << all;
  EXPECT_NE(all.find("c2-iocs.txt:3"), std::string::npos) << all;
  EXPECT_NE(all.find("filename-iocs.txt:2"), std::string::npos) << all;
  EXPECT_NE(all.find("filename-iocs.txt:3"), std::string::npos) << all;
}

TEST(RulePackTest, MissingDirectoryIsAnError) {
  const auto r = RulePack::Load({"/nonexistent/deminer-rules"});
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);
}

TEST(NameListTest, ExactAndPrefixMatchesIgnoreCase) {
  NameList l;
  l.Add("XMRig", "s1");
  l.Add("qemu-system-*", "s2");
  ASSERT_NE(l.Match("xmrig"), nullptr);
  EXPECT_EQ(*l.Match("xmrig"), "s1");
  ASSERT_NE(l.Match("qemu-system-x86_64"), nullptr);
  EXPECT_EQ(l.Match("xmrig2"), nullptr);
  EXPECT_EQ(l.Match(""), nullptr);
}

}  // namespace
}  // namespace deminer
