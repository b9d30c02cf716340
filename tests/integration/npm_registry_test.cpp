// --verify-registry on a real project: small packages installed from the
// registry npm is configured with (never named here), into a temp project
// with its own npm cache; then files of the installed copies are modified,
// added and removed, and the lockfile's integrity of one package is changed.
// deminer must name exactly those files and that package, once with the
// tarballs read from npm's cache and once with the cache gone (downloaded
// from the registry). Skipped when npm or the registry is unavailable.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

// Tiny packages without dependencies or install scripts.
const std::vector<std::string> kPackages = {"is-number@7.0.0", "ms@2.1.3", "escape-html@1.0.3"};

class NpmRegistryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    project_ = tmp_ / "app";
    cache_ = tmp_ / "cache";
    fs::create_directories(project_);
    std::ofstream(project_ + "/package.json")
        << R"({"name":"deminer-verify-fixture","version":"1.0.0","private":true})";
    if (RunCommand({"npm", "--version"}).exit_code != 0) {
      why_skip_ = "npm is not installed";
      return;
    }
    const CommandResult reg = RunCommand({"npm", "config", "get", "registry"}, Env());
    registry_ = reg.out.substr(0, reg.out.find_first_of("\r\n"));
    std::vector<std::string> argv = {"npm",        "install",   "--prefix",   project_,
                                     "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"};
    argv.insert(argv.end(), kPackages.begin(), kPackages.end());
    const CommandResult install = RunCommand(argv, Env());
    if (install.exit_code != 0) {
      why_skip_ = "npm install from the registry failed (offline?): " + install.err.substr(0, 300);
    }
  }

  std::map<std::string, std::string> Env() const { return {{"npm_config_cache", cache_}}; }

  std::string Pkg(const std::string& name) const { return project_ + "/node_modules/" + name; }

  // The tampering: a loader appended to is-number's code, a file planted
  // beside it, and a file of ms deleted. Inert text, never run.
  void Tamper() {
    std::ofstream(Pkg("is-number") + "/index.js", std::ios::app)
        << "\n// planted by deminer's test (inert)\nvar _x = 'aHR0cDovLzEyNy4wLjAuMTo4MDgwL3guc2g=';\n";
    std::ofstream(Pkg("is-number") + "/dropper.js") << "// planted by deminer's test (inert)\n";
    ASSERT_TRUE(fs::remove(Pkg("ms") + "/license.md"));
  }

  nlohmann::json Scan(std::string* err = nullptr) {
    const CommandResult r = RunDeminer({"scan", project_, "--only", "npm", "--verify-registry",
                                        project_, "--format", "json", "--fail-on", "none"},
                                       Env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    if (err != nullptr) *err = r.err;
    try {
      return nlohmann::json::parse(r.out);
    } catch (const nlohmann::json::exception& e) {
      ADD_FAILURE() << "bad JSON: " << e.what() << "\n" << r.out.substr(0, 500) << "\n" << r.err;
      return {};
    }
  }

  TempDir tmp_;
  std::string project_, cache_, registry_, why_skip_;
};

std::set<std::string> Strings(const nlohmann::json& list) {
  std::set<std::string> out;
  if (list.is_array()) {
    for (const auto& s : list) out.insert(s.get<std::string>());
  }
  return out;
}

// The tampered-files findings: exactly is-number's and ms's, with exactly the files changed.
void ExpectTampered(const nlohmann::json& scan, const std::string& project,
                    const std::string& tarball_prefix) {
  const auto all = FindingsOf(scan, "npm.tampered-files");
  ASSERT_EQ(all.size(), 2u) << scan.dump(1).substr(0, 3000);
  const auto is_number = FindingsOf(scan, "npm.tampered-files", "is-number@7.0.0");
  ASSERT_EQ(is_number.size(), 1u);
  const auto& ev = is_number[0]["evidence"];
  EXPECT_EQ(is_number[0]["severity"], "critical");
  EXPECT_EQ(Strings(ev["modified"]), (std::set<std::string>{"index.js"}));
  EXPECT_EQ(Strings(ev["added"]), (std::set<std::string>{"dropper.js"}));
  EXPECT_FALSE(ev.contains("removed"));
  EXPECT_EQ(is_number[0]["path"], project + "/node_modules/is-number/index.js");
  EXPECT_TRUE(ev["tarball"].get<std::string>().starts_with(tarball_prefix)) << ev["tarball"];
  const auto ms = FindingsOf(scan, "npm.tampered-files", "ms@2.1.3");
  ASSERT_EQ(ms.size(), 1u);
  EXPECT_EQ(ms[0]["severity"], "high");
  EXPECT_EQ(Strings(ms[0]["evidence"]["removed"]), (std::set<std::string>{"license.md"}));
  EXPECT_FALSE(ms[0]["evidence"].contains("modified"));
  EXPECT_FALSE(ms[0]["evidence"].contains("added"));
  EXPECT_TRUE(FindingsOf(scan, "npm.tampered-files", "escape-html").empty());
}

TEST_F(NpmRegistryTest, TamperedFilesFromCacheAndFromRegistry) {
  if (!why_skip_.empty()) GTEST_SKIP() << why_skip_;
  Tamper();
  std::string err;
  const nlohmann::json cached = Scan(&err);
  ExpectTampered(cached, project_, "cache");
  EXPECT_TRUE(FindingsOf(cached, "npm.registry-mismatch").empty());
  EXPECT_EQ(err.find("downloads"), std::string::npos) << err;  // all from the cache: no network

  fs::remove_all(cache_);
  const nlohmann::json downloaded = Scan(&err);
  ExpectTampered(downloaded, project_, registry_);
  EXPECT_TRUE(FindingsOf(downloaded, "npm.registry-mismatch").empty());
  EXPECT_NE(err.find("downloads"), std::string::npos) << err;  // said once that it fetches
}

TEST_F(NpmRegistryTest, ChangedLockfileIntegrityFromCacheAndFromRegistry) {
  if (!why_skip_.empty()) GTEST_SKIP() << why_skip_;
  const std::string lockfile = project_ + "/package-lock.json";
  nlohmann::ordered_json lock = nlohmann::ordered_json::parse(std::ifstream(lockfile));
  auto& entry = lock["packages"]["node_modules/escape-html"];
  const std::string real = entry["integrity"].get<std::string>();
  // Another package's digest: well-formed, and not escape-html's.
  const std::string forged = lock["packages"]["node_modules/ms"]["integrity"].get<std::string>();
  ASSERT_NE(real, forged);
  entry["integrity"] = forged;
  std::ofstream(lockfile) << lock.dump(2) << "\n";

  for (const bool from_cache : {true, false}) {
    if (!from_cache) fs::remove_all(cache_);
    const nlohmann::json scan = Scan();
    const auto found = FindingsOf(scan, "npm.registry-mismatch");
    ASSERT_EQ(found.size(), 1u) << scan.dump(1).substr(0, 3000);
    EXPECT_EQ(found[0]["subject"], "escape-html@1.0.3 in " + project_);
    EXPECT_EQ(found[0]["severity"], "critical");
    EXPECT_EQ(found[0]["evidence"]["lockfile_integrity"], forged);
    EXPECT_EQ(found[0]["evidence"]["actual"], real);
    const std::string tarball = found[0]["evidence"]["tarball"];
    EXPECT_TRUE(from_cache ? tarball == "cache" : tarball.starts_with(registry_)) << tarball;
    // Its files are still the registry's: nothing tampered.
    EXPECT_TRUE(FindingsOf(scan, "npm.tampered-files").empty()) << scan.dump(1).substr(0, 3000);
  }
}

}  // namespace
}  // namespace deminer::it
