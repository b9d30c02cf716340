#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbRedisPersistencePath;
namespace {

std::vector<Finding> RunLive(const std::string& dir, const std::string& file) {
  RedisServer s;
  s.where = "127.0.0.1:6379";
  s.live = true;
  s.auth = RedisAuth::kOpen;
  s.config["dir"] = dir;
  s.config["dbfilename"] = file;
  Facts facts = BaseFacts();
  facts.redis_servers = {std::move(s)};
  return RunCheck(kDbRedisPersistencePath, facts);
}

TEST(DbRedisPersistencePathCheckTest, DumpTargetsTableDriven) {
  const struct {
    const char* dir;
    const char* file;
    bool flagged;
  } cases[] = {
      {"/var/lib/redis", "dump.rdb", false},
      {"/etc/cron.d", "x", true},
      {"/var/spool/cron/crontabs", "root", true},
      {"/var/spool/cron", "root", true},
      {"/tmp/it.ABC/etc/cron.d", "dump.rdb", true},
      {"/root/.ssh", "authorized_keys", true},
      {"/home/bob/.ssh/", "x.rdb", true},
      {"/var/lib/redis", "authorized_keys2", true},
      {"/etc", "passwd", true},
      {"/etc/redis", "dump.rdb", false},
      {"/var/www/html", "shell.php", true},
      {"/data", "dump.rdb", false},
      {"/data/etcd", "dump.rdb", false},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.dir) + "/" + c.file);
    EXPECT_EQ(!RunLive(c.dir, c.file).empty(), c.flagged);
  }
}

TEST(DbRedisPersistencePathCheckTest, CronDumpIsACriticalCompromise) {
  const auto out = RunLive("/var/spool/cron", "root");
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].evidence["dir"], "/var/spool/cron");
  EXPECT_EQ(out[0].evidence["fix"], "rename-command CONFIG \"\"");
}

TEST(DbRedisPersistencePathCheckTest, FileDirectiveGetsPathLineAndDirFix) {
  RedisServer s;
  s.where = "/srv/redis.conf";
  s.conf = *ParseRedisConf("port 6379\ndir /root/.ssh\ndbfilename authorized_keys\n");
  s.conf->path = "/srv/redis.conf";
  Facts facts = BaseFacts();
  facts.redis_servers = {s};
  const auto out = RunCheck(kDbRedisPersistencePath, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].path, "/srv/redis.conf");
  EXPECT_EQ(out[0].line, 2);
  EXPECT_EQ(out[0].evidence["fix"], "dir /var/lib/redis");
  EXPECT_EQ(out[0].evidence["fix_file"], "/srv/redis.conf");
}

}  // namespace
}  // namespace deminer
