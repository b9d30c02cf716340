#include "watch/watcher.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/fanotify.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "checks/check.h"
#include "checks/file_collect.h"
#include "checks/log_collect.h"
#include "checks/scanner.h"
#include "core/strings.h"
#include "report/sink.h"
#include "report/sinks.h"
#include "sources/docker_api.h"
#include "sources/file_hash.h"
#include "sources/network.h"
#include "sources/proc_parse.h"
#include "sources/proc_reader.h"
#include "watch/alert_sinks.h"
#include "watch/cpu_tracker.h"
#include "watch/fan_events.h"
#include "watch/proc_events.h"
#include "watch/respawn.h"
#include "watch/responder.h"

namespace deminer {
namespace {

constexpr CheckInfo kRespawnInfo{
    "watch.respawn",
    "A payload keeps coming back: its dropper is still running",
    Severity::kCritical,
    Kind::kCompromise,
    Scope::kProcesses,
    "T1496",
    "Deleting the file or restarting the container will not help: the dropper named here "
    "re-creates and re-runs it. Stop the dropper (its process and whatever starts it: a cron "
    "entry, a unit, the app's own code). When it lives in the app's image or build, rebuild the "
    "image from a clean source (`deminer diff CLEAN SUSPECT` shows what the infected build "
    "adds) and close the hole that let it in.",
    "A payload (same file name or SHA-256) ran again after every earlier run of it ended or was "
    "killed, at least twice."};

constexpr CheckInfo kSustainedCpuInfo{
    "watch.sustained-cpu",
    "Sustained CPU: a process or container ran flat out",
    Severity::kMedium,
    Kind::kCompromise,
    Scope::kProcesses,
    "T1496",
    "Find out what it computes: a miner shows in its command line, its connections (pool ports) "
    "and its parents. A web app or database rarely needs a full core for minutes on end; a "
    "container without a CPU limit lets a miner take them all (set --cpus).",
    "A process, or all processes of a container together, used at least 0.8 of a core in each "
    "of two consecutive process sweeps of the watch daemon (60 s by default)."};

constexpr CheckInfo kExecDeniedInfo{
    "watch.exec-denied",
    "Exec from a temp dir denied",
    Severity::kHigh,
    Kind::kCompromise,
    Scope::kFiles,
    "T1059",
    "deminer denied the exec (--block-exec). Find who tried it (the process and its parents "
    "below) and what put the file there.",
    "A program in a temp dir, or a file whose hash is an IOC anywhere outside the system's "
    "program dirs, was about to run and the daemon denied it (--block-exec)."};

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

uint64_t MonoNs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<uint64_t>(ts.tv_sec) * 1000000000u + static_cast<uint64_t>(ts.tv_nsec);
}

// Alerts as JSON lines, each finding's JSON plus when, which event, how long
// after the event, and what was done. A fingerprint alerted within the window
// is counted, not written again. Thread-safe.
class AlertLog {
 public:
  AlertLog(std::string path, unsigned window_s) : path_(std::move(path)), window_s_(window_s) {}

  void AddSink(std::unique_ptr<AlertSink> sink) { sinks_.push_back(std::move(sink)); }
  const std::vector<std::unique_ptr<AlertSink>>& sinks() const { return sinks_; }

  Expected<void> Open() {
    std::lock_guard lock(mu_);
    if (path_ == "-") return {};
    file_.close();
    file_.clear();
    file_.open(path_, std::ios::app);
    if (!file_) return Fail(Error::FromErrno(errno, path_));
    return {};
  }

  bool Emit(const Finding& f, std::string_view event, double latency_ms,
            const nlohmann::ordered_json& response, bool force = false) {
    const int64_t now = NowMs();
    std::lock_guard lock(mu_);
    const std::string key = f.check + f.fingerprint;
    auto [it, fresh] = last_.try_emplace(key, now);
    if (!fresh && !force && now - it->second < int64_t{window_s_} * 1000) {
      ++suppressed_;
      return false;
    }
    it->second = now;
    nlohmann::ordered_json j;
    j["time"] = Iso8601(std::chrono::system_clock::now());
    j["event"] = event;
    if (latency_ms >= 0) j["latency_ms"] = std::round(latency_ms * 1000) / 1000;
    nlohmann::ordered_json finding = FindingToJson(f);
    for (auto f_it = finding.begin(); f_it != finding.end(); ++f_it) {
      j[f_it.key()] = std::move(f_it.value());
    }
    if (!response.is_null()) j["response"] = response;
    std::ostream& out = path_ == "-" ? std::cout : file_;
    out << DumpJson(j) << '\n';
    out.flush();
    for (const auto& sink : sinks_) sink->Send(j);
    ++written_;
    // Bounded: fingerprints not seen for a window are forgotten.
    if (last_.size() > 20000) {
      std::erase_if(last_,
                    [&](const auto& kv) { return now - kv.second > int64_t{window_s_} * 1000; });
    }
    return true;
  }

  uint64_t written() const { return written_; }
  uint64_t suppressed() const { return suppressed_; }

 private:
  std::mutex mu_;
  std::string path_;
  unsigned window_s_;
  std::ofstream file_;
  std::unordered_map<std::string, int64_t> last_;
  std::vector<std::unique_ptr<AlertSink>> sinks_;
  std::atomic<uint64_t> written_{0};
  std::atomic<uint64_t> suppressed_{0};
};

std::string ReadLink(const std::string& path) {
  std::error_code ec;
  auto target = std::filesystem::read_symlink(path, ec);
  return ec ? std::string() : target.string();
}

// Interpreters whose first non-option argument is the program they run.
bool Interpreter(std::string_view name) {
  constexpr std::string_view kNames[] = {"sh",   "bash",    "dash", "ash",    "zsh",
                                         "ksh",  "busybox", "node", "python", "python3",
                                         "perl", "ruby",    "php",  "bun",    "deno"};
  for (std::string_view n : kNames) {
    if (name == n) return true;
  }
  return name.starts_with("python3.");
}

// What a person needs to find a process that starts others: its program, the
// script it runs, where it runs, and the other files it holds open.
nlohmann::ordered_json DescribeProcess(const Process& p) {
  nlohmann::ordered_json j;
  j["pid"] = p.pid;
  j["exe"] = Printable(p.exe.empty() ? p.DisplayName() : p.exe);
  j["cmdline"] = Printable(p.CommandLine(), 1024);
  const std::string base = fmt::format("/proc/{}", p.pid);
  if (std::string cwd = ReadLink(base + "/cwd"); !cwd.empty()) j["cwd"] = Printable(cwd);
  if (Interpreter(p.DisplayName()) || Interpreter(Basename(p.exe))) {
    for (size_t i = 1; i < p.argv.size(); ++i) {
      if (p.argv[i].empty() || p.argv[i][0] == '-') continue;
      j["script"] = Printable(p.argv[i]);
      break;
    }
  }
  auto files = nlohmann::ordered_json::array();
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(base + "/fd", ec)) {
    std::string target = ReadLink(e.path().string());
    if (target.empty() || target[0] != '/' || target.starts_with("/dev/") ||
        target.starts_with("/proc/") || target.ends_with(".so") ||
        target.find(".so.") != std::string::npos) {
      continue;
    }
    files.push_back(Printable(target));
    if (files.size() >= 16) break;
  }
  if (!files.empty()) j["open_files"] = std::move(files);
  return j;
}

struct MarkedDir {
  std::string shown;  // as the system it belongs to names it
  std::string container_id;
  int init_pid = 0;  // the container's init, whose /proc/PID/root reaches its files
  std::string area;
};

class Watcher {
 public:
  Watcher(const WatchOptions& options, const RuleLoader& load_rules, std::ostream& log)
      : options_(options),
        load_rules_(load_rules),
        log_(log),
        alerts_(options.output, options.dedup_window_s),
        host_(ReadHostInfo("/")),
        responder_(ResponderOptions{options.policies, options.allow, options.dry_run,
                                    options.state_dir, options.block_timeout_s, host_.own_pid,
                                    host_.own_mntns, [this](const std::string& id) {
                                      std::lock_guard lock(marks_mu_);
                                      const auto it = container_inits_.find(id);
                                      return it == container_inits_.end() ? 0 : it->second;
                                    }}) {}

  Expected<void> Run();

 private:
  // Event sources.
  void OpenSources();
  // Main thread only: the marks' bookkeeping (marked_, dir_info_, dir_events_).
  void MarkTempDirs(const std::string& host_dir, const MarkedDir& what, unsigned depth);
  void MarkContainer(const Process& p);
  void MarkPersistenceDirs();

  // Handlers.
  void OnExec(int pid, uint64_t event_ns);
  void OnFileWritten(FileEvent& e);
  void JudgeFile(const std::string& host_path, const MarkedDir& where, int writer_pid);
  void PermissionLoop();
  struct ExecVerdict {
    bool deny = false;
    std::string title;
    std::string why;
    std::string sha256;  // when it was hashed
  };
  // Whether the exec `e` asks for is denied (perm thread only).
  ExecVerdict JudgeExec(const FileEvent& e, const RulePack& rules);
  std::unordered_map<std::string, ExecVerdict> exec_verdicts_;  // by inode and mtime
  void SlowLoop();
  void SustainedCpu(const Facts& facts, double seconds, std::vector<Finding>& out);
  CpuTracker process_cpu_{0.8, 2};  // slow thread only
  CpuTracker container_cpu_{0.8, 2};
  void SweepSockets(const RulePack& rules, std::set<uint64_t>& seen);

  // Shared.
  Facts BaseFacts();
  void AddContainerRefs(Facts& facts);
  void Emit(const std::vector<Finding>& findings, std::string_view event, double latency_ms,
            const Facts* facts);
  void WriteStatus();
  bool Stopping() const { return stop_.load(); }

  // The rule pack; replaced on SIGHUP by the main thread, which reads it
  // without the lock; other threads take a reference under it (Rules()).
  std::shared_ptr<const RulePack> Rules() {
    std::lock_guard lock(rules_mu_);
    return rules_;
  }
  Expected<void> LoadRules();

  const WatchOptions& options_;
  const RuleLoader& load_rules_;
  std::mutex rules_mu_;
  std::shared_ptr<const RulePack> rules_;
  std::ostream& log_;
  std::mutex log_mu_;
  AlertLog alerts_;
  HostInfo host_;
  std::atomic<bool> stop_{false};
  int stop_fd_ = -1;  // eventfd that wakes the helper threads on stop
  int procdir_ = -1;  // /proc, kept open for the exec path

  std::optional<ProcEvents> proc_events_;
  std::optional<FanGroup> notify_;
  std::optional<FanGroup> perm_;
  bool exec_fs_marks_ = false;  // perm_ marks whole file systems (hash IOCs)
  std::optional<DirEvents> dir_events_;
  std::map<std::string, MarkedDir> dir_info_;  // marked host dir -> what it is (marks_mu_)
  std::unique_ptr<FileInspector> inspector_;
  std::vector<Gap> inspector_gaps_;

  std::mutex marks_mu_;
  std::map<dev_t, MarkedDir> temp_devs_;  // device of a marked temp dir -> what it is
  std::set<std::string> marked_;          // host paths of marked dirs
  std::set<std::string> marked_containers_;
  std::set<std::string> persistence_dirs_;
  std::atomic<bool> persistence_dirty_{false};

  std::mutex containers_mu_;
  std::map<std::string, ContainerRef> containers_;
  int64_t containers_listed_ms_ = 0;

  std::map<std::string, int> container_inits_;  // container id -> a pid in it (marks_mu_)
  Responder responder_;

  RespawnTracker respawn_;
  std::unordered_set<std::string> clean_;  // exec looks judged clean (OnExec)
  // Who wrote each payload (shown path + container), for the dropper evidence.
  std::map<std::string, nlohmann::ordered_json> writers_;

  std::mutex netns_mu_;
  std::map<uint64_t, int> netns_reps_;  // network namespace -> a pid in it

  std::atomic<uint64_t> execs_{0}, files_{0}, denied_{0};
  int64_t started_ms_ = NowMs();
};

void Watcher::MarkTempDirs(const std::string& host_dir, const MarkedDir& what, unsigned depth) {
  struct stat st {};
  if (lstat(host_dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) return;
  bool fresh = false;
  {
    std::lock_guard lock(marks_mu_);
    if (marked_.size() >= 4096) return;  // bounded: a temp dir with thousands of dirs
    fresh = marked_.insert(host_dir).second;
    temp_devs_.try_emplace(st.st_dev, what);
  }
  // Marking again is harmless (the rescan does it); only new dirs are told of.
  if (notify_) {
    if (auto r = notify_->MarkDir(host_dir); !r && fresh) {
      std::lock_guard lock(log_mu_);
      log_ << "deminer watch: cannot watch " << host_dir << ": " << r.error().message() << "\n";
    }
  }
  if (perm_) (void)perm_->MarkDir(host_dir);
  if (dir_events_ && fresh) {
    (void)dir_events_->Watch(host_dir);
    std::lock_guard lock(marks_mu_);
    dir_info_[host_dir] = what;
  }
  if (depth >= 3) return;
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(host_dir, ec)) {
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      MarkedDir sub = what;
      sub.shown = what.shown + "/" + e.path().filename().string();
      MarkTempDirs(e.path().string(), sub, depth + 1);
    }
  }
}

void Watcher::MarkContainer(const Process& p) {
  if (p.container_id.empty()) return;
  {
    std::lock_guard lock(marks_mu_);
    container_inits_[p.container_id] = p.pid;
    if (!marked_containers_.insert(fmt::format("{}/{}", p.container_id, p.mntns)).second) return;
  }
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    MarkTempDirs(fmt::format("/proc/{}/root{}", p.pid, dir),
                 {dir, p.container_id, p.pid, "container-tmp"}, 0);
  }
  if (exec_fs_marks_) (void)perm_->MarkFilesystemExec(fmt::format("/proc/{}/root/", p.pid));
}

void Watcher::MarkPersistenceDirs() {
  std::vector<std::string> dirs = {"/etc",
                                   "/etc/cron.d",
                                   "/etc/cron.hourly",
                                   "/etc/cron.daily",
                                   "/etc/cron.weekly",
                                   "/etc/cron.monthly",
                                   "/var/spool/cron",
                                   "/var/spool/cron/crontabs",
                                   "/etc/systemd/system",
                                   "/etc/systemd/system/multi-user.target.wants",
                                   "/etc/init.d",
                                   "/etc/profile.d",
                                   "/etc/sudoers.d",
                                   "/root",
                                   "/root/.ssh"};
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/home", ec)) {
    dirs.push_back(e.path().string());
    dirs.push_back(e.path().string() + "/.ssh");
  }
  for (const std::string& d : dirs) {
    if (!std::filesystem::is_directory(d, ec)) continue;
    const bool watched = notify_ ? notify_->MarkDir(d).has_value()
                                 : dir_events_ && dir_events_->Watch(d).has_value();
    if (watched) persistence_dirs_.insert(d);
  }
}

void Watcher::OpenSources() {
  if (auto p = ProcEvents::Open()) {
    proc_events_.emplace(std::move(*p));
  } else {
    log_ << "deminer watch: no exec events (" << p.error().message()
         << "; needs root or CAP_NET_ADMIN): processes are judged by the periodic sweep only\n";
  }
  // DEMINER_WATCH_FILE_EVENTS=inotify takes the fallback on purpose (tests).
  const char* forced = getenv("DEMINER_WATCH_FILE_EVENTS");
  if (forced != nullptr && std::string_view(forced) == "inotify") {
    log_ << "deminer watch: file events from inotify (DEMINER_WATCH_FILE_EVENTS)\n";
  } else if (auto n = FanGroup::Open(false)) {
    notify_.emplace(std::move(*n));
  } else {
    log_ << "deminer watch: file events from inotify, without the writing process ("
         << n.error().message() << "; fanotify needs CAP_SYS_ADMIN)\n";
  }
  if (options_.block_exec) {
    if (auto g = FanGroup::Open(true)) {
      perm_.emplace(std::move(*g));
    } else {
      log_ << "deminer watch: --block-exec unavailable (" << g.error().message()
           << "; needs root and a kernel with fanotify permission events)\n";
    }
  }
  // Exec blocking with hash IOCs asks for every exec of the host's file
  // systems (and each container's, as it is found); without, only the temp dirs'.
  exec_fs_marks_ = perm_.has_value() && !rules_->hashes.empty();
  if (exec_fs_marks_) {
    for (const char* fs : {"/", "/usr", "/opt", "/home", "/srv", "/var", "/tmp", "/dev/shm"}) {
      if (auto r = perm_->MarkFilesystemExec(fs); !r && std::string_view(fs) == "/") {
        log_ << "deminer watch: hash-IOC exec blocking off (" << r.error().message() << ")\n";
        exec_fs_marks_ = false;
        break;
      }
    }
  }
  // Without fanotify, inotify tells of the files written too (without who).
  if (auto d = DirEvents::Open(!notify_)) dir_events_.emplace(std::move(*d));
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    MarkTempDirs(dir, {dir, "", 0, "temp"}, 0);
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator("/run/user", ec)) {
    MarkTempDirs(e.path().string(), {e.path().string(), "", 0, "temp"}, 0);
  }
  MarkPersistenceDirs();
  // Running containers: their temp dirs, through each one's init.
  if (auto sweep = SweepProcesses({"/proc", options_.threads, host_.own_mntns})) {
    std::map<std::string, const Process*> inits;
    for (const Process& p : sweep->processes) {
      if (!p.container_id.empty()) inits.try_emplace(p.container_id, &p);
      if (p.netns != 0) {
        std::lock_guard lock(netns_mu_);
        netns_reps_.try_emplace(p.netns, p.pid);
      }
    }
    for (const auto& [id, p] : inits) MarkContainer(*p);
  }
  if (!options_.state_dir.empty()) {
    std::error_code mk;
    std::filesystem::create_directories(options_.state_dir, mk);
    chmod(options_.state_dir.c_str(), 0700);
  }
  const auto sink = [&](Expected<std::unique_ptr<AlertSink>> made) {
    if (made) {
      alerts_.AddSink(std::move(*made));
    } else {
      log_ << "deminer watch: " << made.error().message() << "\n";
    }
  };
  if (options_.store && !options_.state_dir.empty()) {
    sink(MakeStoreSink(options_.state_dir + "/events.db"));
  }
  if (!options_.syslog.empty()) sink(MakeSyslogSink(options_.syslog));
  if (!options_.webhook.empty()) sink(MakeWebhookSink(options_.webhook));
}

Facts Watcher::BaseFacts() {
  Facts f;
  f.host = host_;
  f.now = std::time(nullptr);
  return f;
}

void Watcher::AddContainerRefs(Facts& facts) {
  std::set<std::string> ids;
  for (const Process& p : facts.processes) {
    if (!p.container_id.empty()) ids.insert(p.container_id);
  }
  for (const FileEntry& e : facts.files) {
    if (!e.container_id.empty()) ids.insert(e.container_id);
  }
  if (ids.empty()) return;
  std::lock_guard lock(containers_mu_);
  const bool unknown = std::any_of(
      ids.begin(), ids.end(), [&](const std::string& id) { return !containers_.contains(id); });
  // Asked again for an unknown container at most every second.
  if (unknown && NowMs() - containers_listed_ms_ > 1000) {
    containers_listed_ms_ = NowMs();
    for (auto& [id, ref] : ListAllContainers("/", nullptr, 1000)) {
      containers_.insert_or_assign(id, std::move(ref));
    }
  }
  for (const std::string& id : ids) {
    if (auto it = containers_.find(id); it != containers_.end()) facts.containers.emplace(*it);
  }
}

void Watcher::Emit(const std::vector<Finding>& findings, std::string_view event, double latency_ms,
                   const Facts* facts) {
  for (const Finding& f : findings) {
    const Process* p = nullptr;
    if (facts != nullptr) {
      if (const auto pid = f.evidence.find("pid"); pid != f.evidence.end() && pid->is_number()) {
        p = facts->FindProcess(pid->get<int>());
      }
    }
    nlohmann::ordered_json response = responder_.Respond(f, p);
    // An action taken is always written, also when its alert was said before.
    alerts_.Emit(f, event, latency_ms, response, !response.is_null());
  }
}

void Watcher::OnExec(int pid, uint64_t event_ns) {
  ++execs_;
  if (pid == host_.own_pid) return;
  // First look: the process alone, without its fd table or its parents.
  std::optional<Process> p = ReadOneProcess(procdir_, pid, host_.own_mntns, false);
  if (!p) return;  // already gone: too short-lived to matter, or judged by its parent's work
  if (p->netns != 0 && p->netns != host_.own_netns) {
    std::lock_guard lock(netns_mu_);
    netns_reps_.insert_or_assign(p->netns, p->pid);
  }
  if (!p->container_id.empty()) MarkContainer(*p);
  const bool unusual = UnusualExecutable(*p);
  const bool temp = unusual && IsTempPath(p->exe);
  if (temp) {
    // A program run from a temp dir: its own dir is watched from now on, for
    // what it drops beside itself.
    const std::string dir = std::filesystem::path(p->exe).parent_path().string();
    MarkTempDirs(p->container_id.empty() ? dir : fmt::format("/proc/{}/root{}", pid, dir),
                 {dir, p->container_id, p->container_id.empty() ? 0 : pid,
                  p->container_id.empty() ? "temp" : "container-tmp"},
                 3);
  }
  // A system program with the same command line, name, user and container as
  // one judged clean before is clean again (the checks that look at a new
  // process see only these); a build's thousands of compiler runs cost one
  // look each. Unusual executables are always looked at: their bytes may change.
  std::string clean_key;
  if (!unusual) {
    clean_key = fmt::format("{}\n{}\n{}\n{}\n{}", p->exe, p->comm, p->CommandLine(), p->uid,
                            p->container_id);
    if (clean_.contains(clean_key)) return;
  }
  Facts facts = BaseFacts();
  facts.processes.push_back(*p);
  facts.Index();
  if (unusual) HashUnusualExecutables(*rules_, "/proc", 1, facts);
  AddContainerRefs(facts);
  std::vector<Finding> findings = RunChecks(facts, *rules_, {Scope::kProcesses});
  if (findings.empty() && !temp) {
    if (!clean_key.empty()) {
      if (clean_.size() >= 8192) clean_.clear();  // bounded memory
      clean_.insert(std::move(clean_key));
    }
    return;
  }
  // Second look, for the evidence: its fds and its parents (the ancestry the
  // findings show and the dropper the respawn finding names).
  if (std::optional<Process> full = ReadOneProcess(procdir_, pid, host_.own_mntns, true)) {
    full->exe_sha256 = facts.processes.front().exe_sha256;
    full->exe_md5 = facts.processes.front().exe_md5;
    full->exe_sha1 = facts.processes.front().exe_sha1;
    facts.processes.front() = std::move(*full);
  }
  for (int ppid = facts.processes.front().ppid, depth = 0; ppid > 1 && depth < 16; ++depth) {
    std::optional<Process> parent = ReadOneProcess(procdir_, ppid, host_.own_mntns, true);
    if (!parent) break;
    ppid = parent->ppid;
    facts.processes.push_back(std::move(*parent));
  }
  facts.Index();
  findings = RunChecks(facts, *rules_, {Scope::kProcesses});
  // Only the new process's own findings: its parents are judged at their exec.
  std::erase_if(findings, [&](const Finding& f) {
    const auto it = f.evidence.find("pid");
    return it != f.evidence.end() && it->is_number() && it->get<int>() != pid;
  });
  const double latency_ms = static_cast<double>(MonoNs() - event_ns) / 1e6;
  const Process& self = facts.processes.front();

  // A payload: something judged, or a program run from a temp dir.
  if (!findings.empty() || temp) {
    const std::string program = self.exe.empty() ? self.DisplayName() : self.exe;
    const std::string name(Basename(program));
    // Running: there and not a zombie (a killed payload its parent has not reaped yet).
    const auto alive = [](int other) {
      auto stat = ReadSmallFile(fmt::format("/proc/{}/stat", other), 4096);
      const auto fields = stat ? ParseStat(*stat) : Expected<StatFields>(Fail(stat.error()));
      return fields && fields->state != 'Z';
    };
    if (auto back = respawn_.Ran(name, self.exe_sha256, pid, NowMs(), alive);
        back && back->count >= 2 && (back->count & (back->count - 1)) == 0) {
      const CheckContext ctx{facts, *rules_};
      Finding f = ProcessFinding(kRespawnInfo, ctx, self, Severity::kCritical);
      f.subject = fmt::format("{} came back {} times", Printable(name), back->count);
      f.fingerprint = Fingerprint(kRespawnInfo.id, name + "\n" + self.container_id);
      auto& e = f.evidence;
      e["payload"] = Printable(back->name);
      if (!self.exe_sha256.empty()) e["sha256"] = self.exe_sha256;
      e["comebacks"] = back->count;
      e["period_s"] = std::round(back->period_s * 10) / 10;
      auto runs = nlohmann::ordered_json::array();
      for (int64_t t : back->times)
        runs.push_back(
            Iso8601(std::chrono::system_clock::time_point(std::chrono::milliseconds(t))));
      e["runs"] = std::move(runs);
      // The dropper: the nearest parent that runs a script, else the parent.
      nlohmann::ordered_json dropper;
      auto chain = nlohmann::ordered_json::array();
      for (size_t i = 1; i < facts.processes.size(); ++i) {
        nlohmann::ordered_json d = DescribeProcess(facts.processes[i]);
        if (dropper.is_null() && (d.contains("script") || i + 1 == facts.processes.size())) {
          dropper = d;
        }
        chain.push_back(std::move(d));
      }
      if (!dropper.is_null()) e["dropper"] = std::move(dropper);
      e["dropper_chain"] = std::move(chain);
      const std::string key = self.exe + "\n" + self.container_id;
      if (auto w = writers_.find(key); w != writers_.end()) e["written_by"] = w->second;
      e["advice"] =
          "Deleting the file or restarting the container will not help: the dropper re-creates "
          "it. If the dropper is part of the app (its code, its image, a dependency), rebuild the "
          "image from a clean source.";
      findings.insert(findings.begin(), std::move(f));
    }
  }
  if (findings.empty()) return;
  bool acted = false;  // one response a process, for its most severe finding
  for (const Finding& f : findings) {
    nlohmann::ordered_json response =
        acted ? nlohmann::ordered_json() : responder_.Respond(f, &self);
    acted = acted || !response.is_null();
    const bool force = f.check == kRespawnInfo.id || !response.is_null();
    alerts_.Emit(f, "exec", latency_ms, response, force);
  }
}

void Watcher::OnFileWritten(FileEvent& e) {
  ++files_;
  if (e.fd < 0 || e.path.empty()) return;
  struct stat st {};
  if (fstat(e.fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  // A persistence dir's file: the persistence scope runs again, soon.
  const std::string dir = std::filesystem::path(e.path).parent_path().string();
  if (persistence_dirs_.contains(dir)) {
    persistence_dirty_ = true;
    return;
  }
  MarkedDir where;
  {
    std::lock_guard lock(marks_mu_);
    const auto it = temp_devs_.find(st.st_dev);
    if (it == temp_devs_.end()) return;
    where = it->second;
  }
  // The path as this daemon reaches the file, and as its own system names it.
  where.shown = e.path;
  const std::string host_path =
      where.init_pid != 0 ? fmt::format("/proc/{}/root{}", where.init_pid, e.path) : e.path;
  JudgeFile(host_path, where, e.pid);
}

// Judges one file written in a temp dir (where.shown: its path as its own
// system names it) with the files checks; `writer_pid` wrote it, 0 when
// unknown (inotify).
void Watcher::JudgeFile(const std::string& host_path, const MarkedDir& where, int writer_pid) {
  Facts facts = BaseFacts();
  inspector_->Walk({{host_path, where.shown, where.area, where.container_id}}, uint64_t{32} << 20,
                   facts);
  const std::string key = where.shown + "\n" + where.container_id;
  if (writer_pid != 0) {
    std::optional<Process> writer = ReadOneProcess("/proc", writer_pid, host_.own_mntns);
    writers_[key] = writer ? DescribeProcess(*writer)
                           : nlohmann::ordered_json{{"pid", writer_pid},
                                                    {"gone", "exited before it could be read"}};
    if (writers_.size() > 4096) writers_.erase(writers_.begin());
  }
  facts.Index();
  AddContainerRefs(facts);
  std::vector<Finding> findings = RunChecks(facts, *rules_, {Scope::kFiles});
  for (Finding& f : findings) {
    if (auto w = writers_.find(key); w != writers_.end()) f.evidence["written_by"] = w->second;
  }
  Emit(findings, "file", -1, nullptr);
}

Watcher::ExecVerdict Watcher::JudgeExec(const FileEvent& e, const RulePack& rules) {
  if (IsTempPath(e.path))
    return {true, "Exec from a temp dir denied", "a program in a temp dir", ""};
  // Only the file-system marks (hash IOCs) bring execs from elsewhere. The
  // system's program dirs pass: a package manager put them there, and
  // hashing every one of them on its first exec would stall the host.
  constexpr std::string_view kSystem[] = {"/usr/", "/bin/", "/sbin/", "/lib/", "/lib64/", "/snap/"};
  for (std::string_view d : kSystem) {
    if (e.path.starts_with(d)) return {};
  }
  struct stat st {};
  if (e.fd < 0 || fstat(e.fd, &st) != 0 || !S_ISREG(st.st_mode)) return {};
  const std::string key = fmt::format("{}:{}:{}.{}:{}", st.st_dev, st.st_ino, st.st_mtim.tv_sec,
                                      st.st_mtim.tv_nsec, st.st_size);
  if (auto it = exec_verdicts_.find(key); it != exec_verdicts_.end()) return it->second;
  ExecVerdict v;
  auto h = HashFile(fmt::format("/proc/self/fd/{}", e.fd), IocDigests(rules), uint64_t{512} << 20);
  if (h) {
    for (const std::string* digest : {&h->md5, &h->sha1, &h->sha256}) {
      if (digest->empty()) continue;
      if (auto ioc = rules.hashes.find(*digest); ioc != rules.hashes.end()) {
        v = {true, "Exec of a known malicious file denied",
             fmt::format("its hash {} is an IOC ({})", *digest, ioc->second), h->sha256};
        break;
      }
    }
  }
  if (exec_verdicts_.size() >= 16384) exec_verdicts_.clear();  // bounded memory
  exec_verdicts_.emplace(key, v);
  return v;
}

// Runs only when perm_ is open (Run starts it so).
void Watcher::PermissionLoop() {
  FanGroup& perm = *perm_;  // NOLINT(bugprone-unchecked-optional-access)
  std::vector<FileEvent> events;
  while (!Stopping()) {
    const std::shared_ptr<const RulePack> rules = Rules();
    pollfd fds[2] = {{perm.fd(), POLLIN, 0}, {stop_fd_, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0 && errno != EINTR) break;
    if (Stopping()) break;
    events.clear();
    if (auto r = perm.Read(events); !r) {
      std::lock_guard lock(log_mu_);
      log_ << "deminer watch: " << r.error().message() << "\n";
    }
    for (FileEvent& e : events) {
      if ((e.mask & FAN_OPEN_EXEC_PERM) == 0) {
        perm.Answer(e, true);
        continue;
      }
      const bool allowed =
          std::find(options_.allow.begin(), options_.allow.end(), e.path) != options_.allow.end();
      const ExecVerdict verdict = allowed ? ExecVerdict{} : JudgeExec(e, *rules);
      // Answered first: the exec waits for us.
      perm.Answer(e, !verdict.deny || options_.dry_run);
      if (!verdict.deny) {
        // Not asked again until the file changes (outside temp dirs only:
        // those are denied whatever they hold).
        if (exec_fs_marks_ && !allowed) (void)perm.IgnoreExecsOf(e);
        continue;
      }
      ++denied_;
      Finding f = NewFinding(kExecDeniedInfo, Severity::kHigh, Printable(e.path), e.path);
      f.title = verdict.title;
      f.path = e.path;
      f.evidence["path"] = Printable(e.path);
      f.evidence["denied"] = !options_.dry_run;
      f.evidence["why"] = verdict.why;
      std::string sha256 = verdict.sha256;
      if (sha256.empty()) {
        if (auto h = HashFile(fmt::format("/proc/self/fd/{}", e.fd), HashSet{false, false, true},
                              uint64_t{64} << 20)) {
          sha256 = h->sha256;
        }
      }
      if (!sha256.empty()) f.evidence["sha256"] = sha256;
      if (std::optional<Process> p = ReadOneProcess("/proc", e.pid, host_.own_mntns)) {
        f.evidence["by"] = DescribeProcess(*p);
      }
      alerts_.Emit(f, "exec-denied", -1, nullptr, true);
    }
  }
}

void Watcher::SweepSockets(const RulePack& rules, std::set<uint64_t>& seen) {
  std::vector<Process> reps;
  {
    std::lock_guard lock(netns_mu_);
    for (auto it = netns_reps_.begin(); it != netns_reps_.end();) {
      // A namespace whose process is gone is dropped; a new one comes with its next exec.
      if (access(fmt::format("/proc/{}/ns/net", it->second).c_str(), F_OK) != 0) {
        it = netns_reps_.erase(it);
        continue;
      }
      Process p;
      p.pid = it->second;
      p.netns = it->first;
      reps.push_back(std::move(p));
      ++it;
    }
  }
  SocketSweep sweep = deminer::SweepSockets("/proc", reps, host_.own_netns);
  std::vector<Socket> suspects;
  for (Socket& s : sweep.sockets) {
    if (!s.Connected() || seen.contains(s.inode)) continue;
    const bool pool = rules.pool_ports.contains(s.remote_port);
    const bool c2 = rules.c2_ports.contains(s.remote_port) ||
                    rules.MatchC2(s.remote_addr, s.remote_port) != nullptr;
    if (!pool && !c2) continue;
    seen.insert(s.inode);
    suspects.push_back(std::move(s));
  }
  if (suspects.empty()) return;
  // Whose they are: the costly part, only when there is something to tell.
  Facts facts = BaseFacts();
  if (auto procs = SweepProcesses({"/proc", options_.threads, host_.own_mntns})) {
    facts.processes = std::move(procs->processes);
  }
  facts.sockets = std::move(suspects);
  JoinSocketOwners(facts.sockets, facts.processes);
  facts.Index();
  AddContainerRefs(facts);
  Emit(RunChecks(facts, rules, {Scope::kNetwork}), "connection", -1, &facts);
}

// Processes and containers that stayed busy over the last sweeps
// (watch.sustained-cpu), appended to `out`.
void Watcher::SustainedCpu(const Facts& facts, double seconds, std::vector<Finding>& out) {
  std::map<std::string, uint64_t> by_process;
  std::map<std::string, uint64_t> by_container;
  for (const Process& p : facts.processes) {
    if (p.kernel_thread || p.pid == host_.own_pid) continue;
    by_process[fmt::format("{}:{}", p.pid, p.start_ticks)] = p.cpu_ticks;
    if (!p.container_id.empty()) by_container[p.container_id] += p.cpu_ticks;
  }
  const double hz = static_cast<double>(host_.clock_ticks);
  const CheckContext ctx{facts, *Rules()};
  for (const CpuTracker::Busy& b : process_cpu_.Add(by_process, seconds, hz)) {
    const Process* p = facts.FindProcess(std::atoi(b.key.c_str()));
    if (p == nullptr) continue;
    Finding f = ProcessFinding(kSustainedCpuInfo, ctx, *p, Severity::kMedium);
    f.subject += fmt::format(": {:.2f} cores", b.cores);
    f.evidence["cores"] = std::round(b.cores * 100) / 100;
    f.evidence["busy_for_s"] = std::round(seconds * b.streak);
    out.push_back(std::move(f));
  }
  for (const CpuTracker::Busy& b : container_cpu_.Add(by_container, seconds, hz)) {
    const auto ref = facts.ContainerById(b.key);
    const std::string name = ref && !ref->name.empty() ? ref->name : b.key.substr(0, 12);
    Finding f =
        NewFinding(kSustainedCpuInfo, Severity::kMedium,
                   fmt::format("container {}: {:.2f} cores", name, b.cores), "container\n" + b.key);
    f.container = ref;
    f.evidence["cores"] = std::round(b.cores * 100) / 100;
    f.evidence["busy_for_s"] = std::round(seconds * b.streak);
    out.push_back(std::move(f));
  }
}

void Watcher::SlowLoop() {
  using Clock = std::chrono::steady_clock;
  const auto every = [](unsigned s) { return std::chrono::seconds(s); };
  auto last_scan = Clock::now();
  auto last_procs = Clock::now();
  auto last_sockets = Clock::now() - every(options_.socket_interval_s);
  auto last_logs = Clock::now();
  auto last_status = Clock::now() - std::chrono::seconds(10);
  std::set<uint64_t> seen_sockets;
  LogFollow follow;
  ScanOptions log_options;
  log_options.scopes = {Scope::kLogs};
  log_options.follow = &follow;
  std::shared_ptr<const RulePack> rules = Rules();
  const auto scan = [&](std::set<Scope> scopes, std::string_view event) {
    ScanOptions o;
    o.scopes = std::move(scopes);
    o.threads = options_.threads;
    Facts facts = CollectFacts(o, *rules);
    Emit(RunChecks(facts, *rules, o.scopes), event, -1, &facts);
  };
  if (options_.initial_scan) {
    scan({Scope::kProcesses, Scope::kNetwork, Scope::kFiles, Scope::kPersistence}, "scan");
  }
  if (options_.log_interval_s != 0) {
    // The first pass only primes the cursors: the logs' past is scan's job.
    Facts facts = BaseFacts();
    CollectLogs(log_options, *rules, facts, &follow);
  }
  while (!Stopping()) {
    pollfd fd{stop_fd_, POLLIN, 0};
    poll(&fd, 1, 250);
    if (Stopping()) break;
    const auto now = Clock::now();
    if (std::shared_ptr<const RulePack> current = Rules(); current != rules) {
      rules = std::move(current);
      follow = LogFollow();  // its matcher was compiled from the old rules
      Facts facts = BaseFacts();
      CollectLogs(log_options, *rules, facts, &follow);
    }
    if (persistence_dirty_.exchange(false)) scan({Scope::kPersistence}, "persistence");
    if (options_.socket_interval_s != 0 &&
        now - last_sockets >= every(options_.socket_interval_s)) {
      last_sockets = now;
      SweepSockets(*rules, seen_sockets);
    }
    if (options_.process_interval_s != 0 &&
        now - last_procs >= every(options_.process_interval_s)) {
      const double seconds = std::chrono::duration<double>(now - last_procs).count();
      last_procs = now;
      ScanOptions o;
      o.scopes = {Scope::kProcesses};
      o.threads = options_.threads;
      Facts facts = CollectFacts(o, *rules);
      std::vector<Finding> findings = RunChecks(facts, *rules, o.scopes);
      SustainedCpu(facts, seconds, findings);
      Emit(findings, "sweep", -1, &facts);
    }
    if (options_.log_interval_s != 0 && now - last_logs >= every(options_.log_interval_s)) {
      last_logs = now;
      Facts facts = BaseFacts();
      CollectLogs(log_options, *rules, facts, &follow);
      Emit(RunChecks(facts, *rules, {Scope::kLogs}), "log", -1, nullptr);
    }
    if (options_.scan_interval_s != 0 && now - last_scan >= every(options_.scan_interval_s)) {
      last_scan = now;
      scan({Scope::kProcesses, Scope::kNetwork, Scope::kFiles, Scope::kPersistence}, "scan");
    }
    if (now - last_status >= std::chrono::seconds(5)) {
      last_status = now;
      WriteStatus();
    }
  }
}

void Watcher::WriteStatus() {
  if (options_.status_file.empty()) return;
  nlohmann::ordered_json j;
  j["pid"] = host_.own_pid;
  j["started_at"] = FormatTime(started_ms_ / 1000);
  j["updated_at"] = FormatTime(std::time(nullptr));
  j["sources"] = {{"exec_events", proc_events_.has_value()},
                  {"file_events", notify_.has_value()},
                  {"exec_blocking", perm_.has_value()},
                  {"exec_blocking_hash_iocs", exec_fs_marks_}};
  j["events"] = {{"execs", execs_.load()}, {"files", files_.load()}, {"denied", denied_.load()}};
  j["alerts"] = alerts_.written();
  j["suppressed"] = alerts_.suppressed();
  j["responses"] = responder_.done();
  {
    std::lock_guard lock(marks_mu_);
    j["watched_dirs"] = marked_.size();
  }
  if (auto status = ReadSmallFile("/proc/self/status")) {
    for (std::string_view line : Split(*status, '\n')) {
      if (line.starts_with("VmRSS:")) j["rss_kb"] = std::atoll(std::string(line.substr(6)).c_str());
    }
  }
  const std::string tmp = options_.status_file + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << DumpJson(j, 2) << '\n';
    if (!out) return;
  }
  std::rename(tmp.c_str(), options_.status_file.c_str());
}

Expected<void> Watcher::LoadRules() {
  auto loaded = load_rules_();
  if (!loaded) return Fail(loaded.error());
  for (const Gap& g : loaded->problems) {
    std::lock_guard lock(log_mu_);
    log_ << "deminer watch: skipped " << g.what << ": " << g.reason << "\n";
  }
  auto rules = std::make_shared<const RulePack>(std::move(*loaded));
  std::vector<Gap> gaps;
  auto inspector = std::make_unique<FileInspector>(*rules, 1, gaps);
  for (const Gap& g : gaps) {
    std::lock_guard lock(log_mu_);
    log_ << "deminer watch: skipped " << g.what << ": " << g.reason << "\n";
  }
  {
    std::lock_guard lock(rules_mu_);
    rules_ = std::move(rules);
  }
  inspector_ = std::move(inspector);
  clean_.clear();  // judged by the old rules
  return {};
}

Expected<void> Watcher::Run() {
  if (auto r = LoadRules(); !r) return r;
  if (auto r = alerts_.Open(); !r) return r;
  // Signals arrive as reads on a signalfd, in the event loop.
  sigset_t mask;
  sigemptyset(&mask);
  for (int s : {SIGINT, SIGTERM, SIGHUP}) sigaddset(&mask, s);
  pthread_sigmask(SIG_BLOCK, &mask, nullptr);
  signal(SIGPIPE, SIG_IGN);
  const int sig_fd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
  stop_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  procdir_ = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

  OpenSources();
  if (!proc_events_ && !notify_ && !dir_events_) {
    close(sig_fd);
    close(stop_fd_);
    return Fail(Error::PermissionDenied(
        "no event source could be opened (exec events need CAP_NET_ADMIN, file events "
        "CAP_SYS_ADMIN): run deminer watch as root"));
  }
  std::thread perm_thread;
  if (perm_) perm_thread = std::thread([this] { PermissionLoop(); });
  std::thread slow_thread([this] { SlowLoop(); });
  {
    std::string sink_names;
    for (const auto& sink : alerts_.sinks()) sink_names += ", " + sink->Name();
    std::lock_guard lock(log_mu_);
    log_ << fmt::format(
        "deminer watch: started (pid {}; exec events {}, file events {} on {} dirs, exec blocking "
        "{}, {} response polic{}{}; alerts to {}{})\n",
        host_.own_pid, proc_events_ ? "on" : "off", notify_ ? "on" : "off", marked_.size(),
        perm_ ? "on" : "off", options_.policies.size(), options_.policies.size() == 1 ? "y" : "ies",
        options_.dry_run ? " (dry run)" : "", options_.output == "-" ? "stdout" : options_.output,
        sink_names);
    log_.flush();
  }

  std::vector<ProcEvent> proc_events;
  std::vector<FileEvent> file_events;
  uint64_t last_exec_wake = 0;
  uint64_t last_rescan = MonoNs();
  while (!Stopping()) {
    pollfd fds[4] = {{sig_fd, POLLIN, 0},
                     {proc_events_ ? proc_events_->fd() : -1, POLLIN, 0},
                     {notify_ ? notify_->fd() : -1, POLLIN, 0},
                     {dir_events_ ? dir_events_->fd() : -1, POLLIN, 0}};
    if (poll(fds, 4, 1000) < 0 && errno != EINTR) break;
    // Every 10 s, dirs the events did not tell of (inotify's queue overflowed,
    // or a dir moved in with its subdirs) are marked. Here, on the thread that
    // owns the marks' bookkeeping.
    if (const uint64_t now = MonoNs(); now - last_rescan > 10'000'000'000) {
      last_rescan = now;
      for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
        MarkTempDirs(dir, {dir, "", 0, "temp"}, 0);
      }
    }
    if ((fds[1].revents & POLLIN) != 0) {
      // Busy (woken for execs again within 20 ms): let 10 ms of them gather
      // and read them in one go. A fork storm (a build, a shell loop) then
      // costs the host a hundred wake-ups a second instead of one an exec;
      // on a quiet host an exec is still judged at once.
      const uint64_t now = MonoNs();
      if (now - last_exec_wake < 20'000'000) usleep(10'000);
      last_exec_wake = MonoNs();
    }
    if (dir_events_ && (fds[3].revents & POLLIN) != 0) {
      std::vector<DirEvent> happened;
      dir_events_->Read(happened);
      for (const DirEvent& e : happened) {
        const std::string parent = std::filesystem::path(e.path).parent_path().string();
        if (!e.dir && persistence_dirs_.contains(parent)) {
          persistence_dirty_ = true;
          continue;
        }
        MarkedDir what;
        {
          std::lock_guard lock(marks_mu_);
          const auto it = dir_info_.find(parent);
          if (it == dir_info_.end()) continue;
          what = it->second;
        }
        what.shown =
            fmt::format("{}/{}", what.shown, std::filesystem::path(e.path).filename().string());
        if (e.dir) {
          MarkTempDirs(e.path, what, 0);
        } else {
          ++files_;
          JudgeFile(e.path, what, 0);
        }
      }
    }
    if ((fds[0].revents & POLLIN) != 0) {
      signalfd_siginfo si{};
      while (read(sig_fd, &si, sizeof si) == static_cast<ssize_t>(sizeof si)) {
        if (si.ssi_signo == SIGHUP) {
          (void)alerts_.Open();  // log rotation: a new file at the same path
          const auto reloaded = LoadRules();
          std::lock_guard lock(log_mu_);
          log_ << "deminer watch: SIGHUP: output reopened, rules "
               << (reloaded ? "reloaded" : "kept (" + reloaded.error().message() + ")") << "\n";
        } else {
          stop_ = true;
        }
      }
    }
    if (proc_events_ && (fds[1].revents & POLLIN) != 0) {
      proc_events.clear();
      if (auto r = proc_events_->Read(proc_events); !r) {
        std::lock_guard lock(log_mu_);
        log_ << "deminer watch: " << r.error().message() << " (events were lost)\n";
      }
      for (const ProcEvent& e : proc_events) {
        if (e.what == ProcEvent::What::kExec) {
          OnExec(e.pid, e.ns);
        }
      }
    }
    if (notify_ && (fds[2].revents & POLLIN) != 0) {
      file_events.clear();
      (void)notify_->Read(file_events);
      for (FileEvent& e : file_events) OnFileWritten(e);
    }
  }
  const uint64_t one = 1;
  [[maybe_unused]] const ssize_t n = write(stop_fd_, &one, sizeof one);
  if (perm_thread.joinable()) perm_thread.join();
  slow_thread.join();
  WriteStatus();
  close(sig_fd);
  close(stop_fd_);
  close(procdir_);
  std::lock_guard lock(log_mu_);
  log_ << fmt::format("deminer watch: stopped ({} execs, {} file events, {} alerts, {} denied)\n",
                      execs_.load(), files_.load(), alerts_.written(), denied_.load());
  return {};
}

}  // namespace

const std::vector<const CheckInfo*>& WatchCheckInfos() {
  static const std::vector<const CheckInfo*> infos = {&kRespawnInfo, &kSustainedCpuInfo,
                                                      &kExecDeniedInfo};
  return infos;
}

Expected<void> RunWatch(const WatchOptions& options, const RuleLoader& load_rules,
                        std::ostream& log) {
  Watcher w(options, load_rules, log);
  return w.Run();
}

}  // namespace deminer
