#include "report/evidence_collect.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>

#include "checks/check.h"
#include "core/progress.h"
#include "core/redact.h"
#include "core/strings.h"
#include "core/subprocess.h"
#include "report/html_sink.h"
#include "report/sink.h"
#include "report/sinks.h"
#include "sources/docker_api.h"
#include "sources/file_hash.h"
#include "sources/log_reader.h"
#include "sources/proc_parse.h"
#include "sources/proc_reader.h"
#include "sources/root_fs.h"

namespace deminer {

std::string BundlePath(std::string_view path) {
  std::string out;
  for (std::string_view part : Split(path, '/')) {
    if (part.empty() || part == ".") continue;
    if (!out.empty()) out += '/';
    if (part == "..") {
      out += "%2E%2E";
      continue;
    }
    // Percent-encoded, one to one: two names never become one entry, and the
    // tar header holds only printable ASCII whatever bytes the host used.
    for (const char c : part) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u >= 0x7f || c == '%' || c == '\\') {
        out += fmt::format("%{:02X}", u);
      } else {
        out += c;
      }
    }
  }
  return out.empty() ? "_" : out;
}

std::string_view LastLines(std::string_view text, size_t lines) {
  if (lines == 0) return {};
  size_t end = text.size();
  if (end > 0 && text[end - 1] == '\n') --end;  // the last line's own newline
  size_t pos = end;
  for (size_t seen = 0; pos > 0; --pos) {
    if (text[pos - 1] == '\n' && ++seen == lines) break;
  }
  return text.substr(pos);
}

std::string ExcerptLines(FILE* in, const std::vector<LineWindow>& windows) {
  constexpr size_t kMaxLine = 4096;
  uint64_t last = 0;
  for (const LineWindow& w : windows) last = std::max(last, w.to);
  std::vector<std::string> bodies(windows.size());
  char* line = nullptr;
  size_t cap = 0;
  ssize_t len = 0;
  for (uint64_t n = 1; n <= last && (len = getline(&line, &cap, in)) >= 0; ++n) {
    std::string_view text(line, static_cast<size_t>(len));
    if (text.ends_with('\n')) text.remove_suffix(1);
    for (size_t k = 0; k < windows.size(); ++k) {
      if (n < windows[k].from || n > windows[k].to) continue;
      bodies[k] += fmt::format("{:>8}  {}{}\n", n, text.substr(0, kMaxLine),
                               text.size() > kMaxLine ? "..." : "");
    }
  }
  free(line);
  std::string out;
  for (size_t k = 0; k < windows.size(); ++k) out += windows[k].header + bodies[k];
  return out;
}

namespace {

using Clock = std::chrono::steady_clock;
using Json = nlohmann::ordered_json;

constexpr size_t kMaxFlaggedFiles = 500;
constexpr size_t kMaxContainers = 200;
constexpr size_t kMaxTimeWindows = 20;

std::string PrettyJson(const Json& j) { return DumpJson(j, 2) + "\n"; }

// The last `max_bytes` of a file of the scanned system.
Expected<std::string> ReadTail(const RootFs& fs, const std::string& path, uint64_t max_bytes) {
  auto fd = fs.OpenFd(path, O_RDONLY | O_NONBLOCK, true);
  if (!fd) return Fail(fd.error());
  struct stat st {};
  if (fstat(*fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(*fd);
    return Fail(Error::InvalidInput(fs.HostPath(path) + ": not a regular file"));
  }
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  const uint64_t from = size > max_bytes ? size - max_bytes : 0;
  std::string out(static_cast<size_t>(size - from), '\0');
  size_t got = 0;
  while (got < out.size()) {
    const ssize_t n =
        pread(*fd, out.data() + got, out.size() - got, static_cast<off_t>(from + got));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  close(*fd);
  out.resize(got);
  if (from > 0) {  // begin at a whole line
    const size_t nl = out.find('\n');
    out.erase(0, nl == std::string::npos ? 0 : nl + 1);
  }
  return out;
}

class Collector {
 public:
  Collector(EvidenceBundle& bundle, const CollectOptions& options, const RulePack& rules)
      : bundle_(bundle),
        options_(options),
        rules_(rules),
        deadline_(Clock::now() + options.time_limit),
        proc_(options.scan.root == "/" ? std::string("/proc") : options.scan.root + "/proc"),
        live_(options.scan.root == "/") {}

  Expected<void> Run(CollectResult& out) {
    struct Part {
      const char* name;
      void (Collector::*run)();
    };
    const Part parts[] = {
        {"the scan", &Collector::Scan},        {"host", &Collector::Host},
        {"processes", &Collector::Processes},  {"sockets", &Collector::Sockets},
        {"files", &Collector::Files},          {"persistence", &Collector::Persistence},
        {"firewall", &Collector::Firewall},    {"logs", &Collector::Logs},
        {"containers", &Collector::Containers}};
    std::optional<Progress> progress;
    if (options_.progress) progress.emplace("collecting", "parts", std::size(parts));
    for (const Part& p : parts) {
      if (TimeUp(p.name)) continue;
      (this->*p.run)();
      if (!status_) return status_;
      if (progress) progress->Add();
    }
    out.findings = result_.findings.size();
    out.flagged_processes = flagged_pids_.size();
    out.flagged_files = flagged_files_.size();
    out.containers = containers_;
    return {};
  }

 private:
  // True (and a gap) when the time bound is past: `what` is skipped.
  bool TimeUp(const std::string& what) {
    if (Clock::now() < deadline_) return false;
    NoteGap(what, fmt::format("the time bound of {} s was reached", options_.time_limit.count()),
            std::string(deminer::Gap::kMoreTime));
    return true;
  }

  void Add(const std::string& name, std::string_view data, const std::string& source,
           const std::string& note = {}) {
    if (!status_) return;
    status_ = bundle_.AddData(name, data, source, note);
  }
  void AddText(const std::string& name, std::string_view text, const std::string& source,
               const std::string& note = {}) {
    Add(name, options_.redact ? RedactText(text) : std::string(text), source,
        options_.redact ? (note.empty() ? "redacted" : note + "; redacted") : note);
  }
  void AddJson(const std::string& name, Json j, const std::string& source) {
    if (options_.redact) RedactJson(j);
    Add(name, PrettyJson(j), source, options_.redact ? "redacted" : "");
  }
  void NoteGap(std::string what, std::string reason, std::string needs = {}) {
    bundle_.AddGap(deminer::Gap{std::move(what), std::move(reason), std::move(needs)});
  }

  // The file system a path of a container (or of the host, for "") is read from.
  const RootFs* FsOf(const std::string& container_id) {
    auto it = fs_.find(container_id);
    if (it != fs_.end()) return it->second ? &*it->second : nullptr;
    std::string root = options_.scan.root;
    if (!container_id.empty()) {
      const auto init = inits_.find(container_id);
      if (init == inits_.end()) {
        NoteGap("files of container " + ContainerLabel(container_id),
                "the container has no running process to read its file system through; its export "
                "is under containers/ when an engine answered");
        fs_.emplace(container_id, std::nullopt);
        return nullptr;
      }
      root = fmt::format("{}/{}/root", proc_, init->second);
    }
    auto fs = RootFs::Open(root);
    if (!fs) {
      NoteGap("files under " + root, fs.error().message(), "root");
      fs_.emplace(container_id, std::nullopt);
      return nullptr;
    }
    auto [slot, _] = fs_.emplace(container_id, std::move(*fs));
    return &*slot->second;
  }

  // "host" or the container's name (its short id when it has none), for bundle paths.
  std::string ContainerLabel(const std::string& id) const {
    if (id.empty()) return "host";
    const auto ref = facts_.ContainerById(id);
    const std::string shown = ref ? ref->Shown() : id.substr(0, 12);
    return BundlePath(shown == "host" ? id.substr(0, 12) : shown);  // "host" is the host's
  }

  enum class Copy { kVerbatim, kRedactText };

  // Copies `path` of the container's (or host's) file system: verbatim (a
  // flagged file, a binary log), or, for configuration, with the secrets of
  // a text file redacted (a unit's Environment=DB_PASSWORD=...).
  void CopyFile(const std::string& name, const std::string& container_id, const std::string& path,
                Copy how) {
    const RootFs* fs = FsOf(container_id);
    if (fs == nullptr) return;
    auto st = fs->Lstat(path);
    if (!st) {
      NoteGap(fs->HostPath(path), st.error().message());
      return;
    }
    // A directory is in the listing; a symlink is followed inside the root
    // (/etc/os-release -> ../usr/lib/os-release), never out of it.
    if (!S_ISREG(st->st_mode) && !S_ISLNK(st->st_mode)) return;
    auto data = fs->Read(path, options_.limits.max_file_bytes);
    if (!data) {
      NoteGap(fs->HostPath(path), data.error().message());
      return;
    }
    std::string note = "verbatim copy";
    if (how == Copy::kRedactText && options_.redact && data->find('\0') == std::string::npos) {
      *data = RedactText(*data);
      note = "copy, secrets redacted";
    }
    if (S_ISLNK(st->st_mode)) {
      auto target = fs->ReadLink(path);
      note += "; through the symlink to " + (target ? Printable(*target, 1024) : "?");
    } else if (const auto size = static_cast<uint64_t>(st->st_size); size > data->size()) {
      note += fmt::format("; cut at {} of {} bytes (--max-file-bytes)", data->size(), size);
    }
    Add(name, *data, fs->HostPath(path), note);
  }

  std::optional<std::string> Tool(const std::vector<std::string>& argv, bool gap_if_missing) {
    auto r = RunTool(argv);
    if (!r) {
      if (gap_if_missing) NoteGap(Join(argv), r.error().message());
      return std::nullopt;
    }
    if (r->exit_code != 0) {
      NoteGap(Join(argv), fmt::format("exit {}: {}", r->exit_code, Printable(Trim(r->err), 300)));
      return std::nullopt;
    }
    return std::move(r->out);
  }

  std::string StartedAt(const Process& p) const {
    const HostInfo& h = facts_.host;
    if (h.boot_time == 0 || h.clock_ticks <= 0) return {};
    return FormatTime(
        static_cast<int64_t>(h.boot_time + p.start_ticks / static_cast<uint64_t>(h.clock_ticks)));
  }

  // ---- the parts ----

  void Scan() {
    // The scan gets half of the time bound, so that the evidence it points to
    // can still be copied; what it did not reach is among its gaps.
    ScanOptions scan = options_.scan;
    scan.deadline = std::min(scan.deadline, Clock::now() + options_.time_limit / 2);
    result_ = RunScan(scan, rules_, &facts_);
    for (const deminer::Gap& g : result_.skipped) {
      if (g.ByTimeBound()) NoteGap("the scan: " + g.what, g.reason, g.needs);
    }
    inits_ = facts_.ContainerInits();
    for (const PasswdUser& u : ReadUsers()) users_.emplace(u.uid, u.name);
    const RunInfo run{options_.tool_version, options_.rules_version, &result_};
    AddJson("scan/findings.json", ScanToJson(run), "deminer scan --format json");
    std::ostringstream text;
    Render(*MakeSink(Format::kText, text), run);
    AddText("scan/report.txt", text.str(), "deminer scan");
    for (const Finding& f : result_.findings) {
      const Json* process = f.evidence.contains("process") ? &f.evidence["process"] : &f.evidence;
      if (process->is_object() && process->contains("pid") &&
          (*process)["pid"].is_number_integer()) {
        flagged_pids_.insert((*process)["pid"].get<int>());
      }
      const std::string cid = f.container ? f.container->id : "";
      if (f.container) flagged_containers_.insert(cid);
      const bool about_process = process->is_object() && process->contains("pid");
      // A process's executable is copied through /proc/PID/exe (also when
      // deleted or in memory only); other paths from the file system.
      if (!about_process && f.path.starts_with("/") && flagged_files_.size() < kMaxFlaggedFiles) {
        flagged_files_.insert({cid, f.path});
      }
    }
  }

  std::vector<PasswdUser> ReadUsers() {
    const RootFs* fs = FsOf("");
    if (fs == nullptr) return {};
    auto text = fs->Read("/etc/passwd");
    return text ? ParsePasswd(*text) : std::vector<PasswdUser>{};
  }

  void Host() {
    struct utsname u {};
    Json j;
    j["hostname"] = facts_.host.hostname;
    j["kernel"] = facts_.host.kernel;
    if (uname(&u) == 0 && live_) {
      j["uname"] =
          fmt::format("{} {} {} {} {}", u.sysname, u.nodename, u.release, u.version, u.machine);
    }
    j["root"] = options_.scan.root;
    j["boot_time"] = facts_.host.boot_time != 0
                         ? Json(FormatTime(static_cast<int64_t>(facts_.host.boot_time)))
                         : Json(nullptr);
    j["uptime_s"] = facts_.host.uptime_s;
    j["cpus"] = facts_.host.cpus;
    j["deminer_version"] = options_.tool_version;
    j["rules_version"] = options_.rules_version;
    j["collected_at"] = Iso8601(std::chrono::system_clock::now());
    j["collected_by_uid"] = geteuid();
    j["redacted"] = options_.redact;
    if (const RootFs* fs = FsOf(""); fs != nullptr) {
      if (auto os = fs->Read("/etc/os-release"); os) {
        for (std::string_view line : Split(*os, '\n')) {
          if (line.starts_with("PRETTY_NAME=")) {
            std::string_view v = line.substr(12);
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
            j["os"] = v;
          }
        }
      }
    }
    AddJson("host/system.json", std::move(j), "uname, /etc/os-release, deminer");
    // Users and logins: seed 000 asked who was on the box.
    for (const char* path :
         {"/etc/os-release", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/resolv.conf",
          "/etc/ld.so.preload", "/var/log/wtmp", "/var/log/btmp", "/var/log/lastlog"}) {
      const RootFs* fs = FsOf("");
      if (fs == nullptr) break;
      auto st = fs->Lstat(path);
      if (!st) continue;  // not every system has each of them
      if (std::string_view(path) == "/var/log/lastlog" && st->st_blocks * 512 < st->st_size) {
        continue;  // sparse (indexed by uid): `lastlog` below says the same
      }
      CopyFile("host/files" + std::string(path), "", path, Copy::kRedactText);
    }
    if (!live_) return;
    if (auto last = Tool({"last", "-F", "-w", "-x", "-n", "500"}, true)) {
      AddText("host/last.txt", *last, "last -F -w -x -n 500");
    }
    if (auto lastlog = Tool({"lastlog"}, false)) AddText("host/lastlog.txt", *lastlog, "lastlog");
    if (auto who = Tool({"who", "-a"}, false)) AddText("host/who.txt", *who, "who -a");
  }

  void Processes() {
    if (facts_.processes.empty()) {
      NoteGap("processes", options_.scan.scopes.contains(Scope::kProcesses)
                               ? "none could be read"
                               : "the processes scope is not in --only");
      return;
    }
    std::map<std::string, Expected<FileHashes>> hashes;  // container \n exe -> digest
    bool hashing = true;                                 // until the time bound
    Json list = Json::array();
    std::map<int, std::vector<const Process*>> children;
    std::set<int> pids;
    for (const Process& p : facts_.processes) pids.insert(p.pid);
    for (const Process& p : facts_.processes) {
      children[pids.contains(p.ppid) ? p.ppid : 0].push_back(&p);
      Json j;
      j["pid"] = p.pid;
      j["ppid"] = p.ppid;
      j["uid"] = p.uid;
      if (const auto u = users_.find(p.uid); u != users_.end() && p.container_id.empty()) {
        j["user"] = u->second;
      }
      j["state"] = std::string(1, p.state);
      j["comm"] = Printable(p.comm);
      j["cmdline"] = Printable(p.CommandLine());
      j["exe"] = p.exe.empty() ? Json(nullptr) : Json(Printable(p.exe));
      if (p.exe_deleted) j["exe_deleted"] = true;
      if (hashing && TimeUp("the remaining executables' hashes")) hashing = false;
      if (hashing && !p.exe.empty() && !p.kernel_thread) {
        const std::string key =
            p.exe_deleted ? fmt::format("pid {}", p.pid) : p.container_id + "\n" + p.exe;
        auto it = hashes.find(key);
        if (it == hashes.end()) {
          // Hashed whole: the bound on what is stored is not one on what is hashed.
          it = hashes
                   .emplace(key, HashFile(fmt::format("{}/{}/exe", proc_, p.pid),
                                          HashSet{.sha256 = true}, UINT64_MAX))
                   .first;
        }
        if (it->second) {
          j["exe_sha256"] = it->second->sha256;
        } else {
          j["exe_sha256_error"] = it->second.error().message();
        }
      }
      if (const std::string t = StartedAt(p); !t.empty()) j["started_at"] = t;
      j["cpu_seconds"] = static_cast<double>(p.cpu_ticks) /
                         static_cast<double>(std::max(1L, facts_.host.clock_ticks));
      j["threads"] = p.threads;
      if (!p.container_id.empty()) {
        j["container"] = {{"id", p.container_id}, {"name", ContainerLabel(p.container_id)}};
      }
      Json ancestry = Json::array();
      for (const Process* a : facts_.Ancestry(p)) ancestry.push_back(a->pid);
      j["ancestry"] = std::move(ancestry);
      if (flagged_pids_.contains(p.pid)) j["flagged"] = true;
      list.push_back(std::move(j));
    }
    AddJson("processes/processes.json", std::move(list), proc_);
    // ps -ef --forest, for a person.
    std::string tree;
    std::function<void(int, int)> walk = [&](int parent, int depth) {
      const auto it = children.find(parent);
      if (it == children.end() || depth > 64) return;
      for (const Process* p : it->second) {
        tree += fmt::format(
            "{:>7} {:>7} {:<10} {}{}{}{}\n", p->pid, p->ppid,
            users_.contains(p->uid) && p->container_id.empty() ? users_.at(p->uid)
                                                               : std::to_string(p->uid),
            std::string(static_cast<size_t>(depth) * 2, ' '), Printable(p->CommandLine(), 400),
            p->container_id.empty() ? "" : "  [" + ContainerLabel(p->container_id) + "]",
            flagged_pids_.contains(p->pid) ? "  <== flagged" : "");
        if (p->pid != parent) walk(p->pid, depth + 1);
      }
    };
    walk(0, 0);
    AddText("processes/tree.txt",
            fmt::format("{:>7} {:>7} {:<10} {}\n", "PID", "PPID", "USER", "COMMAND") + tree, proc_);
    for (const int pid : flagged_pids_) {
      if (TimeUp(fmt::format("process {}", pid))) return;
      FlaggedProcess(pid);
    }
  }

  void FlaggedProcess(int pid) {
    const std::string dir = fmt::format("{}/{}", proc_, pid);
    const std::string name = fmt::format("processes/{}/", pid);
    // The same process as the scan saw, not a new one with its pid.
    const Process* seen = facts_.FindProcess(pid);
    std::optional<uint64_t> start;
    if (auto stat = ReadSmallFile(dir + "/stat", 4096); stat) {
      if (auto fields = ParseStat(*stat); fields) start = fields->start_ticks;
    }
    if (!start || (seen != nullptr && *start != seen->start_ticks)) {
      NoteGap("process " + std::to_string(pid), "it exited before it was collected");
      return;
    }
    for (const char* f : {"maps", "status", "cgroup", "mountinfo"}) {
      auto text = ReadSmallFile(dir + "/" + f, options_.limits.max_file_bytes);
      if (text) {
        Add(name + f, *text, dir + "/" + f);
      } else {
        NoteGap(dir + "/" + f, text.error().message(), "root");
      }
    }
    if (auto cmdline = ReadSmallFile(dir + "/cmdline", 1 << 20); cmdline) {
      std::vector<std::string> args;
      for (std::string_view a : Split(*cmdline, '\0')) args.emplace_back(a);
      if (!args.empty() && args.back().empty()) args.pop_back();  // the last NUL
      if (options_.redact) args = RedactArgv(args);
      Add(name + "cmdline.txt", Join(args, "\n") + "\n", dir + "/cmdline",
          options_.redact ? "one argument a line; secrets redacted" : "one argument a line");
    } else {
      NoteGap(dir + "/cmdline", cmdline.error().message());
    }
    if (auto environ = ReadSmallFile(dir + "/environ", 1 << 20); environ) {
      std::string out;
      for (std::string_view e : Split(*environ, '\0')) {
        if (e.empty()) continue;
        out += options_.redact ? RedactEnvEntry(e) : std::string(e);
        out += '\n';
      }
      Add(name + "environ.txt", out, dir + "/environ",
          options_.redact ? "one variable a line; secrets redacted" : "one variable a line");
    } else {
      NoteGap(dir + "/environ", environ.error().message(), "root");
    }
    if (auto fds = ReadFdTargets(proc_, pid); fds) {
      std::string text;
      for (const auto& [fd, target] : *fds)
        text += fmt::format("{} -> {}\n", fd, Printable(target));
      Add(name + "fds.txt", text, dir + "/fd");
    } else {
      NoteGap(dir + "/fd", fds.error().message(), "root");
    }
    if (auto s = bundle_.AddFile(
            name + "exe", dir + "/exe",
            "verbatim copy of the executable (also when deleted); do not run it", true);
        !s) {
      status_ = s;
    }
  }

  void Sockets() {
    if (facts_.sockets.empty()) {
      if (!options_.scan.scopes.contains(Scope::kNetwork))
        NoteGap("sockets", "the network scope is not in --only");
      return;
    }
    Json list = Json::array();
    for (const Socket& s : facts_.sockets) {
      Json j;
      j["proto"] = s.proto == Proto::kTcp ? "tcp" : "udp";
      j["family"] = s.family;
      j["local"] = fmt::format("{}:{}", s.local_addr, s.local_port);
      j["remote"] = fmt::format("{}:{}", s.remote_addr, s.remote_port);
      j["state"] = s.proto == Proto::kTcp ? TcpStateName(s.state)
                                          : (s.state == 1 ? "connected" : "unconnected");
      j["uid"] = s.uid;
      j["inode"] = s.inode;
      j["netns"] = s.netns;
      Json owners = Json::array();
      for (const int pid : s.pids) {
        const Process* p = facts_.FindProcess(pid);
        owners.push_back({{"pid", pid}, {"name", p ? p->DisplayName() : ""}});
      }
      j["processes"] = std::move(owners);
      list.push_back(std::move(j));
    }
    AddJson("network/sockets.json", std::move(list), "sock_diag netlink, /proc/PID/fd");
  }

  void Files() {
    Json list = Json::array();
    for (const FileEntry& e : facts_.files) {
      if (e.area == "system") continue;  // read for attributes only
      constexpr std::string_view kTypes[] = {"file", "directory", "symlink", "other"};
      Json j;
      j["path"] = Printable(e.path, 4096);
      j["area"] = e.area;
      if (!e.container_id.empty()) j["container"] = ContainerLabel(e.container_id);
      j["type"] = kTypes[static_cast<size_t>(e.type)];
      j["mode"] = fmt::format("{:04o}", e.mode);
      j["uid"] = e.uid;
      j["size"] = e.size;
      j["modified"] = FormatTime(e.mtime);
      j["changed"] = FormatTime(e.ctime);
      if (e.Immutable()) j["immutable"] = true;
      if (!e.hashes.sha256.empty()) j["sha256"] = e.hashes.sha256;
      if (!e.hashes.md5.empty()) j["md5"] = e.hashes.md5;
      if (!e.link_target.empty()) j["link_target"] = Printable(e.link_target, 4096);
      list.push_back(std::move(j));
    }
    if (options_.scan.scopes.contains(Scope::kFiles)) {
      AddJson("files/listing.json", std::move(list), "the temp dirs, container layers and PATHs");
    } else {
      NoteGap("files/listing.json", "the files scope is not in --only");
    }
    for (const auto& [cid, path] : flagged_files_) {
      if (TimeUp("flagged files")) return;
      CopyFile(fmt::format("files/{}/{}", ContainerLabel(cid), BundlePath(path)), cid, path,
               Copy::kVerbatim);
    }
  }

  void Persistence() {
    std::set<std::pair<std::string, std::string>> done;
    for (const PersistItem& item : facts_.persistence) {
      // The distribution's own units (/usr/lib, /lib) only when dpkg does not
      // own them; a finding's file is copied under files/ anyway.
      const bool vendor = item.path.starts_with("/usr/lib/") || item.path.starts_with("/lib/");
      if (vendor && item.packaged != false) continue;
      if (!done.insert({item.container_id, item.path}).second) continue;
      if (TimeUp("persistence files")) return;
      CopyFile(fmt::format("persistence/{}/{}", ContainerLabel(item.container_id),
                           BundlePath(item.path)),
               item.container_id, item.path, Copy::kRedactText);
    }
  }

  void Firewall() {
    if (!live_) return;  // the rules in force are this host's, not --root's
    bool any = false;
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"nft", "list", "ruleset"}, {"iptables-save"}, {"ip6tables-save"}}) {
      if (auto out = Tool(argv, true)) {
        Add("firewall/" + argv[0] + ".txt", *out, Join(argv));
        any = true;
      }
    }
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"iptables-legacy-save"}, {"ip6tables-legacy-save"}, {"ufw", "status", "verbose"}}) {
      if (auto out = Tool(argv, false)) Add("firewall/" + argv[0] + ".txt", *out, Join(argv));
    }
    if (!any) NoteGap("firewall rules", "neither nft nor iptables-save could list them", "root");
    for (const char* path :
         {"/etc/nftables.conf", "/etc/iptables/rules.v4", "/etc/iptables/rules.v6",
          "/etc/ufw/user.rules", "/etc/ufw/user6.rules"}) {
      const RootFs* fs = FsOf("");
      if (fs != nullptr && fs->Lstat(path)) {
        CopyFile("firewall/saved" + std::string(path), "", path, Copy::kRedactText);
      }
    }
  }

  void Logs() {
    // Numbered lines around each group of hits, read line by line: a log of
    // any size, up to its last window.
    std::map<std::string, std::vector<LineWindow>> windows;  // log -> windows
    const uint64_t ctx = options_.log_context_lines;
    for (const LogHits& h : facts_.log_hits) {
      if (h.first_line == 0 || h.log == "-" || h.log.empty()) continue;
      const std::string rule = h.rule < rules_.log_rules.size() ? rules_.log_rules[h.rule].id : "";
      auto& w = windows[h.log];
      w.push_back({h.first_line > ctx ? h.first_line - ctx : 1, h.first_line + ctx,
                   fmt::format("== {}: {} hit(s), lines {}..{} ==\n", rule, h.count, h.first_line,
                               h.last_line)});
      if (h.last_line > h.first_line + 2 * ctx) {
        w.push_back({h.last_line - ctx, h.last_line + ctx, "  ...\n"});
      }
    }
    const RootFs* host = FsOf("");
    for (const auto& [log, w] : windows) {
      if (host == nullptr || TimeUp("log excerpts")) break;
      if (log.ends_with(".gz")) {
        NoteGap("excerpt of " + log, "a compressed rotation; its hits are in scan/findings.json");
        continue;
      }
      auto fd = host->OpenFd(log, O_RDONLY | O_NONBLOCK);
      if (!fd) {
        NoteGap("excerpt of " + log, fd.error().message());
        continue;
      }
      FILE* in = fdopen(*fd, "r");
      if (in == nullptr) {
        close(*fd);
        continue;
      }
      const std::string text = ExcerptLines(in, w);
      fclose(in);
      AddText("logs/excerpts/" + BundlePath(log) + ".txt", text, host->HostPath(log));
    }
    if (live_) JournalAroundFindings();
    // Tails of the system's logs.
    if (host != nullptr) {
      for (const char* path :
           {"/var/log/syslog", "/var/log/messages", "/var/log/auth.log", "/var/log/secure",
            "/var/log/kern.log", "/var/log/daemon.log", "/var/log/cron.log"}) {
        if (!host->Lstat(path)) continue;
        auto text =
            ReadTail(*host, path, std::min<uint64_t>(options_.limits.max_file_bytes, 8 << 20));
        if (!text) {
          NoteGap(host->HostPath(path), text.error().message(), "root");
          continue;
        }
        AddText("logs/tail" + std::string(path), LastLines(*text, options_.log_tail_lines),
                host->HostPath(path), fmt::format("the last {} lines", options_.log_tail_lines));
      }
    }
    if (live_) {
      if (auto out = Tool({"journalctl", "--no-pager", "-q", "-o", "short-iso", "-n",
                           std::to_string(options_.log_tail_lines)},
                          false)) {
        AddText("logs/tail/journal.txt", *out, "journalctl -n",
                fmt::format("the last {} entries", options_.log_tail_lines));
      }
    }
  }

  // The journal a few minutes around each moment of the timeline the HTML
  // report draws (process starts, file changes, log hits).
  void JournalAroundFindings() {
    std::map<int64_t, std::string> windows;  // minute -> what happened in it
    for (const TimelineEvent& e : BuildTimeline(result_.findings)) {
      const int64_t minute = e.time / 60 * 60;
      if (!windows.contains(minute) && windows.size() >= kMaxTimeWindows) continue;
      std::string& about = windows[minute];
      if (about.size() < 2000) about += fmt::format("  {} {}\n", e.what, Printable(e.detail, 200));
    }
    std::string out;
    for (const auto& [minute, about] : windows) {
      if (TimeUp("the journal around findings")) break;
      auto text = Tool({"journalctl", "--no-pager", "-q", "-o", "short-iso",
                        fmt::format("--since=@{}", minute - 120),
                        fmt::format("--until=@{}", minute + 180), "-n", "400"},
                       false);
      if (!text) {
        NoteGap("the journal around findings", "journalctl did not answer", "journalctl");
        break;
      }
      out += fmt::format("== {} +-2 min, around:\n{}", FormatTime(minute), about);
      out += *text;
      out += "\n";
    }
    if (!out.empty())
      AddText("logs/journal-around-findings.txt", out, "journalctl --since --until");
  }

  void Containers() {
    const std::vector<std::string> sockets = FindDockerSockets(options_.scan.root);
    if (sockets.empty()) {
      if (!flagged_containers_.empty()) {
        NoteGap("containers' inspect, logs and exports",
                "no Docker or Podman API socket was found (DOCKER_HOST, /var/run/docker.sock, "
                "/run/podman/podman.sock)");
      }
      return;
    }
    std::set<std::string> seen;
    for (const std::string& socket : sockets) {
      const DockerApi api(socket, 10000);
      auto body = api.Get("/containers/json?all=1");
      if (!body) {
        NoteGap("containers of " + socket, body.error().message(), "root");
        continue;
      }
      auto list = ParseContainerList(*body);
      if (!list) {
        NoteGap("containers of " + socket, list.error().message());
        continue;
      }
      for (const auto& [id, ref] : *list) {
        if (!seen.insert(id).second) continue;
        if (seen.size() > kMaxContainers) {
          NoteGap(fmt::format("containers after the first {}", kMaxContainers),
                  "the bundle holds at most that many containers' inspect and logs");
          return;
        }
        if (TimeUp("container " + ref.name)) return;
        Container(socket, api, id, ref);
        if (!status_) return;
      }
    }
  }

  void Container(const std::string& socket, const DockerApi& api, const std::string& id,
                 const ContainerRef& ref) {
    ++containers_;
    std::string label = BundlePath(ref.Shown());
    if (!container_dirs_.insert(label).second) {  // one name on two engines
      label += "-" + id.substr(0, 12);
      container_dirs_.insert(label);
    }
    const std::string dir = "containers/" + label + "/";
    const std::string source = fmt::format("{} /containers/{}", socket, id.substr(0, 12));
    if (auto inspect = api.Get("/containers/" + id + "/json"); inspect) {
      Json j = Json::parse(*inspect, nullptr, false);
      if (j.is_discarded()) {
        NoteGap(source + "/json", "the engine's answer is not JSON");
      } else {
        AddJson(dir + "inspect.json", std::move(j), source + "/json");
      }
    } else {
      NoteGap(source + "/json", inspect.error().message());
    }
    bool cut = false;
    const auto logs =
        api.GetPrefix(fmt::format("/containers/{}/logs?stdout=1&stderr=1&timestamps=1&tail={}", id,
                                  options_.log_tail_lines),
                      options_.limits.max_file_bytes, cut);
    if (logs) {
      AddText(dir + "logs.txt", DemuxDockerLogs(*logs), source + "/logs",
              fmt::format("the last {} lines{}", options_.log_tail_lines, cut ? ", cut" : ""));
    } else {
      NoteGap(source + "/logs", logs.error().message());
    }
    if (!flagged_containers_.contains(id)) return;
    // The flagged container's file system, as `docker export` writes it.
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline_ - Clock::now());
    const DockerApi slow(socket, std::max<long>(1000, static_cast<long>(left.count())));
    cut = false;
    auto tar = slow.GetPrefix("/containers/" + id + "/export", options_.limits.max_file_bytes, cut);
    if (!tar) {
      NoteGap(source + "/export", tar.error().message());
      return;
    }
    Add(dir + "export.tar", *tar, source + "/export",
        cut ? fmt::format("the container's file system (docker export), cut at {} bytes "
                          "(--max-file-bytes or --max-time)",
                          tar->size())
            : "the container's file system (docker export)");
  }

  EvidenceBundle& bundle_;
  const CollectOptions& options_;
  const RulePack& rules_;
  const Clock::time_point deadline_;
  const std::string proc_;
  const bool live_;
  Expected<void> status_{};
  ScanResult result_;
  Facts facts_;
  std::map<std::string, int> inits_;
  std::map<uint32_t, std::string> users_;
  std::map<std::string, std::optional<RootFs>> fs_;
  std::set<int> flagged_pids_;
  std::set<std::string> flagged_containers_;
  std::set<std::string> container_dirs_;
  std::set<std::pair<std::string, std::string>> flagged_files_;
  size_t containers_ = 0;
};

}  // namespace

Expected<CollectResult> CollectEvidence(const std::string& path, const CollectOptions& options,
                                        const RulePack& rules) {
  auto bundle = EvidenceBundle::Create(path, options.limits);
  if (!bundle) return Fail(bundle.error());
  CollectResult result;
  Collector collector(**bundle, options, rules);
  if (auto run = collector.Run(result); !run) return Fail(run.error());
  auto manifest = (*bundle)->Finish();
  if (!manifest) return Fail(manifest.error());
  result.manifest_sha256 = *manifest;
  result.entries = (*bundle)->entries().size();
  result.bytes = (*bundle)->stored_bytes();
  result.gaps = (*bundle)->gaps();
  return result;
}

}  // namespace deminer
