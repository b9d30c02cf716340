// The command line as a user meets it: exit codes, formats, output files, rule
// errors, the SARIF schema, and an unprivileged run.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "harness.h"

namespace deminer::it {
namespace {

// A planted miner for the tests that need a finding.
class CliTest : public testing::Test {
 protected:
  void SetUp() override {
    miner_ = StartImitation(dir_, "xmrig", {dir_ / "xmrig", "-o", "pool.supportxmr.com:3333"});
    ASSERT_NE(miner_, nullptr);
  }
  TempDir dir_;
  std::unique_ptr<Child> miner_;
};

TEST_F(CliTest, ExitCodesFollowFailOn) {
  const std::string rules = MachineRulesDir();
  EXPECT_EQ(RunDeminer({"scan", "--rules", rules, "--format", "json"}).exit_code, 1);
  EXPECT_EQ(
      RunDeminer({"scan", "--rules", rules, "--format", "json", "--fail-on", "none"}).exit_code, 0);
  EXPECT_EQ(
      RunDeminer({"scan", "--rules", rules, "--format", "json", "--fail-on", "critical"}).exit_code,
      1);
}

TEST_F(CliTest, UsageErrorsExitTwoWithAMessage) {
  const auto scope = RunDeminer({"scan", "--only", "procs"});
  EXPECT_EQ(scope.exit_code, 2);
  EXPECT_NE(scope.err.find("unknown scope 'procs'"), std::string::npos) << scope.err;
  EXPECT_EQ(RunDeminer({"scan", "--format", "xml"}).exit_code, 2);
  EXPECT_EQ(RunDeminer({"scan", "--fail-on", "severe"}).exit_code, 2);
  EXPECT_EQ(RunDeminer({"frobnicate"}).exit_code, 2);
  const auto rules = RunDeminer({"scan", "--rules", "/nonexistent/rules.d"});
  EXPECT_EQ(rules.exit_code, 2);
  EXPECT_NE(rules.err.find("/nonexistent/rules.d"), std::string::npos);
  EXPECT_EQ(RunDeminer({"scan", "-o", "/nonexistent/dir/report.json"}).exit_code, 2);
  const auto root = RunDeminer({"scan", "--root", "/nonexistent/root"});
  EXPECT_EQ(root.exit_code, 2);
  EXPECT_NE(root.err.find("--root /nonexistent/root is not a directory"), std::string::npos);
}

TEST_F(CliTest, BrokenUserRuleNamesFileAndLine) {
  TempDir rules;
  std::ofstream(rules / "local.yaml")
      << "pool_ports:\n  - source: mine\n    entries: [3333, notaport]\n";
  const auto r = RunDeminer({"scan", "--rules", rules.path()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("local.yaml:3"), std::string::npos) << r.err;
}

TEST_F(CliTest, UserLokiIocFileAddsDetections) {
  TempDir rules;
  std::ofstream(rules / "filename-iocs.txt") << "# local\n/xmrig$;85;\n";
  const auto scan = ScanJson({"--rules", rules.path()});
  const auto f = FindingsOf(scan, "proc.filename-ioc", fmt::format("pid {} ", miner_->pid()));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "high");
}

// A Loki hash IOC of a running program, even after the program was deleted
// from disk: it is hashed through /proc/PID/exe.
TEST_F(CliTest, HashIocMatchesRunningProgramEvenWhenDeleted) {
  TempDir rules;
  const auto md5 = RunCommand({"md5sum", dir_ / "xmrig"});
  ASSERT_EQ(md5.exit_code, 0);
  const std::string digest = md5.out.substr(0, 32);
  std::ofstream(rules / "hash-iocs.txt") << digest << ";test: the imitation miner\n";
  ASSERT_EQ(unlink((dir_ / "xmrig").c_str()), 0);
  const auto scan = ScanJson({"--rules", rules.path()});
  const auto f = FindingsOf(scan, "proc.exe-hash-ioc", fmt::format("pid {} ", miner_->pid()));
  ASSERT_EQ(f.size(), 1u) << scan.dump(2);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["evidence"]["md5"], digest);
  EXPECT_EQ(f[0]["evidence"]["exe_deleted"], true);
}

TEST_F(CliTest, JsonlIsOneFindingPerLineAndOutputGoesToFile) {
  const std::string out = dir_ / "report.jsonl";
  const auto r = RunDeminer({"scan", "--rules", MachineRulesDir(), "--format", "jsonl", "-o", out});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.out.empty());
  std::ifstream in(out);
  std::string line;
  int miners = 0;
  while (std::getline(in, line)) {
    const auto j = nlohmann::json::parse(line);
    if (j["check"] == "proc.miner") ++miners;
  }
  EXPECT_GE(miners, 1);
}

TEST_F(CliTest, TextReportReadsForAPerson) {
  const auto r = RunDeminer({"scan", "--rules", MachineRulesDir()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.out.find("CRITICAL"), std::string::npos);
  EXPECT_NE(r.out.find("Cryptocurrency miner running"), std::string::npos);
  EXPECT_NE(r.out.find("fix:"), std::string::npos);
  EXPECT_NE(r.out.find(" findings: "), std::string::npos);
  EXPECT_EQ(r.out.find('\033'), std::string::npos) << "colour codes in a pipe";
}

TEST_F(CliTest, SarifValidatesAgainstTheOfficialSchema) {
  const std::string out = dir_ / "report.sarif";
  ASSERT_EQ(
      RunDeminer({"scan", "--rules", MachineRulesDir(), "--format", "sarif", "-o", out}).exit_code,
      1);
  const std::string schema = std::string(DEMINER_SHARED_DIR) + "/schemas/sarif-schema-2.1.0.json";
  ASSERT_EQ(access(schema.c_str(), R_OK), 0) << schema;
  // Debian's python3-jsonschema, with Debian's own python.
  const auto v = RunCommand({"/usr/bin/python3", "-c",
                             "import json,sys,jsonschema\n"
                             "s=json.load(open(sys.argv[1])); d=json.load(open(sys.argv[2]))\n"
                             "jsonschema.validate(d, s)\n"
                             "print(len(d['runs'][0]['results']))",
                             schema, out});
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_GE(std::stoi(v.out), 1);
}

TEST_F(CliTest, ChecksAndVersionDescribeTheTool) {
  const auto checks = RunDeminer({"checks", "--format", "json"});
  ASSERT_EQ(checks.exit_code, 0);
  const auto list = nlohmann::json::parse(checks.out);
  EXPECT_GE(list.size(), 11u);
  for (const auto& c : list) {
    for (const char* key : {"id", "severity", "kind", "attack", "title"}) {
      EXPECT_FALSE(c[key].get<std::string>().empty()) << key;
    }
  }
  const auto version = RunDeminer({"version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("deminer 0."), std::string::npos);
  EXPECT_NE(version.out.find("rules: deminer-default 20"), std::string::npos) << version.out;
}

// Without root the scan still runs, reports what it could not see and why.
TEST_F(CliTest, UnprivilegedRunRecordsGapsAndDoesNotCrash) {
  if (getuid() != 0) GTEST_SKIP() << "needs root to drop to another user";
  // The binary and rules must be reachable by nobody; copy them to the temp dir.
  TempDir bin;
  RunCommand({"cp", "-r", std::string(DEMINER_BINARY), bin / "deminer"});
  RunCommand({"cp", "-r", std::string(DEMINER_SOURCE_DIR) + "/rules", bin / "rules"});
  RunCommand({"chmod", "-R", "a+rX", bin.path()});
  const auto r = RunCommand({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             bin / "deminer", "scan", "--format", "json", "--fail-on", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto scan = nlohmann::json::parse(r.out);
  bool ptrace_gap = false;
  for (const auto& s : scan["skipped"]) {
    ptrace_gap =
        ptrace_gap || s["needs"].get<std::string>().find("CAP_SYS_PTRACE") != std::string::npos;
  }
  EXPECT_TRUE(ptrace_gap) << scan["skipped"].dump(2);
  // Still sees the miner by its command line, which /proc shows to everyone.
  EXPECT_FALSE(FindingsOf(scan, "proc.miner", fmt::format("pid {} ", miner_->pid())).empty());
}

}  // namespace
}  // namespace deminer::it
