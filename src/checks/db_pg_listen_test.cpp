#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgListenAll;
extern const Check kDbPgSslOff;
namespace {

TEST(DbPgListenCheckTest, WildcardsAreFlaggedWithTheFileAndLine) {
  for (const std::string v : {"*", "0.0.0.0", "localhost, ::", " * "}) {
    PgServer s = CleanPgServer();
    s.settings["listen_addresses"].value = v;
    const auto out = RunOnPg(kDbPgListenAll, {s});
    ASSERT_EQ(out.size(), 1u) << v;
    EXPECT_EQ(out[0].severity, Severity::kMedium);
    EXPECT_EQ(out[0].path, "/etc/postgresql/15/main/postgresql.conf");
    EXPECT_EQ(out[0].line, 60);
    EXPECT_EQ(out[0].evidence["fix"], "listen_addresses = 'localhost'");
    EXPECT_EQ(out[0].evidence["fix_file"], "/etc/postgresql/15/main/postgresql.conf");
  }
  for (const std::string v : {"localhost", "127.0.0.1", "10.0.0.5", ""}) {
    PgServer s = CleanPgServer();
    s.settings["listen_addresses"].value = v;
    EXPECT_TRUE(RunOnPg(kDbPgListenAll, {s}).empty()) << v;
  }
}

TEST(DbPgListenCheckTest, AutoConfSettingsAreFixedWithAlterSystem) {
  PgServer s = CleanPgServer();
  s.settings["listen_addresses"] = {"listen_addresses", "*",
                                    "/var/lib/postgresql/15/main/postgresql.auto.conf", 3};
  const auto out = RunOnPg(kDbPgListenAll, {s});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["fix"], "ALTER SYSTEM SET listen_addresses = 'localhost';");
  EXPECT_EQ(out[0].evidence["fix_file"], "sql");
}

TEST(DbPgListenCheckTest, SocketsSpeakWhenTheSettingIsUnknown) {
  PgServer s = CleanPgServer();
  s.settings.clear();
  s.listen = {"0.0.0.0:5432", "[::]:5432"};
  const auto out = RunOnPg(kDbPgListenAll, {s});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["listen_addresses"], "0.0.0.0,::");
}

TEST(DbPgSslOffCheckTest, OffBeyondLoopbackOnly) {
  PgServer s = CleanPgServer();
  s.settings["ssl"].value = "off";
  EXPECT_TRUE(RunOnPg(kDbPgSslOff, {s}).empty());  // localhost only
  s.settings["listen_addresses"].value = "*";
  auto out = RunOnPg(kDbPgSslOff, {s});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_TRUE(out[0].evidence["fix"].get<std::string>().starts_with("ssl = 'on'  # with ssl_cert_file"));
  EXPECT_EQ(out[0].line, 105);
  s.settings["ssl"].value = "on";
  EXPECT_TRUE(RunOnPg(kDbPgSslOff, {s}).empty());
  // A config file that does not set ssl has PostgreSQL's default: off.
  PgServer c;
  c.where = "/srv/pg";
  c.source = "config";
  c.config_path = "/srv/pg/postgresql.conf";
  ApplyPgConf(c, "/srv/pg/postgresql.conf", ParsePgConf("listen_addresses = '*'\n"));
  out = RunOnPg(kDbPgSslOff, {c});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["ssl"], "off (default)");
  EXPECT_EQ(out[0].evidence["fix_file"], "/srv/pg/postgresql.conf");
}

}  // namespace
}  // namespace deminer
