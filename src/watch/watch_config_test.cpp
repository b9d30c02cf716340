#include "watch/watch_config.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(WatchConfigTest, ReadsEverySetting) {
  auto c = ParseWatchConfig(R"(output: /var/log/deminer.jsonl
respond: kill
respond_at: high
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
  EXPECT_EQ(c->options.respond, Response::kKill);
  EXPECT_EQ(c->options.respond_at, Severity::kHigh);
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
      {"container_action: delete\n", "expected none, pause or stop"},
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

TEST(WatchConfigTest, AnEmptyFileKeepsTheDefaults) {
  WatchConfig base;
  base.options.respond = Response::kSuspend;
  auto c = ParseWatchConfig("", "w.yaml", base);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->options.respond, Response::kSuspend);
}

}  // namespace
}  // namespace deminer
