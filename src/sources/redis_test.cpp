#include "sources/redis.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

struct ConfCase {
  const char* name;
  const char* text;
  bool ok;
  // Expected directive in force: name, args joined, line ("" name: none checked).
  const char* directive;
  const char* args;
  int line;
};

std::string Joined(const RedisDirective& d) {
  std::string s;
  for (const auto& a : d.args) s += (s.empty() ? "" : "|") + a;
  return s;
}

TEST(RedisConfTest, ParsesDirectivesTableDriven) {
  const ConfCase cases[] = {
      {"bind", "# comment\nbind 127.0.0.1 -::1\n", true, "bind", "127.0.0.1|-::1", 2},
      {"last wins", "bind 0.0.0.0\nbind 127.0.0.1\n", true, "bind", "127.0.0.1", 2},
      {"upper case name", "PROTECTED-MODE no\n", true, "protected-mode", "no", 1},
      {"double quotes", "dir \"/var/lib/redis dir\"\n", true, "dir", "/var/lib/redis dir", 1},
      {"single quotes", "dbfilename 'dump.rdb'\n", true, "dbfilename", "dump.rdb", 1},
      {"hex escape", "dir \"/etc/cr\\x6fn.d\"\n", true, "dir", "/etc/cron.d", 1},
      {"slaveof is replicaof", "slaveof 10.0.0.9 6379\n", true, "replicaof", "10.0.0.9|6379", 1},
      {"secret is not kept", "requirepass hunter2\n", true, "requirepass", "(set)", 1},
      {"masterauth not kept", "masterauth s3cret\n", true, "masterauth", "(set)", 1},
      {"user password dropped", "user default on >s3cret ~* +@all\n", true, "user", "default|on", 1},
      {"user nopass", "user default on nopass ~* +@all\n", true, "user", "default|on|nopass", 1},
      {"crlf", "port 6380\r\nunixsocket /run/redis.sock\r\n", true, "unixsocket",
       "/run/redis.sock", 2},
      {"rename", "rename-command CONFIG \"\"\n", true, "rename-command", "CONFIG|", 1},
      {"loadmodule", "loadmodule /tmp/exp.so arg\n", true, "loadmodule", "/tmp/exp.so|arg", 1},
      {"unknown ignored", "maxmemory 1gb\nhz 10\n", true, "", "", 0},
      {"empty", "", true, "", "", 0},
      {"unbalanced", "bind 127.0.0.1\ndir \"/var/lib\n", false, "", "", 0},
      {"quote glued", "dir \"/a\"b\n", false, "", "", 0},
  };
  for (const ConfCase& c : cases) {
    SCOPED_TRACE(c.name);
    auto conf = ParseRedisConf(c.text);
    ASSERT_EQ(conf.has_value(), c.ok) << (conf ? "" : conf.error().message());
    if (!c.ok || c.directive[0] == '\0') {
      if (c.ok) {
        EXPECT_TRUE(conf->directives.empty());
      }
      continue;
    }
    const RedisDirective* d = conf->Last(c.directive);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(Joined(*d), c.args);
    EXPECT_EQ(d->line, c.line);
  }
}

TEST(RedisConfTest, GarbageFailsWithTheLine) {
  static const char kBinary[] = "bind 127.0.0.1\n\0\x7f" "ELF";
  const std::string binary(kBinary, sizeof kBinary - 1);
  auto bin = ParseRedisConf(binary);
  ASSERT_FALSE(bin);
  EXPECT_NE(bin.error().message().find("binary"), std::string::npos);
  auto bad = ParseRedisConf("port 6379\n\nbind 'x\n");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message().find("line 3"), std::string::npos);
}

TEST(RedisConfTest, SecretsNeverReachTheFacts) {
  auto conf = ParseRedisConf("requirepass hunter2\nuser alice on >pw #abc ~* +@all\n");
  ASSERT_TRUE(conf);
  for (const auto& d : conf->directives) {
    for (const auto& a : d.args) {
      EXPECT_EQ(a.find("hunter2"), std::string::npos);
      EXPECT_EQ(a.find("pw"), std::string::npos);
      EXPECT_EQ(a.find("abc"), std::string::npos);
    }
  }
}

TEST(RedisServerTest, SettingPrefersTheLiveAnswerAndKnowsTheLine) {
  RedisServer s;
  s.conf = *ParseRedisConf("protected-mode yes\ndir /var/lib/redis\n");
  s.conf->path = "/etc/redis/redis.conf";
  s.config["dir"] = "/etc/cron.d";
  EXPECT_EQ(s.Setting("dir")->value, "/etc/cron.d");
  EXPECT_EQ(s.Setting("dir")->line, 0);
  EXPECT_EQ(s.Setting("protected-mode")->line, 1);
  EXPECT_EQ(s.Setting("protected-mode")->path, "/etc/redis/redis.conf");
  s.config["protected-mode"] = "yes";  // live and file agree: the file's line
  EXPECT_EQ(s.Setting("protected-mode")->line, 1);
  EXPECT_FALSE(s.Setting("bind"));
  EXPECT_EQ(s.FixFile(), "/etc/redis/redis.conf");
  EXPECT_TRUE(s.BeyondLoopback());  // no bind line
  s.conf = *ParseRedisConf("bind 127.0.0.1 -::1\n");
  EXPECT_FALSE(s.BeyondLoopback());
  s.live = true;
  s.port = 6379;
  s.bound = {"0.0.0.0"};
  EXPECT_TRUE(s.BeyondLoopback());
  s.port = 0;  // a Unix socket only
  EXPECT_FALSE(s.BeyondLoopback());
}

TEST(RedisServerTest, Addresses) {
  EXPECT_TRUE(IsLoopbackBind("127.0.0.1"));
  EXPECT_TRUE(IsLoopbackBind("-::1"));
  EXPECT_FALSE(IsLoopbackBind("10.0.0.1"));
  EXPECT_TRUE(IsWildcardBind("0.0.0.0"));
  EXPECT_TRUE(IsWildcardBind("*"));
  EXPECT_TRUE(IsWildcardBind("-::*"));
  EXPECT_FALSE(IsWildcardBind("127.0.0.1"));
}

TEST(RedisInfoTest, ParsesSections) {
  const auto info = ParseRedisInfo(
      "# Server\r\nredis_version:7.0.15\r\nconfig_file:/etc/redis/redis.conf\r\n"
      "# Replication\r\nrole:slave\r\nmaster_host:10.9.8.7\r\nmaster_port:6379\r\nbad line\r\n");
  EXPECT_EQ(info.at("redis_version"), "7.0.15");
  EXPECT_EQ(info.at("config_file"), "/etc/redis/redis.conf");
  EXPECT_EQ(info.at("role"), "slave");
  EXPECT_EQ(info.at("master_host"), "10.9.8.7");
  EXPECT_FALSE(info.contains("bad line"));
}

TEST(RedisProbeTest, NothingListeningIsAProbeErrorNotACrash) {
  RedisServer s;
  ProbeRedis(s, "127.0.0.1", 1, "", 500);
  EXPECT_EQ(s.auth, RedisAuth::kUnknown);
  EXPECT_FALSE(s.probe_error.empty());
}

TEST(DockerDaemonJsonTest, HostsAndTlsKeys) {
  auto cfg = ParseDaemonJson(R"({
  "log-driver": "json-file",
  "hosts": ["unix:///var/run/docker.sock", "tcp://0.0.0.0:2376"],
  "tls": true,
  "tlscert": "/etc/docker/server.pem"
})");
  ASSERT_TRUE(cfg);
  ASSERT_EQ(cfg->hosts.size(), 2u);
  EXPECT_EQ(cfg->hosts[1].first, "tcp://0.0.0.0:2376");
  EXPECT_EQ(cfg->hosts[1].second, 3);
  EXPECT_EQ(cfg->tls, true);
  EXPECT_FALSE(cfg->tlsverify);
  EXPECT_TRUE(cfg->has_tlscert);
  EXPECT_FALSE(cfg->has_tlscacert);
}

TEST(DockerDaemonJsonTest, GarbageIsAnError) {
  EXPECT_FALSE(ParseDaemonJson("{\"hosts\": [tcp://"));
  EXPECT_FALSE(ParseDaemonJson("[1, 2]"));
  auto odd = ParseDaemonJson(R"({"hosts": 5, "tlsverify": "yes"})");
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->hosts.empty());
  EXPECT_FALSE(odd->tlsverify);
}

TEST(DockerUnitTest, ExecStartHostFlags) {
  const auto u = ParseDockerUnit(
      "[Service]\nExecStart=\nExecStart=/usr/bin/dockerd -H fd:// -H tcp://0.0.0.0:2375 "
      "--host=tcp://127.0.0.1:2376 -Htcp://10.0.0.1 --tlsverify\n");
  ASSERT_EQ(u.hosts.size(), 3u);
  EXPECT_EQ(u.hosts[0].first, "tcp://0.0.0.0:2375");
  EXPECT_EQ(u.hosts[0].second, 3);
  EXPECT_EQ(u.hosts[1].first, "tcp://127.0.0.1:2376");
  EXPECT_EQ(u.hosts[2].first, "tcp://10.0.0.1");
  EXPECT_EQ(u.tlsverify, true);
  EXPECT_TRUE(ParseDockerUnit("ExecStart=/usr/bin/dockerd -H fd://\n").hosts.empty());
}

TEST(DockerUnitTest, SplitTcpHost) {
  EXPECT_EQ(SplitTcpHost("tcp://0.0.0.0:2375", false)->second, 2375);
  EXPECT_EQ(SplitTcpHost("tcp://10.0.0.1", true)->second, 2376);
  EXPECT_EQ(SplitTcpHost("tcp://[::]:2375", false)->first, "::");
  EXPECT_EQ(SplitTcpHost("tcp://:2375", false)->first, "0.0.0.0");
  EXPECT_FALSE(SplitTcpHost("unix:///var/run/docker.sock", false));
  EXPECT_FALSE(SplitTcpHost("tcp://host:99999", false));
}

TEST(DockerProbeTest, NothingListeningIsNoAnswer) {
  DockerTcpEndpoint e;
  e.port = 1;
  ProbeDockerTcp(e, "127.0.0.1", 500);
  EXPECT_EQ(e.probe, DockerProbe::kNoAnswer);
}

}  // namespace
}  // namespace deminer
