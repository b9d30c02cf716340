#include "watch/respawn.h"

#include <gtest/gtest.h>

#include <set>

namespace deminer {
namespace {

// The pids still running, as the daemon would find them in /proc.
struct Alive {
  std::set<int> pids;
  std::function<bool(int)> fn() {
    return [this](int pid) { return pids.contains(pid); };
  }
};

TEST(RespawnTrackerTest, CountsComebacksAfterTheLastRunEnded) {
  RespawnTracker t;
  Alive alive{{100}};
  EXPECT_FALSE(t.Ran("dbus_daemon", "aa", 100, 0, alive.fn()));
  EXPECT_FALSE(t.Ran("dbus_daemon", "aa", 100, 10, alive.fn())) << "the same process seen twice";
  alive.pids = {200};  // 100 was killed; the dropper ran it again
  auto first = t.Ran("dbus_daemon", "aa", 200, 2000, alive.fn());
  ASSERT_TRUE(first);
  EXPECT_EQ(first->count, 1u);
  alive.pids = {300};
  auto second = t.Ran("dbus_daemon", "aa", 300, 4000, alive.fn());
  ASSERT_TRUE(second);
  EXPECT_EQ(second->count, 2u);
  EXPECT_DOUBLE_EQ(second->period_s, 2.0);
  EXPECT_EQ(second->times.size(), 3u);
}

TEST(RespawnTrackerTest, ASecondCopyWhileTheFirstRunsIsNoComeback) {
  RespawnTracker t;
  Alive alive{{1, 2, 3}};
  EXPECT_FALSE(t.Ran("xmrig", "", 1, 0, alive.fn()));
  EXPECT_FALSE(t.Ran("xmrig", "", 2, 5, alive.fn()));
  alive.pids.erase(1);
  EXPECT_FALSE(t.Ran("xmrig", "", 3, 9, alive.fn())) << "pid 2 still runs it";
}

TEST(RespawnTrackerTest, ARenamedCopyOfTheSameBytesIsTheSamePayload) {
  RespawnTracker t;
  Alive alive{{1}};
  EXPECT_FALSE(t.Ran("javae", "cafe", 1, 0, alive.fn()));
  alive.pids = {2};
  auto c = t.Ran("kworkerds", "cafe", 2, 1000, alive.fn());
  ASSERT_TRUE(c);
  EXPECT_EQ(c->name, "javae");
  EXPECT_EQ(t.payloads(), 1u);
}

TEST(RespawnTrackerTest, DifferentPayloadsAreCountedApart) {
  RespawnTracker t;
  Alive alive{{1, 2}};
  EXPECT_FALSE(t.Ran("a", "", 1, 0, alive.fn()));
  EXPECT_FALSE(t.Ran("b", "", 2, 0, alive.fn()));
  alive.pids = {2, 3};
  ASSERT_TRUE(t.Ran("a", "", 3, 1, alive.fn()));
  EXPECT_FALSE(t.Ran("b", "", 2, 2, alive.fn()));
  EXPECT_EQ(t.payloads(), 2u);
}

}  // namespace
}  // namespace deminer
