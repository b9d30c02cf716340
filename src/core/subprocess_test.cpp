#include "core/subprocess.h"

#include <gtest/gtest.h>

#include <chrono>

namespace deminer {
namespace {

TEST(RunToolTest, CapturesOutputAndExitCode) {
  auto r = RunTool({"sh", "-c", "cat; echo err >&2; exit 3"}, "in\n");
  ASSERT_TRUE(r) << r.error().message();
  EXPECT_EQ(r->out, "in\n");
  EXPECT_EQ(r->err, "err\n");
  EXPECT_EQ(r->exit_code, 3);
  EXPECT_FALSE(RunTool({"/nonexistent/tool"}));
}

// A tool that hangs is killed at its time bound: the caller is never stuck.
TEST(RunToolTest, KillsAToolPastItsTime) {
  const auto t0 = std::chrono::steady_clock::now();
  auto r = RunTool({"sleep", "30"}, "", 300);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_FALSE(r);
  EXPECT_LT(took, std::chrono::seconds(5));
}

}  // namespace
}  // namespace deminer
