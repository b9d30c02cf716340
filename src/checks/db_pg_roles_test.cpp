#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgRoleNoPassword;
extern const Check kDbPgServerProgramRole;
namespace {

PgRole Role(std::string name, bool super, bool login, std::optional<bool> password) {
  PgRole r;
  r.name = std::move(name);
  r.superuser = super;
  r.can_login = login;
  r.has_password = password;
  return r;
}

TEST(DbPgRoleNoPasswordCheckTest, SuperusersHighLoginRolesMedium) {
  PgServer s = CleanPgServer();
  s.roles = {Role("postgres", true, true, false), Role("App", false, true, false),
             Role("group_only", false, false, false), Role("ok", false, true, true),
             Role("unknown", false, true, std::nullopt)};
  const auto out = RunOnPg(kDbPgRoleNoPassword, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["role"], "postgres");
  EXPECT_EQ(out[0].evidence["fix"], "ALTER ROLE postgres PASSWORD '...';");
  EXPECT_EQ(out[0].evidence["fix_file"], "sql");
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_EQ(out[1].evidence["fix"], "ALTER ROLE \"App\" PASSWORD '...';");
  EXPECT_TRUE(RunOnPg(kDbPgRoleNoPassword, {CleanPgServer()}).empty());
}

TEST(DbPgServerProgramRoleCheckTest, EachGrantIsAFinding) {
  PgServer s = CleanPgServer();
  s.server_role_grants = {{"app", "pg_execute_server_program"}, {"etl", "pg_read_server_files"}};
  const auto out = RunOnPg(kDbPgServerProgramRole, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["fix"], "REVOKE pg_execute_server_program FROM app;");
  EXPECT_EQ(out[1].severity, Severity::kMedium);
  EXPECT_TRUE(RunOnPg(kDbPgServerProgramRole, {CleanPgServer()}).empty());
}

}  // namespace
}  // namespace deminer
