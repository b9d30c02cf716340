// Reads npm's configuration files (.npmrc): the project's, the user's
// ($npm_config_userconfig or ~/.npmrc), the global one ($PREFIX/etc/npmrc,
// /etc/npmrc, /usr/etc/npmrc) and npm's builtin one, and tells which registry
// is in force for a project. npm's ini dialect: key=value, ';' and '#'
// comments, quoted values, ${ENV} references, "//host/path/:_authToken" keys.
//
// Credentials (_authToken, _auth, _password, and any key ending so) written
// literally are marked secret and their value replaced by "<redacted>" while
// parsing: no caller ever holds the token. References (${NPM_TOKEN}) are kept.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sources/npm_project.h"

namespace deminer {

inline constexpr std::string_view kRedacted = "<redacted>";

// Parses one .npmrc text. `file` and `scope` ("project", "user", "global",
// "builtin") are copied into each setting. Lines that are not key=value are
// skipped; Error only when the text is not text (NUL bytes).
Expected<std::vector<NpmrcSetting>> ParseNpmrc(std::string_view text, const std::string& file,
                                               const std::string& scope);

// Whether `key` names a credential ("//host/:_authToken", "_auth", "_password").
bool IsSecretKey(std::string_view key);

struct NpmrcFile {
  std::string path;   // as read (under `root` when one is given)
  std::string scope;  // "project", "user", "global", "builtin"
};

// Environment lookups, injectable for tests; the default reads getenv.
using EnvFn = std::function<std::string(const std::string&)>;
std::string GetEnv(const std::string& name);

// The .npmrc files npm would read for a project, most specific first. `root`
// prefixes every path (a container's /proc/PID/root); with a root, the user
// file is that file system's /root/.npmrc and the environment is not used.
std::vector<NpmrcFile> NpmrcFiles(const std::string& project_dir, const std::string& root = "",
                                  const EnvFn& env = GetEnv);

// Reads the files of NpmrcFiles that exist; unreadable ones go to `errors`.
std::vector<NpmrcSetting> ReadNpmrcFiles(const std::vector<NpmrcFile>& files,
                                         std::vector<std::string>& errors);

struct RegistryInForce {
  std::string url;     // "" when nothing says (no file, no npm)
  std::string source;  // "env npm_config_registry", a file path, "npm config", ""
  std::string scope;   // "env", "project", "user", "global", "builtin", "npm"
};

// The registry of `settings` (most specific first) for `key` ("registry" or
// "@scope:registry"); the first that names it wins. Pure.
RegistryInForce RegistryFromSettings(const std::vector<NpmrcSetting>& settings,
                                     std::string_view key = "registry");

// The registry npm uses for a project: env npm_config_registry, else the
// project's, user's, global and builtin .npmrc, else `npm config get registry`
// (run once per process, when npm exists), else empty.
RegistryInForce ProjectRegistry(const std::string& project_dir, const EnvFn& env = GetEnv);

// npm's own default (`npm config get registry`, cached); "" without npm.
std::string NpmConfigRegistry();

}  // namespace deminer
