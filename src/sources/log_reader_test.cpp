#include "sources/log_reader.h"

#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace deminer {
namespace {

constexpr int64_t k20261122_210301 = 1795381381;  // 2026-11-22T21:03:01Z

TEST(LogTimeTest, ReadsTheFormatsLogsUse) {
  EXPECT_EQ(ParseLogTime("2026-11-22T21:03:01.123456789Z x", 0), k20261122_210301);
  EXPECT_EQ(ParseLogTime("2026-11-22T22:03:01+01:00 x", 0), k20261122_210301);
  // PostgreSQL's default prefix, nginx's error log, syslog, Redis, access logs.
  EXPECT_EQ(ParseLogTime("2026-11-22 21:03:01.123 UTC [812] LOG:  statement: x", 0),
            k20261122_210301);
  EXPECT_EQ(ParseLogTime("2026/11/22 21:03:01 [error] 12#12: x", 0), k20261122_210301);
  EXPECT_EQ(ParseLogTime("Nov 22 21:03:01 vm sshd[812]: Failed password", 2026), k20261122_210301);
  EXPECT_EQ(ParseLogTime("Nov  2 21:03:01 vm x", 2026), k20261122_210301 - 20 * 86400);
  EXPECT_EQ(ParseLogTime("1:M 22 Nov 2026 21:03:01.123 * Ready", 0), k20261122_210301);
  EXPECT_EQ(ParseLogTime(R"(10.0.0.9 - - [22/Nov/2026:22:03:01 +0100] "GET / HTTP/1.1" 200)", 0),
            k20261122_210301);
  EXPECT_EQ(ParseLogTime("no time here", 2026), 0);
  EXPECT_EQ(ParseLogTime("2026-13-40T99:03:01Z", 0), 0);
  EXPECT_EQ(ParseLogTime("", 0), 0);
}

TEST(LogTimeTest, BoundsForSinceAndUntil) {
  const int64_t now = k20261122_210301;
  EXPECT_EQ(ParseTimeBound("24h", now), now - 86400);
  EXPECT_EQ(ParseTimeBound("30m", now), now - 1800);
  EXPECT_EQ(ParseTimeBound("7d", now), now - 7 * 86400);
  EXPECT_EQ(ParseTimeBound("2026-11-22", now), now - (21 * 3600 + 3 * 60 + 1));
  EXPECT_EQ(ParseTimeBound("2026-11-22T21:03:01Z", now), now);
  EXPECT_FALSE(ParseTimeBound("yesterday", now));
  EXPECT_FALSE(ParseTimeBound("5y", now));
  EXPECT_FALSE(ParseTimeBound("", now));
  EXPECT_FALSE(ParseTimeBound("99999999999999999d", now));
  EXPECT_FALSE(ParseTimeBound("2026111111111111111111111d", now));  // past int64 (fuzzer)
}

TEST(LogFormatTest, DetectsFromTheFirstLine) {
  EXPECT_EQ(DetectLogFormat(R"({"log":"x\n","stream":"stdout","time":"2026-11-22T21:03:01Z"})"),
            LogFormat::kDockerJson);
  EXPECT_EQ(DetectLogFormat("2026-11-22T21:03:01.5+00:00 stdout F hello"), LogFormat::kK8sFile);
  EXPECT_EQ(DetectLogFormat("2026-11-22 21:03:01 UTC LOG: x"), LogFormat::kPlain);
  EXPECT_EQ(DetectLogFormat(""), LogFormat::kPlain);
}

TEST(LogDecodeTest, DockerJsonLinesUnescapeAndEscapedOnesAreFound) {
  const std::string first =
      R"({"log":"a \u0026\u0026 b \u003e /dev/null \"q\" \\ \ud83d\ude00\n","stream":"stderr","time":"2026-11-22T21:03:01.5Z"})";
  const std::string raw = first + "\n" +
                          R"({"log":"plain line\n","stream":"stdout"})"
                          "\n"
                          R"({"stream":"stdout","log":"reordered \t tab\n"})"
                          "\n"
                          "not json at all\n"
                          R"({"log":"ends with a backslash \\n"})"
                          "\n";
  std::string out;
  AppendDockerMessage(first, out);
  EXPECT_EQ(out, "a && b > /dev/null \"q\" \\ \xF0\x9F\x98\x80");
  out.clear();
  AppendDockerMessage(R"({"stream":"stdout","log":"reordered\n"})", out);
  EXPECT_EQ(out, "reordered");
  out.clear();
  AppendDockerMessage("not json at all", out);
  EXPECT_EQ(out, "not json at all");
  out.clear();
  AppendDockerMessage(R"({"log":"unterminated)", out);
  EXPECT_EQ(out, R"({"log":"unterminated)");
  // Lines 1, 3 and 5 hold escapes besides the final \n; 2 and 4 do not.
  std::vector<size_t> want;
  size_t at = 0;
  for (int line = 1; line <= 5; ++line) {
    if (line % 2 == 1) want.push_back(at);
    at = raw.find('\n', at) + 1;
  }
  EXPECT_EQ(EscapedDockerLines(raw), want);
  EXPECT_EQ(CountNewlines(raw), 5u);
  EXPECT_EQ(CountNewlines(std::string(1000, '\n') + "x\n"), 1001u);
  EXPECT_EQ(CountNewlines(""), 0u);

  const LogLineParts p = DecodeLogLine(LogFormat::kDockerJson, first, 0);
  EXPECT_EQ(p.stream, "stderr");
  EXPECT_EQ(p.time, k20261122_210301);
  EXPECT_EQ(p.message.substr(0, 4), "a &&");
}

TEST(LogDecodeTest, K8sFileAndPlainLines) {
  const LogLineParts k =
      DecodeLogLine(LogFormat::kK8sFile, "2026-11-22T21:03:01.5+00:00 stderr F the message", 0);
  EXPECT_EQ(k.message, "the message");
  EXPECT_EQ(k.stream, "stderr");
  EXPECT_EQ(k.time, k20261122_210301);
  const LogLineParts p = DecodeLogLine(LogFormat::kPlain, "Nov 22 21:03:01 host x\r\n", 2026);
  EXPECT_EQ(p.message, "Nov 22 21:03:01 host x");
  EXPECT_EQ(p.time, k20261122_210301);
  EXPECT_EQ(DecodeLogLine(LogFormat::kK8sFile, "short", 0).message, "short");
}

class LogChunksTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/deminer-logs-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Every chunk, concatenated; checks that each chunk's first line number
  // is the line it starts at.
  std::pair<std::string, size_t> ReadAll(const std::string& path, size_t chunk,
                                         LogReadStats* stats = nullptr) {
    std::string all;
    size_t chunks = 0;
    LogReadOptions o;
    o.chunk_bytes = chunk;
    auto s = ReadLogChunks(path, o, [&](std::string_view text, uint64_t first) {
      EXPECT_EQ(first, static_cast<uint64_t>(std::count(all.begin(), all.end(), '\n') + 1));
      all += text;
      ++chunks;
    });
    EXPECT_TRUE(s) << (s ? "" : s.error().message());
    if (s && stats != nullptr) *stats = *s;
    return {all, chunks};
  }
  std::string dir_;
};

TEST_F(LogChunksTest, CarriesPartialLinesAndCountsThem) {
  std::string text;
  for (int i = 1; i <= 100; ++i) text += "line " + std::to_string(i) + "\n";
  text += "last without newline";
  std::ofstream(dir_ + "/a.log") << text;
  LogReadStats stats;
  auto [all, chunks] = ReadAll(dir_ + "/a.log", 64, &stats);
  EXPECT_EQ(all, text);
  EXPECT_EQ(stats.lines, 101u);
  EXPECT_EQ(stats.cut_lines, 0u);
  EXPECT_GT(chunks, 10u);
}

// A follower reads from where it stopped, numbers lines on from there, and
// leaves an unfinished last line for later.
TEST_F(LogChunksTest, FollowsFromAnOffsetAndLeavesAPartialLine) {
  std::ofstream(dir_ + "/f.log") << "one\ntwo\nthr";
  LogReadOptions o;
  o.final_partial_line = false;
  std::string got;
  auto s = ReadLogChunks(dir_ + "/f.log", o, [&](std::string_view t, uint64_t) { got += t; });
  ASSERT_TRUE(s);
  EXPECT_EQ(got, "one\ntwo\n");
  EXPECT_EQ(s->end_offset, 8u);
  std::ofstream(dir_ + "/f.log", std::ios::app) << "ee\nfour\n";
  o.start_offset = s->end_offset;
  o.first_line = 1 + s->lines;
  got.clear();
  uint64_t first = 0;
  s = ReadLogChunks(dir_ + "/f.log", o, [&](std::string_view t, uint64_t f) {
    got += t;
    first = f;
  });
  ASSERT_TRUE(s);
  EXPECT_EQ(got, "three\nfour\n");
  EXPECT_EQ(first, 3u);
  EXPECT_EQ(s->end_offset, 19u);
}

TEST_F(LogChunksTest, ReadsGzipAndCutsOverlongLines) {
  const std::string text = "short\n" + std::string(200, 'x') + "\nend\n";
  gzFile gz = gzopen((dir_ + "/b.log.1.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  LogReadStats stats;
  auto [all, chunks] = ReadAll(dir_ + "/b.log.1.gz", 64, &stats);
  EXPECT_EQ(all, text);
  EXPECT_EQ(stats.lines, 3u);
  EXPECT_GE(stats.cut_lines, 1u);
}

TEST_F(LogChunksTest, BrokenGzipIsAnErrorNotACrash) {
  std::string text(4096, 'a');
  gzFile gz = gzopen((dir_ + "/c.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
  std::filesystem::resize_file(dir_ + "/c.gz", 20);  // truncated
  const auto s = ReadLogChunks(dir_ + "/c.gz", {}, [](std::string_view, uint64_t) {});
  ASSERT_TRUE(s);
  EXPECT_NE(s->error, "");
  EXPECT_FALSE(ReadLogChunks(dir_ + "/missing", {}, [](std::string_view, uint64_t) {}));
}

}  // namespace
}  // namespace deminer
