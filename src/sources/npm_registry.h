// --verify-registry: each installed package of an npm project compared with
// the tarball the registry publishes for it. The tarball comes from npm's
// content-addressed cache (_cacache) when it is there, else from the
// registry over HTTPS (the only network calls a scan makes; said once on
// stderr). Its digest is checked against the lockfile's `integrity`, then
// every file of the tarball is compared (SHA-256) with the installed copy
// under node_modules: files modified, added and removed.
//
// Parsers of untrusted input here (the tarball reader, SRI strings, cacache
// index lines) are pure, bounded and fuzzed (tests/fuzz/npm_tarball_fuzzer.cpp).
// Errors: a package that cannot be checked is recorded in its RegistryCheck
// (unavailable + error, or not_verifiable + why) and summed up in one Gap per
// project; nothing throws.
// Thread safety: the pure functions are; VerifyAgainstRegistry runs its own
// worker threads and must not run twice at once on the same projects.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "sources/npm_project.h"

namespace deminer {

// Bounds of reading one package tarball.
struct TarballLimits {
  uint64_t max_tarball_bytes = 256ull << 20;  // compressed, as read from the cache or the network
  uint64_t max_entries = 100000;
  uint64_t max_total_bytes = 1ull << 30;  // decompressed bytes of all entries
  uint64_t max_file_bytes = 256ull << 20;
};

struct TarballFile {
  std::string sha256;  // hex
  uint64_t size = 0;
};

struct PackageTarball {
  std::string top;  // the single top directory ("package" as npm packs it)
  // Regular files, by path below the top directory (as npm installs them:
  // the first path component is stripped; links are dropped, as npm does).
  std::map<std::string, TarballFile> files;
  std::string package_json;  // the contents of its package.json (up to 1 MiB), "" when none
};

// Reads a package tarball (gzip or plain tar) from memory. InvalidInput when
// it is not a tar, is truncated, or passes a limit. Entries with an absolute
// path or a ".." component are refused (an error). Pure.
Expected<PackageTarball> ReadPackageTarball(std::string_view data, const TarballLimits& limits = {});

// One hash of a Subresource Integrity string ("sha512-<base64>").
struct SriHash {
  std::string algorithm;  // lower case: "sha512", "sha1", ...
  std::string base64;
};
// The hashes of an SRI string (whitespace-separated; "?options" dropped;
// malformed tokens skipped). Pure.
std::vector<SriHash> ParseSri(std::string_view sri);
// The strongest hash deminer can compute (sha512 > sha384 > sha256 > sha1), or none.
std::optional<SriHash> StrongestSri(const std::vector<SriHash>& hashes);
// The digest in lower-case hex, "" when the base64 is malformed. Pure.
std::string SriHex(const SriHash& hash);
// "<algorithm>-<base64>" of `data`; "" for an algorithm OpenSSL does not know.
std::string ComputeSri(std::string_view algorithm, std::string_view data);

// One entry of a cacache index bucket (index-v5).
struct CacacheEntry {
  std::string key;
  std::string integrity;  // empty: the entry deletes the key
};
// Parses one bucket line, "<sha1 hex of the JSON>\t<JSON>". nullopt when the
// hash does not match (cacache skips such lines too) or the JSON is no entry. Pure.
std::optional<CacacheEntry> ParseCacacheIndexLine(std::string_view line);
// The integrity the last entry for `key` in a bucket's text gives; nullopt
// when there is none or the last one deleted it. Pure.
std::optional<std::string> FindCacacheIntegrity(std::string_view bucket, std::string_view key);
// The bucket file of `key` below a cache dir (the dir holding _cacache).
std::string CacacheBucketPath(const std::string& cache_dir, std::string_view key);
// The content file of a hash below a cache dir; "" when the hash is malformed.
std::string CacacheContentPath(const std::string& cache_dir, const SriHash& hash);
// The index key npm's fetcher stores a tarball under.
std::string CacacheTarballKey(std::string_view url);

// npm's cache dirs for a project, those that hold a _cacache: the env
// npm_config_cache, else `cache=` of the project's or the user's .npmrc, else
// $HOME/.npm; and, when deminer runs as root on a project of another user,
// that user's ~/.npm (or the `cache=` of their .npmrc). In order, no duplicates.
std::vector<std::string> NpmCacheDirs(const std::string& project_dir);

// "<registry>/<name>/-/<basename>-<version>.tgz" (basename: the name without
// its @scope/). `registry` may end with '/' or not.
std::string RegistryTarballUrl(std::string_view registry, std::string_view name,
                               std::string_view version);
// "https://host:port" of a URL ("" when it is not one); for messages and matching.
std::string UrlOrigin(std::string_view url);
// The registry a `resolved` tarball URL of `name` points into (the part
// before "<name>/-/"), with a trailing '/'; "" when it is not that shape.
std::string RegistryOfResolved(std::string_view resolved, std::string_view name);

struct RegistryOptions {
  // The project's registry is npm's config for it (ProjectRegistry of
  // npmrc.h: env, its .npmrc, the user's, the global one, npm's default), else the one most
  // `resolved` URLs of the lockfile point into, else this (--registry). A
  // package is fetched from its `resolved` URL when that is on the project's
  // registry, else from the registry's conventional tarball path.
  std::string registry;
  unsigned jobs = 8;
  // Cache dirs (holding _cacache) to read tarballs from; unset: NpmCacheDirs
  // of each project. An empty list: no cache.
  std::optional<std::vector<std::string>> cache_dirs;
  bool download = true;  // false: cache only (a miss is `unavailable`)
  TarballLimits limits;
  long timeout_ms = 60000;  // per download
  bool progress = true;     // a progress bar when stderr is a terminal
};

// Compares every installed package of each project with its tarball and
// fills project.registry, sets project.verified. Packages that could not be
// checked are counted in one Gap per project in `gaps`.
void VerifyAgainstRegistry(const std::vector<NpmProject*>& projects, const RegistryOptions& options,
                           std::vector<Gap>& gaps);

// Whether an added file is a native build's output (build/, prebuilds/, *.node). Pure.
bool IsBuildOutput(std::string_view rel_path);

}  // namespace deminer
