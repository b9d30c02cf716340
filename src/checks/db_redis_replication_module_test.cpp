#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbRedisReplicationModule;
namespace {

std::vector<Finding> Judge(RedisServer s) {
  Facts facts = BaseFacts();
  facts.redis_servers = {std::move(s)};
  return RunCheck(kDbRedisReplicationModule, facts);
}

RedisServer Live(RedisAuth auth) {
  RedisServer s;
  s.where = "127.0.0.1:6379";
  s.live = true;
  s.auth = auth;
  s.role = "master";
  return s;
}

TEST(DbRedisReplicationModuleCheckTest, OpenReplicaOfAForeignMasterIsACompromise) {
  RedisServer s = Live(RedisAuth::kOpen);
  s.role = "slave";
  s.master_host = "203.0.113.7";
  s.master_port = 21000;
  auto out = Judge(s);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].evidence["master"], "203.0.113.7:21000");
  s.auth = RedisAuth::kRequired;
  EXPECT_EQ(Judge(s).at(0).severity, Severity::kHigh);
  s.master_host = "127.0.0.1";
  EXPECT_TRUE(Judge(s).empty());
}

TEST(DbRedisReplicationModuleCheckTest, ModulesFromTempDirsAreCritical) {
  RedisServer s = Live(RedisAuth::kOpen);
  s.modules = {{"system", "/tmp/exp.so", 0}, {"search", "/usr/lib/redis/modules/redisearch.so", 0}};
  const auto out = Judge(s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].evidence["module_path"], "/tmp/exp.so");
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].kind, Kind::kWeakness);
  EXPECT_EQ(out[1].evidence["fix"], "rename-command MODULE \"\"");
}

TEST(DbRedisReplicationModuleCheckTest, ConfigFileReplicaofAndLoadmodule) {
  RedisServer s;
  s.where = "/srv/redis.conf";
  s.conf = *ParseRedisConf("replicaof 10.1.2.3 6379\nloadmodule /dev/shm/x.so\n");
  s.conf->path = "/srv/redis.conf";
  s.modules = {{"x.so", "/dev/shm/x.so", 2}};
  const auto out = Judge(s);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].line, 1);
  EXPECT_EQ(out[1].severity, Severity::kCritical);
  EXPECT_EQ(out[1].line, 2);
  EXPECT_EQ(out[1].path, "/srv/redis.conf");
}

}  // namespace
}  // namespace deminer
