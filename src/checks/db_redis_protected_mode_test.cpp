#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbRedisProtectedMode;
namespace {

std::vector<Finding> Judge(RedisServer s) {
  Facts facts = BaseFacts();
  facts.redis_servers = {std::move(s)};
  return RunCheck(kDbRedisProtectedMode, facts);
}

TEST(DbRedisProtectedModeCheckTest, OffInTheFileNamesTheLine) {
  RedisServer s;
  s.where = "/etc/redis/redis.conf";
  s.conf = *ParseRedisConf("bind 127.0.0.1\n\nprotected-mode no\n");
  s.conf->path = "/etc/redis/redis.conf";
  const auto out = Judge(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].path, "/etc/redis/redis.conf");
  EXPECT_EQ(out[0].line, 3);
  EXPECT_EQ(out[0].evidence["fix"], "protected-mode yes");
  EXPECT_EQ(out[0].evidence["fix_file"], "/etc/redis/redis.conf");
}

TEST(DbRedisProtectedModeCheckTest, LiveAnswerWinsAndAPasswordLowersIt) {
  RedisServer s;
  s.where = "127.0.0.1:6379";
  s.live = true;
  s.auth = RedisAuth::kOpen;
  s.config["protected-mode"] = "no";
  EXPECT_EQ(Judge(s).at(0).severity, Severity::kMedium);
  s.config["protected-mode"] = "yes";
  EXPECT_TRUE(Judge(s).empty());
  RedisServer locked;
  locked.where = "/etc/redis/redis.conf";
  locked.conf = *ParseRedisConf("requirepass x\nprotected-mode no\n");
  EXPECT_EQ(Judge(locked).at(0).severity, Severity::kLow);
}

}  // namespace
}  // namespace deminer
