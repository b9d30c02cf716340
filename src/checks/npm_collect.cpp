// CollectNpmProjects: finds JavaScript projects among the PATHs and in the
// working dirs of running Node.js processes (host and containers), and reads
// each one's lockfile graph, install scripts and .npmrc into facts.npm_projects.
#include "checks/npm_collect.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "core/strings.h"
#include "sources/npm_lockfile.h"
#include "sources/npmrc.h"

namespace deminer {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxLockfileBytes = size_t{128} << 20;
constexpr size_t kMaxPackageJsonBytes = size_t{1} << 20;
constexpr int kMaxWalkDepth = 6;
constexpr size_t kMaxNodeModulesPackages = 50000;

// Lockfile names, preferred first (npm reads a shrinkwrap before a package-lock).
constexpr const char* kLockfiles[] = {"npm-shrinkwrap.json", "package-lock.json", "pnpm-lock.yaml",
                                      "yarn.lock"};

Expected<std::string> ReadBounded(const std::string& path, size_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::FromErrno(errno, path));
  // Sized by the file, not by the cap: zeroing a 128 MiB buffer for every
  // package.json and lockfile cost more than parsing them.
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  std::string text;
  size_t want = std::min<size_t>(ec ? 64 << 10 : static_cast<size_t>(size), max) + 1;
  // Read until the end, or one byte past the cap (a file may grow meanwhile).
  while (in && text.size() <= max) {
    const size_t got = text.size();
    text.resize(std::min(got + want, max + 1));
    in.read(text.data() + got, static_cast<std::streamsize>(text.size() - got));
    text.resize(got + static_cast<size_t>(in.gcount()));
    want = text.size();
  }
  if (in.bad()) return Fail(Error::Io(fmt::format("{}: read failed", path)));
  if (text.size() > max)
    return Fail(Error::InvalidInput(fmt::format("{}: larger than {} bytes", path, max)));
  return text;
}

// fmt, not operator+: GCC 12 at -O3 warns falsely (-Wrestrict) on string + literal.
std::string Cat(std::string_view a, std::string_view b, std::string_view c = {}) {
  return fmt::format("{}{}{}", a, b, c);
}

bool IsFile(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}
bool IsDir(const std::string& p) {
  struct stat st {};
  return ::stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

struct Candidate {
  std::string dir;
  std::string lockfile;  // given directly, else found in dir
  std::string display;
  std::string container_id;
  std::string root;  // the file system root it was reached through ("" host)
};

int LineOfKey(std::string_view text, std::string_view key) {
  const std::string needle = fmt::format("\"{}\"", key);
  const size_t at = text.find(needle);
  if (at == std::string_view::npos) return 0;
  return 1 + static_cast<int>(
                 std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
}

// The install-time scripts of one package.json.
void ReadScripts(const std::string& path, const std::string& text, const std::string& label,
                 bool root, bool git_dep, std::vector<NpmScript>& out) {
  const nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (!j.is_object()) return;
  auto it = j.find("scripts");
  if (it == j.end() || !it->is_object()) return;
  for (const char* event : {"preinstall", "install", "postinstall", "prepare"}) {
    if (std::string_view(event) == "prepare" && !root && !git_dep) continue;
    auto s = it->find(event);
    if (s == it->end() || !s->is_string()) continue;
    NpmScript sc;
    sc.package = label;
    sc.path = path;
    sc.event = event;
    sc.command = Printable(s->get<std::string>(), 8192);
    sc.root = root;
    sc.line = LineOfKey(text, event);
    out.push_back(std::move(sc));
  }
}

bool IsGitDep(const NpmPackage& p) {
  const std::string_view r = p.resolved;
  return StartsWith(r, "git") || r.find("git+") != std::string_view::npos ||
         StartsWith(r, "github:") || r.find("#commit=") != std::string_view::npos;
}

// node_modules/**/package.json, for a project without a lockfile.
void WalkNodeModules(const std::string& dir, NpmProject& project, Facts& facts) {
  std::error_code ec;
  const std::string nm = Cat(dir, "/node_modules");
  fs::recursive_directory_iterator it(nm, fs::directory_options::skip_permission_denied, ec);
  if (ec) return;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (project.packages.size() >= kMaxNodeModulesPackages) {
      facts.gaps.push_back(
          {fmt::format("node_modules of {}", project.display),
           fmt::format("more than {} packages; the rest not read", kMaxNodeModulesPackages), ""});
      break;
    }
    if (it.depth() > 24) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_directory(ec) || it->is_symlink(ec)) {
      if (it->is_symlink(ec)) it.disable_recursion_pending();
      continue;
    }
    const std::string name = it->path().filename().string();
    const std::string parent = it->path().parent_path().filename().string();
    if (name == ".bin" || name == ".cache" || name == ".pnpm") {
      it.disable_recursion_pending();
      continue;
    }
    if (StartsWith(name, "@")) continue;  // a scope dir: its children are the packages
    const bool is_pkg = parent == "node_modules" ||
                        (StartsWith(parent, "@") &&
                         it->path().parent_path().parent_path().filename() == "node_modules");
    if (!is_pkg) {
      if (name != "node_modules") it.disable_recursion_pending();
      continue;
    }
    const std::string pj = Cat(it->path().string(), "/package.json");
    auto text = ReadBounded(pj, kMaxPackageJsonBytes);
    if (!text) continue;
    const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
    if (!j.is_object()) continue;
    NpmPackage p;
    p.name = j.value("name", "");
    p.version = j.value("version", "");
    if (p.name.empty()) continue;
    p.path = it->path().string().substr(dir.size() + 1);
    project.packages.push_back(std::move(p));
  }
}

void ReadProject(const Candidate& c, Facts& facts, std::vector<NpmProject>& out) {
  NpmProject project;
  project.dir = c.dir;
  project.display = c.display;
  project.container_id = c.container_id;
  const std::string pj_path = Cat(c.dir, "/package.json");
  RootDeps roots;
  if (IsFile(pj_path)) {
    auto text = ReadBounded(pj_path, kMaxPackageJsonBytes);
    if (!text) {
      facts.gaps.push_back({pj_path, text.error().message(), "read access to the project"});
    } else {
      const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
      if (!j.is_object()) {
        facts.gaps.push_back(
            {pj_path, "not a JSON object; the project's own scripts not read", ""});
      } else {
        if (auto n = j.find("name"); n != j.end() && n->is_string()) project.name = *n;
        if (auto v = j.find("version"); v != j.end() && v->is_string()) project.version = *v;
        if (auto r = ParseRootDeps(*text)) roots = std::move(*r);
        const std::string label = project.name.empty() ? project.display : project.name;
        ReadScripts(pj_path, *text, label, true, false, project.scripts);
      }
    }
  }
  if (IsDir(Cat(c.dir, "/node_modules"))) project.node_modules = Cat(c.dir, "/node_modules");

  std::string lockfile = c.lockfile;
  if (lockfile.empty()) {
    for (const char* name : kLockfiles) {
      if (IsFile(Cat(c.dir, "/", name))) {
        lockfile = Cat(c.dir, "/", name);
        break;
      }
    }
  }
  if (lockfile.empty() && !project.node_modules.empty() &&
      IsFile(Cat(project.node_modules, "/.package-lock.json")))
    lockfile = Cat(project.node_modules, "/.package-lock.json");
  bool parsed = false;
  if (!lockfile.empty()) {
    auto text = ReadBounded(lockfile, kMaxLockfileBytes);
    if (!text) {
      facts.gaps.push_back({lockfile, text.error().message(), "read access to the project"});
    } else {
      const LockfileKind kind = DetectLockfileKind(lockfile, *text);
      auto lf = ParseLockfile(*text, kind, roots);
      if (!lf) {
        facts.gaps.push_back(
            {lockfile, fmt::format("{} not read: {}", LockfileKindName(kind), lf.error().message()),
             ""});
      } else {
        for (const std::string& w : lf->warnings) facts.gaps.push_back({lockfile, w, ""});
        project.lockfile = lockfile;
        project.kind = kind;
        project.lockfile_version = lf->version;
        if (project.name.empty()) project.name = lf->name;
        if (project.version.empty()) project.version = lf->root_version;
        project.packages = std::move(lf->packages);
        parsed = true;
      }
    }
  }
  if (!parsed && !project.node_modules.empty()) {
    project.kind = LockfileKind::kNone;
    WalkNodeModules(c.dir, project, facts);
  }

  // Install scripts of what is installed. Lockfiles that record
  // hasInstallScript (npm 7+, pnpm's requiresBuild) say which to read;
  // otherwise every installed package.json is read.
  if (!project.node_modules.empty()) {
    const bool lock_knows =
        (project.kind == LockfileKind::kPackageLock || project.kind == LockfileKind::kShrinkwrap ||
         project.kind == LockfileKind::kHiddenLock) &&
        project.lockfile_version >= 2;
    const bool pnpm_knows = project.kind == LockfileKind::kPnpm && project.lockfile_version < 9;
    for (NpmPackage& p : project.packages) {
      // A link's entry in node_modules is read through its target's entry
      // (a workspace or file: folder), whose scripts npm runs too.
      const bool folder = p.link && !p.path.empty() && !StartsWith(p.path, "node_modules/") &&
                          p.path.find("/node_modules/") == std::string::npos;
      if (p.link && !folder) continue;
      if ((lock_knows || pnpm_knows) && !folder && !p.has_install_script && !IsGitDep(p)) continue;
      std::vector<std::string> dirs;
      if (!p.path.empty()) {
        dirs.push_back(Cat(c.dir, "/", p.path));
      } else {
        dirs.push_back(fmt::format(
            "{}/.pnpm/{}@{}/node_modules/{}", project.node_modules,
            [&] {
              std::string n = p.name;
              std::replace(n.begin(), n.end(), '/', '+');
              return n;
            }(),
            p.version, p.name));
        dirs.push_back(Cat(project.node_modules, "/", p.name));
      }
      for (const std::string& d : dirs) {
        const std::string pj = Cat(d, "/package.json");
        auto text = ReadBounded(pj, kMaxPackageJsonBytes);
        if (!text) continue;
        if (p.path.empty()) {
          const nlohmann::json j = nlohmann::json::parse(*text, nullptr, false);
          if (!j.is_object() || j.value("version", "") != p.version) continue;
        }
        const size_t before = project.scripts.size();
        ReadScripts(pj, *text, Cat(p.name, "@", p.version), false, IsGitDep(p), project.scripts);
        // npm runs `node-gyp rebuild` for a package with a binding.gyp and
        // no install or preinstall script of its own.
        const bool own_install = std::any_of(
            project.scripts.begin() + static_cast<std::ptrdiff_t>(before), project.scripts.end(),
            [](const NpmScript& sc) { return sc.event == "install" || sc.event == "preinstall"; });
        if (!own_install && IsFile(Cat(d, "/binding.gyp"))) {
          NpmScript sc;
          sc.package = Cat(p.name, "@", p.version);
          sc.path = Cat(d, "/binding.gyp");
          sc.event = "install";
          sc.command = "node-gyp rebuild";
          project.scripts.push_back(std::move(sc));
        }
        if (project.scripts.size() > before) p.has_install_script = true;
        break;
      }
    }
  }

  std::vector<std::string> errors;
  project.npmrc = ReadNpmrcFiles(NpmrcFiles(c.dir, c.root), errors);
  for (const std::string& e : errors) facts.gaps.push_back({"npmrc", e, "read access"});
  // npm's own default (user, global, builtin config as npm resolves it), the
  // reference the registry check compares a project's override with. Asked
  // only when an .npmrc sets a registry: running npm costs ~150 ms.
  const bool overrides = std::any_of(
      project.npmrc.begin(), project.npmrc.end(),
      [](const NpmrcSetting& s) { return s.key == "registry" || s.key.ends_with(":registry"); });
  if (std::string def = overrides ? NpmConfigRegistry() : std::string(); !def.empty()) {
    NpmrcSetting s;
    s.file = "npm config get registry";
    s.scope = "default";
    s.key = "registry";
    s.value = std::move(def);
    project.npmrc.push_back(std::move(s));
  }
  out.push_back(std::move(project));
}

bool SkippedDir(std::string_view name) {
  return name == "node_modules" || name == ".git" || name == ".next" || name == "dist";
}

// Lockfiles at depth <= 6 below `dir`, and `dir` itself when it has a
// package.json or node_modules.
void FindInDir(const std::string& dir, std::vector<Candidate>& out, Facts& facts) {
  std::set<std::string> found;
  auto has_lock = [](const std::string& d) {
    for (const char* name : kLockfiles)
      if (IsFile(Cat(d, "/", name))) return true;
    return false;
  };
  if (has_lock(dir) || IsFile(Cat(dir, "/package.json")) || IsDir(Cat(dir, "/node_modules")))
    found.insert(dir);
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    facts.gaps.push_back({dir, ec.message(), "read access"});
    return;
  }
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (!it->is_directory(ec) || it->is_symlink(ec)) continue;
    const std::string name = it->path().filename().string();
    if (SkippedDir(name) || it.depth() >= kMaxWalkDepth) {
      it.disable_recursion_pending();
      if (SkippedDir(name)) continue;
    }
    if (has_lock(it->path().string())) found.insert(it->path().string());
  }
  for (const std::string& d : found) out.push_back({d, "", d, "", ""});
}

bool IsNodeProcess(const Process& p) {
  auto is_node = [](std::string_view n) {
    return n == "node" || n == "nodejs" || StartsWith(n, "next-server");
  };
  if (!p.argv.empty() && is_node(Basename(p.argv[0]))) return true;
  if (!p.exe.empty() && is_node(Basename(p.exe))) return true;
  return p.comm == "node" || StartsWith(p.comm, "next-server");
}

void FindFromProcesses(const Facts& facts, std::vector<Candidate>& out) {
  for (const Process& p : facts.processes) {
    if (p.kernel_thread || !IsNodeProcess(p)) continue;
    char buf[4096];
    const std::string link = fmt::format("/proc/{}/cwd", p.pid);
    const ssize_t n = ::readlink(link.c_str(), buf, sizeof(buf) - 1);
    if (n <= 0) continue;
    std::string cwd(buf, static_cast<size_t>(n));
    if (EndsWith(cwd, " (deleted)")) continue;
    const std::string root = p.container_id.empty() ? "" : fmt::format("/proc/{}/root", p.pid);
    // Walk up at most 3 dirs to the project.
    std::string dir = cwd;
    bool ok = false;
    for (int up = 0; up <= 3 && !dir.empty(); ++up) {
      const std::string host = Cat(root, dir);
      bool lock = IsFile(Cat(host, "/package.json"));
      for (const char* name : kLockfiles) lock = lock || IsFile(Cat(host, "/", name));
      if (lock) {
        ok = true;
        break;
      }
      if (dir == "/") break;
      const size_t slash = dir.rfind('/');
      dir = slash == 0 ? "/" : dir.substr(0, slash);
    }
    if (!ok || dir == "/") continue;
    Candidate c;
    c.dir = Cat(root, dir);
    c.root = root;
    c.container_id = p.container_id;
    if (p.container_id.empty()) {
      c.display = dir;
    } else {
      std::string name = p.container_id.substr(0, 12);
      if (auto it = facts.containers.find(p.container_id);
          it != facts.containers.end() && !it->second.name.empty())
        name = it->second.name;
      c.display = fmt::format("container {}:{}", name, dir);
    }
    out.push_back(std::move(c));
  }
}

}  // namespace

void CollectNpmProjects(const ScanOptions& options, Facts& facts) {
  std::vector<Candidate> cands;
  std::vector<std::string> paths = options.paths;
  paths.insert(paths.end(), options.verify_registry.begin(), options.verify_registry.end());
  for (std::string path : paths) {
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    if (IsFile(path)) {
      const LockfileKind kind =
          DetectLockfileKind(path, Basename(path) == "yarn.lock" ? [&] {
            auto t = ReadBounded(path, 4096 * 16);
            return t ? *t : std::string();
          }()
                                                                 : std::string());
      std::error_code ec;
      std::string dir = fs::absolute(path, ec).parent_path().string();
      if (kind == LockfileKind::kHiddenLock) dir = fs::path(dir).parent_path().string();
      if (kind != LockfileKind::kNone)
        cands.push_back({dir, path, dir, "", ""});
      else if (Basename(path) == "package.json")
        cands.push_back({dir, "", dir, "", ""});
    } else if (IsDir(path)) {
      FindInDir(path, cands, facts);
    }
  }
  if (options.root == "/") FindFromProcesses(facts, cands);
  // One project per dir (a PATH and a process may both lead to it).
  std::set<std::string> seen;
  for (const Candidate& c : cands) {
    std::error_code ec;
    std::string key = fs::weakly_canonical(c.dir, ec).string();
    if (ec || key.empty()) key = c.dir;
    key = Cat(c.container_id, "\n", key);
    if (!seen.insert(key).second) continue;
    ReadProject(c, facts, facts.npm_projects);
  }
}

}  // namespace deminer
