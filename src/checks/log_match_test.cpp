#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kLogMatch;
namespace {

size_t RuleIndex(std::string_view id) {
  const auto& rules = DefaultRules().log_rules;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == id) return i;
  }
  ADD_FAILURE() << "no log rule " << id;
  return 0;
}

TEST(LogMatchCheckTest, OneFindingPerRuleAndLogWithCountAndTimes) {
  Facts facts = BaseFacts();
  LogHits h;
  h.rule = RuleIndex("pg-large-object-export");
  h.log = "/var/log/postgresql/postgresql-15-main.log";
  h.kind = "postgres";
  h.count = 3;
  h.first_time = 1795381381;
  h.last_time = 1795381441;
  h.first_line = 12;
  h.last_line = 40;
  h.samples = {"LOG:  statement: SELECT lo_export(16384, '/tmp/x')"};
  h.captured = {"/tmp/x"};
  facts.log_hits = {h};
  LogHits other = h;
  other.rule = RuleIndex("pg-auth-failure");
  other.count = 1;
  facts.log_hits.push_back(other);
  const auto out = RunCheck(kLogMatch, facts);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].title, "PostgreSQL large objects written to or read from disk (3 lines)");
  EXPECT_EQ(out[0].path, h.log);
  EXPECT_EQ(out[0].line, 12);
  EXPECT_EQ(out[0].attack, "T1105");
  EXPECT_EQ(out[0].evidence["count"], 3);
  EXPECT_EQ(out[0].evidence["first_seen"], "2026-11-22T21:03:01Z");
  EXPECT_EQ(out[0].evidence["last_seen"], "2026-11-22T21:04:01Z");
  EXPECT_EQ(out[0].evidence["captured"][0], "/tmp/x");
  EXPECT_EQ(out[1].severity, Severity::kLow);
  EXPECT_EQ(out[1].title, "PostgreSQL password authentication failed");  // one line: no count
  EXPECT_NE(out[0].fingerprint, out[1].fingerprint);
}

TEST(LogMatchCheckTest, RepeatedFailuresEscalate) {
  Facts facts = BaseFacts();
  LogHits h;
  h.rule = RuleIndex("pg-auth-failure");
  h.log = "/var/log/postgresql/postgresql-15-main.log";
  h.count = 19;
  facts.log_hits = {h};
  EXPECT_EQ(RunCheck(kLogMatch, facts)[0].severity, Severity::kLow);
  facts.log_hits[0].count = 20;  // rules/logs.yaml: escalate {count: 20, severity: high}
  const auto out = RunCheck(kLogMatch, facts);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["escalated"], "20 or more lines");
}

TEST(LogMatchCheckTest, ContainerLogsNameTheContainer) {
  Facts facts = BaseFacts();
  ContainerRef web;
  web.id = "abc123def4567890";
  web.name = "web";
  facts.containers[web.id] = web;
  LogHits h;
  h.rule = RuleIndex("temp-exec-denied");
  h.log = "/var/lib/docker/containers/abc123def4567890/abc123def4567890-json.log";
  h.kind = "container";
  h.container_id = "abc123def4567890";
  h.count = 1;
  facts.log_hits = {h};
  const auto out = RunCheck(kLogMatch, facts);
  ASSERT_EQ(out.size(), 1u);
  ASSERT_TRUE(out[0].container);
  EXPECT_EQ(out[0].container->name, "web");
  EXPECT_NE(out[0].subject.find("(container web)"), std::string::npos);
  EXPECT_FALSE(out[0].evidence.contains("first_seen"));  // lines without times
}

}  // namespace
}  // namespace deminer
