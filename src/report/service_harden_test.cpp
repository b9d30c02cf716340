#include "report/service_harden.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

Finding Fixable(std::string check, std::string subject, std::string fix, std::string file,
                int line = 0) {
  Finding f;
  f.check = std::move(check);
  f.subject = std::move(subject);
  f.evidence["fix"] = std::move(fix);
  f.evidence["fix_file"] = std::move(file);
  f.line = line;
  return f;
}

TEST(ServiceHardenTest, FixesAreGroupedByFileOnceEachWithWhatTheyClose) {
  const std::vector<Finding> findings = {
      Fixable("db.pg-hba-trust", "postgresql 127.0.0.1:5432",
              "host all all 0.0.0.0/0 scram-sha-256", "/etc/postgresql/15/main/pg_hba.conf", 92),
      Fixable("db.pg-c-function", "postgresql 127.0.0.1:5432", "DROP FUNCTION public.sys_eval(text);",
              "sql"),
      Fixable("db.pg-hba-trust", "postgresql 127.0.0.1:5432",
              "host all all 0.0.0.0/0 scram-sha-256", "/etc/postgresql/15/main/pg_hba.conf", 93),
      Fixable("db.redis-no-auth", "redis 127.0.0.1:6379", "requirepass <a long random secret>",
              "/etc/redis/redis.conf"),
  };
  Finding no_fix;
  no_fix.check = "proc.miner";
  const auto all = [&] {
    auto v = findings;
    v.push_back(no_fix);
    return v;
  }();
  const std::string out = RenderServiceFixes(all);
  EXPECT_NE(out.find("# --- edit /etc/postgresql/15/main/pg_hba.conf\n"), std::string::npos) << out;
  EXPECT_NE(out.find("# closes db.pg-hba-trust: postgresql 127.0.0.1:5432 (line 92)\n"
                     "# closes db.pg-hba-trust: postgresql 127.0.0.1:5432 (line 93)\n"
                     "host all all 0.0.0.0/0 scram-sha-256\n"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("# --- SQL, to run as a database superuser"), std::string::npos);
  EXPECT_NE(out.find("DROP FUNCTION public.sys_eval(text);\n"), std::string::npos);
  EXPECT_NE(out.find("# --- edit /etc/redis/redis.conf\n"), std::string::npos);
  EXPECT_EQ(out.find("proc.miner"), std::string::npos);
  EXPECT_EQ(RenderServiceFixes({no_fix}), "");
}

ExposureRow Row(uint16_t port, std::string process, Reach verdict, bool sensitive = false,
                Proto proto = Proto::kTcp) {
  ExposureRow r;
  r.port = port;
  r.process = std::move(process);
  r.verdict = verdict;
  r.sensitive = sensitive;
  r.proto = proto;
  r.address = "0.0.0.0";
  return r;
}

RulePack Pack() {
  RulePack rules;
  rules.pool_ports = {{3333, "seed"}, {10128, "seed"}};
  rules.c2_ports = {{4449, "seed"}};
  rules.c2_addresses = {{"51.91.236.255", "seed 000"},
                        {"72.62.186.16:4449", "seed 001"},
                        {"accrochezvous.fr", "seed 000"},
                        {"2001:db8::1", "test"}};
  return rules;
}

TEST(ServiceHardenTest, NftLetsInWhatIsServedKeepsSensitivePortsAndPoolsOut) {
  const std::vector<ExposureRow> rows = {
      Row(22, "sshd", Reach::kReachable), Row(443, "nginx", Reach::kReachable),
      Row(5432, "postgres", Reach::kReachableSensitive, true),
      Row(6379, "docker-proxy", Reach::kReachableSensitive, true),
      Row(8125, "statsd", Reach::kReachable, false, Proto::kUdp),
      Row(9000, "php-fpm", Reach::kLocal)};
  const std::string out = RenderFirewall(rows, Pack(), FirewallFormat::kNft);
  EXPECT_NE(out.find("type filter hook input priority filter - 1; policy drop;"),
            std::string::npos);
  EXPECT_NE(out.find("tcp dport 22 accept comment \"sshd\""), std::string::npos) << out;
  EXPECT_NE(out.find("tcp dport 443 accept"), std::string::npos);
  EXPECT_NE(out.find("udp dport 8125 accept"), std::string::npos);
  EXPECT_EQ(out.find("dport 5432 accept"), std::string::npos);
  EXPECT_EQ(out.find("dport 9000"), std::string::npos);  // loopback only: nothing to open
  EXPECT_NE(out.find("# 5432 (postgres) stays closed"), std::string::npos);
  EXPECT_NE(out.find("elements = { 3333, 4449, 10128 }"), std::string::npos) << out;
  EXPECT_NE(out.find("elements = { 51.91.236.255 }"), std::string::npos);
  EXPECT_NE(out.find("ip6 daddr @ioc_v6 drop"), std::string::npos);
  EXPECT_NE(out.find("ip daddr 72.62.186.16 tcp dport 4449 drop"), std::string::npos);
  EXPECT_EQ(out.find("accrochezvous"), std::string::npos);  // names cannot be matched by nft
  // The published port cannot be filtered in input: DOCKER-USER is named.
  EXPECT_NE(out.find("iptables -I DOCKER-USER -p tcp -m conntrack --ctstate DNAT "
                     "--ctorigdstport 6379 --ctdir ORIGINAL -j DROP"),
            std::string::npos)
      << out;
  EXPECT_NE(out.find("    oif \"lo\" accept\n    ip daddr @ioc_v4 drop"), std::string::npos);
  EXPECT_EQ(out.find("WARNING"), std::string::npos);
}

TEST(ServiceHardenTest, NothingListeningIsSaidLoudly) {
  for (const auto format : {FirewallFormat::kNft, FirewallFormat::kUfw}) {
    EXPECT_NE(RenderFirewall({}, Pack(), format).find("WARNING: no port is let in"),
              std::string::npos);
  }
}

TEST(ServiceHardenTest, UfwCommandsAllowServedPortsAndDenyPoolsOut) {
  const std::string out = RenderFirewall(
      {Row(22, "sshd", Reach::kReachable), Row(5432, "postgres", Reach::kReachableSensitive, true)},
      Pack(), FirewallFormat::kUfw);
  // ssh is let in before the default turns to deny.
  EXPECT_NE(out.find("ufw allow 22/tcp comment 'sshd'\nufw default deny incoming\n"
                     "ufw default allow outgoing\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("allow 5432"), std::string::npos);
  EXPECT_NE(out.find("ufw deny out 3333/tcp\n"), std::string::npos);
  EXPECT_NE(out.find("ufw deny out to 51.91.236.255\n"), std::string::npos);
  EXPECT_TRUE(out.ends_with("ufw enable\n")) << out;
}

}  // namespace
}  // namespace deminer
