#include "sources/npmrc.h"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/strings.h"
#include "core/subprocess.h"

namespace deminer {

namespace {

constexpr size_t kMaxNpmrcBytes = size_t{1} << 20;

// A value as npm's ini reader gives it: "..." is a JSON-ish string, '...'
// literal; bare values lose a trailing comment only when it follows a space.
std::string Unquote(std::string_view v) {
  v = Trim(v);
  if (v.size() >= 2 &&
      ((v.front() == '"' && v.back() == '"') || (v.front() == '\'' && v.back() == '\''))) {
    std::string out;
    const bool dq = v.front() == '"';
    for (size_t i = 1; i + 1 < v.size(); ++i) {
      if (dq && v[i] == '\\' && i + 2 < v.size()) {
        ++i;
        out.push_back(v[i] == 'n' ? '\n' : v[i] == 't' ? '\t' : v[i]);
        continue;
      }
      out.push_back(v[i]);
    }
    return out;
  }
  return std::string(v);
}

// True when the value is nothing but ${VAR} references (npm expands them from
// the environment): then it is not a credential written in the file.
bool OnlyEnvReferences(std::string_view v) {
  if (v.empty()) return false;
  size_t i = 0;
  while (i < v.size()) {
    if (!StartsWith(v.substr(i), "${")) return false;
    const size_t close = v.find('}', i);
    if (close == std::string_view::npos) return false;
    i = close + 1;
  }
  return true;
}

}  // namespace

bool IsSecretKey(std::string_view key) {
  const std::string k = ToLower(key);
  for (std::string_view s : {"_authtoken", "_auth", "_password"}) {
    if (k == s || EndsWith(k, fmt::format(":{}", s))) return true;
  }
  return false;
}

Expected<std::vector<NpmrcSetting>> ParseNpmrc(std::string_view text, const std::string& file,
                                               const std::string& scope) {
  if (text.find('\0') != std::string_view::npos)
    return Fail(Error::InvalidInput(fmt::format("{}: binary data, not an .npmrc", file)));
  std::vector<NpmrcSetting> out;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    std::string_view t = Trim(line);
    if (t.empty() || t.front() == ';' || t.front() == '#' || t.front() == '[') continue;
    const size_t eq = t.find('=');
    NpmrcSetting s;
    s.file = file;
    s.scope = scope;
    s.line = line_no;
    if (eq == std::string_view::npos) {
      s.key = std::string(t);  // a bare key is "true" in npm's ini
      s.value = "true";
    } else {
      s.key = Unquote(t.substr(0, eq));
      s.value = Unquote(t.substr(eq + 1));
    }
    if (s.key.empty()) continue;
    if (IsSecretKey(s.key) && !OnlyEnvReferences(s.value) && !s.value.empty()) {
      s.secret = true;
      s.value = std::string(kRedacted);
    }
    out.push_back(std::move(s));
  }
  return out;
}

std::string GetEnv(const std::string& name) {
  const char* v = std::getenv(name.c_str());
  return v == nullptr ? std::string() : std::string(v);
}

std::vector<NpmrcFile> NpmrcFiles(const std::string& project_dir, const std::string& root,
                                  const EnvFn& env) {
  std::vector<NpmrcFile> out;
  auto add = [&](std::string path, const char* scope) {
    if (path.empty()) return;
    for (const NpmrcFile& f : out)
      if (f.path == path) return;
    out.push_back({std::move(path), scope});
  };
  add(fmt::format("{}/.npmrc", project_dir), "project");
  if (root.empty()) {
    std::string user = env("npm_config_userconfig");
    if (user.empty()) user = env("NPM_CONFIG_USERCONFIG");
    if (user.empty() && !env("HOME").empty()) user = fmt::format("{}/.npmrc", env("HOME"));
    add(user, "user");
    std::string global = env("npm_config_globalconfig");
    if (global.empty()) global = env("NPM_CONFIG_GLOBALCONFIG");
    add(global, "global");
    if (std::string prefix = env("npm_config_prefix"); !prefix.empty())
      add(fmt::format("{}/etc/npmrc", prefix), "global");
  } else {
    add(fmt::format("{}/root/.npmrc", root), "user");
  }
  // Where npm's global config lands for the usual prefixes (/usr, /usr/local,
  // Debian's /etc), and npm's builtin config beside its own package.
  for (const char* g : {"/usr/local/etc/npmrc", "/usr/etc/npmrc", "/etc/npmrc"})
    add(fmt::format("{}{}", root, g), "global");
  for (const char* b : {"/usr/share/nodejs/npm/npmrc", "/usr/lib/node_modules/npm/npmrc",
                        "/usr/local/lib/node_modules/npm/npmrc"})
    add(fmt::format("{}{}", root, b), "builtin");
  return out;
}

std::vector<NpmrcSetting> ReadNpmrcFiles(const std::vector<NpmrcFile>& files,
                                         std::vector<std::string>& errors) {
  std::vector<NpmrcSetting> out;
  for (const NpmrcFile& f : files) {
    std::ifstream in(f.path, std::ios::binary);
    if (!in) {
      if (access(f.path.c_str(), F_OK) == 0)
        errors.push_back(fmt::format("{}: cannot be read", f.path));
      continue;
    }
    std::string text(kMaxNpmrcBytes, '\0');
    in.read(text.data(), static_cast<std::streamsize>(text.size()));
    text.resize(static_cast<size_t>(in.gcount()));
    auto parsed = ParseNpmrc(text, f.path, f.scope);
    if (!parsed) {
      errors.push_back(parsed.error().message());
      continue;
    }
    std::move(parsed->begin(), parsed->end(), std::back_inserter(out));
  }
  return out;
}

RegistryInForce RegistryFromSettings(const std::vector<NpmrcSetting>& settings,
                                     std::string_view key) {
  // Within one file the last line wins; across files the first (most specific).
  const std::string* file = nullptr;
  RegistryInForce found;
  for (const NpmrcSetting& s : settings) {
    if (file != nullptr && s.file != *file) break;
    if (s.key != key || s.value.empty()) continue;
    file = &s.file;
    found = {s.value, s.file, s.scope};
  }
  return found;
}

std::string NpmConfigRegistry() {
  static std::once_flag once;
  static std::string registry;
  std::call_once(once, [] {
    auto r = RunTool({"npm", "config", "get", "registry"});
    if (!r || r->exit_code != 0) return;
    registry = std::string(Trim(r->out));
    if (registry == "undefined") registry.clear();
  });
  return registry;
}

RegistryInForce ProjectRegistry(const std::string& project_dir, const EnvFn& env) {
  for (const char* name : {"npm_config_registry", "NPM_CONFIG_REGISTRY"}) {
    if (std::string v = env(name); !v.empty()) return {v, fmt::format("env {}", name), "env"};
  }
  std::vector<std::string> errors;
  const std::vector<NpmrcSetting> settings =
      ReadNpmrcFiles(NpmrcFiles(project_dir, "", env), errors);
  // The first file, in order, that names a registry.
  std::string file;
  RegistryInForce found;
  for (const NpmrcSetting& s : settings) {
    if (s.key == "registry" && !s.value.empty()) {
      if (!file.empty() && s.file != file) break;
      file = s.file;
      found = {s.value, s.file, s.scope};
    }
  }
  if (!found.url.empty()) return found;
  if (std::string npm = NpmConfigRegistry(); !npm.empty())
    return {npm, "npm config get registry", "npm"};
  return {};
}

}  // namespace deminer
