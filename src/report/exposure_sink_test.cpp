// The exposure table in the scan reports: present when the exposure scope ran
// (also empty), absent otherwise, so that other scans keep their shape.
#include <gtest/gtest.h>

#include <sstream>

#include "report/sink.h"

namespace deminer {
namespace {

ScanResult WithExposure() {
  ScanResult r;
  r.host.hostname = "web1";
  r.host.kernel = "6.1.0-test";
  r.exposure_scanned = true;
  ExposureRow local;
  local.address = "127.0.0.1";
  local.port = 631;
  local.pid = 400;
  local.process = "cupsd";
  local.verdict = Reach::kLocal;
  local.reason = "bound to 127.0.0.1";
  ExposureRow pg;
  pg.family = 6;
  pg.address = "::";
  pg.port = 5432;
  pg.pid = 812;
  pg.process = "postgres";
  pg.container = ContainerRef{"c0ffee", "db", "postgres:16", "docker", ""};
  pg.service = "postgresql";
  pg.sensitive = true;
  pg.verdict = Reach::kReachableSensitive;
  pg.reason = "no rule drops tcp 5432";
  ExposureRow dropped;
  dropped.address = "0.0.0.0";
  dropped.port = 6379;
  dropped.process = "redis-server";
  dropped.service = "redis";
  dropped.sensitive = true;
  dropped.verdict = Reach::kFiltered;
  dropped.reason = "nft inet filter input: tcp dport 6379 drop";
  r.exposure = {local, pg, dropped};
  return r;
}

std::string Render(Format format, const ScanResult& scan) {
  std::ostringstream out;
  auto sink = MakeSink(format, out, {});
  Render(*sink, RunInfo{"0.1.0", "test", &scan});
  return out.str();
}

TEST(ExposureSinkTest, JsonHasOneObjectPerRow) {
  const auto j = nlohmann::json::parse(Render(Format::kJson, WithExposure()));
  ASSERT_TRUE(j.contains("exposure"));
  ASSERT_EQ(j["exposure"].size(), 3u);
  const auto& pg = j["exposure"][1];
  EXPECT_EQ(pg["proto"], "tcp");
  EXPECT_EQ(pg["family"], 6);
  EXPECT_EQ(pg["address"], "::");
  EXPECT_EQ(pg["port"], 5432);
  EXPECT_EQ(pg["pid"], 812);
  EXPECT_EQ(pg["process"], "postgres");
  EXPECT_EQ(pg["container"]["name"], "db");
  EXPECT_EQ(pg["service"], "postgresql");
  EXPECT_EQ(pg["sensitive"], true);
  EXPECT_EQ(pg["verdict"], "reachable-sensitive");
  EXPECT_EQ(pg["reason"], "no rule drops tcp 5432");
  EXPECT_TRUE(j["exposure"][2]["pid"].is_null());
  EXPECT_TRUE(j["exposure"][0]["container"].is_null());
}

TEST(ExposureSinkTest, AbsentWhenTheScopeDidNotRunAndEmptyWhenItFoundNothing) {
  ScanResult none = WithExposure();
  none.exposure_scanned = false;
  EXPECT_FALSE(nlohmann::json::parse(Render(Format::kJson, none)).contains("exposure"));
  EXPECT_EQ(Render(Format::kText, none).find("Exposure"), std::string::npos);
  ScanResult empty;
  empty.exposure_scanned = true;
  const auto j = nlohmann::json::parse(Render(Format::kJson, empty));
  ASSERT_TRUE(j.contains("exposure"));
  EXPECT_TRUE(j["exposure"].empty());
}

TEST(ExposureSinkTest, TextListsWhatOthersCanReachAndCountsTheRest) {
  const std::string text = Render(Format::kText, WithExposure());
  EXPECT_NE(text.find("Exposure (3 listening sockets: 1 local only, 1 filtered, 0 reachable, 1 "
                      "reachable and sensitive, 0 unknown; local ones not listed)"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("[::]:5432"), std::string::npos) << text;
  EXPECT_NE(text.find("postgres (812)"), std::string::npos) << text;
  EXPECT_NE(text.find("reachable-sensitive"), std::string::npos) << text;
  EXPECT_NE(text.find("0.0.0.0:6379"), std::string::npos) << text;
  EXPECT_EQ(text.find("cupsd"), std::string::npos) << "local sockets are counted, not listed";
}

TEST(ExposureSinkTest, SarifIsUnchangedByTheTable) {
  ScanResult none = WithExposure();
  none.exposure_scanned = false;
  EXPECT_EQ(Render(Format::kSarif, WithExposure()), Render(Format::kSarif, none));
}

}  // namespace
}  // namespace deminer
