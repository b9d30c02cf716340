#include "core/progress.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

namespace deminer {
namespace {

std::string Drain(int fd) {
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

TEST(ProgressTest, LineShowsCountsBarAndPercent) {
  EXPECT_EQ(Progress::Line("verifying", "packages", 812, 3021, 10),
            "verifying 812/3021 packages [==>       ] 26%");
  EXPECT_EQ(Progress::Line("verifying", "packages", 0, 4, 4), "verifying 0/4 packages [>   ] 0%");
  EXPECT_EQ(Progress::Line("verifying", "packages", 4, 4, 4), "verifying 4/4 packages [====] 100%");
  EXPECT_EQ(Progress::Line("v", "p", 9, 4, 4), "v 4/4 p [====] 100%");  // clamped
  EXPECT_EQ(Progress::Line("v", "p", 0, 0, 2), "v 0/0 p [==] 100%");
}

TEST(ProgressTest, DrawsOnceThenClearsWhenEnabled) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    Progress p("verifying", "packages", 3, fds[1], true);
    p.Add();
    p.Add();  // within 100 ms of the first draw: not redrawn
    p.Add();
  }
  close(fds[1]);
  const std::string out = Drain(fds[0]);
  close(fds[0]);
  EXPECT_NE(out.find("verifying 1/3 packages"), std::string::npos) << out;
  EXPECT_EQ(out.find("2/3"), std::string::npos) << out;
  EXPECT_TRUE(out.ends_with("\r\033[K")) << out;  // cleared at the end
}

TEST(ProgressTest, SilentWhenDisabled) {
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  {
    Progress p("verifying", "packages", 3, fds[1], false);
    p.Add(3);
    EXPECT_EQ(p.done(), 3u);
  }
  close(fds[1]);
  EXPECT_EQ(Drain(fds[0]), "");
  close(fds[0]);
}

}  // namespace
}  // namespace deminer
