#include "sources/npm_lockfile.h"

#include <fmt/format.h>
#include <simdjson.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <deque>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "core/strings.h"

namespace deminer {

namespace {

// ---------------------------------------------------------------------------
// The graph every format is turned into: packages, and for each the indices
// of the packages its dependencies resolve to.

struct Graph {
  std::vector<std::vector<int>> edges;
  std::vector<int> prod_roots;  // direct dependencies (dependencies, optional, peer)
  std::vector<int> dev_roots;   // direct devDependencies
};

std::string Label(const NpmPackage& p) {
  return p.version.empty() ? p.name : p.name + "@" + p.version;
}

void AddUnique(std::vector<int>& v, int i) {
  if (i >= 0 && std::find(v.begin(), v.end(), i) == v.end()) v.push_back(i);
}

// Breadth-first from the roots: the first path that reaches a package is a
// shortest one. Production roots go first, so a package reached from them is
// named by its production chain; with `infer_dev`, a package only dev roots
// reach is marked dev (formats whose lockfile does not say).
void AssignVia(std::vector<NpmPackage>& pkgs, Graph& g, bool infer_dev) {
  const int n = static_cast<int>(pkgs.size());
  g.edges.resize(pkgs.size());
  if (g.prod_roots.empty() && g.dev_roots.empty()) {
    // No root list: the packages nothing depends on are the direct ones.
    std::vector<char> has_parent(pkgs.size(), 0);
    for (const auto& e : g.edges)
      for (int t : e) has_parent[t] = 1;
    for (int i = 0; i < n; ++i)
      if (!has_parent[i]) g.prod_roots.push_back(i);
  }
  std::vector<int> parent(pkgs.size(), -2);
  std::vector<char> phase(pkgs.size(), 0);
  std::deque<int> queue;
  auto run = [&](const std::vector<int>& roots, char ph) {
    for (int r : roots) {
      if (r < 0 || r >= n || parent[r] != -2) continue;
      parent[r] = -1;
      phase[r] = ph;
      queue.push_back(r);
    }
    while (!queue.empty()) {
      const int cur = queue.front();
      queue.pop_front();
      for (int t : g.edges[cur]) {
        if (t < 0 || t >= n || parent[t] != -2) continue;
        parent[t] = cur;
        phase[t] = ph;
        queue.push_back(t);
      }
    }
  };
  run(g.prod_roots, 1);
  run(g.dev_roots, 2);
  for (int i = 0; i < n; ++i) {
    if (parent[i] == -2) continue;
    std::vector<std::string> chain;
    // A link and its target name the same package once.
    for (int cur = i; cur >= 0 && chain.size() < 1000; cur = parent[cur]) {
      std::string label = Label(pkgs[cur]);
      if (chain.empty() || chain.back() != label) chain.push_back(std::move(label));
    }
    std::reverse(chain.begin(), chain.end());
    pkgs[i].via = std::move(chain);
    if (infer_dev && phase[i] == 2) pkgs[i].dev = true;
  }
}

// The name of a package from "name@range" / "name@version" (scoped names
// start with '@').
std::pair<std::string_view, std::string_view> SplitAt(std::string_view s) {
  const size_t at = s.find('@', 1);
  if (at == std::string_view::npos) return {s, {}};
  return {s.substr(0, at), s.substr(at + 1)};
}

// ---------------------------------------------------------------------------
// npm: package-lock.json, npm-shrinkwrap.json, node_modules/.package-lock.json

// Finds the line of each entry's key. Entries are visited in document order,
// so one forward cursor over the text finds them all in one pass.
class LineCursor {
 public:
  explicit LineCursor(std::string_view text) : text_(text) {}
  int Find(std::string_view key) {
    needle_.assign(1, '"');
    needle_.append(key);
    needle_.push_back('"');
    size_t at = pos_;
    while (true) {
      at = text_.find(needle_, at);
      if (at == std::string_view::npos) return 0;
      size_t after = at + needle_.size();
      while (after < text_.size() && (text_[after] == ' ' || text_[after] == '\t')) ++after;
      if (after < text_.size() && text_[after] == ':') break;
      at = after;
    }
    line_ += static_cast<int>(std::count(text_.begin() + static_cast<std::ptrdiff_t>(pos_),
                                         text_.begin() + static_cast<std::ptrdiff_t>(at), '\n'));
    pos_ = at + needle_.size();
    return line_;
  }

 private:
  std::string_view text_;
  std::string needle_;
  size_t pos_ = 0;
  int line_ = 1;
};

std::string_view Str(simdjson::dom::element e, std::string_view key) {
  std::string_view out;
  if (e[key].get_string().get(out) != simdjson::SUCCESS) return {};
  return out;
}

bool Bool(simdjson::dom::element e, std::string_view key) {
  bool out = false;
  if (e[key].get_bool().get(out) != simdjson::SUCCESS) return false;
  return out;
}

// Names of the keys of an object member ("dependencies": {name: range}).
void KeysOf(simdjson::dom::element e, std::string_view key, std::vector<std::string_view>& out) {
  simdjson::dom::object obj;
  if (e[key].get_object().get(obj) != simdjson::SUCCESS) return;
  for (auto field : obj) out.push_back(field.key);
}

// "node_modules/a/node_modules/@s/b" -> "@s/b"; a workspace folder's path is
// its own last component.
std::string_view NameFromPath(std::string_view path) {
  const size_t at = path.rfind("node_modules/");
  if (at != std::string_view::npos) return path.substr(at + 13);
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

struct NpmReader {
  std::vector<NpmPackage>& pkgs;
  std::unordered_map<std::string, int> by_path;
  std::vector<std::vector<std::string_view>> deps;  // names each package requires

  // npm's lookup: <from>/node_modules/<name>, then the same from each parent
  // install path up to the project's node_modules.
  int Resolve(std::string_view from, std::string_view name) const {
    std::string base(from);
    std::string cand;
    while (true) {
      cand.clear();
      if (!base.empty()) {
        cand.append(base);
        cand.push_back('/');
      }
      cand.append("node_modules/");
      cand.append(name);
      if (auto it = by_path.find(cand); it != by_path.end()) return it->second;
      if (base.empty()) return -1;
      const size_t at = base.rfind("/node_modules/");
      if (at == std::string::npos) {
        base.clear();
      } else {
        base.resize(at);
      }
    }
  }
};

// v1: "dependencies": {name: {version, resolved, integrity, dev, optional,
// bundled, requires: {name: range}, dependencies: {nested}}}.
void ReadV1Deps(simdjson::dom::object deps, const std::string& parent_path, NpmReader& r,
                LineCursor& lines, int depth) {
  if (depth > 200) return;
  for (auto field : deps) {
    simdjson::dom::element e = field.value;
    if (!e.is_object()) continue;
    NpmPackage p;
    p.name = std::string(field.key);
    p.path =
        parent_path.empty() ? "node_modules/" + p.name : parent_path + "/node_modules/" + p.name;
    p.line = lines.Find(field.key);
    p.version = std::string(Str(e, "version"));
    p.resolved = std::string(Str(e, "resolved"));
    p.integrity = std::string(Str(e, "integrity"));
    p.dev = Bool(e, "dev");
    p.optional = Bool(e, "optional");
    p.bundled = Bool(e, "bundled");
    p.link = StartsWith(p.version, "file:");
    const int idx = static_cast<int>(r.pkgs.size());
    r.by_path.emplace(p.path, idx);
    r.pkgs.push_back(std::move(p));
    r.deps.emplace_back();
    KeysOf(e, "requires", r.deps.back());
    simdjson::dom::object nested;
    if (e["dependencies"].get_object().get(nested) == simdjson::SUCCESS) {
      const std::string path = r.pkgs[static_cast<size_t>(idx)].path;  // push_back moves pkgs
      ReadV1Deps(nested, path, r, lines, depth + 1);
    }
  }
}

}  // namespace

Expected<Lockfile> ParsePackageLock(std::string_view text, LockfileKind kind,
                                    const RootDeps& roots) {
  Lockfile lf;
  lf.kind = kind;
  simdjson::dom::parser parser;
  const simdjson::padded_string padded(text);
  simdjson::dom::element doc;
  if (auto err = parser.parse(padded).get(doc); err != simdjson::SUCCESS)
    return Fail(Error::InvalidInput(fmt::format("not JSON: {}", simdjson::error_message(err))));
  if (!doc.is_object()) return Fail(Error::InvalidInput("not a JSON object"));
  int64_t version = 0;
  if (doc["lockfileVersion"].get_int64().get(version) != simdjson::SUCCESS) version = 0;
  lf.version = static_cast<int>(std::clamp<int64_t>(version, 0, 1000));
  lf.name = std::string(Str(doc, "name"));
  lf.root_version = std::string(Str(doc, "version"));

  NpmReader r{lf.packages, {}, {}};
  Graph g;
  LineCursor lines(text);
  simdjson::dom::object packages;
  const bool has_packages = doc["packages"].get_object().get(packages) == simdjson::SUCCESS;
  if (lf.version > 3) {
    lf.warnings.push_back(
        fmt::format("lockfileVersion {} is newer than the versions deminer knows (1-3); read as v3",
                    lf.version));
  } else if (lf.version == 0) {
    lf.warnings.push_back("no lockfileVersion; read by its shape");
  }
  if (has_packages && lf.version != 1) {
    // v2, v3 and the hidden lockfile: entries keyed by install path.
    simdjson::dom::element root;
    bool has_root = false;
    std::vector<std::string_view> link_targets;
    for (auto field : packages) {
      simdjson::dom::element e = field.value;
      if (!e.is_object()) continue;
      if (field.key.empty()) {
        root = e;
        has_root = true;
        if (lf.name.empty()) lf.name = std::string(Str(e, "name"));
        if (lf.root_version.empty()) lf.root_version = std::string(Str(e, "version"));
        continue;
      }
      NpmPackage p;
      p.path = std::string(field.key);
      p.line = lines.Find(field.key);
      const std::string_view own = Str(e, "name");
      p.name = std::string(own.empty() ? NameFromPath(field.key) : own);
      p.version = std::string(Str(e, "version"));
      p.resolved = std::string(Str(e, "resolved"));
      p.integrity = std::string(Str(e, "integrity"));
      p.dev = Bool(e, "dev");
      p.optional = Bool(e, "optional") || Bool(e, "devOptional");
      p.bundled = Bool(e, "inBundle") || Bool(e, "bundled");
      p.has_install_script = Bool(e, "hasInstallScript");
      const bool workspace = !StartsWith(field.key, "node_modules/") &&
                             field.key.find("/node_modules/") == std::string_view::npos;
      p.link = Bool(e, "link") || workspace;
      r.by_path.emplace(p.path, static_cast<int>(lf.packages.size()));
      r.deps.emplace_back();
      link_targets.push_back(Bool(e, "link") ? Str(e, "resolved") : std::string_view{});
      KeysOf(e, "dependencies", r.deps.back());
      KeysOf(e, "optionalDependencies", r.deps.back());
      KeysOf(e, "peerDependencies", r.deps.back());
      if (workspace) KeysOf(e, "devDependencies", r.deps.back());
      lf.packages.push_back(std::move(p));
    }
    g.edges.resize(lf.packages.size());
    for (size_t i = 0; i < lf.packages.size(); ++i) {
      if (!link_targets[i].empty()) {
        if (auto it = r.by_path.find(std::string(link_targets[i])); it != r.by_path.end()) {
          AddUnique(g.edges[i], it->second);
          NpmPackage& target = lf.packages[static_cast<size_t>(it->second)];
          if (lf.packages[i].version.empty()) lf.packages[i].version = target.version;
        }
        continue;
      }
      for (std::string_view dep : r.deps[i])
        AddUnique(g.edges[i], r.Resolve(lf.packages[i].path, dep));
    }
    if (has_root) {
      std::vector<std::string_view> prod, dev;
      KeysOf(root, "dependencies", prod);
      KeysOf(root, "optionalDependencies", prod);
      KeysOf(root, "peerDependencies", prod);
      KeysOf(root, "devDependencies", dev);
      for (std::string_view d : prod) AddUnique(g.prod_roots, r.Resolve("", d));
      for (std::string_view d : dev) AddUnique(g.dev_roots, r.Resolve("", d));
    }
  } else {
    simdjson::dom::object deps;
    if (doc["dependencies"].get_object().get(deps) == simdjson::SUCCESS) {
      ReadV1Deps(deps, "", r, lines, 0);
    } else if (!has_packages) {
      return Fail(
          Error::InvalidInput("neither \"packages\" nor \"dependencies\": not an npm lockfile"));
    }
    g.edges.resize(lf.packages.size());
    for (size_t i = 0; i < lf.packages.size(); ++i)
      for (std::string_view dep : r.deps[i])
        AddUnique(g.edges[i], r.Resolve(lf.packages[i].path, dep));
  }
  if (g.prod_roots.empty() && g.dev_roots.empty() && !roots.empty()) {
    for (const auto& [name, range] : roots.prod) AddUnique(g.prod_roots, r.Resolve("", name));
    for (const auto& [name, range] : roots.optional) AddUnique(g.prod_roots, r.Resolve("", name));
    for (const auto& [name, range] : roots.dev) AddUnique(g.dev_roots, r.Resolve("", name));
  }
  AssignVia(lf.packages, g, false);
  return lf;
}

// ---------------------------------------------------------------------------
// pnpm-lock.yaml

namespace {

// A missing key of a const node is an invalid node, whose type queries throw:
// every access goes through these.
bool IsMapNode(const YAML::Node& n) { return n.IsDefined() && n.IsMap(); }

YAML::Node Child(const YAML::Node& n, const char* key) {
  if (!IsMapNode(n)) return YAML::Node();
  const YAML::Node c = n[key];
  return c.IsDefined() ? c : YAML::Node();
}

std::string Scalar(const YAML::Node& n) {
  return n.IsDefined() && n.IsScalar() ? n.Scalar() : std::string();
}

int LineOf(const YAML::Node& key) { return key.Mark().line >= 0 ? key.Mark().line + 1 : 0; }

struct PnpmKey {
  std::string name;
  std::string version;
  std::string base;  // without the peer suffix
};

// v9 "name@1.0.0(peer@2)", v6 "/name@1.0.0(peer@2)", v5 "/name/1.0.0_peer@2".
PnpmKey SplitPnpmKey(std::string_view key, int major) {
  PnpmKey k;
  std::string_view s = key;
  if (major < 6 && StartsWith(s, "/")) {
    s.remove_prefix(1);
    size_t slash = s.find('/');
    if (StartsWith(s, "@") && slash != std::string_view::npos) slash = s.find('/', slash + 1);
    if (slash == std::string_view::npos) {
      k.name = std::string(s);
    } else {
      k.name = std::string(s.substr(0, slash));
      std::string_view v = s.substr(slash + 1);
      k.version = std::string(v.substr(0, v.find('_')));
    }
    k.base = "/" + k.name + "/" + k.version;
    return k;
  }
  if (StartsWith(s, "/")) s.remove_prefix(1);
  std::string_view base = s;
  if (const size_t paren = s.find('('); paren != std::string_view::npos) base = s.substr(0, paren);
  auto [name, version] = SplitAt(base);
  k.name = std::string(name);
  k.version = std::string(version);
  k.base = std::string(key.substr(0, key.size() - (s.size() - base.size())));
  return k;
}

void ReadPnpmResolution(const YAML::Node& meta, NpmPackage& p) {
  const YAML::Node res = Child(meta, "resolution");
  p.integrity = Scalar(Child(res, "integrity"));
  if (std::string tarball = Scalar(Child(res, "tarball")); !tarball.empty()) {
    p.resolved = std::move(tarball);
  } else if (std::string repo = Scalar(Child(res, "repo")); !repo.empty()) {
    p.resolved = "git+" + repo + "#" + Scalar(Child(res, "commit"));
  } else if (std::string dir = Scalar(Child(res, "directory")); !dir.empty()) {
    p.resolved = "file:" + dir;
  }
  if (Scalar(Child(meta, "dev")) == "true") p.dev = true;
  if (Scalar(Child(meta, "optional")) == "true") p.optional = true;
  if (Scalar(Child(meta, "requiresBuild")) == "true") p.has_install_script = true;
}

// A dependency's version as a map value: v6+ {specifier, version}, v5 a string.
std::string DepVersion(const YAML::Node& v) {
  if (IsMapNode(v)) return Scalar(Child(v, "version"));
  return Scalar(v);
}

}  // namespace

Expected<Lockfile> ParsePnpmLock(std::string_view text) {
  Lockfile lf;
  lf.kind = LockfileKind::kPnpm;
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("not YAML: {}", e.what())));
  }
  if (!doc.IsMap()) return Fail(Error::InvalidInput("not a YAML map: not a pnpm lockfile"));
  try {
    const std::string ver = Scalar(Child(doc, "lockfileVersion"));
    if (ver.empty()) return Fail(Error::InvalidInput("no lockfileVersion: not a pnpm lockfile"));
    lf.version = std::atoi(ver.c_str());
    if (lf.version != 5 && lf.version != 6 && lf.version != 9)
      lf.warnings.push_back(
          fmt::format("pnpm lockfileVersion {} is not one deminer knows (5, 6, 9); read as {}", ver,
                      lf.version > 9 ? "v9" : "v6"));
    const int major = lf.version;
    const bool v9 = major >= 9 || (major != 5 && major != 6 && IsMapNode(Child(doc, "snapshots")));
    // v9 keeps metadata in "packages" and the graph in "snapshots".
    const YAML::Node packages = Child(doc, "packages");
    const YAML::Node snapshots = Child(doc, "snapshots");
    const YAML::Node graph_nodes = v9 && IsMapNode(snapshots) ? snapshots : packages;
    std::unordered_map<std::string, int> by_key;   // node key -> package index
    std::unordered_map<std::string, int> by_base;  // base key -> package index
    std::vector<std::vector<std::pair<std::string, std::string>>> deps;
    std::vector<int> node_pkg;  // node index -> package index
    if (IsMapNode(graph_nodes)) {
      for (auto it = graph_nodes.begin(); it != graph_nodes.end(); ++it) {
        const std::string key = Scalar(it->first);
        if (key.empty()) continue;
        const PnpmKey k = SplitPnpmKey(key, major);
        auto [pos, fresh] = by_base.emplace(k.base, static_cast<int>(lf.packages.size()));
        if (fresh) {
          NpmPackage p;
          p.name = k.name;
          p.version = k.version;
          p.line = LineOf(it->first);
          ReadPnpmResolution(it->second, p);
          if (v9 && IsMapNode(packages)) {
            const YAML::Node meta = Child(packages, k.base.c_str());
            if (IsMapNode(meta)) ReadPnpmResolution(meta, p);
          }
          p.link = StartsWith(p.version, "link:") || StartsWith(p.version, "file:");
          if (Scalar(Child(it->second, "optional")) == "true") p.optional = true;
          lf.packages.push_back(std::move(p));
          deps.emplace_back();
        }
        by_key.emplace(key, pos->second);
        auto& d = deps[static_cast<size_t>(pos->second)];
        for (const char* field : {"dependencies", "optionalDependencies"}) {
          const YAML::Node m = Child(it->second, field);
          if (!IsMapNode(m)) continue;
          for (auto dit = m.begin(); dit != m.end(); ++dit)
            d.emplace_back(Scalar(dit->first), Scalar(dit->second));
        }
      }
    } else if (graph_nodes.IsDefined() && !graph_nodes.IsNull()) {
      return Fail(Error::InvalidInput("\"packages\" is not a map"));
    }
    auto resolve = [&](const std::string& name, const std::string& value) -> int {
      if (value.empty() || StartsWith(value, "link:")) return -1;
      std::vector<std::string> cands;
      if (major < 6) {
        cands.push_back(StartsWith(value, "/") ? value : "/" + name + "/" + value);
      } else {
        const size_t at = value.find('@', 1);
        const size_t paren = value.find('(');
        const bool alias = at != std::string::npos && (paren == std::string::npos || at < paren);
        if (StartsWith(value, "/")) cands.push_back(value);
        if (alias) cands.push_back(value);
        cands.push_back((v9 ? "" : "/") + name + "@" + value);
        cands.push_back(name + "@" + value);
      }
      for (const std::string& c : cands) {
        if (auto f = by_key.find(c); f != by_key.end()) return f->second;
        if (auto f = by_base.find(SplitPnpmKey(c, major).base); f != by_base.end())
          return f->second;
      }
      return -1;
    };
    Graph g;
    g.edges.resize(lf.packages.size());
    for (size_t i = 0; i < lf.packages.size(); ++i)
      for (const auto& [name, value] : deps[i]) AddUnique(g.edges[i], resolve(name, value));
    auto add_roots = [&](const YAML::Node& importer) {
      for (const char* field : {"dependencies", "optionalDependencies", "devDependencies"}) {
        const YAML::Node m = Child(importer, field);
        if (!IsMapNode(m)) continue;
        auto& roots = std::string_view(field) == "devDependencies" ? g.dev_roots : g.prod_roots;
        for (auto it = m.begin(); it != m.end(); ++it)
          AddUnique(roots, resolve(Scalar(it->first), DepVersion(it->second)));
      }
    };
    const YAML::Node importers = Child(doc, "importers");
    if (IsMapNode(importers)) {
      for (auto it = importers.begin(); it != importers.end(); ++it) add_roots(it->second);
    } else {
      add_roots(doc);
    }
    AssignVia(lf.packages, g, v9);
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("unexpected pnpm lockfile shape: {}", e.what())));
  }
  return lf;
}

// ---------------------------------------------------------------------------
// yarn.lock v1 (classic)
//
// Written by hand: yarn v1's lockfile is its own format (neither YAML nor
// JSON: `key "value"` pairs, two-space nesting, comma-separated header keys),
// and no Debian library reads it. It is small and regular enough for a
// line-based reader.

namespace {

// Reads a quoted ("...", with \ escapes) or bare token from the front of `s`.
std::string TakeToken(std::string_view& s) {
  std::string out;
  if (StartsWith(s, "\"")) {
    size_t i = 1;
    for (; i < s.size() && s[i] != '"'; ++i) {
      if (s[i] == '\\' && i + 1 < s.size()) ++i;
      out.push_back(s[i]);
    }
    s.remove_prefix(std::min(s.size(), i + 1));
    return out;
  }
  size_t i = 0;
  while (i < s.size() && s[i] != ' ' && s[i] != '\t') ++i;
  out = std::string(s.substr(0, i));
  s.remove_prefix(i);
  return out;
}

std::vector<std::string> SplitDescriptors(std::string_view header) {
  std::vector<std::string> out;
  for (std::string_view part : Split(header, ',')) {
    part = Trim(part);
    if (part.empty()) continue;
    std::string_view rest = part;
    std::string d = TakeToken(rest);
    if (!d.empty()) out.push_back(std::move(d));
  }
  return out;
}

}  // namespace

Expected<Lockfile> ParseYarnClassic(std::string_view text, const RootDeps& roots) {
  Lockfile lf;
  lf.kind = LockfileKind::kYarnClassic;
  lf.version = 1;
  std::unordered_map<std::string, int> by_descriptor;
  std::vector<std::vector<std::pair<std::string, std::string>>> deps;
  std::vector<char> dep_optional;
  int cur = -1;
  std::string submap;  // "dependencies", "optionalDependencies", or another
  int line_no = 0;
  int bad_lines = 0;
  bool saw_header_comment = false;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (Trim(line).empty()) continue;
    if (StartsWith(line, "#")) {
      if (line.find("yarn lockfile v1") != std::string_view::npos) saw_header_comment = true;
      continue;
    }
    size_t indent = 0;
    while (indent < line.size() && line[indent] == ' ') ++indent;
    std::string_view body = line.substr(indent);
    if (indent == 0) {
      if (!EndsWith(body, ":")) {
        ++bad_lines;
        cur = -1;
        continue;
      }
      body.remove_suffix(1);
      std::vector<std::string> descriptors = SplitDescriptors(body);
      if (descriptors.empty()) {
        ++bad_lines;
        cur = -1;
        continue;
      }
      cur = static_cast<int>(lf.packages.size());
      NpmPackage p;
      p.name = std::string(SplitAt(descriptors.front()).first);
      p.line = line_no;
      lf.packages.push_back(std::move(p));
      deps.emplace_back();
      for (std::string& d : descriptors) by_descriptor.emplace(std::move(d), cur);
      submap.clear();
      continue;
    }
    if (cur < 0) continue;
    NpmPackage& p = lf.packages[static_cast<size_t>(cur)];
    if (indent == 2) {
      std::string_view rest = body;
      std::string key = TakeToken(rest);
      rest = Trim(rest);
      if (rest.empty() && EndsWith(key, ":")) {
        key.pop_back();
        submap = key;
        continue;
      }
      submap.clear();
      std::string value = TakeToken(rest);
      if (key == "version")
        p.version = value;
      else if (key == "resolved")
        p.resolved = value;
      else if (key == "integrity")
        p.integrity = value;
      continue;
    }
    if (indent >= 4 && (submap == "dependencies" || submap == "optionalDependencies")) {
      std::string_view rest = body;
      std::string name = TakeToken(rest);
      rest = Trim(rest);
      std::string range = TakeToken(rest);
      if (!name.empty()) deps[static_cast<size_t>(cur)].emplace_back(name, range);
    }
  }
  if (lf.packages.empty() && bad_lines > 0)
    return Fail(Error::InvalidInput(fmt::format(
        "no yarn.lock entries, {} lines not in its format: not a yarn v1 lockfile", bad_lines)));
  if (!saw_header_comment && !lf.packages.empty())
    lf.warnings.push_back("no \"# yarn lockfile v1\" header; read as v1");
  if (bad_lines > 0)
    lf.warnings.push_back(fmt::format("{} lines not in yarn v1's format skipped", bad_lines));
  for (NpmPackage& p : lf.packages)
    p.link = StartsWith(p.resolved, "file:") || StartsWith(p.version, "file:");
  Graph g;
  g.edges.resize(lf.packages.size());
  auto resolve = [&](const std::string& name, const std::string& range) {
    auto it = by_descriptor.find(name + "@" + range);
    return it == by_descriptor.end() ? -1 : it->second;
  };
  for (size_t i = 0; i < lf.packages.size(); ++i)
    for (const auto& [name, range] : deps[i]) AddUnique(g.edges[i], resolve(name, range));
  for (const auto& [name, range] : roots.prod) AddUnique(g.prod_roots, resolve(name, range));
  for (const auto& [name, range] : roots.optional) AddUnique(g.prod_roots, resolve(name, range));
  for (const auto& [name, range] : roots.dev) AddUnique(g.dev_roots, resolve(name, range));
  AssignVia(lf.packages, g, true);
  return lf;
}

// ---------------------------------------------------------------------------
// yarn.lock of Yarn 2+ (Berry): YAML with __metadata.

Expected<Lockfile> ParseYarnBerry(std::string_view text, const RootDeps& roots) {
  Lockfile lf;
  lf.kind = LockfileKind::kYarnBerry;
  YAML::Node doc;
  try {
    doc = YAML::Load(std::string(text));
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("not YAML: {}", e.what())));
  }
  if (!doc.IsMap()) return Fail(Error::InvalidInput("not a YAML map: not a Yarn Berry lockfile"));
  try {
    const YAML::Node meta = Child(doc, "__metadata");
    if (!IsMapNode(meta))
      return Fail(Error::InvalidInput("no __metadata: not a Yarn Berry lockfile"));
    lf.version = std::atoi(Scalar(Child(meta, "version")).c_str());
    if (lf.version < 4 || lf.version > 10)
      lf.warnings.push_back(fmt::format(
          "Yarn lockfile __metadata.version {} is not one deminer knows (4-10); read as 10",
          Scalar(Child(meta, "version"))));
    std::unordered_map<std::string, int> by_descriptor;
    std::vector<std::vector<std::pair<std::string, std::string>>> deps;
    std::vector<int> workspaces;
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      const std::string key = Scalar(it->first);
      if (key.empty() || key == "__metadata" || !IsMapNode(it->second)) continue;
      const YAML::Node e = it->second;  // a copy: it-> is a proxy that dies with the statement
      std::vector<std::string> descriptors = SplitDescriptors(key);
      if (descriptors.empty()) continue;
      NpmPackage p;
      const std::string resolution = Scalar(Child(e, "resolution"));
      auto [name, range] = SplitAt(resolution.empty() ? descriptors.front() : resolution);
      p.name = std::string(name);
      p.version = Scalar(Child(e, "version"));
      p.line = LineOf(it->first);
      if (!StartsWith(range, "npm:")) p.resolved = std::string(range);
      p.link = Scalar(Child(e, "linkType")) == "soft";
      const int idx = static_cast<int>(lf.packages.size());
      if (StartsWith(range, "workspace:")) {
        workspaces.push_back(idx);
        if (range == "workspace:.") lf.name = p.name;
      }
      deps.emplace_back();
      for (const char* field : {"dependencies", "peerDependencies"}) {
        const YAML::Node m = Child(e, field);
        if (!IsMapNode(m)) continue;
        for (auto dit = m.begin(); dit != m.end(); ++dit)
          deps.back().emplace_back(Scalar(dit->first), Scalar(dit->second));
      }
      lf.packages.push_back(std::move(p));
      for (std::string& d : descriptors) by_descriptor.emplace(std::move(d), idx);
    }
    auto resolve = [&](const std::string& name, const std::string& value) {
      if (auto it = by_descriptor.find(name + "@" + value); it != by_descriptor.end())
        return it->second;
      if (auto it = by_descriptor.find(name + "@npm:" + value); it != by_descriptor.end())
        return it->second;
      return -1;
    };
    Graph g;
    g.edges.resize(lf.packages.size());
    for (size_t i = 0; i < lf.packages.size(); ++i)
      for (const auto& [name, value] : deps[i]) AddUnique(g.edges[i], resolve(name, value));
    // The workspaces are the project itself: their dependencies are the roots,
    // and they are not packages of the graph.
    // Berry merges a workspace's dependencies and devDependencies; package.json
    // tells which were dev.
    auto dev_only = [&](const std::string& name) {
      auto has = [&](const auto& list) {
        return std::any_of(list.begin(), list.end(),
                           [&](const auto& d) { return d.first == name; });
      };
      return has(roots.dev) && !has(roots.prod) && !has(roots.optional);
    };
    for (int w : workspaces)
      for (int t : g.edges[static_cast<size_t>(w)])
        AddUnique(dev_only(lf.packages[static_cast<size_t>(t)].name) ? g.dev_roots : g.prod_roots,
                  t);
    AssignVia(lf.packages, g, !roots.dev.empty());
    // Drop the workspace entries and the chains' leading workspace names.
    std::vector<NpmPackage> kept;
    kept.reserve(lf.packages.size());
    for (size_t i = 0; i < lf.packages.size(); ++i) {
      if (std::find(workspaces.begin(), workspaces.end(), static_cast<int>(i)) != workspaces.end())
        continue;
      kept.push_back(std::move(lf.packages[i]));
    }
    lf.packages = std::move(kept);
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("unexpected Yarn lockfile shape: {}", e.what())));
  }
  return lf;
}

// ---------------------------------------------------------------------------

std::string_view LockfileKindName(LockfileKind kind) {
  switch (kind) {
    case LockfileKind::kNone:
      return "node_modules";
    case LockfileKind::kPackageLock:
      return "package-lock.json";
    case LockfileKind::kShrinkwrap:
      return "npm-shrinkwrap.json";
    case LockfileKind::kHiddenLock:
      return "node_modules/.package-lock.json";
    case LockfileKind::kPnpm:
      return "pnpm-lock.yaml";
    case LockfileKind::kYarnClassic:
      return "yarn.lock (v1)";
    case LockfileKind::kYarnBerry:
      return "yarn.lock (Berry)";
  }
  return "?";
}

LockfileKind DetectLockfileKind(std::string_view path, std::string_view text) {
  const std::string_view base = Basename(path);
  if (base == "package-lock.json") return LockfileKind::kPackageLock;
  if (base == "npm-shrinkwrap.json") return LockfileKind::kShrinkwrap;
  if (base == ".package-lock.json") return LockfileKind::kHiddenLock;
  if (base == "pnpm-lock.yaml") return LockfileKind::kPnpm;
  if (base == "yarn.lock") {
    // Berry's first key is __metadata (after comments); v1 has none.
    const size_t at = text.find("__metadata:");
    return at != std::string_view::npos && (at == 0 || text[at - 1] == '\n')
               ? LockfileKind::kYarnBerry
               : LockfileKind::kYarnClassic;
  }
  return LockfileKind::kNone;
}

Expected<Lockfile> ParseLockfile(std::string_view text, LockfileKind kind, const RootDeps& roots) {
  switch (kind) {
    case LockfileKind::kPackageLock:
    case LockfileKind::kShrinkwrap:
    case LockfileKind::kHiddenLock:
      return ParsePackageLock(text, kind, roots);
    case LockfileKind::kPnpm:
      return ParsePnpmLock(text);
    case LockfileKind::kYarnClassic:
      return ParseYarnClassic(text, roots);
    case LockfileKind::kYarnBerry:
      return ParseYarnBerry(text, roots);
    case LockfileKind::kNone:
      break;
  }
  return Fail(Error::InvalidInput("not a lockfile kind"));
}

Expected<RootDeps> ParseRootDeps(std::string_view package_json) {
  const nlohmann::json j = nlohmann::json::parse(package_json, nullptr, false);
  if (j.is_discarded()) return Fail(Error::InvalidInput("package.json is not JSON"));
  if (!j.is_object()) return Fail(Error::InvalidInput("package.json is not a JSON object"));
  RootDeps r;
  auto read = [&](const char* field, std::vector<std::pair<std::string, std::string>>& out) {
    auto it = j.find(field);
    if (it == j.end() || !it->is_object()) return;
    for (auto d = it->begin(); d != it->end(); ++d)
      out.emplace_back(d.key(), d.value().is_string() ? d.value().get<std::string>() : "");
  };
  read("dependencies", r.prod);
  read("devDependencies", r.dev);
  read("optionalDependencies", r.optional);
  return r;
}

}  // namespace deminer
