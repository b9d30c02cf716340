#include "watch/respawn.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(RespawnTrackerTest, CountsComebacksAfterTheLastRunEnded) {
  RespawnTracker t;
  EXPECT_FALSE(t.Ran("dbus_daemon", "aa", 100, 0));
  EXPECT_FALSE(t.Ran("dbus_daemon", "aa", 100, 10)) << "the same process seen twice";
  t.Ended(100);
  auto first = t.Ran("dbus_daemon", "aa", 200, 2000);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->count, 1u);
  t.Ended(200);
  auto second = t.Ran("dbus_daemon", "aa", 300, 4000);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->count, 2u);
  EXPECT_DOUBLE_EQ(second->period_s, 2.0);
  EXPECT_EQ(second->times.size(), 3u);
}

TEST(RespawnTrackerTest, ASecondCopyWhileTheFirstRunsIsNoComeback) {
  RespawnTracker t;
  EXPECT_FALSE(t.Ran("xmrig", "", 1, 0));
  EXPECT_FALSE(t.Ran("xmrig", "", 2, 5));
  t.Ended(1);
  EXPECT_FALSE(t.Ran("xmrig", "", 3, 9)) << "pid 2 still runs it";
}

TEST(RespawnTrackerTest, ARenamedCopyOfTheSameBytesIsTheSamePayload) {
  RespawnTracker t;
  EXPECT_FALSE(t.Ran("javae", "cafe", 1, 0));
  t.Ended(1);
  auto c = t.Ran("kworkerds", "cafe", 2, 1000);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "javae");
  EXPECT_EQ(t.payloads(), 1u);
}

TEST(RespawnTrackerTest, UnrelatedExitsChangeNothing) {
  RespawnTracker t;
  EXPECT_FALSE(t.Ran("a", "", 1, 0));
  t.Ended(99);
  EXPECT_FALSE(t.Ran("a", "", 2, 1)) << "pid 1 still runs it";
}

}  // namespace
}  // namespace deminer
