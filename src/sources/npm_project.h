// What the npm scope reads about a JavaScript project: its lockfile as one
// package graph, the install-time scripts of what is installed, the .npmrc
// settings in force, and (with --verify-registry) how the installed files
// compare with the registry's tarballs. Plain data; the parsers are in
// npm_lockfile.h and npmrc.h, the registry comparison in npm_registry.h.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deminer {

enum class LockfileKind {
  kNone,         // no lockfile: read from node_modules alone
  kPackageLock,  // package-lock.json (v1, v2, v3)
  kShrinkwrap,   // npm-shrinkwrap.json (same format)
  kHiddenLock,   // node_modules/.package-lock.json (npm 7+)
  kPnpm,         // pnpm-lock.yaml (v6, v9)
  kYarnClassic,  // yarn.lock v1
  kYarnBerry,    // yarn.lock of Yarn 2+ (YAML, __metadata)
};

struct NpmPackage {
  std::string name;     // "@scope/name"
  std::string version;  // "1.2.3"; for git/file/link deps what the lockfile says
  // Where npm installs it, relative to the project ("node_modules/a/node_modules/b");
  // empty when the lockfile does not say (pnpm, yarn).
  std::string path;
  std::string integrity;  // SRI as in the lockfile ("sha512-..."), may be empty
  std::string resolved;   // tarball URL, git URL, "file:..." or empty
  bool dev = false;
  bool optional = false;
  bool bundled = false;
  bool link = false;                // a symlink / workspace, not a registry package
  bool has_install_script = false;  // the lockfile says so (npm v7+ "hasInstallScript")
  // How it is pulled in: the shortest chain from the project's own
  // dependencies, "name@version" each, ending with this package. A direct
  // dependency has a chain of one.
  std::vector<std::string> via;
  int line = 0;  // of its entry in the lockfile, 0 when unknown
};

// A lifecycle script that runs at install time.
struct NpmScript {
  std::string package;  // "name@version", or the project's own name
  std::string path;     // the package.json it was read from
  std::string event;    // "preinstall", "install", "postinstall", "prepare"
  std::string command;
  bool root = false;  // the project's own package.json
  int line = 0;
};

// One key = value of an .npmrc file.
struct NpmrcSetting {
  std::string file;   // the .npmrc it is in
  std::string scope;  // "project", "user", "global", "builtin"
  int line = 0;
  std::string key;    // "registry", "@scope:registry", "//host/:_authToken", "ignore-scripts"
  std::string value;  // secrets (_authToken, _auth, _password) are replaced by "<redacted>"
  bool secret = false;  // the value was a credential (literal, not an ${ENV} reference)
};

// How one installed package compares with its registry tarball (--verify-registry).
struct RegistryCheck {
  std::string name;
  std::string version;
  std::string path;        // node_modules/... of the installed copy
  std::string tarball;     // where the tarball came from: "cache" or its URL
  std::string integrity;   // the lockfile's
  std::string actual;      // SRI of the tarball deminer read ("sha512-...")
  bool integrity_mismatch = false;  // tarball's digest differs from the lockfile's
  bool unavailable = false;         // no tarball could be had; `error` says why
  std::string error;
  std::vector<std::string> modified;  // relative to the package dir
  std::vector<std::string> added;     // in node_modules, not in the tarball
  std::vector<std::string> removed;   // in the tarball, not in node_modules
  // Added files that are a native build's output (build/, prebuilds/, *.node)
  // of a package with install scripts: expected, so kept apart from `added`.
  std::vector<std::string> built;
  // Why the package cannot be checked against a registry tarball (a link or
  // workspace, a git or file dependency, no integrity in the lockfile, bundled
  // in its parent); empty when it can.
  std::string not_verifiable;
  uint64_t files_compared = 0;  // files of the tarball compared with node_modules
};

struct NpmProject {
  std::string dir;       // the project directory (as deminer reached it)
  std::string display;   // how to name it to a person (host path, or container:path)
  std::string lockfile;  // path of the lockfile read, empty with kNone
  LockfileKind kind = LockfileKind::kNone;
  int lockfile_version = 0;
  std::string name;  // the project's own package.json name
  std::string version;
  std::string node_modules;  // path of its node_modules, empty when not installed
  std::string container_id;  // when found through a container's process
  std::vector<NpmPackage> packages;
  std::vector<NpmScript> scripts;
  std::vector<NpmrcSetting> npmrc;
  std::vector<RegistryCheck> registry;  // --verify-registry only
  bool verified = false;                // --verify-registry ran on it
};

// One signal of the JS heuristics (match/js_heuristics.h) in one file.
struct JsSignal {
  std::string id;  // "obfuscator-table", "eval-decoded", "child-process-download", ...
  int weight = 0;
  int line = 0;           // 1-based
  std::string excerpt;    // the matched code, bounded
  std::string why;
};

// A JavaScript file the heuristics scored at or above the report threshold.
struct JsFileScore {
  std::string path;     // as deminer reached it
  std::string area;     // "node_modules", "build" (.next, standalone), "bundle"
  std::string package;  // "name@version" owning the file, inside node_modules
  std::string project;  // NpmProject::display, when it belongs to one
  std::string container_id;
  uint64_t size = 0;
  std::string sha256;
  int score = 0;
  std::vector<JsSignal> signals;
};

}  // namespace deminer
