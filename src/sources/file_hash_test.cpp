#include "sources/file_hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace deminer {
namespace {

TEST(HashFileTest, ComputesEveryAskedDigestInOneRead) {
  char path[] = "/tmp/deminer-hash-XXXXXX";
  const int fd = mkstemp(path);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(write(fd, "abc", 3), 3);
  close(fd);
  const auto h = HashFile(path, {true, true, true}, 1024);
  ASSERT_TRUE(h.has_value()) << h.error().message();
  EXPECT_EQ(h->md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(h->sha1, "a9993e364706816aba3e25717850c26c9cd0d89d");
  EXPECT_EQ(h->sha256, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(h->size, 3u);

  const auto md5_only = HashFile(path, {true, false, false}, 1024);
  ASSERT_TRUE(md5_only.has_value());
  EXPECT_TRUE(md5_only->sha256.empty());

  const auto bounded = HashFile(path, {true, false, false}, 2);
  ASSERT_FALSE(bounded.has_value());
  EXPECT_EQ(bounded.error().code(), ErrorCode::kInvalidInput);
  unlink(path);
  EXPECT_EQ(HashFile(path, {true, false, false}, 1024).error().code(), ErrorCode::kNotFound);
}

}  // namespace
}  // namespace deminer
