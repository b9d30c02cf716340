#include "sources/root_fs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

namespace deminer {
namespace {

namespace fs = std::filesystem;

TEST(RootFsTest, AbsoluteSymlinksResolveInsideTheRoot) {
  char tmpl[] = "/tmp/deminer-rootfs-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string root = tmpl;
  fs::create_directories(root + "/etc");
  std::ofstream(root + "/etc/real") << "inside\n";
  // An image's absolute link must reach the image's /etc, not the host's.
  fs::create_symlink("/etc/real", root + "/etc/link");
  fs::create_symlink("/etc/hostname", root + "/etc/hostname-link");
  auto rfs = RootFs::Open(root);
  ASSERT_TRUE(rfs);
  auto text = rfs->Read("/etc/link");
  ASSERT_TRUE(text) << text.error().message();
  EXPECT_EQ(*text, "inside\n");
  EXPECT_FALSE(rfs->Read("/etc/hostname-link"));  // the host's file is out of reach
  auto target = rfs->ReadLink("/etc/link");
  ASSERT_TRUE(target);
  EXPECT_EQ(*target, "/etc/real");
  auto list = rfs->List("/etc");
  ASSERT_TRUE(list);
  EXPECT_EQ(list->size(), 3u);
  EXPECT_TRUE((*list)[1].symlink);
  EXPECT_EQ(rfs->List("/nope").error().code(), ErrorCode::kNotFound);
  fs::remove_all(root);
}

}  // namespace
}  // namespace deminer
