// CollectJsCode: the JavaScript of node_modules, Next.js build output (.next,
// standalone, server, static) and bundle dirs (dist, build, out), read once
// each with the parallel file walker and scored by the JS heuristics. Only
// files at or above the report threshold are kept (with their owning package,
// project, size and SHA-256); every file read is counted.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "checks/npm_collect.h"
#include "core/strings.h"
#include "match/js_heuristics.h"
#include "sources/file_hash.h"
#include "sources/file_walker.h"

namespace deminer {

namespace {

constexpr std::array<std::string_view, 3> kBundleDirs = {"dist", "build", "out"};

bool JsName(std::string_view path) {
  const std::string_view name = Basename(path);
  return name.ends_with(".js") || name.ends_with(".mjs") || name.ends_with(".cjs");
}

// The area of a file from the directories on its path below `base` (the walk
// target's shown path): node_modules wins (standalone's traced copies too),
// then .next, then bundle dirs. Empty: none of them.
std::string AreaOf(std::string_view path, std::string_view base) {
  std::string_view rel = path;
  if (rel.starts_with(base)) rel.remove_prefix(base.size());
  bool next = false;
  bool bundle = false;
  for (const std::string_view part : Split(rel, '/')) {
    if (part == "node_modules") return "node_modules";
    if (part == ".next") next = true;
    if (std::find(kBundleDirs.begin(), kBundleDirs.end(), part) != kBundleDirs.end()) bundle = true;
  }
  if (next) return "build";
  if (bundle) return "bundle";
  return "";
}

// The area a directory given by name is ("node_modules", ".next", "dist").
std::string DirArea(std::string_view dir) {
  const std::string_view name = Basename(dir);
  if (name == "node_modules") return "node_modules";
  if (name == ".next" || name == "standalone") return "build";
  if (std::find(kBundleDirs.begin(), kBundleDirs.end(), name) != kBundleDirs.end()) return "bundle";
  return "";
}

// Absolute and without "." or "..", no trailing slash: PATHs and project dirs
// compare as the same dir however they were written.
std::string Absolute(const std::string& path) {
  std::error_code ec;
  std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
  if (ec) abs = path;
  while (abs.size() > 1 && abs.ends_with('/')) abs.pop_back();
  return abs;
}

bool Under(std::string_view path, std::string_view dir) {
  if (dir == "/") return true;
  return path == dir ||
         (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

// "name@version" of the package owning a file in node_modules: the package
// dir after the last node_modules on its path, and its package.json. Cached;
// read after the walk, for flagged files only.
class PackageNames {
 public:
  std::string Owner(std::string_view path) {
    const size_t nm = path.rfind("/node_modules/");
    if (nm == std::string_view::npos) return "";
    size_t start = nm + 14;
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) return "";
    if (path[start] == '@') {
      end = path.find('/', end + 1);
      if (end == std::string_view::npos) return "";
    }
    if (path.substr(start, end - start) == ".bin") return "";
    const std::string dir(path.substr(0, end));
    auto it = cache_.find(dir);
    if (it == cache_.end())
      it = cache_.emplace(dir, Read(dir, path.substr(start, end - start))).first;
    return it->second;
  }

 private:
  static std::string Read(const std::string& dir, std::string_view fallback) {
    std::ifstream in(dir + "/package.json", std::ios::binary);
    std::string text(64 << 10, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(std::max<std::streamsize>(0, in.gcount())));
    const auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (j.is_object() && j.contains("name") && j["name"].is_string()) {
      std::string out = j["name"].get<std::string>();
      if (j.contains("version") && j["version"].is_string())
        out += "@" + j["version"].get<std::string>();
      return out;
    }
    return std::string(fallback);
  }
  std::map<std::string, std::string> cache_;
};

}  // namespace

void CollectJsCode(const ScanOptions& options, const RulePack& rules, Facts& facts) {
  // Walk targets: each PATH (a project, a node_modules, a build dir, a file),
  // then each project's node_modules and build dirs not already under one.
  struct Target {
    WalkTarget walk;
  };
  std::vector<Target> targets;
  for (const std::string& p : options.paths) {
    std::error_code ec;
    const std::string dir = Absolute(p);
    const bool file = std::filesystem::is_regular_file(dir, ec);
    if (file && !JsName(dir)) continue;
    std::string area = file ? AreaOf(dir, "") : DirArea(dir);
    if (area.empty()) area = file ? "bundle" : "path";
    targets.push_back({{dir, dir, area, ""}});
  }
  for (const NpmProject& proj : facts.npm_projects) {
    std::vector<std::string> dirs;
    if (!proj.node_modules.empty()) dirs.push_back(Absolute(proj.node_modules));
    for (const std::string_view sub : {".next", "dist", "build", "out"}) {
      std::error_code ec;
      const std::string d = fmt::format("{}/{}", Absolute(proj.dir), sub);
      if (std::filesystem::is_directory(d, ec)) dirs.push_back(d);
    }
    for (const std::string& d : dirs) {
      targets.push_back({{d, d, DirArea(d).empty() ? "bundle" : DirArea(d), proj.container_id}});
    }
  }
  // Drop targets under others, so each file is read once.
  std::sort(targets.begin(), targets.end(),
            [](const Target& a, const Target& b) { return a.walk.dir < b.walk.dir; });
  std::vector<Target> kept;
  for (Target& t : targets) {
    const bool covered = std::any_of(
        kept.begin(), kept.end(), [&](const Target& k) { return Under(t.walk.dir, k.walk.dir); });
    if (!covered) kept.push_back(std::move(t));
  }
  if (kept.empty()) return;
  std::vector<WalkTarget> walk_targets;
  for (const Target& t : kept) walk_targets.push_back(t.walk);

  // Compiled on the first JS file (a Vectorscan compile costs ~100 ms that a
  // project without JavaScript, a lockfile alone, never pays).
  std::once_flag compiled;
  std::unique_ptr<const JsHeuristics> heuristics;
  const unsigned threads =
      std::max(1U, options.threads != 0 ? options.threads : std::thread::hardware_concurrency());
  std::vector<std::unique_ptr<Hasher>> hashers(threads);
  std::atomic<uint64_t> read{0};
  std::atomic<uint64_t> too_big{0};
  std::mutex mu;
  std::vector<JsFileScore> flagged;

  // The area a file has, or "" when it is not in one of the dirs we read.
  // The dirs on its path decide (standalone's node_modules is node_modules);
  // a dir given by name that says nothing (a PATH to a plain dir) is its
  // target's area.
  const auto area_of = [&kept](const FileEntry& e) -> std::string {
    for (const Target& t : kept) {
      if (!Under(e.path, t.walk.shown)) continue;
      if (t.walk.area == "path") return AreaOf(e.path, t.walk.shown);
      const size_t slash = t.walk.shown.rfind('/');
      std::string area =
          AreaOf(e.path, t.walk.shown.substr(0, slash == std::string::npos ? 0 : slash));
      return area.empty() ? t.walk.area : area;
    }
    return "";
  };

  WalkOptions walk;
  walk.threads = threads;
  walk.max_content_bytes = std::min<uint64_t>(options.max_content_bytes, JsHeuristics::kMaxBytes);
  walk.max_hash_bytes = walk.max_content_bytes;  // larger files are not read at all
  walk.read_filter = [&](const FileEntry& e) {
    if (!JsName(e.path) || area_of(e).empty()) return false;
    if (e.size > walk.max_content_bytes) {
      too_big.fetch_add(1, std::memory_order_relaxed);
      return false;
    }
    return true;
  };
  walk.hook = [&](unsigned worker, FileEntry& e, std::string_view bytes) {
    if (bytes.empty()) return;
    read.fetch_add(1, std::memory_order_relaxed);
    std::vector<JsSignal> signals;
    std::call_once(compiled, [&] { heuristics = std::make_unique<const JsHeuristics>(rules); });
    const int score = heuristics->Score(bytes, signals);
    if (score < JsHeuristics::kReportScore) return;
    JsFileScore js;
    js.path = e.path;
    js.area = area_of(e);
    js.container_id = e.container_id;
    js.size = bytes.size();
    js.score = score;
    js.signals = std::move(signals);
    auto& hasher = hashers[worker % hashers.size()];
    if (!hasher) hasher = std::make_unique<Hasher>(HashSet{false, false, true});
    hasher->Update(bytes.data(), bytes.size());
    js.sha256 = hasher->Finish().sha256;
    std::lock_guard lock(mu);
    flagged.push_back(std::move(js));
  };
  FileSweep sweep = WalkFiles(walk_targets, walk);
  for (Gap& g : sweep.gaps) {
    g.what = "npm code heuristics: " + g.what;
    facts.gaps.push_back(std::move(g));
  }
  if (too_big != 0) {
    facts.gaps.push_back({fmt::format("npm code heuristics: {} JavaScript files", too_big.load()),
                          fmt::format("larger than {} bytes, not scored", walk.max_content_bytes),
                          ""});
  }
  facts.js_files_read += read.load();

  PackageNames packages;
  std::sort(flagged.begin(), flagged.end(),
            [](const JsFileScore& a, const JsFileScore& b) { return a.path < b.path; });
  for (JsFileScore& js : flagged) {
    if (js.area == "node_modules") js.package = packages.Owner(js.path);
    size_t best = 0;
    for (const NpmProject& proj : facts.npm_projects) {
      const std::string dir = Absolute(proj.dir);
      if (dir.size() > best && Under(js.path, dir)) {
        best = dir.size();
        js.project = proj.display.empty() ? proj.dir : proj.display;
        if (js.container_id.empty()) js.container_id = proj.container_id;
      }
    }
    facts.js_files.push_back(std::move(js));
  }
}

}  // namespace deminer
