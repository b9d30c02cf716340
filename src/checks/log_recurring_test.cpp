#include <gtest/gtest.h>

#include "checks/log_common.h"
#include "checks/test_facts.h"

namespace deminer {
extern const Check kLogRecurring;
namespace {

TEST(SteadyPeriodTest, FindsALoopAndRefusesNoise) {
  std::vector<int64_t> every5m;
  for (int i = 0; i < 12; ++i) every5m.push_back(1795381381 + i * 300 + (i % 3) * 7);
  EXPECT_EQ(SteadyPeriod(every5m).value_or(0) / 10, 30);  // ~300 s
  EXPECT_FALSE(SteadyPeriod({100, 400, 700}));            // too few
  EXPECT_FALSE(SteadyPeriod({100, 101, 102, 103, 104}));  // a burst, not a loop
  EXPECT_FALSE(SteadyPeriod({100, 160, 900, 1000, 5000, 5050}));
  EXPECT_EQ(SteadyPeriod({1000, 100, 400, 700, 700}), 300);  // unsorted, duplicates
}

TEST(SteadyPeriodTest, FormatsPeriods) {
  EXPECT_EQ(FormatPeriod(300), "5m");
  EXPECT_EQ(FormatPeriod(5400), "1h30m");
  EXPECT_EQ(FormatPeriod(45), "45s");
  EXPECT_EQ(FormatPeriod(3601), "1h1s");
}

TEST(LogRecurringCheckTest, ReportsTheZombieLoop) {
  Facts facts = BaseFacts();
  const auto& rules = DefaultRules().log_rules;
  LogHits h;
  for (size_t i = 0; i < rules.size(); ++i) {
    if (rules[i].id == "temp-exec-denied") h.rule = i;
  }
  h.log = "/var/lib/docker/containers/c/c-json.log";
  h.kind = "container";
  for (int i = 0; i < 8; ++i) h.times.push_back(1795381381 + i * 300);
  h.count = h.times.size();
  facts.log_hits = {h};
  LogHits burst = h;
  burst.times = {1795381381, 1795381382, 1795381383, 1795381384};
  facts.log_hits.push_back(burst);
  const auto out = RunCheck(kLogRecurring, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["period_seconds"], 300);
  EXPECT_NE(out[0].title.find("every 5m"), std::string::npos);
}

}  // namespace
}  // namespace deminer
