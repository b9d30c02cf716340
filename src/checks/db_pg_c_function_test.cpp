#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgCFunction;
namespace {

TEST(DbPgCFunctionCheckTest, SysEvalOnLibcSystemIsACompromise) {
  PgServer s = CleanPgServer();
  s.c_functions = {
      {"public", "sys_eval", "text", "libc.so.6", "system", "postgres", 800, 0},
      {"public", "loader", "text", "/tmp/.x/lib.so", "run", "postgres", 801, 0},
      {"public", "popen_it", "text", "/usr/lib/x.so", "popen", "postgres", 802, 0},
      {"app", "Fast Hash", "bytea", "$libdir/fasthash", "fast_hash", "app", 803, 0},
  };
  const auto out = RunOnPg(kDbPgCFunction, {s});
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].evidence["function"], "public.sys_eval(text)");
  EXPECT_EQ(out[0].evidence["library"], "libc.so.6");
  EXPECT_EQ(out[0].evidence["symbol"], "system");
  EXPECT_EQ(out[0].evidence["fix"], "DROP FUNCTION public.sys_eval(text);");
  EXPECT_EQ(out[0].evidence["fix_file"], "sql");
  EXPECT_NE(out[0].subject.find("runs system() from libc"), std::string::npos);
  EXPECT_EQ(out[1].severity, Severity::kCritical);
  EXPECT_EQ(out[1].path, "/tmp/.x/lib.so");
  EXPECT_EQ(out[2].severity, Severity::kCritical);
  EXPECT_EQ(out[3].severity, Severity::kHigh);
  EXPECT_EQ(out[3].kind, Kind::kWeakness);
  EXPECT_EQ(out[3].evidence["fix"], "DROP FUNCTION app.\"Fast Hash\"(bytea);");
  EXPECT_TRUE(RunOnPg(kDbPgCFunction, {CleanPgServer()}).empty());
}

}  // namespace
}  // namespace deminer
