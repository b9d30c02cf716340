#include "match/miner_cmdline.h"

#include <gtest/gtest.h>

#include "match/test_rules.h"

namespace deminer {
namespace {

constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks"
    "2";

MinerVerdict Judge(std::vector<std::string> argv) {
  const std::string exe = argv.empty() ? "" : argv[0];
  return AnalyzeMiner(argv, exe, "", DefaultRules());
}

TEST(MinerCmdlineTest, SeedZeroCommandIsCriticalWithoutStratumOnPort443) {
  const auto v = Judge({"/tmp/javae", "-o", "pool.supportxmr.com:443", "-k", "--tls",
                        "--cpu-max-threads-hint=60", "-u", kSeedWallet});
  EXPECT_EQ(v.severity, Severity::kCritical);
  EXPECT_TRUE(v.pool);
  EXPECT_TRUE(v.wallet);
  ASSERT_EQ(v.pools.size(), 1u);
  EXPECT_EQ(v.pools[0].host, "pool.supportxmr.com");
  EXPECT_EQ(v.pools[0].port, 443);
  ASSERT_EQ(v.wallets.size(), 1u);
  EXPECT_EQ(v.wallets[0], kSeedWallet);
  std::vector<std::string> whats;
  for (const auto& h : v.hints) whats.push_back(h.what);
  EXPECT_NE(std::find(whats.begin(), whats.end(), "known wallet"), whats.end());
  EXPECT_NE(std::find(whats.begin(), whats.end(), "miner name"), whats.end());
  EXPECT_NE(std::find(whats.begin(), whats.end(), "pool keepalive/TLS"), whats.end());
}

TEST(MinerCmdlineTest, StratumUrlWithWalletIsCritical) {
  const auto v = Judge({"/usr/local/bin/app", "--url=stratum+tcp://10.1.2.3:14444", "--user",
                        std::string(kSeedWallet) + ".rig1"});
  EXPECT_EQ(v.severity, Severity::kCritical);
  EXPECT_TRUE(v.pool);
  EXPECT_TRUE(v.wallet);
}

TEST(MinerCmdlineTest, ShortOptionsWithoutASpaceAreRead) {
  const auto v = Judge({"/tmp/x", "-o10.1.2.3:3333", std::string("-u") + kSeedWallet});
  EXPECT_EQ(v.severity, Severity::kCritical);
  EXPECT_TRUE(v.pool);
  EXPECT_TRUE(v.wallet);
  ASSERT_EQ(v.pools.size(), 1u);
  EXPECT_EQ(v.pools[0].port, 3333);
}

TEST(MinerCmdlineTest, StratumSchemeInsideOtherTextIsOnlyAHint) {
  const auto grep = Judge({"/usr/bin/grep", "-r", "url=stratum+tcp://", "/var/www"});
  EXPECT_FALSE(grep.pool);
  EXPECT_LT(grep.severity, Severity::kHigh);
  const auto http = Judge({"node", "app.js", "--url", "http://example.com:3333"});
  EXPECT_FALSE(http.pool);
  EXPECT_EQ(http.severity, Severity::kInfo);
  const auto real = Judge({"./x", "--url=stratum+ssl://pool.example:14433"});
  EXPECT_TRUE(real.pool);
  EXPECT_GE(real.severity, Severity::kHigh);
}

TEST(MinerCmdlineTest, OneWeakHintAloneIsNotHigh) {
  // An XMRig-only option by itself.
  const auto option = Judge({"/usr/bin/tool", "--donate-level=1"});
  EXPECT_LT(option.severity, Severity::kHigh);
  // A miner's name with no arguments.
  const auto name = Judge({"/opt/xmrig"});
  EXPECT_LT(name.severity, Severity::kHigh);
  EXPECT_GE(name.severity, Severity::kLow);
}

TEST(MinerCmdlineTest, OrdinaryProgramsAreNotMiners) {
  const std::vector<std::vector<std::string>> clean = {
      {"/usr/bin/ssh", "-o", "StrictHostKeyChecking=no", "host"},
      {"/usr/bin/curl", "-o", "out.html", "https://example.org:443/"},
      {"/usr/sbin/nginx", "-g", "daemon off;"},
      {"node", "server.js"},
      {"/usr/bin/gcc", "-o", "a.out", "x.c"},
      {"/usr/bin/openssl", "s_client", "-connect", "example.org:443"},
      {"/usr/bin/redis-server", "127.0.0.1:6379"},
  };
  for (const auto& argv : clean) {
    const auto v = Judge(argv);
    EXPECT_EQ(v.severity, Severity::kInfo) << argv[0] << " score " << v.score;
  }
}

TEST(MinerCmdlineTest, PoolPortWithMinerOptionsIsAtLeastMedium) {
  const auto v = Judge({"./a", "-o", "203.0.113.9:3333", "--donate-level", "1", "-a", "rx/0"});
  EXPECT_GE(v.severity, Severity::kMedium);
  EXPECT_TRUE(v.pool);
}

TEST(MinerCmdlineTest, TruncatedSeedWalletFragmentMatches) {
  // Seed 001 printed its wallets as PREFIX...SUFFIX; a full address with that
  // prefix and suffix is the seed's wallet even though we never saw it whole.
  const RulePack& rules = DefaultRules();
  ASSERT_FALSE(rules.wallet_fragments.empty());
  const WalletFragment& f = rules.wallet_fragments[0];
  const std::string addr =
      f.prefix + std::string(95 - f.prefix.size() - f.suffix.size(), 'x') + f.suffix;
  EXPECT_NE(rules.MatchWallet(addr), nullptr);
  EXPECT_EQ(rules.MatchWallet(f.prefix), nullptr);
}

TEST(ParseHostPortTest, ParsesUrlsAndBareEndpoints) {
  std::string host;
  uint16_t port = 0;
  ASSERT_TRUE(ParseHostPort("stratum+ssl://gulf.moneroocean.stream:10128", host, port));
  EXPECT_EQ(host, "gulf.moneroocean.stream");
  EXPECT_EQ(port, 10128);
  ASSERT_TRUE(ParseHostPort("[2001:db8::1]:3333", host, port));
  EXPECT_EQ(host, "2001:db8::1");
  EXPECT_FALSE(ParseHostPort("out.html", host, port));
  EXPECT_FALSE(ParseHostPort("StrictHostKeyChecking=no", host, port));
  EXPECT_FALSE(ParseHostPort("host:99999", host, port));
  EXPECT_FALSE(ParseHostPort("daemon off;", host, port));
}

}  // namespace
}  // namespace deminer
