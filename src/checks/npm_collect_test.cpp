#include "checks/npm_collect.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "core/test_dir.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/npm/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Facts Collect(const std::vector<std::string>& paths) {
  ScanOptions options;
  options.scopes = {Scope::kNpm};
  options.paths = paths;
  Facts facts;
  CollectNpmProjects(options, facts);
  return facts;
}

const NpmProject* ProjectAt(const Facts& f, const std::string& dir) {
  for (const NpmProject& p : f.npm_projects)
    if (p.dir == dir) return &p;
  return nullptr;
}

TEST(NpmCollectTest, ReadsLockfileScriptsAndNpmrcOfAProject) {
  TestDir dir;
  const std::string app = dir / "app";
  Write(
      app + "/package.json",
      R"({"name":"fixture-app","version":"1.0.0","scripts":{"postinstall":"patch-package","test":"jest"},)"
      R"("dependencies":{"is-odd":"3.0.1","debug":"4.3.4","is-number":"7.0.0","core-js":"3.33.0"},"devDependencies":{"once":"1.4.0"}})");
  Write(app + "/package-lock.json", Fixture("package-lock-v3.json"));
  Write(
      app + "/node_modules/core-js/package.json",
      R"({"name":"core-js","version":"3.33.0","scripts":{"postinstall":"node -e \"try{require('./postinstall')}catch(e){}\""}})");
  // debug has a postinstall here, but the lockfile says it has none: not read.
  Write(app + "/node_modules/debug/package.json",
        R"({"name":"debug","version":"4.3.4","scripts":{"postinstall":"echo never read"}})");
  Write(app + "/.npmrc",
        "//mirror.corp.test/:_authToken=npm_SECRETSECRET\nignore-scripts=false\n");
  // Noise the walk must skip: a lockfile inside node_modules and in dist.
  Write(app + "/node_modules/x/package-lock.json", "{}");
  Write(app + "/dist/package-lock.json", "{}");

  const Facts facts = Collect({dir.path()});
  ASSERT_EQ(facts.npm_projects.size(), 1u);
  const NpmProject& p = facts.npm_projects[0];
  EXPECT_EQ(p.dir, app);
  EXPECT_EQ(p.kind, LockfileKind::kPackageLock);
  EXPECT_EQ(p.lockfile_version, 3);
  EXPECT_EQ(p.name, "fixture-app");
  EXPECT_EQ(p.version, "1.0.0");
  EXPECT_EQ(p.node_modules, app + "/node_modules");
  EXPECT_EQ(p.packages.size(), 8u);
  ASSERT_EQ(p.scripts.size(), 2u);
  EXPECT_TRUE(p.scripts[0].root);
  EXPECT_EQ(p.scripts[0].event, "postinstall");
  EXPECT_EQ(p.scripts[1].package, "core-js@3.33.0");
  EXPECT_EQ(p.scripts[1].path, app + "/node_modules/core-js/package.json");
  ASSERT_GE(p.npmrc.size(), 2u);
  EXPECT_EQ(p.npmrc[0].scope, "project");
  EXPECT_TRUE(p.npmrc[0].secret);
  EXPECT_EQ(p.npmrc[0].value, "<redacted>");
  for (const NpmrcSetting& s : p.npmrc) EXPECT_EQ(s.value.find("SECRETSECRET"), std::string::npos);
}

TEST(NpmCollectTest, WithoutALockfileNodeModulesIsWalked) {
  TestDir dir;
  Write(dir / "package.json", R"({"name":"bare"})");
  Write(dir / "node_modules/a/package.json",
        R"({"name":"a","version":"1.0.0","scripts":{"preinstall":"sh -c 'curl x'"}})");
  Write(dir / "node_modules/@s/b/package.json", R"({"name":"@s/b","version":"2.0.0"})");
  Write(dir / "node_modules/@s/b/binding.gyp", "{}");
  Write(dir / "node_modules/a/node_modules/c/package.json", R"({"name":"c","version":"3.0.0"})");
  Write(dir / "node_modules/a/lib/package.json", R"({"name":"not-a-package","version":"0"})");
  const Facts facts = Collect({dir.path()});
  ASSERT_EQ(facts.npm_projects.size(), 1u);
  const NpmProject& p = facts.npm_projects[0];
  EXPECT_EQ(p.kind, LockfileKind::kNone);
  EXPECT_EQ(p.packages.size(), 3u);
  ASSERT_EQ(p.scripts.size(), 2u);
  std::map<std::string, std::string> by_package;
  for (const NpmScript& s : p.scripts) by_package[s.package] = s.event + ": " + s.command;
  EXPECT_EQ(by_package["a@1.0.0"], "preinstall: sh -c 'curl x'");
  // npm's implicit install of a native addon.
  EXPECT_EQ(by_package["@s/b@2.0.0"], "install: node-gyp rebuild");
}

TEST(NpmCollectTest, GarbageLockfilesAreGapsAndLockfilesGivenDirectlyAreRead) {
  TestDir dir;
  Write(dir / "bad/package-lock.json", "{ not json");
  Write(dir / "bad/package.json", "[]");
  Write(dir / "yarn/yarn.lock", Fixture("yarn-v1.lock"));
  Write(dir / "yarn/package.json", Fixture("package.json"));
  const Facts facts = Collect({dir / "bad", dir / "yarn/yarn.lock", dir / "missing"});
  ASSERT_EQ(facts.npm_projects.size(), 2u);
  const NpmProject* bad = ProjectAt(facts, dir / "bad");
  ASSERT_NE(bad, nullptr);
  EXPECT_TRUE(bad->packages.empty());
  bool lock_gap = false, pj_gap = false;
  for (const Gap& g : facts.gaps) {
    lock_gap = lock_gap || (g.what == dir / "bad/package-lock.json" &&
                            g.reason.find("not JSON") != std::string::npos);
    pj_gap = pj_gap || g.what == dir / "bad/package.json";
  }
  EXPECT_TRUE(lock_gap);
  EXPECT_TRUE(pj_gap);
  const NpmProject* yarn = ProjectAt(facts, dir / "yarn");
  ASSERT_NE(yarn, nullptr);
  EXPECT_EQ(yarn->kind, LockfileKind::kYarnClassic);
  EXPECT_EQ(yarn->packages.size(), 8u);
}

TEST(NpmCollectTest, NodeProcessesLeadToTheirProject) {
  TestDir dir;
  Write(dir / "srv/package.json", R"({"name":"served"})");
  fs::create_directories(dir / "srv/lib/deep");
  // This test process pretends to be node; its cwd is the project's subdir.
  const fs::path old = fs::current_path();
  fs::current_path(dir / "srv/lib/deep");
  ScanOptions options;
  options.scopes = {Scope::kNpm};
  Facts facts;
  Process self;
  self.pid = getpid();
  self.argv = {"node", "server.js"};
  self.comm = "node";
  facts.processes.push_back(self);
  facts.processes.push_back(self);  // two processes of one app: one project
  CollectNpmProjects(options, facts);
  fs::current_path(old);
  ASSERT_EQ(facts.npm_projects.size(), 1u);
  EXPECT_EQ(facts.npm_projects[0].dir, dir / "srv");
  EXPECT_EQ(facts.npm_projects[0].display, dir / "srv");
  EXPECT_EQ(facts.npm_projects[0].name, "served");
}

}  // namespace
}  // namespace deminer
