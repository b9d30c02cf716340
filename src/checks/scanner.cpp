#include "checks/scanner.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <ctime>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "checks/check.h"
#include "core/strings.h"
#include "match/yara_rules.h"
#include "sources/docker_api.h"
#include "sources/file_hash.h"
#include "sources/network.h"
#include "sources/proc_parse.h"
#include "sources/proc_reader.h"
#include "sources/resolver.h"

namespace deminer {
namespace {

void AddContainerNames(Facts& facts, const std::string& root) {
  std::set<std::string> ids;
  for (const Process& p : facts.processes) {
    if (!p.container_id.empty()) ids.insert(p.container_id);
  }
  if (ids.empty()) return;
  const std::vector<std::string> sockets = FindDockerSockets(root);
  if (sockets.empty()) {
    facts.gaps.push_back({fmt::format("names of {} containers", ids.size()),
                          "no Docker API socket found (DOCKER_HOST, /var/run/docker.sock, "
                          "/run/podman/podman.sock)",
                          "access to the Docker or Podman socket"});
    return;
  }
  for (const std::string& sock : sockets) {
    auto listed = DockerApi(sock).ListContainers();
    if (!listed) {
      facts.gaps.push_back({"container names from " + sock, listed.error().message(),
                            "access to the Docker or Podman socket"});
      continue;
    }
    for (auto& [id, ref] : *listed) facts.containers.emplace(id, std::move(ref));
  }
  for (const Process& p : facts.processes) {
    auto it = facts.containers.find(p.container_id);
    if (it != facts.containers.end() && it->second.runtime.empty()) {
      it->second.runtime = p.container_runtime;
    }
  }
}

// Pool and C2 domains of the rule pack, looked up so connections can be
// matched by address. Only with --resolve: it sends DNS queries.
void ResolveRuleDomains(const RulePack& rules, Facts& facts) {
  std::vector<std::string> names;
  std::set<std::string> c2;
  names.reserve(rules.pool_domains.size() + rules.c2_addresses.size());
  for (const auto& [domain, source] : rules.pool_domains) names.push_back(domain);
  for (const auto& [entry, source] : rules.c2_addresses) {
    // Domain names only: no port, and not an IPv4 or IPv6 literal.
    const bool domain = entry.find(':') == std::string::npos &&
                        entry.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string::npos;
    if (domain && c2.insert(entry).second) names.push_back(entry);
  }
  std::vector<std::string> failed;
  for (auto& [ip, name] : ResolveAll(names, failed)) {
    (c2.contains(name) ? facts.c2_addresses : facts.pool_addresses).emplace(ip, name);
  }
  if (!failed.empty()) {
    facts.gaps.push_back({fmt::format("{} of {} pool and C2 domains", failed.size(), names.size()),
                          "did not resolve", "DNS"});
  }
}

// Executables a package manager would not have put there: not under the
// system's program directories, or deleted, or in memory only.
bool UnusualExecutable(const Process& p) {
  if (p.kernel_thread || p.exe.empty()) return false;
  if (p.exe_deleted || p.exe.starts_with("/memfd:")) return true;
  constexpr std::string_view kSystem[] = {"/usr/",   "/bin/",   "/sbin/", "/lib/",
                                          "/lib64/", "/lib32/", "/snap/"};
  return std::none_of(std::begin(kSystem), std::end(kSystem),
                      [&](std::string_view d) { return p.exe.starts_with(d); });
}

// Hashes, once per file, the unusual executables of running processes when the
// rule pack has hash IOCs: through /proc/PID/exe, which reads the program even
// after it was deleted, and as the process's own mount namespace sees it.
// Distinct files are hashed in parallel.
void HashUnusualExecutables(const RulePack& rules, const std::string& proc_root, unsigned threads,
                            Facts& facts) {
  HashSet which;
  for (const auto& [hash, source] : rules.hashes) {
    which.md5 = which.md5 || hash.size() == 32;
    which.sha1 = which.sha1 || hash.size() == 40;
    which.sha256 = which.sha256 || hash.size() == 64;
  }
  if (!which.Any()) return;
  constexpr uint64_t kMaxBytes = uint64_t{512} << 20;
  struct File {
    std::string path;  // /proc/PID/exe of the first process running it
    std::vector<Process*> processes;
    Expected<FileHashes> hashes = Fail(Error::Internal("not hashed"));
  };
  std::map<std::pair<dev_t, ino_t>, File> files;
  for (Process& p : facts.processes) {
    if (!UnusualExecutable(p) || p.pid == facts.host.own_pid) continue;
    std::string link = fmt::format("{}/{}/exe", proc_root, p.pid);
    struct stat st {};
    if (stat(link.c_str(), &st) != 0) continue;  // exited meanwhile
    File& f = files[{st.st_dev, st.st_ino}];
    if (f.path.empty()) f.path = std::move(link);
    f.processes.push_back(&p);
  }
  std::vector<File*> work;
  work.reserve(files.size());
  for (auto& [key, f] : files) work.push_back(&f);
  std::atomic<size_t> next{0};
  const auto hash = [&] {
    for (size_t i = next++; i < work.size(); i = next++) {
      work[i]->hashes = HashFile(work[i]->path, which, kMaxBytes);
    }
  };
  std::vector<std::thread> pool;
  const unsigned n = std::min<unsigned>(std::max(1u, threads), static_cast<unsigned>(work.size()));
  for (unsigned t = 1; t < n; ++t) {
    try {
      pool.emplace_back(hash);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the calling thread does the rest
    }
  }
  hash();
  for (auto& t : pool) t.join();

  size_t failed = 0;
  std::string last_error;
  for (File* f : work) {
    if (!f->hashes) {
      ++failed;
      last_error = f->hashes.error().message();
      continue;
    }
    for (Process* p : f->processes) {
      p->exe_md5 = f->hashes->md5;
      p->exe_sha1 = f->hashes->sha1;
      p->exe_sha256 = f->hashes->sha256;
    }
  }
  if (failed != 0) {
    facts.gaps.push_back({fmt::format("hashes of {} executables", failed), last_error,
                          "root or CAP_SYS_PTRACE, and files under 512 MiB"});
  }
}

// Which digests the file scope computes: SHA-256 always (it names a file in
// reports and evidence bundles; with SHA-NI it costs little), MD5 and SHA-1
// only when IOCs of those kinds are loaded.
HashSet FileDigests(const RulePack& rules) {
  HashSet which;
  which.sha256 = true;
  for (const auto& [hash, source] : rules.hashes) {
    which.md5 = which.md5 || hash.size() == 32;
    which.sha1 = which.sha1 || hash.size() == 40;
  }
  return which;
}

// The temp dirs of the scanned system, plus /run/user/UID dirs.
void TempTargets(const std::string& root, std::vector<WalkTarget>& out) {
  const std::string prefix = root == "/" ? "" : root;
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    out.push_back({prefix + dir, dir, "temp", ""});
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(prefix + "/run/user", ec)) {
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      const std::string name = e.path().filename().string();
      out.push_back({e.path().string(), "/run/user/" + name, "temp", ""});
    }
  }
}

// Each running container's writable layer (the overlay's upperdir, as its
// init process's mountinfo names it) and its temp dirs that are separate
// mounts (tmpfs), read through /proc/PID/root.
void ContainerTargets(const Facts& facts, const std::string& proc_root,
                      std::vector<WalkTarget>& out, std::vector<Gap>& gaps) {
  std::map<std::string, const Process*> init;  // container id -> its lowest pid
  for (const Process& p : facts.processes) {
    if (p.container_id.empty()) continue;
    const Process*& cur = init[p.container_id];
    if (cur == nullptr || p.pid < cur->pid) cur = &p;
  }
  for (const auto& [id, p] : init) {
    auto text = ReadSmallFile(fmt::format("{}/{}/mountinfo", proc_root, p->pid), size_t{4} << 20);
    if (!text) {
      gaps.push_back({"files of container " + id.substr(0, 12), text.error().message(),
                      "root or CAP_SYS_PTRACE"});
      continue;
    }
    bool layer = false;
    for (const MountEntry& m : ParseMountInfo(*text)) {
      if (m.mount_point == "/" && m.fstype == "overlay") {
        if (const std::string upper = m.SuperOption("upperdir"); !upper.empty()) {
          out.push_back({upper, "/", "container-layer", id});
          layer = true;
        }
      } else if ((m.mount_point == "/tmp" || m.mount_point == "/var/tmp" ||
                  m.mount_point == "/dev/shm") &&
                 m.fstype == "tmpfs") {
        out.push_back({fmt::format("{}/{}/root{}", proc_root, p->pid, m.mount_point), m.mount_point,
                       "container-tmp", id});
      }
    }
    if (!layer) {
      // Not an overlay (vfs, btrfs, a bind-mounted rootfs): its temp dirs at least.
      for (const char* dir : {"/tmp", "/var/tmp"}) {
        out.push_back(
            {fmt::format("{}/{}/root{}", proc_root, p->pid, dir), dir, "container-tmp", id});
      }
    }
  }
}

// Runs the YARA rules and, on scripts, the shell patterns line by line, over
// each file's bytes as the walker reads them.
class ContentMatcher {
 public:
  ContentMatcher(const RulePack& rules, unsigned workers, std::vector<Gap>& gaps) : rules_(rules) {
    if (!rules.yara_files.empty()) {
      auto compiled = YaraRules::Compile(rules.yara_files, gaps);
      if (compiled) {
        yara_ = *compiled;
      } else {
        gaps.push_back({"YARA rules", compiled.error().message(), "a fix to the rule files"});
      }
    }
    for (unsigned i = 0; i < workers && yara_; ++i) {
      auto s = yara_->NewScanner();
      if (!s) {
        gaps.push_back({"YARA scanning", s.error().message(), ""});
        break;
      }
      scanners_.push_back(std::move(*s));
    }
  }

  void operator()(unsigned worker, FileEntry& e, std::string_view bytes) {
    if (worker < scanners_.size()) {
      auto matches = scanners_[worker]->Scan(bytes, e.path);
      if (!matches) {
        std::lock_guard lock(mu_);
        if (failed_++ == 0) first_error_ = e.path + ": " + matches.error().message();
      } else {
        for (YaraMatch& m : *matches) {
          ContentMatch c{"yara",
                         m.ns + ":" + m.rule,
                         m.Meta("severity"),
                         m.Meta("description"),
                         m.Meta("source"),
                         m.Meta("attack"),
                         {},
                         0};
          for (auto& [id, data] : m.strings) c.excerpts.push_back(id + " = " + data);
          if (m.first_offset >= 0) {
            c.line = 1 + static_cast<int>(std::count(
                             bytes.begin(),
                             bytes.begin() + std::min<int64_t>(m.first_offset,
                                                               static_cast<int64_t>(bytes.size())),
                             '\n'));
          }
          e.matches.push_back(std::move(c));
        }
      }
    }
    constexpr size_t kMaxScript = size_t{256} << 10;
    const bool script = e.content == FileEntry::Content::kScript || e.path.ends_with(".sh");
    if (script && bytes.size() <= kMaxScript && rules_.shell_db) {
      int n = 0;
      for (std::string_view line : Split(bytes, '\n')) {
        ++n;
        for (const size_t i : rules_.MatchShell(line)) {
          const ShellPattern& p = rules_.shell_patterns[i];
          e.matches.push_back({"shell",
                               p.id,
                               std::string(SeverityName(p.severity)),
                               p.why,
                               p.source,
                               "T1059.004",
                               {Printable(Trim(line), 300)},
                               n});
        }
      }
    }
  }

  void Report(std::vector<Gap>& gaps) const {
    if (failed_ != 0) {
      gaps.push_back({fmt::format("YARA scans of {} files", failed_),
                      "failed (first: " + first_error_ + ")", ""});
    }
  }

  size_t yara_rules() const { return yara_ ? yara_->rule_count() : 0; }

 private:
  const RulePack& rules_;
  std::shared_ptr<const YaraRules> yara_;
  std::vector<std::unique_ptr<YaraRules::Scanner>> scanners_;
  std::mutex mu_;
  size_t failed_ = 0;
  std::string first_error_;
};

void CollectFiles(const ScanOptions& options, const RulePack& rules, const std::string& proc_root,
                  Facts& facts) {
  std::vector<WalkTarget> targets;
  TempTargets(options.root, targets);
  if (options.root == "/") ContainerTargets(facts, proc_root, targets, facts.gaps);
  for (const std::string& path : options.paths) {
    std::error_code ec;
    const std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
    targets.push_back({abs, abs, "path", ""});
  }
  WalkOptions walk;
  walk.threads = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  walk.threads = std::max(1u, walk.threads);
  walk.hashes = FileDigests(rules);
  walk.max_content_bytes = options.max_content_bytes;
  ContentMatcher matcher(rules, walk.threads, facts.gaps);
  walk.hook = [&matcher](unsigned w, FileEntry& e, std::string_view b) { matcher(w, e, b); };
  FileSweep sweep = WalkFiles(targets, walk);
  matcher.Report(facts.gaps);
  facts.files = std::move(sweep.entries);
  facts.files_read = sweep.files;
  std::move(sweep.gaps.begin(), sweep.gaps.end(), std::back_inserter(facts.gaps));
}

// Attributes (immutable, append-only) of the files in system dirs, where seed
// 001's `system-check` was made undeletable. Content is not read.
void CollectSystemAttributes(const ScanOptions& options, Facts& facts) {
  const std::string prefix = options.root == "/" ? "" : options.root;
  std::vector<WalkTarget> targets;
  // Depths: /etc and the spool whole; program dirs flat; /root's dot files and
  // .ssh, not its caches.
  const std::pair<const char*, unsigned> kDirs[] = {
      {"/etc", 16},           {"/usr/bin", 1},        {"/usr/sbin", 1},
      {"/usr/local/bin", 1},  {"/usr/local/sbin", 1}, {"/usr/lib/systemd/system", 2},
      {"/var/spool/cron", 3}, {"/root", 2},           {"/opt", 2}};
  for (const auto& [dir, depth] : kDirs) {
    targets.push_back({prefix + dir, dir, "system", "", depth});
  }
  WalkOptions walk;
  walk.threads =
      std::max(1u, options.threads != 0 ? options.threads : std::thread::hardware_concurrency());
  walk.read_content = false;
  FileSweep sweep = WalkFiles(targets, walk);
  for (FileEntry& e : sweep.entries) {
    if (e.Immutable() || e.AppendOnly()) facts.files.push_back(std::move(e));
  }
  std::move(sweep.gaps.begin(), sweep.gaps.end(), std::back_inserter(facts.gaps));
}

}  // namespace

Facts CollectFacts(const ScanOptions& options, const RulePack& rules) {
  Facts facts;
  facts.host = ReadHostInfo(options.root);
  const std::string proc_root = options.root == "/" ? "/proc" : options.root + "/proc";
  facts.now = std::time(nullptr);
  const bool want_procs = options.scopes.contains(Scope::kProcesses);
  const bool want_net = options.scopes.contains(Scope::kNetwork);
  const bool want_files = options.scopes.contains(Scope::kFiles);
  const bool want_persistence = options.scopes.contains(Scope::kPersistence);
  if (want_persistence) {
    PersistenceSweep persistence = ReadPersistence(options.root);
    facts.persistence = std::move(persistence.items);
    std::move(persistence.gaps.begin(), persistence.gaps.end(), std::back_inserter(facts.gaps));
    CollectSystemAttributes(options, facts);
  }
  // Running containers are found from processes on a live host.
  const bool live_containers = want_files && options.root == "/";
  if (!want_procs && !want_net && !live_containers) {
    if (want_files) CollectFiles(options, rules, proc_root, facts);
    facts.Index();
    return facts;
  }

  // The network scope needs processes too: they own the sockets and name the
  // namespaces to visit.
  auto sweep = SweepProcesses({proc_root, options.threads, facts.host.own_mntns});
  if (sweep) {
    facts.processes = std::move(sweep->processes);
    std::move(sweep->gaps.begin(), sweep->gaps.end(), std::back_inserter(facts.gaps));
  } else {
    facts.gaps.push_back({"processes", sweep.error().message(), "a mounted /proc"});
  }
  if (want_procs) {
    const unsigned threads =
        options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    HashUnusualExecutables(rules, proc_root, threads, facts);
  }
  if (want_net) {
    SocketSweep sockets = SweepSockets(proc_root, facts.processes, facts.host.own_netns);
    facts.sockets = std::move(sockets.sockets);
    std::move(sockets.gaps.begin(), sockets.gaps.end(), std::back_inserter(facts.gaps));
    JoinSocketOwners(facts.sockets, facts.processes);
    if (options.resolve) ResolveRuleDomains(rules, facts);
  }
  if (want_files) CollectFiles(options, rules, proc_root, facts);
  if (options.root == "/") AddContainerNames(facts, options.root);
  facts.Index();
  return facts;
}

std::vector<Finding> RunChecks(const Facts& facts, const RulePack& rules,
                               const std::set<Scope>& scopes) {
  std::vector<Finding> findings;
  const CheckContext ctx{facts, rules};
  for (const Check* c : Catalog()) {
    if (scopes.contains(c->info.scope)) c->run(ctx, findings);
  }
  // One finding per fingerprint (two sockets of one miner to one pool are one finding).
  std::unordered_set<std::string> seen;
  std::vector<Finding> unique;
  for (Finding& f : findings) {
    if (seen.insert(f.check + f.fingerprint).second) unique.push_back(std::move(f));
  }
  std::stable_sort(unique.begin(), unique.end(),
                   [](const Finding& a, const Finding& b) { return a.severity > b.severity; });
  return unique;
}

ScanResult RunScan(const ScanOptions& options, const RulePack& rules) {
  ScanResult result;
  result.started_at = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  Facts facts = CollectFacts(options, rules);
  result.findings = RunChecks(facts, rules, options.scopes);
  result.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  result.host = facts.host;
  result.skipped = rules.problems;
  std::move(facts.gaps.begin(), facts.gaps.end(), std::back_inserter(result.skipped));
  result.processes = facts.processes.size();
  result.sockets = facts.sockets.size();
  std::set<std::string> containers;
  for (const Process& p : facts.processes) {
    if (!p.container_id.empty()) containers.insert(p.container_id);
  }
  result.containers = containers.size();
  result.files = facts.files_read;
  result.persistence_files = facts.persistence.size();
  return result;
}

}  // namespace deminer
