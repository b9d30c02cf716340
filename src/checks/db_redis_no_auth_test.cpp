#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbRedisNoAuth;
namespace {

RedisServer Live(std::vector<std::string> bound, RedisAuth auth) {
  RedisServer s;
  s.where = "127.0.0.1:6379";
  s.live = true;
  s.pid = 812;
  s.port = 6379;
  s.bound = std::move(bound);
  s.auth = auth;
  return s;
}

RedisServer File(const std::string& text) {
  RedisServer s;
  s.where = "/etc/redis/redis.conf";
  s.conf = *ParseRedisConf(text);
  s.conf->path = "/etc/redis/redis.conf";
  return s;
}

std::vector<Finding> Judge(std::vector<RedisServer> servers) {
  Facts facts = BaseFacts();
  facts.redis_servers = std::move(servers);
  return RunCheck(kDbRedisNoAuth, facts);
}

TEST(DbRedisNoAuthCheckTest, OpenOnLoopbackIsMedium) {
  const auto out = Judge({Live({"127.0.0.1"}, RedisAuth::kOpen)});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].subject, "redis 127.0.0.1:6379: answers without AUTH");
  EXPECT_EQ(out[0].evidence["fix"], "requirepass <a long random secret>");
  EXPECT_EQ(out[0].evidence["fix_file"], "redis.conf");
  EXPECT_EQ(out[0].evidence["auth"], "open");
}

TEST(DbRedisNoAuthCheckTest, OpenBeyondLoopbackIsCriticalUnlessProtectedModeGuardsIt) {
  RedisServer open = Live({"0.0.0.0"}, RedisAuth::kOpen);
  open.config["protected-mode"] = "no";
  auto out = Judge({open});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  open.config["protected-mode"] = "yes";
  out = Judge({open});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  open.config.erase("protected-mode");  // Redis's default is yes
  out = Judge({open});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
}

TEST(DbRedisNoAuthCheckTest, NoauthAndUnknownAreQuiet) {
  EXPECT_TRUE(Judge({Live({"0.0.0.0"}, RedisAuth::kRequired), Live({"0.0.0.0"}, RedisAuth::kUnknown)})
                  .empty());
}

TEST(DbRedisNoAuthCheckTest, ConfigFileWithoutPassword) {
  auto out = Judge({File("bind 0.0.0.0\nprotected-mode no\n")});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].path, "/etc/redis/redis.conf");
  EXPECT_EQ(out[0].evidence["fix_file"], "/etc/redis/redis.conf");
  EXPECT_TRUE(Judge({File("requirepass x\nbind 0.0.0.0\n")}).empty());
  EXPECT_TRUE(Judge({File("user default on >pw ~* +@all\n")}).empty());
  EXPECT_EQ(Judge({File("user default on nopass ~* +@all\nbind 127.0.0.1\n")}).at(0).severity,
            Severity::kMedium);
}

TEST(DbRedisNoAuthCheckTest, FingerprintIsStableAcrossPids) {
  RedisServer a = Live({"127.0.0.1"}, RedisAuth::kOpen);
  RedisServer b = a;
  b.pid = 999;
  EXPECT_EQ(Judge({a}).at(0).fingerprint, Judge({b}).at(0).fingerprint);
}

}  // namespace
}  // namespace deminer
