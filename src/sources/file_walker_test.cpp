#include "sources/file_walker.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>

namespace deminer {
namespace {

namespace fs = std::filesystem;

class FileWalkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/deminer-walk-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    outside_ = dir_ + "-outside";
    fs::create_directories(dir_ + "/tree/.hidden/deep");
    fs::create_directories(outside_);
    Write(dir_ + "/tree/prog", std::string("\x7f"
                                           "ELF\x02\x01\x01",
                                           7) +
                                   std::string(100, 'x'));
    Write(dir_ + "/tree/run.sh", "#!/bin/sh -e\necho hi\n");
    Write(dir_ + "/tree/.hidden/deep/data", "abc");
    Write(dir_ + "/tree/empty", "");
    Write(outside_ + "/secret", "do not read");
    fs::create_symlink(outside_, dir_ + "/tree/link-out");
    fs::create_symlink(outside_ + "/secret", dir_ + "/tree/file-link");
  }
  void TearDown() override {
    fs::remove_all(dir_);
    fs::remove_all(outside_);
  }
  static void Write(const std::string& path, const std::string& bytes) {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  const FileEntry* Find(const FileSweep& s, const std::string& shown) {
    for (const FileEntry& e : s.entries) {
      if (e.path == shown) return &e;
    }
    return nullptr;
  }
  std::string dir_, outside_;
};

TEST_F(FileWalkerTest, ReadsEachFileOnceAndNeverFollowsSymlinks) {
  std::atomic<int> hooked{0};
  WalkOptions o;
  o.threads = 3;
  o.hashes.md5 = o.hashes.sha256 = true;
  o.hook = [&](unsigned worker, FileEntry& e, std::string_view bytes) {
    EXPECT_LT(worker, 3u);
    EXPECT_EQ(bytes.size(), e.size);
    ++hooked;
  };
  const FileSweep s = WalkFiles({{dir_ + "/tree", "/tmp", "temp", ""}}, o);
  EXPECT_EQ(hooked, 3);  // prog, run.sh, data (the empty file has no bytes to match)
  EXPECT_EQ(s.files, 4u);
  const FileEntry* prog = Find(s, "/tmp/prog");
  ASSERT_NE(prog, nullptr);
  EXPECT_EQ(prog->content, FileEntry::Content::kElf);
  const FileEntry* script = Find(s, "/tmp/run.sh");
  ASSERT_NE(script, nullptr);
  EXPECT_EQ(script->content, FileEntry::Content::kScript);
  EXPECT_EQ(script->interpreter, "/bin/sh");
  const FileEntry* data = Find(s, "/tmp/.hidden/deep/data");
  ASSERT_NE(data, nullptr);
  EXPECT_TRUE(data->Hidden());
  EXPECT_FALSE(prog->Hidden());
  EXPECT_EQ(data->hashes.md5, "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(data->hashes.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const FileEntry* link = Find(s, "/tmp/link-out");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, FileEntry::Type::kSymlink);
  EXPECT_EQ(link->link_target, outside_);
  EXPECT_EQ(Find(s, "/tmp/link-out/secret"), nullptr);
  const FileEntry* file_link = Find(s, "/tmp/file-link");
  ASSERT_NE(file_link, nullptr);
  EXPECT_EQ(file_link->type, FileEntry::Type::kSymlink);
}

TEST_F(FileWalkerTest, BoundsContentAndDepth) {
  Write(dir_ + "/tree/big", std::string(5000, 'b'));
  WalkOptions o;
  o.hashes.sha256 = true;
  o.max_content_bytes = 4096;
  o.max_depth = 1;
  int hooked_big = 0;
  o.hook = [&](unsigned, FileEntry& e, std::string_view bytes) {
    // Hashed only: the hook sees the digests, not the bytes.
    if (e.path == "/x/big" && bytes.empty() && e.hashes.sha256.size() == 64) ++hooked_big;
  };
  const FileSweep s = WalkFiles({{dir_ + "/tree", "/x", "path", ""}}, o);
  const FileEntry* big = Find(s, "/x/big");
  ASSERT_NE(big, nullptr);
  EXPECT_TRUE(big->content_truncated);
  EXPECT_EQ(big->hashes.sha256.size(), 64u);  // hashed all the same
  EXPECT_EQ(hooked_big, 1);
  EXPECT_EQ(Find(s, "/x/.hidden/deep/data"), nullptr);
  bool depth_gap = false;
  for (const Gap& g : s.gaps) depth_gap |= g.reason.find("deeper than 1") != std::string::npos;
  EXPECT_TRUE(depth_gap);
}

TEST_F(FileWalkerTest, MissingTargetIsNoErrorUnreadableIsAGap) {
  const FileSweep s = WalkFiles({{dir_ + "/nope", "/nope", "temp", ""}}, {});
  EXPECT_TRUE(s.entries.empty());
  EXPECT_TRUE(s.gaps.empty());
  const FileSweep p = WalkFiles({{"/proc", "/proc", "path", ""}}, {});
  ASSERT_EQ(p.gaps.size(), 1u);
  EXPECT_NE(p.gaps[0].reason.find("pseudo file system"), std::string::npos);
}

TEST_F(FileWalkerTest, NothingIsBegunAfterTheDeadline) {
  WalkOptions o;
  o.threads = 2;
  const FileSweep all = WalkFiles({{dir_ + "/tree", "/t", "temp", ""}}, o);
  EXPECT_EQ(all.files, 4u);
  o.deadline = std::chrono::steady_clock::now();
  const FileSweep late = WalkFiles({{dir_ + "/tree", "/t", "temp", ""}}, o);
  EXPECT_TRUE(late.entries.empty());
  EXPECT_EQ(late.files, 0u);
  ASSERT_EQ(late.gaps.size(), 1u);
  EXPECT_EQ(late.gaps[0].what, "1 files or directories");
  EXPECT_NE(late.gaps[0].reason.find("time bound"), std::string::npos);
}

TEST(ClassifyContentTest, ElfScriptDataEmpty) {
  std::string interp;
  EXPECT_EQ(ClassifyContent("\x7f"
                            "ELF",
                            nullptr),
            FileEntry::Content::kElf);
  EXPECT_EQ(ClassifyContent("#!/usr/bin/env node\n", &interp), FileEntry::Content::kScript);
  EXPECT_EQ(interp, "/usr/bin/env");
  EXPECT_EQ(ClassifyContent("{}", nullptr), FileEntry::Content::kData);
  EXPECT_EQ(ClassifyContent("", nullptr), FileEntry::Content::kEmpty);
}

}  // namespace
}  // namespace deminer
