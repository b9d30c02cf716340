#include "report/evidence_bundle.h"

#include <gtest/gtest.h>

#include <fstream>
#include <cstdio>

#include "core/test_dir.h"

namespace deminer {
namespace {

std::string Slurp(const std::string& path) {
  std::string out;
  if (FILE* f = fopen(path.c_str(), "rb"); f != nullptr) {
    char buf[1 << 16];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) out.append(buf, n);
    fclose(f);
  }
  return out;
}

void Spit(const std::string& path, const std::string& data) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << data;
}

TEST(EvidenceBundleTest, EveryEntryIsInTheManifestAndVerifies) {
  TestDir dir;
  Spit(dir / "javae", std::string(100000, 'x') + "pool.supportxmr.com");
  auto b = EvidenceBundle::Create(dir / "e.tar.zst");
  ASSERT_TRUE(b) << b.error().message();
  ASSERT_TRUE((*b)->AddData("findings.json", "[]\n", "deminer scan"));
  ASSERT_TRUE((*b)->AddFile("files/tmp/javae", dir / "javae"));
  ASSERT_TRUE((*b)->AddFile("files/missing", dir / "missing"));  // a gap, not an error
  auto sha = (*b)->Finish();
  ASSERT_TRUE(sha) << sha.error().message();
  EXPECT_EQ(sha->size(), 64u);
  ASSERT_EQ((*b)->entries().size(), 2u);
  EXPECT_EQ((*b)->entries()[1].size, 100019u);
  EXPECT_EQ((*b)->entries()[1].source, dir / "javae");
  ASSERT_EQ((*b)->gaps().size(), 1u);

  auto v = VerifyBundle(dir / "e.tar.zst", *sha);
  ASSERT_TRUE(v) << v.error().message();
  EXPECT_TRUE(v->ok()) << v->problems.front();
  EXPECT_EQ(v->entries_checked, 2u);
  EXPECT_EQ(v->manifest_sha256, *sha);

  auto wrong = VerifyBundle(dir / "e.tar.zst", std::string(64, '0'));
  ASSERT_TRUE(wrong);
  EXPECT_FALSE(wrong->ok());
}

TEST(EvidenceBundleTest, OneChangedByteFailsVerification) {
  TestDir dir;
  auto b = EvidenceBundle::Create(dir / "e.tar.zst");
  ASSERT_TRUE(b);
  std::string big;
  for (int i = 0; i < 20000; ++i) big += std::to_string(i * 7919) + "\n";
  ASSERT_TRUE((*b)->AddData("ps.txt", big, "/proc"));
  auto sha = (*b)->Finish();
  ASSERT_TRUE(sha);
  const std::string good = Slurp(dir / "e.tar.zst");
  // Every position tried would be slow; a spread of them, each alone.
  for (size_t pos = 40; pos < good.size(); pos += good.size() / 7) {
    std::string bad = good;
    bad[pos] = static_cast<char>(bad[pos] ^ 0x01);
    Spit(dir / "bad.tar.zst", bad);
    auto v = VerifyBundle(dir / "bad.tar.zst", *sha);
    EXPECT_TRUE(!v || !v->ok()) << "byte " << pos << " changed, and the bundle still verifies";
  }
}

TEST(EvidenceBundleTest, BoundsAreGapsAndCutsAreNoted) {
  TestDir dir;
  Spit(dir / "big", std::string(5000, 'a'));
  auto b = EvidenceBundle::Create(dir / "e.tar.zst",
                                  BundleLimits{.max_total_bytes = 6000, .max_file_bytes = 4096});
  ASSERT_TRUE(b);
  ASSERT_TRUE((*b)->AddFile("big", dir / "big"));
  ASSERT_TRUE((*b)->AddData("more", std::string(3000, 'b'), "test"));  // over the total
  ASSERT_EQ((*b)->entries().size(), 1u);
  EXPECT_EQ((*b)->entries()[0].size, 4096u);
  EXPECT_NE((*b)->entries()[0].note.find("cut at 4096"), std::string::npos);
  ASSERT_EQ((*b)->gaps().size(), 1u);
  auto sha = (*b)->Finish();
  ASSERT_TRUE(sha);
  auto v = VerifyBundle(dir / "e.tar.zst");
  ASSERT_TRUE(v);
  EXPECT_TRUE(v->ok());
}

TEST(EvidenceBundleTest, NotABundleIsAnErrorOrAProblem) {
  TestDir dir;
  Spit(dir / "junk", "not an archive at all");
  auto v = VerifyBundle(dir / "junk");
  EXPECT_TRUE(!v || !v->ok());
  EXPECT_FALSE(VerifyBundle(dir / "absent"));
}

}  // namespace
}  // namespace deminer
