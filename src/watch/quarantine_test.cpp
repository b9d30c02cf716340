#include "watch/quarantine.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/test_dir.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

class QuarantineTest : public testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path();
    state_ = dir_ / "state";
    file_ = dir_ / "javae";
    std::ofstream(file_) << "#!/bin/sh\necho imitation\n";
    chmod(file_.c_str(), 0755);
  }
  void TearDown() override { SetImmutable(file_, false); }  // or it cannot be removed
  static bool SetImmutable(const std::string& path, bool on) {
    const int fd = open(path.c_str(), O_RDONLY | O_NONBLOCK);
    if (fd < 0) return false;
    int flags = 0;
    bool ok = ioctl(fd, FS_IOC_GETFLAGS, &flags) == 0;
    flags = on ? (flags | FS_IMMUTABLE_FL) : (flags & ~FS_IMMUTABLE_FL);
    ok = ok && ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
    close(fd);
    return ok;
  }
  TestDir dir_{"/var/tmp/deminer-quarantine-test"};
  std::string root_, state_, file_;
};

TEST_F(QuarantineTest, MovesTheFileAwayAndPutsItBackAsItWas) {
  struct stat before {};
  ASSERT_EQ(stat(file_.c_str(), &before), 0);
  auto q = Quarantine(state_, file_, "/tmp/javae", "", "proc.miner pid 9");
  ASSERT_TRUE(q) << q.error().message();
  EXPECT_FALSE(fs::exists(file_));
  EXPECT_EQ(q->sha256.size(), 64u);
  EXPECT_EQ(q->mode, 0755u);
  const auto listed = ListQuarantine(state_);
  ASSERT_EQ(listed.size(), 1u);
  EXPECT_EQ(listed[0].id, q->id);
  EXPECT_EQ(listed[0].shown, "/tmp/javae");
  struct stat kept {};
  ASSERT_EQ(stat((state_ + "/quarantine/" + q->id + "/file").c_str(), &kept), 0);
  EXPECT_EQ(kept.st_mode & 07777, 0u) << "kept unreadable and unrunnable";

  auto r = RestoreQuarantined(state_, q->id);
  ASSERT_TRUE(r) << r.error().message();
  struct stat after {};
  ASSERT_EQ(stat(file_.c_str(), &after), 0);
  EXPECT_EQ(after.st_mode & 07777, 0755u);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_TRUE(ListQuarantine(state_).empty());
}

TEST_F(QuarantineTest, AnImmutableFileIsClearedMovedAndMadeImmutableAgainOnRestore) {
  if (!SetImmutable(file_, true))
    GTEST_SKIP() << "chattr +i needs root and a file system with attributes";
  auto q = Quarantine(state_, file_, "", "", "file.immutable");
  ASSERT_TRUE(q) << q.error().message();
  EXPECT_NE(q->attr_flags & FS_IMMUTABLE_FL, 0u);
  ASSERT_TRUE(RestoreQuarantined(state_, q->id));
  const int fd = open(file_.c_str(), O_RDONLY);
  int flags = 0;
  ASSERT_EQ(ioctl(fd, FS_IOC_GETFLAGS, &flags), 0);
  close(fd);
  EXPECT_NE(flags & FS_IMMUTABLE_FL, 0) << "the attribute it had is back";
}

TEST_F(QuarantineTest, RefusesWhatItCannotDoSafely) {
  EXPECT_FALSE(Quarantine(state_, root_, "", "", "a dir"));
  EXPECT_FALSE(Quarantine(state_, root_ + "/missing", "", "", "gone"));
  auto q = Quarantine(state_, file_, "", "", "x");
  ASSERT_TRUE(q);
  std::ofstream(file_) << "something new at the same path\n";
  EXPECT_FALSE(RestoreQuarantined(state_, q->id)) << "never overwrites";
  EXPECT_FALSE(RestoreQuarantined(state_, "../../etc"));
  EXPECT_FALSE(RestoreQuarantined(state_, "no-such-id"));
}

}  // namespace
}  // namespace deminer
