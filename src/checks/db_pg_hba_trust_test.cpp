#include <gtest/gtest.h>

#include "checks/db_pg_test_facts.h"

namespace deminer {
extern const Check kDbPgHbaTrust;
namespace {

TEST(DbPgHbaTrustCheckTest, JudgesEachRule) {
  struct Case {
    std::string rule;
    int findings;
    Severity severity;
  };
  const Case cases[] = {
      {"host all all 0.0.0.0/0 trust", 1, Severity::kCritical},
      {"host all all ::/0 trust", 1, Severity::kCritical},
      {"host all all 10.0.0.0/8 trust", 1, Severity::kCritical},
      {"host all all all trust", 1, Severity::kCritical},
      {"local all all trust", 1, Severity::kMedium},
      {"host all all 127.0.0.1/32 trust", 1, Severity::kMedium},
      {"host all all 127.0.0.1/0 trust", 1, Severity::kCritical},  // every address
      {"host all all 127.0.0.1 0.0.0.0 trust", 1, Severity::kCritical},
      {"host all all ::1/0 trust", 1, Severity::kCritical},
      {"host all all ::1/128 trust", 1, Severity::kMedium},
      {"host all all 0.0.0.0/0 md5", 1, Severity::kMedium},
      {"host all all 0.0.0.0 0.0.0.0 password", 1, Severity::kMedium},
      {"host all all 10.0.0.0/8 md5", 0, Severity::kInfo},
      {"host all all 0.0.0.0/0 scram-sha-256", 0, Severity::kInfo},
      {"local all all peer", 0, Severity::kInfo},
      {"host all all 0.0.0.0/0 reject", 0, Severity::kInfo},
  };
  for (const Case& c : cases) {
    PgServer s = CleanPgServer();
    s.hba_from_view = false;
    s.hba_rules = ParsePgHba("# header\n" + c.rule + "\n").rules;
    ASSERT_EQ(s.hba_rules.size(), 1u) << c.rule;
    const auto out = RunOnPg(kDbPgHbaTrust, {s});
    ASSERT_EQ(out.size(), static_cast<size_t>(c.findings)) << c.rule;
    if (c.findings == 0) continue;
    EXPECT_EQ(out[0].severity, c.severity) << c.rule;
    EXPECT_EQ(out[0].path, "/etc/postgresql/15/main/pg_hba.conf");
    EXPECT_EQ(out[0].line, 2);
    EXPECT_EQ(out[0].evidence["fix_file"], "/etc/postgresql/15/main/pg_hba.conf");
    EXPECT_EQ(out[0].evidence["from"], "file");
  }
}

TEST(DbPgHbaTrustCheckTest, TheFixKeepsWhoAndTightensHow) {
  PgServer s = CleanPgServer();
  s.hba_rules = ParsePgHba("host all all 0.0.0.0/0 trust\nlocal all all trust\n").rules;
  s.settings["ssl"] = {"ssl", "off", "", 0};
  const auto out = RunOnPg(kDbPgHbaTrust, {s});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].evidence["fix"], "host   all   all   0.0.0.0/0   scram-sha-256");
  EXPECT_EQ(out[1].evidence["fix"], "local   all   all   scram-sha-256");
  s.settings["ssl"] = {"ssl", "on", "", 0};
  EXPECT_EQ(RunOnPg(kDbPgHbaTrust, {s})[0].evidence["fix"],
            "hostssl   all   all   0.0.0.0/0   scram-sha-256");
  EXPECT_NE(out[0].subject.find("line 1 trusts connections from any address"), std::string::npos);
}

TEST(DbPgHbaTrustCheckTest, LinesTheServerRejectedAreSkipped) {
  PgServer s = CleanPgServer();
  PgHbaRule r = ParsePgHba("host all all 0.0.0.0/0 trust\n").rules[0];
  r.error = "invalid authentication method";
  s.hba_rules = {r};
  EXPECT_TRUE(RunOnPg(kDbPgHbaTrust, {s}).empty());
  EXPECT_TRUE(RunOnPg(kDbPgHbaTrust, {CleanPgServer()}).empty());
}

}  // namespace
}  // namespace deminer
