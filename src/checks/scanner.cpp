#include "checks/scanner.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <optional>
#include <system_error>
#include <thread>
#include <unordered_set>

#include "checks/check.h"
#include "checks/container_collect.h"
#include "checks/file_collect.h"
#include "checks/log_collect.h"
#include "checks/npm_collect.h"
#include "checks/service_collect.h"
#include "core/strings.h"
#include "core/workers.h"
#include "sources/docker_api.h"
#include "sources/file_hash.h"
#include "sources/network.h"
#include "sources/proc_reader.h"
#include "sources/resolver.h"

namespace deminer {
namespace {

// Names, images and runtimes of the containers the facts mention (their
// processes, their logs), from the Docker or Podman API.
void AddContainerNames(Facts& facts, const std::string& root) {
  std::set<std::string> ids;
  for (const Process& p : facts.processes) {
    if (!p.container_id.empty()) ids.insert(p.container_id);
  }
  for (const LogHits& h : facts.log_hits) {
    if (!h.container_id.empty()) ids.insert(h.container_id);
  }
  if (ids.empty()) return;
  if (FindDockerSockets(root).empty()) {
    facts.gaps.push_back({fmt::format("names of {} containers", ids.size()),
                          "no Docker API socket found (DOCKER_HOST, /var/run/docker.sock, "
                          "/run/podman/podman.sock)",
                          "access to the Docker or Podman socket"});
    return;
  }
  facts.containers.merge(ListAllContainers(root, &facts.gaps));
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

void CollectNpm(const ScanOptions& options, const RulePack& rules, Facts& facts) {
  CollectNpmProjects(options, facts);
  CollectJsCode(options, rules, facts);
  if (!options.verify_registry.empty()) VerifyNpmRegistry(options, facts);
}

}  // namespace

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
  const HashSet which = IocDigests(rules);
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
  const unsigned n = std::min<unsigned>(std::max(1u, threads), static_cast<unsigned>(work.size()));
  RunOnThreads(n, hash);

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

Facts CollectFacts(const ScanOptions& options, const RulePack& rules) {
  Facts facts;
  facts.host = ReadHostInfo(options.root);
  const std::string proc_root = options.root == "/" ? "/proc" : options.root + "/proc";
  facts.now = std::time(nullptr);
  const bool want_procs = options.scopes.contains(Scope::kProcesses);
  const bool want_net = options.scopes.contains(Scope::kNetwork);
  const bool want_files = options.scopes.contains(Scope::kFiles);
  const bool want_persistence = options.scopes.contains(Scope::kPersistence);
  const bool want_containers = options.scopes.contains(Scope::kContainers);
  const bool want_db = options.scopes.contains(Scope::kDatabases);
  const bool want_exposure = options.scopes.contains(Scope::kExposure);
  const bool want_npm = options.scopes.contains(Scope::kNpm);
  // Databases and exposure start from the listening sockets of a live host.
  const bool want_sockets = want_net || ((want_db || want_exposure) && options.root == "/");
  // A part not begun by the deadline is skipped and named in the gaps.
  const auto in_time = [&](const char* part) {
    if (std::chrono::steady_clock::now() < options.deadline) return true;
    facts.gaps.push_back(Gap::TimeBound(part));
    return false;
  };
  // Image archives among the PATHs, unpacked for this scan only.
  std::optional<ImageWorkspace> images;
  if (want_files || want_persistence || want_containers) images.emplace(options.paths, facts);
  if (want_persistence && in_time("persistence")) {
    CollectPersistence(options, facts);
    images->ReadPersistence(facts);
  }
  if (options.scopes.contains(Scope::kLogs) && in_time("logs")) {
    CollectLogs(options, rules, facts, options.follow);
  }
  if (want_containers && in_time("container configurations")) {
    CollectContainerConfigs(options, proc_root, facts);
    images->AddConfigs(facts);
  }
  // Running containers, and the Node.js apps the npm scope reads, are found
  // from processes on a live host; the network scope needs them too: they own
  // the sockets and name the namespaces to visit.
  const bool live_containers = (want_files || want_persistence || want_npm) && options.root == "/";
  const bool need_procs = want_procs || want_sockets || live_containers;
  if (need_procs) {
    auto sweep = SweepProcesses({proc_root, options.threads, facts.host.own_mntns});
    if (sweep) {
      facts.processes = std::move(sweep->processes);
      std::move(sweep->gaps.begin(), sweep->gaps.end(), std::back_inserter(facts.gaps));
    } else {
      facts.gaps.push_back({"processes", sweep.error().message(), "a mounted /proc"});
    }
  }
  if (want_procs && in_time("hashes of executables")) {
    const unsigned threads =
        options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    HashUnusualExecutables(rules, proc_root, threads, facts);
  }
  if (want_sockets) {
    SocketSweep sockets = SweepSockets(proc_root, facts.processes, facts.host.own_netns);
    facts.sockets = std::move(sockets.sockets);
    std::move(sockets.gaps.begin(), sockets.gaps.end(), std::back_inserter(facts.gaps));
    JoinSocketOwners(facts.sockets, facts.processes);
    if (options.resolve && in_time("pool domains")) ResolveRuleDomains(rules, facts);
  }
  // The quick parts first; file trees and npm projects, which can be large,
  // last, so that a time bound leaves as little as it can unread.
  if (want_db && in_time("databases")) {
    CollectPostgres(options, facts);
    CollectRedis(options, facts);
    CollectDockerTcp(options, facts);
  }
  if (want_exposure && in_time("the firewall")) CollectFirewall(options, facts);
  if (want_persistence && live_containers && in_time("persistence in containers")) {
    CollectContainerPersistence(proc_root, facts);
  }
  if (want_files && in_time("files")) {
    CollectFiles(options, rules, proc_root, facts, images->Targets());
  }
  if (want_npm && in_time("npm projects")) CollectNpm(options, rules, facts);
  // Log hits name containers too.
  if (options.root == "/" && (need_procs || !facts.log_hits.empty())) {
    AddContainerNames(facts, options.root);
  }
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

ScanResult RunScan(const ScanOptions& options, const RulePack& rules, Facts* facts_out) {
  ScanResult result;
  result.started_at = std::chrono::system_clock::now();
  const auto t0 = std::chrono::steady_clock::now();
  Facts facts = CollectFacts(options, rules);
  result.findings = RunChecks(facts, rules, options.scopes);
  result.duration_ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  result.host = facts.host;
  result.skipped = rules.problems;
  for (Gap& g : rules.LateProblems()) result.skipped.push_back(std::move(g));
  std::move(facts.gaps.begin(), facts.gaps.end(), std::back_inserter(result.skipped));
  result.processes = facts.processes.size();
  result.sockets = facts.sockets.size();
  std::set<std::string> containers;
  for (const Process& p : facts.processes) {
    if (!p.container_id.empty()) containers.insert(p.container_id);
  }
  for (const ContainerConfig& c : facts.container_configs) {
    if (c.source == ConfigSource::kLive) containers.insert(c.ref.id);
  }
  result.containers = containers.size();
  result.files = facts.files_read + facts.js_files_read;  // files scope, and npm JS code
  result.persistence_files = facts.persistence.size();
  result.logs = facts.logs_read;
  result.log_lines = facts.log_lines;
  if (options.scopes.contains(Scope::kExposure)) {
    result.exposure = BuildExposureTable(facts);
    result.exposure_scanned = true;
  }
  if (facts_out != nullptr) *facts_out = std::move(facts);
  return result;
}

}  // namespace deminer
