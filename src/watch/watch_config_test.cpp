#include "watch/watch_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace deminer {
namespace {

TEST(WatchConfigTest, ReadsEverySetting) {
  auto c = ParseWatchConfig(R"(output: /var/log/deminer.jsonl
respond: kill
respond_at: high
container_action: stop
quarantine: true
block_remote: true
block_timeout: 3600
policies:
  - {check: proc.miner, at: medium, respond: suspend, quarantine: true}
  - check: "net.*"
    block: true
    container: pause
state_dir: /srv/deminer
store: false
syslog: udp:127.0.0.1:514
webhook: http://127.0.0.1:9/hook
block_exec: true
dry_run: true
allow: [/usr/local/bin/agent, node]
status_file: /run/deminer.json
intervals: {sockets: 2, processes: 0, scan: 60, logs: 1}
dedup_window: 30
rules: [/etc/deminer/rules.d]
)",
                            "watch.yaml", {});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->options.output, "/var/log/deminer.jsonl");
  EXPECT_EQ(c->defaults.process, Response::kKill);
  EXPECT_EQ(c->defaults.at, Severity::kHigh);
  EXPECT_EQ(c->defaults.container, "stop");
  EXPECT_TRUE(c->defaults.quarantine);
  EXPECT_TRUE(c->defaults.block);
  EXPECT_EQ(c->options.block_timeout_s, 3600u);
  ASSERT_EQ(c->options.policies.size(), 2u);
  EXPECT_EQ(c->options.policies[0].check, "proc.miner");
  EXPECT_EQ(c->options.policies[0].at, Severity::kMedium);
  EXPECT_EQ(c->options.policies[0].process, Response::kSuspend);
  EXPECT_TRUE(c->options.policies[0].quarantine);
  EXPECT_EQ(c->options.policies[1].at, Severity::kCritical) << "the default floor";
  EXPECT_TRUE(c->options.policies[1].block);
  EXPECT_EQ(c->options.policies[1].container, "pause");
  const WatchOptions final = c->Final();
  ASSERT_EQ(final.policies.size(), 3u);
  EXPECT_EQ(final.policies[2].process, Response::kKill) << "the catch-all comes last";
  EXPECT_EQ(c->options.state_dir, "/srv/deminer");
  EXPECT_FALSE(c->options.store);
  EXPECT_EQ(c->options.syslog, "udp:127.0.0.1:514");
  EXPECT_EQ(c->options.webhook, "http://127.0.0.1:9/hook");
  EXPECT_TRUE(c->options.block_exec);
  EXPECT_TRUE(c->options.dry_run);
  EXPECT_EQ(c->options.allow.size(), 2u);
  EXPECT_EQ(c->options.socket_interval_s, 2u);
  EXPECT_EQ(c->options.process_interval_s, 0u);
  EXPECT_EQ(c->options.scan_interval_s, 60u);
  EXPECT_EQ(c->options.dedup_window_s, 30u);
  EXPECT_EQ(c->rules, std::vector<std::string>{"/etc/deminer/rules.d"});
}

TEST(WatchConfigTest, RefusesWhatWouldSilentlyTurnAPolicyOff) {
  const struct {
    const char* text;
    const char* expect;
  } cases[] = {
      {"respnd: kill\n", "watch.yaml:1: unknown setting respnd"},
      {"respond: nuke\n", "expected alert, suspend or kill"},
      {"output: x\nrespond_at: severe\n", "watch.yaml:2"},
      {"intervals: {socket: 3}\n", "unknown interval socket"},
      {"block_exec: perhaps\n", "watch.yaml:1"},
      {"allow: node\n", "expected a list"},
      {"container_action: delete\n", "expected none, pause, stop or disconnect"},
      {"policies:\n  - {check: x, respnd: kill}\n", "watch.yaml:2: unknown policy key respnd"},
      {"policies:\n  - {respond: nuke}\n", "expected alert, suspend or kill"},
      {"policies: [kill]\n", "a policy is a mapping"},
      {"[unclosed\n", "watch.yaml"},
      {"- a\n- b\n", "expected a mapping"},
  };
  for (const auto& c : cases) {
    auto r = ParseWatchConfig(c.text, "watch.yaml", {});
    ASSERT_FALSE(r) << c.text;
    EXPECT_NE(r.error().message().find(c.expect), std::string::npos)
        << c.text << " -> " << r.error().message();
  }
}

TEST(WatchConfigTest, TheShippedPolicyParses) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/packaging/watch.yaml");
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  ASSERT_FALSE(text.empty());
  auto c = ParseWatchConfig(text, "packaging/watch.yaml", {});
  ASSERT_TRUE(c) << c.error().message();
  EXPECT_EQ(c->options.policies.size(), 3u);
  EXPECT_TRUE(c->options.block_exec);
}

TEST(WatchConfigTest, AnEmptyFileKeepsTheDefaults) {
  WatchConfig base;
  base.defaults.process = Response::kSuspend;
  auto c = ParseWatchConfig("", "w.yaml", base);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->defaults.process, Response::kSuspend);
  EXPECT_TRUE(WatchConfig{}.Final().policies.empty()) << "alert only unless asked";
}

}  // namespace
}  // namespace deminer
