// Redis servers and Docker API TCP endpoints: found from the listening
// sockets of a live host, config files under --root and the PATHs, and
// DOCKER_HOST; live ones are probed read-only (sources/redis.h).
#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "checks/service_collect.h"
#include "core/strings.h"
#include "sources/proc_reader.h"
#include "sources/root_fs.h"

namespace deminer {
namespace {

constexpr size_t kMaxConfBytes = size_t{1} << 20;

bool IsRedisProcess(const Process& p) {
  return p.comm.starts_with("redis-server") || p.DisplayName().starts_with("redis-server") ||
         (!p.argv.empty() && Basename(Split(p.argv[0], ' ')[0]) == "redis-server");
}

// The address to connect to for a socket bound to `addr`.
std::string ConnectAddress(const std::string& addr) {
  if (addr == "0.0.0.0") return "127.0.0.1";
  if (addr == "::") return "::1";
  return addr;
}

std::string HostPort(const std::string& host, uint16_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

// Reads and parses a redis.conf through `fs`; a gap when it cannot.
std::optional<RedisConf> ReadConf(const RootFs& fs, const std::string& path, const std::string& shown,
                                  Facts& facts) {
  auto text = fs.Read(path, kMaxConfBytes);
  if (!text) {
    if (text.error().code() != ErrorCode::kNotFound) {
      facts.gaps.push_back({"redis config " + shown, text.error().message(), "root"});
    }
    return std::nullopt;
  }
  auto conf = ParseRedisConf(*text);
  if (!conf) {
    facts.gaps.push_back({"redis config " + shown, conf.error().message(), ""});
    return std::nullopt;
  }
  conf->path = shown;
  return std::move(*conf);
}

void AddModulesFromConf(RedisServer& s) {
  if (!s.conf) return;
  for (const RedisDirective* d : s.conf->All("loadmodule")) {
    if (d->args.empty()) continue;
    s.modules.push_back({std::string(Basename(d->args[0])), d->args[0], d->line});
  }
}

// The path of a listening Unix socket `p` owns, from /proc/PID/net/unix (its
// netns), as its own mount namespace names it; "" when it has none.
std::string UnixListenPath(const Process& p) {
  auto text = ReadSmallFile(fmt::format("/proc/{}/net/unix", p.pid), size_t{8} << 20);
  if (!text) return "";
  for (std::string_view line : Split(*text, '\n')) {
    // Num RefCount Protocol Flags Type St Inode Path
    std::vector<std::string_view> f;
    for (std::string_view w : Split(Trim(line), ' ')) {
      if (!w.empty()) f.push_back(w);
    }
    if (f.size() < 8 || f[3] != "00010000" || !f[7].starts_with('/')) continue;  // listening
    const auto inode = ParseUint(f[6]);
    if (inode && std::find(p.socket_inodes.begin(), p.socket_inodes.end(), *inode) !=
                     p.socket_inodes.end()) {
      return std::string(f[7]);
    }
  }
  return "";
}

struct Candidate {
  int pid = 0;
  uint64_t netns = 0;
  uint16_t port = 0;
  std::set<std::string> addrs;
};

// Live servers: one per redis-server process (or per namespace and port 6379
// when the owner is unknown), probed over TCP in this netns, or through its
// Unix socket under /proc/PID/root when it lives in another one.
std::set<std::string> CollectLiveRedis(Facts& facts) {
  std::map<std::string, Candidate> found;
  for (const Socket& s : facts.sockets) {
    if (s.proto != Proto::kTcp || !s.Listening()) continue;
    int pid = 0;
    for (int owner : s.pids) {
      const Process* p = facts.FindProcess(owner);
      // The server, not a forked child saving a dump (it holds the same sockets).
      if (p != nullptr && IsRedisProcess(*p) && (pid == 0 || owner < pid)) pid = owner;
    }
    if (pid == 0 && s.local_port != 6379) continue;
    // Sentinel and cluster-bus ports of a redis-server are not the server.
    const std::string key = pid != 0 ? fmt::format("pid {}", pid)
                                     : fmt::format("{} {}", s.netns, s.local_port);
    Candidate& c = found[key];
    if (c.port == 0 || s.local_port < c.port) {
      c.port = s.local_port;
      c.addrs.clear();
    }
    c.pid = pid;
    c.netns = s.netns;
    if (s.local_port == c.port) c.addrs.insert(s.local_addr);
  }
  // Servers on a Unix socket only (port 0).
  for (const Process& p : facts.processes) {
    if (!IsRedisProcess(p) || found.contains(fmt::format("pid {}", p.pid))) continue;
    // Forked children (BGSAVE, AOF rewrite) share the parent's sockets.
    if (const Process* parent = facts.FindProcess(p.ppid); parent && IsRedisProcess(*parent)) {
      continue;
    }
    if (UnixListenPath(p).empty()) continue;
    Candidate& c = found[fmt::format("pid {}", p.pid)];
    c.pid = p.pid;
    c.netns = p.netns;
  }
  std::set<std::string> host_confs;  // config files of host servers, not reported twice
  for (auto& [key, c] : found) {
    RedisServer s;
    s.live = true;
    s.pid = c.pid;
    s.port = c.port;
    // A cluster bus (port + 10000) listens too; keep the server's own addresses.
    s.bound.assign(c.addrs.begin(), c.addrs.end());
    const Process* p = c.pid != 0 ? facts.FindProcess(c.pid) : nullptr;
    if (p != nullptr) s.container = facts.ContainerOf(*p);
    const bool own_netns = c.netns == 0 || c.netns == facts.host.own_netns;
    const std::string bound_to = s.bound.empty() ? "0.0.0.0" : s.bound.front();
    // Prefer a loopback or wildcard address to connect to.
    std::string connect = ConnectAddress(bound_to);
    for (const std::string& a : s.bound) {
      if (IsWildcardBind(a) || IsLoopbackBind(a)) connect = ConnectAddress(a);
    }
    // Its config file, read through its own root (a container's too).
    std::optional<RootFs> its_root;
    if (p != nullptr) {
      if (auto fs = RootFs::Open(fmt::format("/proc/{}/root", c.pid))) its_root.emplace(std::move(*fs));
    }
    const std::string unix_path = p != nullptr ? UnixListenPath(*p) : "";
    if (own_netns && c.port != 0) {
      s.where = HostPort(connect, c.port);
      ProbeRedis(s, connect, c.port);
    } else if (!unix_path.empty()) {
      // Only its own netns reaches its TCP port; its Unix socket may do,
      // through its own root.
      s.where = unix_path;
      ProbeRedis(s, "", 0, fmt::format("/proc/{}/root{}", c.pid, unix_path));
    } else {
      s.where = HostPort(bound_to, c.port);
    }
    std::string conf_path = s.config_file;
    if (conf_path.empty() && p != nullptr) {
      for (const std::string& a : p->argv) {
        for (std::string_view word : Split(a, ' ')) {
          if (word.ends_with(".conf")) conf_path = std::string(word);
        }
      }
    }
    // Redis rewrites its process title, so the path may be unknown; a guess
    // (Debian's /etc/redis/redis.conf) could pin another server's file on it.
    if (its_root && !conf_path.empty()) {
      s.conf = ReadConf(*its_root, conf_path, conf_path, facts);
    }
    AddModulesFromConf(s);
    if (!own_netns && unix_path.empty()) {
      facts.gaps.push_back(
          {fmt::format("redis on port {} in network namespace {}{}", c.port, c.netns,
                       s.container ? " (container " + (s.container->Shown()) + ")"
                                   : ""),
           "reachable only in its own network namespace, and it has no Unix socket",
           "a scan inside the container, or its port published on this host"});
    }
    if (s.probe_error.size() > 0 && s.auth == RedisAuth::kUnknown) {
      facts.gaps.push_back({"redis " + s.where, s.probe_error, ""});
    }
    if (s.conf && !s.container && p != nullptr && p->mntns == facts.host.own_mntns) {
      host_confs.insert(s.conf->path);
    }
    facts.redis_servers.push_back(std::move(s));
  }
  return host_confs;
}

bool RedisConfName(std::string_view name) {
  return name.starts_with("redis") && name.ends_with(".conf") &&
         name.find("sentinel") == std::string_view::npos;
}

void AddConfServer(RedisConf conf, Facts& facts) {
  RedisServer s;
  s.where = conf.path;
  if (const RedisDirective* port = conf.Last("port"); port && !port->args.empty()) {
    s.port = static_cast<uint16_t>(ParseUint(port->args[0]).value_or(0));
  }
  s.conf = std::move(conf);
  AddModulesFromConf(s);
  facts.redis_servers.push_back(std::move(s));
}

}  // namespace

void CollectRedis(const ScanOptions& options, Facts& facts) {
  std::set<std::string> seen;
  if (options.root == "/" && !facts.sockets.empty()) seen = CollectLiveRedis(facts);
  // Config files under --root.
  if (auto fs = RootFs::Open(options.root)) {
    std::vector<std::string> paths = {"/etc/redis.conf", "/etc/redis/redis.conf"};
    if (auto entries = fs->List("/etc/redis")) {
      for (const auto& e : *entries) {
        if (!e.dir && e.name.ends_with(".conf") && e.name.find("sentinel") == std::string::npos) {
          paths.push_back("/etc/redis/" + e.name);
        }
      }
    }
    for (const std::string& path : paths) {
      if (!seen.insert(path).second) continue;
      if (auto conf = ReadConf(*fs, path, path, facts)) AddConfServer(std::move(*conf), facts);
    }
  }
  // PATHs named redis*.conf, or holding such files.
  auto host = RootFs::Open("/");
  if (!host) return;
  for (const std::string& given : options.paths) {
    std::error_code ec;
    const std::string abs = std::filesystem::absolute(given, ec).lexically_normal().string();
    if (ec) continue;
    std::vector<std::string> files;
    if (std::filesystem::is_directory(abs, ec)) {
      for (const auto& e : std::filesystem::directory_iterator(abs, ec)) {
        if (e.is_regular_file(ec) && RedisConfName(e.path().filename().string())) {
          files.push_back(e.path().string());
        }
      }
      std::sort(files.begin(), files.end());
    } else if (RedisConfName(Basename(abs))) {
      files.push_back(abs);
    }
    for (const std::string& f : files) {
      if (!seen.insert(f).second) continue;
      if (auto conf = ReadConf(*host, f, f, facts)) AddConfServer(std::move(*conf), facts);
    }
  }
}

namespace {

void MergeEndpoint(std::vector<DockerTcpEndpoint>& out, DockerTcpEndpoint e) {
  for (DockerTcpEndpoint& o : out) {
    const bool same_host = o.host == e.host || IsWildcardBind(o.host) || IsWildcardBind(e.host);
    if (o.port != e.port || !same_host) continue;
    if (o.path.empty() && !e.path.empty()) {
      o.path = e.path;
      o.line = e.line;
      o.source = e.source;
    }
    if (!o.tls) o.tls = e.tls;
    if (!o.tlsverify) o.tlsverify = e.tlsverify;
    return;
  }
  out.push_back(std::move(e));
}

void FromHosts(const std::vector<std::pair<std::string, int>>& hosts, std::optional<bool> tls,
               std::optional<bool> tlsverify, const std::string& source, const std::string& path,
               std::vector<DockerTcpEndpoint>& out) {
  for (const auto& [url, line] : hosts) {
    if (!url.starts_with("tcp://")) continue;
    const bool uses_tls = tls.value_or(false) || tlsverify.value_or(false);
    const auto hp = SplitTcpHost(url, uses_tls);
    if (!hp) continue;
    DockerTcpEndpoint e;
    e.where = url;
    e.source = source;
    e.host = hp->first;
    e.port = hp->second;
    e.path = path;
    e.line = line;
    e.tls = tls;
    e.tlsverify = tlsverify;
    MergeEndpoint(out, std::move(e));
  }
}

bool IsEngineProcess(const Process& p) {
  const std::string name = p.DisplayName();
  return name == "dockerd" || name == "podman" || p.comm == "dockerd" || p.comm == "podman";
}

}  // namespace

void CollectDockerTcp(const ScanOptions& options, Facts& facts) {
  std::vector<DockerTcpEndpoint> found;
  const bool live = options.root == "/";
  // Listening sockets of the engines, and the API's well-known ports, in this netns.
  std::set<std::string> local_addrs;
  for (const Socket& s : facts.sockets) {
    if (s.proto != Proto::kTcp || !s.Listening()) continue;
    if (s.netns != 0 && s.netns != facts.host.own_netns) continue;
    local_addrs.insert(s.local_addr);
    const Process* owner = nullptr;
    for (int pid : s.pids) {
      const Process* p = facts.FindProcess(pid);
      if (p != nullptr && IsEngineProcess(*p)) owner = p;
    }
    if (owner == nullptr && s.local_port != 2375 && s.local_port != 2376) continue;
    DockerTcpEndpoint e;
    e.where = HostPort(s.local_addr, s.local_port);
    e.source = "socket";
    e.host = s.local_addr;
    e.port = s.local_port;
    if (owner != nullptr) {
      e.pid = owner->pid;
      e.process = owner->DisplayName();
    } else if (!s.pids.empty()) {
      if (const Process* p = facts.FindProcess(s.pids.front())) {
        e.pid = p->pid;
        e.process = p->DisplayName();
      }
    }
    MergeEndpoint(found, std::move(e));
  }
  if (auto fs = RootFs::Open(options.root)) {
    const std::string daemon_json = "/etc/docker/daemon.json";
    if (auto text = fs->Read(daemon_json, kMaxConfBytes)) {
      if (auto cfg = ParseDaemonJson(*text)) {
        FromHosts(cfg->hosts, cfg->tls, cfg->tlsverify, "daemon.json", daemon_json, found);
      } else {
        facts.gaps.push_back({daemon_json, cfg.error().message(), ""});
      }
    } else if (text.error().code() != ErrorCode::kNotFound) {
      facts.gaps.push_back({daemon_json, text.error().message(), "root"});
    }
    std::vector<std::string> units = {"/lib/systemd/system/docker.service",
                                      "/usr/lib/systemd/system/docker.service",
                                      "/etc/systemd/system/docker.service"};
    if (auto entries = fs->List("/etc/systemd/system/docker.service.d")) {
      for (const auto& e : *entries) {
        if (e.name.ends_with(".conf")) units.push_back("/etc/systemd/system/docker.service.d/" + e.name);
      }
    }
    for (const std::string& unit : units) {
      auto text = fs->Read(unit, kMaxConfBytes);
      if (!text) continue;
      const DockerUnitHosts parsed = ParseDockerUnit(*text);
      FromHosts(parsed.hosts, parsed.tls, parsed.tlsverify, "systemd unit", unit, found);
    }
  }
  // The scanner's own DOCKER_HOST.
  if (const char* env = std::getenv("DOCKER_HOST"); live && env && StartsWith(env, "tcp://")) {
    // DOCKER_TLS_VERIFY is the client's setting; it says nothing of the engine's.
    FromHosts({{env, 0}}, std::nullopt, std::nullopt, "DOCKER_HOST", "", found);
  }
  // Probe on a live host; only this host's own addresses.
  for (DockerTcpEndpoint& e : found) {
    if (live) {
      const bool local = IsLoopbackBind(e.host) || IsWildcardBind(e.host) ||
                         local_addrs.contains(e.host) || e.source == "socket";
      if (local) {
        ProbeDockerTcp(e, ConnectAddress(IsWildcardBind(e.host) && e.host != "::" ? "0.0.0.0" : e.host),
                       3000);
      }
    }
    facts.docker_tcp.push_back(std::move(e));
  }
}

}  // namespace deminer
