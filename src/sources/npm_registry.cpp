#include "sources/npm_registry.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>

#include "core/progress.h"
#include "core/strings.h"
#include "core/workers.h"
#include "sources/docker_api.h"
#include "sources/npmrc.h"

namespace deminer {
namespace fs = std::filesystem;
namespace {

constexpr char kHex[] = "0123456789abcdef";

std::string Hex(const unsigned char* p, size_t n) {
  std::string out;
  out.reserve(n * 2);
  for (size_t i = 0; i < n; ++i) {
    out += kHex[p[i] >> 4];
    out += kHex[p[i] & 15];
  }
  return out;
}

struct MdCtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxDeleter>;

const EVP_MD* Md(std::string_view algorithm) {
  if (algorithm == "sha512") return EVP_sha512();
  if (algorithm == "sha384") return EVP_sha384();
  if (algorithm == "sha256") return EVP_sha256();
  if (algorithm == "sha1") return EVP_sha1();
  return nullptr;
}

std::string Digest(const EVP_MD* md, std::string_view data) {
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  if (EVP_Digest(data.data(), data.size(), out, &n, md, nullptr) != 1) return "";
  return std::string(reinterpret_cast<char*>(out), n);
}

std::string HexDigest(const EVP_MD* md, std::string_view data) {
  const std::string d = Digest(md, data);
  return Hex(reinterpret_cast<const unsigned char*>(d.data()), d.size());
}

std::string Base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()),
                                static_cast<int>(raw.size()));
  out.resize(n < 0 ? 0 : static_cast<size_t>(n));
  return out;
}

std::string_view StripPadding(std::string_view b64) {
  while (!b64.empty() && b64.back() == '=') b64.remove_suffix(1);
  return b64;
}

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// Reads a whole file of at most `max` bytes.
Expected<std::string> ReadBounded(const std::string& path, uint64_t max) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Fail(Error::InvalidInput(path + ": not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    close(fd);
    return Fail(Error::InvalidInput(fmt::format("{}: larger than {} bytes", path, max)));
  }
  std::string out(static_cast<size_t>(st.st_size), '\0');
  size_t off = 0;
  while (off < out.size()) {
    const ssize_t n = read(fd, out.data() + off, out.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    off += static_cast<size_t>(n);
  }
  close(fd);
  out.resize(off);
  return out;
}

// SHA-256 hex of a file, with a buffer and context kept per thread (most
// files of node_modules are small: allocations would cost more than hashing).
Expected<std::string> Sha256File(const std::string& path) {
  thread_local std::vector<unsigned char> buf(256 << 10);
  thread_local MdCtx ctx(EVP_MD_CTX_new());
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int err = errno;
      close(fd);
      return Fail(Error::FromErrno(err, path));
    }
    if (n == 0) break;
    EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  unsigned char out[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx.get(), out, &len);
  return Hex(out, len);
}

// The value of `cache=` in an .npmrc, "" when none ("~/" expanded with `home`).
std::string NpmrcCache(const std::string& npmrc, const std::string& home) {
  auto text = ReadBounded(npmrc, 1 << 20);
  if (!text) return "";
  std::string found;
  for (std::string_view line : Split(*text, '\n')) {
    line = Trim(line);
    if (line.empty() || line[0] == '#' || line[0] == ';') continue;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos || Trim(line.substr(0, eq)) != "cache") continue;
    std::string value(Trim(line.substr(eq + 1)));
    if (value.size() >= 2 && (value[0] == '"' || value[0] == '\'') && value.back() == value[0]) {
      value = value.substr(1, value.size() - 2);
    }
    if (value.starts_with("~/") && !home.empty()) value = home + value.substr(1);
    if (!value.empty() && value[0] == '/') found = value;  // the last one wins, as in npm
  }
  return found;
}

bool HasCacache(const std::string& dir) {
  std::error_code ec;
  return fs::is_directory(dir + "/_cacache", ec);
}

}  // namespace

Expected<PackageTarball> ReadPackageTarball(std::string_view data, const TarballLimits& limits) {
  if (data.size() > limits.max_tarball_bytes) {
    return Fail(Error::InvalidInput(fmt::format("tarball larger than {} bytes", limits.max_tarball_bytes)));
  }
  std::unique_ptr<archive, ArchiveDeleter> a(archive_read_new());
  if (!a) return Fail(Error::Internal("archive_read_new failed"));
  // Only gzip (what npm packs) and plain tar: no external decompressor, no other format.
  archive_read_support_filter_gzip(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_memory(a.get(), data.data(), data.size()) != ARCHIVE_OK) {
    const char* e = archive_error_string(a.get());
    return Fail(Error::InvalidInput(std::string("not a tarball: ") + (e ? e : "unknown format")));
  }
  PackageTarball out;
  MdCtx ctx(EVP_MD_CTX_new());
  std::vector<char> buf(64 << 10);
  uint64_t entries = 0, total = 0;
  archive_entry* e = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc < ARCHIVE_WARN) {
      const char* msg = archive_error_string(a.get());
      return Fail(Error::InvalidInput(std::string("tarball unreadable: ") + (msg ? msg : "error")));
    }
    if (++entries > limits.max_entries) {
      return Fail(Error::InvalidInput(fmt::format("tarball has more than {} entries", limits.max_entries)));
    }
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) continue;
    std::string_view name(raw);
    if (name.starts_with("/")) return Fail(Error::InvalidInput(fmt::format("absolute path in tarball: {}", Printable(name, 200))));
    // Strip the first component, as npm does whatever it is named.
    std::vector<std::string_view> parts;
    for (std::string_view p : Split(name, '/')) {
      if (p == "..") return Fail(Error::InvalidInput(fmt::format("'..' in tarball path: {}", Printable(name, 200))));
      if (!p.empty() && p != ".") parts.push_back(p);
    }
    if (parts.empty()) continue;
    if (out.top.empty()) out.top = std::string(parts[0]);
    if (parts.size() < 2) continue;
    // npm drops links of a tarball; directories need no check.
    if (archive_entry_hardlink(e) != nullptr || archive_entry_filetype(e) != AE_IFREG) continue;
    std::string rel(parts[1]);
    for (size_t i = 2; i < parts.size(); ++i) {
      rel += '/';
      rel += parts[i];
    }
    if (archive_entry_size_is_set(e) && static_cast<uint64_t>(archive_entry_size(e)) > limits.max_file_bytes) {
      return Fail(Error::InvalidInput(fmt::format("tarball file {} larger than {} bytes", Printable(rel, 200), limits.max_file_bytes)));
    }
    const bool keep = rel == "package.json";
    std::string kept;
    EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr);
    uint64_t size = 0;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf.data(), buf.size());
      if (n < 0) {
        const char* msg = archive_error_string(a.get());
        return Fail(Error::InvalidInput(std::string("tarball truncated: ") + (msg ? msg : "error")));
      }
      if (n == 0) break;
      size += static_cast<uint64_t>(n);
      total += static_cast<uint64_t>(n);
      if (size > limits.max_file_bytes || total > limits.max_total_bytes) {
        return Fail(Error::InvalidInput(fmt::format("tarball larger than its limits ({} bytes a file, {} in all)", limits.max_file_bytes, limits.max_total_bytes)));
      }
      EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(n));
      if (keep && kept.size() < (1u << 20)) kept.append(buf.data(), static_cast<size_t>(n));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &len);
    if (keep) out.package_json = std::move(kept);
    out.files[rel] = TarballFile{Hex(md, len), size};  // a later entry replaces an earlier one
  }
  return out;
}

std::vector<SriHash> ParseSri(std::string_view sri) {
  std::vector<SriHash> out;
  size_t i = 0;
  while (i < sri.size()) {
    while (i < sri.size() && std::isspace(static_cast<unsigned char>(sri[i]))) ++i;
    size_t j = i;
    while (j < sri.size() && !std::isspace(static_cast<unsigned char>(sri[j]))) ++j;
    std::string_view token = sri.substr(i, j - i);
    i = j;
    if (const size_t q = token.find('?'); q != std::string_view::npos) token = token.substr(0, q);
    const size_t dash = token.find('-');
    if (dash == std::string_view::npos || dash == 0 || dash + 1 >= token.size()) continue;
    const std::string_view b64 = token.substr(dash + 1);
    if (!std::all_of(b64.begin(), b64.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) || c == '+' || c == '/' || c == '=';
        })) {
      continue;
    }
    out.push_back({ToLower(token.substr(0, dash)), std::string(b64)});
  }
  return out;
}

std::optional<SriHash> StrongestSri(const std::vector<SriHash>& hashes) {
  for (const char* algorithm : {"sha512", "sha384", "sha256", "sha1"}) {
    for (const SriHash& h : hashes) {
      if (h.algorithm == algorithm) return h;
    }
  }
  return std::nullopt;
}

std::string SriHex(const SriHash& hash) {
  const std::string_view b64 = StripPadding(hash.base64);
  if (b64.empty() || b64.size() % 4 == 1) return "";
  std::string padded(b64);
  padded.append((4 - padded.size() % 4) % 4, '=');
  std::string raw(padded.size() / 4 * 3, '\0');
  const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(raw.data()),
                                reinterpret_cast<const unsigned char*>(padded.data()),
                                static_cast<int>(padded.size()));
  if (n < 0) return "";
  const size_t pad = padded.size() - b64.size();
  raw.resize(static_cast<size_t>(n) - std::min(pad, static_cast<size_t>(n)));
  const EVP_MD* md = Md(hash.algorithm);
  if (md != nullptr && raw.size() != static_cast<size_t>(EVP_MD_get_size(md))) return "";
  return Hex(reinterpret_cast<const unsigned char*>(raw.data()), raw.size());
}

std::string ComputeSri(std::string_view algorithm, std::string_view data) {
  const EVP_MD* md = Md(algorithm);
  if (md == nullptr) return "";
  return std::string(algorithm) + "-" + Base64(Digest(md, data));
}

std::optional<CacacheEntry> ParseCacacheIndexLine(std::string_view line) {
  const size_t tab = line.find('\t');
  if (tab != 40) return std::nullopt;
  const std::string_view json = line.substr(tab + 1);
  if (HexDigest(EVP_sha1(), json) != line.substr(0, 40)) return std::nullopt;
  const auto j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object()) return std::nullopt;
  const auto key = j.find("key");
  if (key == j.end() || !key->is_string()) return std::nullopt;
  CacacheEntry entry;
  entry.key = key->get<std::string>();
  if (const auto integrity = j.find("integrity"); integrity != j.end() && integrity->is_string()) {
    entry.integrity = integrity->get<std::string>();
  }
  return entry;
}

std::optional<std::string> FindCacacheIntegrity(std::string_view bucket, std::string_view key) {
  std::optional<std::string> found;
  for (std::string_view line : Split(bucket, '\n')) {
    if (line.empty()) continue;
    auto entry = ParseCacacheIndexLine(line);
    if (!entry || entry->key != key) continue;
    if (entry->integrity.empty()) {
      found.reset();  // a deletion
    } else {
      found = std::move(entry->integrity);
    }
  }
  return found;
}

std::string CacacheBucketPath(const std::string& cache_dir, std::string_view key) {
  const std::string h = HexDigest(EVP_sha256(), key);
  return fmt::format("{}/_cacache/index-v5/{}/{}/{}", cache_dir, h.substr(0, 2), h.substr(2, 2),
                     h.substr(4));
}

std::string CacacheContentPath(const std::string& cache_dir, const SriHash& hash) {
  if (Md(hash.algorithm) == nullptr) return "";
  const std::string hex = SriHex(hash);
  if (hex.size() < 8) return "";
  return fmt::format("{}/_cacache/content-v2/{}/{}/{}/{}", cache_dir, hash.algorithm,
                     hex.substr(0, 2), hex.substr(2, 2), hex.substr(4));
}

std::string CacacheTarballKey(std::string_view url) {
  return "make-fetch-happen:request-cache:" + std::string(url);
}

std::vector<std::string> NpmCacheDirs(const std::string& project_dir) {
  std::vector<std::string> dirs;
  auto add = [&](const std::string& d) {
    if (!d.empty() && HasCacache(d) && std::find(dirs.begin(), dirs.end(), d) == dirs.end()) {
      dirs.push_back(d);
    }
  };
  const char* home_env = std::getenv("HOME");
  const std::string home = home_env != nullptr ? home_env : "";
  std::string mine;
  for (const char* env : {"npm_config_cache", "NPM_CONFIG_CACHE"}) {
    if (const char* v = std::getenv(env); v != nullptr && *v) {
      mine = v;
      break;
    }
  }
  if (mine.empty()) mine = NpmrcCache(project_dir + "/.npmrc", home);
  if (mine.empty() && !home.empty()) mine = NpmrcCache(home + "/.npmrc", home);
  if (mine.empty() && !home.empty()) mine = home + "/.npm";
  add(mine);
  // Root scanning another user's project: that user's cache too.
  struct stat st {};
  if (geteuid() == 0 && stat(project_dir.c_str(), &st) == 0 && st.st_uid != 0) {
    struct passwd pw {};
    struct passwd* found = nullptr;
    std::vector<char> buf(16384);
    if (getpwuid_r(st.st_uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr &&
        found->pw_dir != nullptr) {
      const std::string owner_home = found->pw_dir;
      const std::string configured = NpmrcCache(owner_home + "/.npmrc", owner_home);
      add(configured.empty() ? owner_home + "/.npm" : configured);
    }
  }
  return dirs;
}

std::string RegistryTarballUrl(std::string_view registry, std::string_view name,
                               std::string_view version) {
  std::string base(registry);
  if (!base.ends_with('/')) base += '/';
  const size_t slash = name.rfind('/');
  const std::string_view basename = slash == std::string_view::npos ? name : name.substr(slash + 1);
  return fmt::format("{}{}/-/{}-{}.tgz", base, name, basename, version);
}

std::string UrlOrigin(std::string_view url) {
  const size_t scheme = url.find("://");
  if (scheme == std::string_view::npos || scheme == 0) return "";
  const size_t end = url.find_first_of("/?#", scheme + 3);
  std::string_view authority = url.substr(scheme + 3, end == std::string_view::npos ? std::string_view::npos : end - scheme - 3);
  if (const size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority = authority.substr(at + 1);  // never show credentials
  }
  if (authority.empty()) return "";
  return ToLower(url.substr(0, scheme)) + "://" + ToLower(authority);
}

std::string RegistryOfResolved(std::string_view resolved, std::string_view name) {
  if (UrlOrigin(resolved).empty() || name.empty()) return "";
  const std::string marker = "/" + std::string(name) + "/-/";
  size_t at = resolved.find(marker);
  if (at == std::string_view::npos && name.starts_with('@')) {
    // Some registries write the scope's slash escaped.
    std::string escaped(name);
    escaped.replace(escaped.find('/'), 1, "%2f");
    at = ToLower(resolved).find("/" + ToLower(escaped) + "/-/");
  }
  if (at == std::string_view::npos) return "";
  return std::string(resolved.substr(0, at + 1));
}

bool IsBuildOutput(std::string_view rel) {
  return rel.starts_with("build/") || rel.starts_with("prebuilds/") || rel.ends_with(".node");
}

// --- the verification ------------------------------------------------------

namespace {

// Per project: its registry, resolved once, when first needed.
struct ProjectState {
  NpmProject* project = nullptr;
  std::vector<std::string> cache_dirs;
  std::once_flag registry_once;
  std::string registry;  // with a trailing '/', "" when none is known
  std::string registry_why;
};

struct Shared {
  const RegistryOptions& options;
  std::once_flag announce_once;
  Progress* progress = nullptr;
};

std::string ResolveRegistry(const NpmProject& project, const RegistryOptions& options,
                            std::string& why) {
  auto normal = [](std::string r) {
    if (!r.empty() && !r.ends_with('/')) r += '/';
    return r;
  };
  // npm's own answer for the project: env, its .npmrc, the user's, the
  // global one, else `npm config get registry` (sources/npmrc.h).
  const RegistryInForce npm = ProjectRegistry(project.dir);
  if (!UrlOrigin(npm.url).empty()) return normal(npm.url);
  // The registry the lockfile was resolved from, by the most common prefix.
  std::map<std::string, int> counts;
  for (const NpmPackage& p : project.packages) {
    const std::string r = RegistryOfResolved(p.resolved, p.name);
    if (!r.empty()) ++counts[r];
  }
  if (!counts.empty()) {
    return std::max_element(counts.begin(), counts.end(),
                            [](const auto& a, const auto& b) { return a.second < b.second; })
        ->first;
  }
  if (!options.registry.empty()) return normal(options.registry);
  why = "npm's config names no registry (no .npmrc says, npm is not installed), the lockfile "
        "names none, and no --registry was given";
  return "";
}

// Why a package cannot be verified, "" when it can.
std::string NotVerifiable(const NpmPackage& p) {
  if (p.link) return "a link (workspace or local directory), not a registry package";
  if (p.bundled) return "bundled in its parent's tarball";
  const std::string r = ToLower(p.resolved);
  if (r.starts_with("git") || r.starts_with("github:") || r.find("git+") != std::string::npos ||
      r.starts_with("ssh:")) {
    return "a git dependency";
  }
  if (r.starts_with("file:") || ToLower(p.version).starts_with("file:")) return "a local file dependency";
  if (p.integrity.empty()) return "no integrity in the lockfile";
  if (!StrongestSri(ParseSri(p.integrity))) return "the lockfile's integrity has no sha512, sha384, sha256 or sha1";
  return "";
}

bool HasInstallScripts(const NpmPackage& p, const PackageTarball& t) {
  if (p.has_install_script) return true;
  if (t.files.count("binding.gyp") != 0) return true;  // npm runs `node-gyp rebuild`
  const auto j = nlohmann::json::parse(t.package_json, nullptr, false);
  if (!j.is_object()) return false;
  const auto scripts = j.find("scripts");
  if (scripts == j.end() || !scripts->is_object()) return false;
  for (const char* e : {"preinstall", "install", "postinstall"}) {
    if (scripts->contains(e)) return true;
  }
  return false;
}

constexpr size_t kMaxListed = 10000;  // per list; a package of more changed files is listed in part
constexpr uint64_t kMaxWalked = 200000;

void Push(std::vector<std::string>& list, std::string v) {
  if (list.size() < kMaxListed) list.push_back(std::move(v));
}

// Compares the installed copy in `dir` with the tarball's files.
void CompareInstalled(const PackageTarball& t, const std::string& dir, bool build_expected,
                      RegistryCheck& r) {
  std::set<std::string> dirs_in_tarball;  // every directory prefix of a tarball file
  for (const auto& [rel, f] : t.files) {
    for (size_t s = rel.find('/'); s != std::string::npos; s = rel.find('/', s + 1)) {
      dirs_in_tarball.insert(rel.substr(0, s));
    }
  }
  std::set<std::string> seen;
  std::error_code ec;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  if (ec) {
    r.unavailable = true;
    r.error = fmt::format("{}: {}", dir, ec.message());
    return;
  }
  uint64_t walked = 0;
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      r.error = fmt::format("walking {}: {}", dir, ec.message());
      break;
    }
    if (++walked > kMaxWalked) {
      r.error = fmt::format("more than {} files in {}: compared in part", kMaxWalked, dir);
      break;
    }
    const fs::path& p = it->path();
    std::string rel = p.lexically_relative(dir).generic_string();
    const fs::file_status st = it->symlink_status(ec);
    if (ec) continue;
    if (fs::is_directory(st)) {
      // The package's own dependencies, installed below it: not its files.
      if (p.filename() == "node_modules" && dirs_in_tarball.count(rel) == 0) it.disable_recursion_pending();
      continue;
    }
    const auto in_tarball = t.files.find(rel);
    if (in_tarball == t.files.end()) {
      if (build_expected && IsBuildOutput(rel)) {
        Push(r.built, std::move(rel));
      } else {
        Push(r.added, std::move(rel));
      }
      continue;
    }
    seen.insert(rel);
    ++r.files_compared;
    if (!fs::is_regular_file(st)) {  // a link or a device where the tarball has a file
      Push(r.modified, std::move(rel));
      continue;
    }
    const uint64_t size = it->file_size(ec);
    if (ec || size != in_tarball->second.size) {
      Push(r.modified, std::move(rel));
      continue;
    }
    auto h = Sha256File(p.string());
    if (!h || *h != in_tarball->second.sha256) Push(r.modified, std::move(rel));
  }
  for (const auto& [rel, f] : t.files) {
    if (seen.count(rel) == 0) Push(r.removed, rel);
  }
  std::sort(r.modified.begin(), r.modified.end());
  std::sort(r.added.begin(), r.added.end());
  std::sort(r.built.begin(), r.built.end());
}

// The installed dir of a package, relative to the project; "" when unknown.
std::string InstallPath(const NpmProject& project, const NpmPackage& p) {
  if (!p.path.empty()) return p.path;
  // pnpm and yarn lockfiles give no path: the hoisted copy, when it is this version.
  const std::string candidate = "node_modules/" + p.name;
  auto text = ReadBounded(project.dir + "/" + candidate + "/package.json", 1 << 20);
  if (!text) return "";
  const auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_object() && j.value("version", "") == p.version) return candidate;
  return "";
}

std::optional<RegistryCheck> VerifyOne(ProjectState& ps, const NpmPackage& p, Shared& shared) {
  const RegistryOptions& options = shared.options;
  const NpmProject& project = *ps.project;
  RegistryCheck r;
  r.name = p.name;
  r.version = p.version;
  r.integrity = p.integrity;
  if (p.name.empty()) return std::nullopt;  // the project itself
  // A workspace member's own source dir ("packages/ui"): the project's code, not a package.
  if (!p.path.empty() && p.path.find("node_modules/") == std::string::npos) return std::nullopt;
  r.path = InstallPath(project, p);
  if (r.path.empty()) {
    r.not_verifiable = "its install path in node_modules is unknown";
    return r;
  }
  const std::string dir = project.dir + "/" + r.path;
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    if (p.optional) return std::nullopt;  // an optional package for another platform
    r.not_verifiable = "not installed";
    return r;
  }
  r.not_verifiable = NotVerifiable(p);
  if (!r.not_verifiable.empty()) return r;
  const std::vector<SriHash> hashes = ParseSri(p.integrity);
  const SriHash best = *StrongestSri(hashes);

  auto registry = [&]() -> const std::string& {
    std::call_once(ps.registry_once, [&] { ps.registry = ResolveRegistry(project, options, ps.registry_why); });
    return ps.registry;
  };
  // The URL npm would fetch: the lockfile's when it points into the
  // project's registry, else the registry's conventional tarball path.
  auto url = [&]() -> std::string {
    const std::string& reg = registry();
    if (reg.empty()) return "";
    if (!p.resolved.empty() && p.resolved.starts_with(reg)) return p.resolved;
    return RegistryTarballUrl(reg, p.name, p.version);
  };

  std::optional<std::string> tarball;
  std::string read_error;
  // 1. npm's cache. First through its index, by the registry's URL: that is
  // the tarball the registry served. Only then by the lockfile's integrity
  // as a content address: that finds whatever tarball the lockfile pins, so
  // it cannot show a forged integrity (the digest matches by construction),
  // only files changed after the install. Without the first step a lockfile
  // pointing at another cached tarball would look clean.
  const std::string registry_url = url();
  if (!registry_url.empty()) {
    const std::string key = CacacheTarballKey(registry_url);
    for (const std::string& cache : ps.cache_dirs) {
      auto bucket = ReadBounded(CacacheBucketPath(cache, key), 16 << 20);
      if (!bucket) continue;
      const auto integrity = FindCacacheIntegrity(*bucket, key);
      if (!integrity) continue;
      const auto h = StrongestSri(ParseSri(*integrity));
      if (!h) continue;
      auto data = ReadBounded(CacacheContentPath(cache, *h), options.limits.max_tarball_bytes);
      if (data) {
        tarball = std::move(*data);
        r.tarball = "cache";
        break;
      }
      read_error = data.error().message();
    }
  }
  for (size_t c = 0; !tarball && c < ps.cache_dirs.size(); ++c) {
    for (const SriHash& h : hashes) {
      const std::string path = CacacheContentPath(ps.cache_dirs[c], h);
      if (path.empty() || access(path.c_str(), F_OK) != 0) continue;
      auto data = ReadBounded(path, options.limits.max_tarball_bytes);
      if (data) {
        tarball = std::move(*data);
        r.tarball = "cache";
        break;
      }
      read_error = data.error().message();
    }
  }
  // 2. the registry.
  if (!tarball) {
    if (!options.download) {
      r.unavailable = true;
      r.error = read_error.empty() ? "not in npm's cache (downloads off)" : read_error;
      return r;
    }
    const std::string& u = registry_url;
    if (u.empty()) {
      r.unavailable = true;
      r.error = "no registry to download from: " + ps.registry_why;
      return r;
    }
    std::call_once(shared.announce_once, [&] {
      if (shared.progress != nullptr) shared.progress->Clear();
      fmt::print(stderr,
                 "deminer: --verify-registry downloads tarballs missing from npm's cache from {}\n",
                 UrlOrigin(u));
    });
    auto data = HttpGet(u, options.limits.max_tarball_bytes, options.timeout_ms);
    if (!data) {
      r.unavailable = true;
      r.error = data.error().message();
      return r;
    }
    tarball = std::move(*data);
    r.tarball = u;
  }

  r.actual = ComputeSri(best.algorithm, *tarball);
  const std::string_view actual_b64 = StripPadding(std::string_view(r.actual).substr(best.algorithm.size() + 1));
  r.integrity_mismatch = std::none_of(hashes.begin(), hashes.end(), [&](const SriHash& h) {
    return h.algorithm == best.algorithm && StripPadding(h.base64) == actual_b64;
  });
  auto read = ReadPackageTarball(*tarball, options.limits);
  if (!read) {
    r.unavailable = !r.integrity_mismatch;  // a mismatch is the finding; the files are extra
    r.error = read.error().message();
    return r;
  }
  CompareInstalled(*read, dir, HasInstallScripts(p, *read), r);
  return r;
}

}  // namespace

void VerifyAgainstRegistry(const std::vector<NpmProject*>& projects, const RegistryOptions& options,
                           std::vector<Gap>& gaps) {
  std::vector<std::unique_ptr<ProjectState>> states;
  struct Item {
    size_t project;
    size_t package;
  };
  std::vector<Item> items;
  for (NpmProject* project : projects) {
    auto s = std::make_unique<ProjectState>();
    s->project = project;
    s->cache_dirs = options.cache_dirs ? *options.cache_dirs : NpmCacheDirs(project->dir);
    for (size_t i = 0; i < project->packages.size(); ++i) items.push_back({states.size(), i});
    states.push_back(std::move(s));
  }
  std::vector<std::optional<RegistryCheck>> results(items.size());
  Shared shared{options, {}, nullptr};
  std::optional<Progress> progress;
  if (options.progress) {
    progress.emplace("verifying", "packages", items.size());
    shared.progress = &*progress;
  }
  std::atomic<size_t> next{0};
  RunOnThreads(std::max(1u, options.jobs), [&] {
    for (size_t i; (i = next.fetch_add(1)) < items.size();) {
      ProjectState& ps = *states[items[i].project];
      results[i] = VerifyOne(ps, ps.project->packages[items[i].package], shared);
      if (progress) progress->Add();
    }
  });
  progress.reset();

  for (size_t i = 0; i < items.size(); ++i) {
    if (results[i]) states[items[i].project]->project->registry.push_back(std::move(*results[i]));
  }
  for (const auto& s : states) {
    NpmProject& project = *s->project;
    project.verified = true;
    int unavailable = 0, not_verifiable = 0;
    std::string first_unavailable, first_not_verifiable;
    std::map<std::string, int> reasons;
    for (const RegistryCheck& r : project.registry) {
      if (r.unavailable) {
        if (unavailable++ == 0) first_unavailable = fmt::format("{}@{}: {}", r.name, r.version, r.error);
      } else if (!r.not_verifiable.empty()) {
        ++not_verifiable;
        ++reasons[r.not_verifiable];
      }
    }
    const std::string name = project.display.empty() ? project.dir : project.display;
    if (unavailable > 0) {
      gaps.push_back({fmt::format("registry integrity of {} package(s) of {}", unavailable, name),
                      "no tarball could be read (first: " + first_unavailable + ")",
                      "npm's cache (npm ci) or network access to the registry"});
    }
    if (not_verifiable > 0) {
      std::vector<std::string> parts;
      for (const auto& [why, n] : reasons) parts.push_back(fmt::format("{}: {}", why, n));
      gaps.push_back({fmt::format("registry integrity of {} package(s) of {}", not_verifiable, name),
                      "not verifiable (" + Join(parts, "; ") + ")", ""});
    }
  }
}

}  // namespace deminer
