#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbRedisBindAll;
namespace {

std::vector<Finding> Judge(RedisServer s) {
  Facts facts = BaseFacts();
  facts.redis_servers = {std::move(s)};
  return RunCheck(kDbRedisBindAll, facts);
}

RedisServer File(const std::string& text) {
  RedisServer s;
  s.where = "/srv/redis.conf";
  s.conf = *ParseRedisConf(text);
  s.conf->path = "/srv/redis.conf";
  return s;
}

TEST(DbRedisBindAllCheckTest, FileWithoutBindOrWithWildcard) {
  auto out = Judge(File("port 6379\n"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["fix"], "bind 127.0.0.1 -::1");
  EXPECT_EQ(out[0].path, "/srv/redis.conf");
  out = Judge(File("bind * -::*\n"));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].line, 1);
  EXPECT_TRUE(Judge(File("bind 127.0.0.1 -::1\n")).empty());
}

TEST(DbRedisBindAllCheckTest, LiveSocketsDecideAndContainersAreLeftAlone) {
  RedisServer s;
  s.where = "127.0.0.1:6379";
  s.live = true;
  s.bound = {"0.0.0.0", "::"};
  EXPECT_EQ(Judge(s).size(), 1u);
  s.bound = {"127.0.0.1"};
  EXPECT_TRUE(Judge(s).empty());
  s.bound = {"0.0.0.0"};
  s.container = ContainerRef{"c0ffee", "cache", "redis:7", "docker", ""};
  EXPECT_TRUE(Judge(s).empty());
}

}  // namespace
}  // namespace deminer
