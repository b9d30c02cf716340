#include "watch/cpu_tracker.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(CpuTrackerTest, ReportsWhatStaysBusyForConsecutiveIntervals) {
  CpuTracker t(0.8, 2);
  EXPECT_TRUE(t.Add({{"miner", 0}, {"web", 0}}, 30, 100).empty()) << "a first sight has no rate";
  EXPECT_TRUE(t.Add({{"miner", 3000}, {"web", 300}}, 30, 100).empty()) << "one busy interval";
  auto busy = t.Add({{"miner", 5900}, {"web", 600}}, 30, 100);
  ASSERT_EQ(busy.size(), 1u);
  EXPECT_EQ(busy[0].key, "miner");
  EXPECT_NEAR(busy[0].cores, 0.967, 0.001);
  EXPECT_EQ(busy[0].streak, 2u);
}

TEST(CpuTrackerTest, AQuietIntervalStartsOver) {
  CpuTracker t(0.8, 2);
  t.Add({{"m", 0}}, 30, 100);
  t.Add({{"m", 3000}}, 30, 100);
  EXPECT_TRUE(t.Add({{"m", 3100}}, 30, 100).empty());
  EXPECT_TRUE(t.Add({{"m", 6100}}, 30, 100).empty());
  EXPECT_EQ(t.Add({{"m", 9100}}, 30, 100).size(), 1u);
}

TEST(CpuTrackerTest, AProcessThatWentAwayIsForgottenAndAReusedKeyStartsAgain) {
  CpuTracker t(0.5, 1);
  t.Add({{"1:100", 5000}}, 10, 100);
  t.Add({}, 10, 100);
  EXPECT_TRUE(t.Add({{"1:100", 9000}}, 10, 100).empty());
  EXPECT_TRUE(t.Add({{"1:100", 100}}, 10, 100).empty()) << "ticks going back are no rate";
}

}  // namespace
}  // namespace deminer
