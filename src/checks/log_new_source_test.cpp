#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kLogNewSource;
extern const Check kLogMatch;
namespace {

constexpr int64_t kNow = 1795381381;  // 2026-11-22T21:03:01Z
constexpr int64_t kDay = 86400;

LogHits Logins(std::string log, std::map<std::string, int64_t> first_seen) {
  const auto& rules = DefaultRules().log_rules;
  LogHits h;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == "ssh-login") h.rule = i;
  }
  h.log = std::move(log);
  h.kind = "auth";
  h.count = first_seen.size();
  h.first_seen = std::move(first_seen);
  return h;
}

TEST(LogNewSourceCheckTest, AnAddressFirstSeenThisWeekAgainstOlderHistory) {
  Facts facts = BaseFacts();
  facts.now = kNow;
  // The rotated log holds the history: 10.0.0.9 logged in a month ago.
  facts.log_hits = {Logins("/var/log/auth.log.1", {{"10.0.0.9", kNow - 30 * kDay}}),
                    Logins("/var/log/auth.log",
                           {{"10.0.0.9", kNow - 1 * kDay}, {"203.0.113.7", kNow - 2 * kDay}})};
  const auto out = RunCheck(kLogNewSource, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["address"], "203.0.113.7");
  EXPECT_EQ(out[0].severity, Severity::kMedium);
  EXPECT_EQ(out[0].evidence["history_since"], "2026-10-23T21:03:01Z");
  EXPECT_EQ(out[0].path, "/var/log/auth.log");
  // log.match leaves a novelty rule's hits to this check.
  EXPECT_TRUE(RunCheck(kLogMatch, facts).empty());
}

TEST(LogNewSourceCheckTest, NoOlderHistoryNothingIsNew) {
  Facts facts = BaseFacts();
  facts.now = kNow;
  facts.log_hits = {Logins("/var/log/auth.log", {{"203.0.113.7", kNow - 2 * kDay}})};
  EXPECT_TRUE(RunCheck(kLogNewSource, facts).empty());
}

}  // namespace
}  // namespace deminer
