// Golden files for the text, JSON, JSON-lines and SARIF renderings of one fixed
// scan. Set DEMINER_UPDATE_GOLDEN=1 to rewrite them after an intended change,
// then review the diff.
#include "report/sink.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kProcMiner;
extern const Check kProcExeInTemp;
namespace {

constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks"
    "2";

ScanResult FixedScan() {
  Facts facts = BaseFacts();
  Process miner = MakeProcess(812, 700,
                              {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-k", "--tls",
                               "--cpu-max-threads-hint=60", "-u", kSeedWallet});
  miner.container_id = "c0ffee";
  facts.processes[1].container_id = "c0ffee";
  facts.processes.push_back(miner);
  facts.containers["c0ffee"] = ContainerRef{"c0ffee", "barofarm-frontend", "next:1", "docker", ""};
  facts.Index();
  ScanResult r;
  r.host = facts.host;
  r.host.kernel = "6.1.0-test";
  r.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
  r.duration_ms = 12.4;
  r.findings = RunChecks(facts, DefaultRules(), {Scope::kProcesses});
  r.skipped.push_back({"executables of 3 processes", "readlink /proc/PID/exe: permission denied",
                       "root or CAP_SYS_PTRACE"});
  r.processes = facts.processes.size();
  r.containers = 1;
  return r;
}

std::string Render(Format format) {
  const ScanResult scan = FixedScan();
  std::ostringstream out;
  auto sink = MakeSink(format, out, {});
  Render(*sink, RunInfo{"0.1.0", "deminer-default test", &scan});
  return out.str();
}

void ExpectGolden(const std::string& name, const std::string& got) {
  const std::string path = std::string(DEMINER_SOURCE_DIR) + "/tests/golden/" + name;
  if (std::getenv("DEMINER_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(path) << got;
    return;
  }
  std::ifstream in(path);
  ASSERT_TRUE(in) << path << " is missing; run with DEMINER_UPDATE_GOLDEN=1";
  std::stringstream want;
  want << in.rdbuf();
  EXPECT_EQ(got, want.str()) << "golden " << path << " differs";
}

TEST(SinkGoldenTest, Text) { ExpectGolden("scan.txt", Render(Format::kText)); }
TEST(SinkGoldenTest, Json) { ExpectGolden("scan.json", Render(Format::kJson)); }
TEST(SinkGoldenTest, Jsonl) { ExpectGolden("scan.jsonl", Render(Format::kJsonl)); }
TEST(SinkGoldenTest, Sarif) { ExpectGolden("scan.sarif", Render(Format::kSarif)); }

TEST(JsonSinkTest, HasTheDocumentedShape) {
  const auto j = nlohmann::json::parse(Render(Format::kJson));
  for (const char* key :
       {"tool", "host", "started_at", "duration_ms", "findings", "skipped", "summary"}) {
    EXPECT_TRUE(j.contains(key)) << key;
  }
  EXPECT_EQ(j["tool"]["name"], "deminer");
  EXPECT_EQ(j["started_at"], "2026-11-18T11:06:40.000Z");
  ASSERT_FALSE(j["findings"].empty());
  for (const auto& f : j["findings"]) {
    for (const char* key : {"check", "severity", "kind", "title", "subject", "evidence",
                            "container", "attack", "remediation", "fingerprint"}) {
      EXPECT_TRUE(f.contains(key)) << key;
    }
    EXPECT_TRUE(f["evidence"].is_object());
    EXPECT_TRUE(f["container"].is_null() || f["container"].contains("name"));
  }
  EXPECT_EQ(j["summary"]["critical"], 1);
  EXPECT_EQ(j["summary"]["high"], 1);
}

TEST(JsonlSinkTest, OneFindingPerLine) {
  std::istringstream in(Render(Format::kJsonl));
  std::string line;
  int n = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    EXPECT_TRUE(j.contains("check"));
    ++n;
  }
  EXPECT_EQ(n, 2);
}

// A process can name itself with bytes that are not UTF-8; the report must
// still be written, not fail on them.
TEST(JsonSinkTest, InvalidUtf8FromTheHostDoesNotBreakTheReport) {
  ScanResult scan = FixedScan();
  scan.findings[0].subject = "pid 1 /tmp/\xff\xfe\xc3";
  scan.findings[0].evidence["cmdline"] = "/tmp/x -o \xc0\xaf";
  for (const Format format : {Format::kJson, Format::kJsonl, Format::kSarif, Format::kText}) {
    std::ostringstream out;
    auto sink = MakeSink(format, out, {});
    EXPECT_NO_THROW(Render(*sink, RunInfo{"0.1.0", "test", &scan}));
    if (format == Format::kJson) {
      const auto j = nlohmann::json::parse(out.str());
      EXPECT_EQ(j["findings"][0]["subject"], "pid 1 /tmp/\ufffd\ufffd\ufffd");
    }
  }
}

TEST(TextSinkTest, NoColourCodesWhenNotATerminal) {
  EXPECT_EQ(Render(Format::kText).find('\033'), std::string::npos);
}

TEST(ParseFormatTest, KnowsEveryFormat) {
  EXPECT_EQ(ParseFormat("sarif"), Format::kSarif);
  EXPECT_EQ(ParseFormat("text"), Format::kText);
  EXPECT_FALSE(ParseFormat("xml").has_value());
}

}  // namespace
}  // namespace deminer
