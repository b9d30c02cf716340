#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgUntrustedLanguage;
extern const Check kDbPgLargeObjectBinary;
extern const Check kDbPgRecentObjects;
namespace {

TEST(DbPgUntrustedLanguageCheckTest, ExtensionOrNotTheFixDiffers) {
  PgServer s = CleanPgServer();
  s.untrusted_languages = {{"plpython3u", "postgres", true}, {"plevil", "postgres", false}};
  const auto out = RunOnPg(kDbPgUntrustedLanguage, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["fix"], "DROP EXTENSION plpython3u;");
  EXPECT_EQ(out[1].evidence["fix"], "DROP LANGUAGE plevil;");
  EXPECT_TRUE(RunOnPg(kDbPgUntrustedLanguage, {CleanPgServer()}).empty());
}

TEST(DbPgLargeObjectBinaryCheckTest, ElfAndScriptHeads) {
  PgServer s = CleanPgServer();
  s.binary_large_objects = {{16401, "postgres", "7f454c46020101000000000000000000", "elf", 5000, 0},
                            {16402, "app", "23212f62696e2f73680a", "script", -1, 1799990000}};
  const auto out = RunOnPg(kDbPgLargeObjectBinary, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].evidence["loid"], 16401);
  EXPECT_EQ(out[0].evidence["size"], 5000);
  EXPECT_EQ(out[0].evidence["fix"], "SELECT lo_unlink(16401);");
  EXPECT_FALSE(out[1].evidence.contains("size"));
  EXPECT_TRUE(out[1].evidence.contains("created"));
  EXPECT_TRUE(RunOnPg(kDbPgLargeObjectBinary, {CleanPgServer()}).empty());
}

TEST(DbPgRecentObjectsCheckTest, OnlyWithCommitTimestampsAndOnlyRecent) {
  const int64_t now = 1800000000;
  PgServer s = CleanPgServer();
  s.roles[0].changed_at = now - 3600;
  PgRole old = s.roles[0];
  old.name = "old";
  old.changed_at = now - 30 * 86400;
  s.roles.push_back(old);
  s.c_functions = {{"public", "sys_eval", "text", "libc.so.6", "system", "postgres", 900, now - 60}};
  EXPECT_TRUE(RunOnPg(kDbPgRecentObjects, {s}, now).empty());  // no commit timestamps
  s.commit_timestamps = true;
  const auto out = RunOnPg(kDbPgRecentObjects, {s}, now);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kLow);
  ASSERT_EQ(out[0].evidence["roles"].size(), 1u);
  EXPECT_EQ(out[0].evidence["c_functions"].size(), 1u);
  EXPECT_NE(out[0].evidence["fix"].get<std::string>().find("DROP FUNCTION public.sys_eval(text);"),
            std::string::npos);
}

}  // namespace
}  // namespace deminer
