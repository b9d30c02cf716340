// Reads a JavaScript project's lockfile into one package graph: npm's
// package-lock.json (v1 nested "dependencies"; v2 and v3 "packages" keyed by
// install path), npm-shrinkwrap.json and node_modules/.package-lock.json (same
// format), pnpm-lock.yaml (v5, v6, v9) and yarn.lock (classic v1 and Berry).
// Each package gets `via`, the shortest chain from the project's own
// dependencies, found with the resolution rule of its package manager: npm's
// node_modules lookup walking up the install path (v2/v3; nested scopes in v1),
// pnpm's dependency maps, yarn's descriptor -> entry.
//
// Pure: text in, graph out; no I/O. Bad input is an Error (kInvalidInput),
// never a crash. Thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "sources/npm_project.h"

namespace deminer {

// The project's own dependencies as package.json declares them: (name, range).
// Needed for formats whose lockfile does not list them (package-lock v1,
// yarn classic); the others take them from the lockfile itself. When empty,
// the packages no other package depends on are taken as the roots.
struct RootDeps {
  std::vector<std::pair<std::string, std::string>> prod;      // dependencies
  std::vector<std::pair<std::string, std::string>> dev;       // devDependencies
  std::vector<std::pair<std::string, std::string>> optional;  // optionalDependencies
  bool empty() const { return prod.empty() && dev.empty() && optional.empty(); }
};

struct Lockfile {
  LockfileKind kind = LockfileKind::kNone;
  int version = 0;   // lockfileVersion (npm), major of lockfileVersion (pnpm), __metadata.version
                     // (Berry), 1 (yarn classic)
  std::string name;  // the root package's, when the lockfile says
  std::string root_version;
  std::vector<NpmPackage> packages;  // in lockfile order
  // What was read only in part: an unknown lockfile version, entries skipped.
  std::vector<std::string> warnings;
};

std::string_view LockfileKindName(LockfileKind kind);

// The kind of a lockfile from its file name, and for yarn.lock from its text
// (Berry has __metadata); kNone when the name is none of them.
LockfileKind DetectLockfileKind(std::string_view path, std::string_view text);

// Parses `text` as a lockfile of `kind`.
Expected<Lockfile> ParseLockfile(std::string_view text, LockfileKind kind,
                                 const RootDeps& roots = {});

Expected<Lockfile> ParsePackageLock(std::string_view text, LockfileKind kind,
                                    const RootDeps& roots = {});
Expected<Lockfile> ParsePnpmLock(std::string_view text);
Expected<Lockfile> ParseYarnClassic(std::string_view text, const RootDeps& roots = {});
Expected<Lockfile> ParseYarnBerry(std::string_view text, const RootDeps& roots = {});

// The dependencies of a package.json text; Error on JSON that is not an object.
Expected<RootDeps> ParseRootDeps(std::string_view package_json);

}  // namespace deminer
