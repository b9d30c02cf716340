#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgPasswordlessLogin;
namespace {

TEST(DbPgPasswordlessLoginCheckTest, TcpOnAWildcardListenerIsCritical) {
  PgServer s = CleanPgServer();
  s.listen = {"0.0.0.0:5432"};
  s.logins = {{"postgres", "tcp", "127.0.0.1:5432", "0.0.0.0:5432", true, false, ""},
              {"postgres", "unix", "/var/run/postgresql/.s.PGSQL.5432", "", true, false, ""},
              {"app", "tcp", "127.0.0.1:5432", "0.0.0.0:5432", false, false, "no password"}};
  const auto out = RunOnPg(kDbPgPasswordlessLogin, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].subject, "postgresql 127.0.0.1:5432: postgres logs in without a password over tcp");
  EXPECT_EQ(out[0].evidence["user"], "postgres");
  EXPECT_EQ(out[0].evidence["how"], "tcp");
  EXPECT_EQ(out[0].evidence["address"], "127.0.0.1:5432");
  EXPECT_EQ(out[0].evidence["fix_file"], "sql");
  EXPECT_EQ(out[1].severity, Severity::kHigh);
  EXPECT_EQ(out[1].evidence["how"], "unix");
  EXPECT_EQ(out[1].evidence["fix"], "ALTER ROLE postgres PASSWORD '<a long random secret>';");
  EXPECT_EQ(out[1].evidence["fix_file"], "sql");
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

TEST(DbPgPasswordlessLoginCheckTest, LoopbackTcpIsHighAndTheDsnLoginIsNot) {
  PgServer s = CleanPgServer();
  s.container = ContainerRef{"abcdef0123456789", "db", "postgres:15", "docker", ""};
  s.logins = {{"postgres", "tcp", "127.0.0.1:5432", "127.0.0.1:5432", true, false, ""},
              {"app", "dsn", "", "", true, true, ""}};
  const auto out = RunOnPg(kDbPgPasswordlessLogin, {s});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  ASSERT_TRUE(out[0].container);
  EXPECT_EQ(out[0].container->name, "db");
  EXPECT_NE(out[0].subject.find("in container db"), std::string::npos);
}

TEST(DbPgPasswordlessLoginCheckTest, RefusedLoginsGiveNothing) {
  EXPECT_TRUE(RunOnPg(kDbPgPasswordlessLogin, {CleanPgServer()}).empty());
}

}  // namespace
}  // namespace deminer
