#include "report/evidence_collect.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "sources/docker_api.h"

namespace deminer {
namespace {

TEST(EvidenceCollectTest, BundlePathsStayInsideTheBundle) {
  EXPECT_EQ(BundlePath("/tmp/.x/javae"), "tmp/.x/javae");
  EXPECT_EQ(BundlePath("/tmp/../../etc/passwd"), "tmp/%2E%2E/%2E%2E/etc/passwd");
  EXPECT_EQ(BundlePath("//a/./b/"), "a/b");
  // One to one: bytes a tar name should not hold are percent-encoded.
  EXPECT_EQ(BundlePath(std::string("/tmp/a\nb\x01", 9)), "tmp/a%0Ab%01");
  EXPECT_EQ(BundlePath("/tmp/\xff%"), "tmp/%FF%25");
  EXPECT_NE(BundlePath("/tmp/a\x01"), BundlePath("/tmp/a\x02"));
  EXPECT_EQ(BundlePath(""), "_");
  EXPECT_EQ(BundlePath("/"), "_");
}

TEST(EvidenceCollectTest, LastLines) {
  EXPECT_EQ(LastLines("a\nb\nc\n", 2), "b\nc\n");
  EXPECT_EQ(LastLines("a\nb\nc", 2), "b\nc");
  EXPECT_EQ(LastLines("a\nb\n", 5), "a\nb\n");
  EXPECT_EQ(LastLines("a\nb\n", 0), "");
  EXPECT_EQ(LastLines("", 3), "");
}

TEST(EvidenceCollectTest, ExcerptLinesKeepsTheWindowsOnly) {
  std::string log;
  for (int i = 1; i <= 50; ++i) log += fmt::format("line {}\n", i);
  log += std::string(10000, 'x') + "\n";  // 51: one long line, cut
  FILE* in = fmemopen(log.data(), log.size(), "r");
  ASSERT_NE(in, nullptr);
  const std::string out = ExcerptLines(in, {{2, 3, "== a ==\n"}, {50, 60, "  ...\n"}});
  fclose(in);
  EXPECT_EQ(out.substr(0, 47), "== a ==\n       2  line 2\n       3  line 3\n  ...");
  EXPECT_NE(out.find("      50  line 50\n      51  xxx"), std::string::npos);
  EXPECT_NE(out.find("x...\n"), std::string::npos);
  EXPECT_LT(out.size(), 4200u);
  EXPECT_EQ(out.find("line 4\n"), std::string::npos);
}

TEST(DockerLogsTest, DemultiplexesFramesAndKeepsTtyText) {
  auto frame = [](char stream, const std::string& payload) {
    std::string f{stream, 0, 0, 0};
    const auto n = static_cast<uint32_t>(payload.size());
    for (int shift = 24; shift >= 0; shift -= 8) f += static_cast<char>((n >> shift) & 0xff);
    return f + payload;
  };
  EXPECT_EQ(DemuxDockerLogs(frame(1, "out line\n") + frame(2, "err line\n")),
            "out line\nerr line\n");
  EXPECT_EQ(DemuxDockerLogs("plain tty text\n"), "plain tty text\n");
  // A cut last frame keeps what arrived.
  const std::string cut = frame(1, "whole\n") + frame(1, "partial line\n").substr(0, 12);
  EXPECT_EQ(DemuxDockerLogs(cut), "whole\npart");
  EXPECT_EQ(DemuxDockerLogs(""), "");
}

}  // namespace
}  // namespace deminer
