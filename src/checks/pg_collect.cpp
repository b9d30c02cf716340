// PostgreSQL servers of this host: found from listening sockets owned by a
// postgres process (or on 5432), their Unix sockets (through /proc/PID/root
// for one in a container), the usual socket directories and --dsn; asked
// through libpq (sources/postgres.h); and config files under --root and PATHs.
#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "checks/service_collect.h"
#include "core/strings.h"
#include "sources/root_fs.h"

namespace deminer {
namespace {

constexpr size_t kMaxConfBytes = size_t{1} << 20;

bool IsPostgresProcess(const Process& p) {
  const std::string name = p.DisplayName();
  return p.comm == "postgres" || p.comm == "postmaster" || name == "postgres" ||
         name == "postmaster";
}

// The address to connect to for a listener bound to `addr`.
std::string ConnectAddress(const std::string& addr) {
  if (addr == "0.0.0.0" || addr.empty()) return "127.0.0.1";
  if (addr == "::") return "::1";
  std::string a = addr;
  UnmapIpv4(a);
  return a;
}

std::string HostPort(const std::string& addr, uint16_t port) {
  return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port)
                                             : fmt::format("{}:{}", addr, port);
}

std::optional<std::string> ReadHostFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return std::nullopt;
  std::string data(kMaxConfBytes, '\0');
  in.read(data.data(), static_cast<std::streamsize>(data.size()));
  data.resize(static_cast<size_t>(in.gcount()));
  return data;
}

// "/proc/PID/root" when the process sees another mount namespace, else "".
std::string FsPrefix(const Facts& facts, const Process* p) {
  if (p == nullptr || p->mntns == 0 || p->mntns == facts.host.own_mntns) return "";
  return fmt::format("/proc/{}/root", p->pid);
}

// Unix sockets "…/.s.PGSQL.N" of the process's network namespace, owned by it
// when its socket inodes are known.
std::vector<std::pair<std::string, uint16_t>> UnixSockets(const Process& p) {
  std::vector<std::pair<std::string, uint16_t>> out;
  std::ifstream in(fmt::format("/proc/{}/net/unix", p.pid));
  std::string line;
  size_t lines = 0;
  while (std::getline(in, line) && ++lines < 200000) {
    const size_t at = line.find("/.s.PGSQL.");
    if (at == std::string::npos) continue;
    // Num RefCount Protocol Flags Type St Inode Path
    std::vector<std::string_view> cols;
    for (std::string_view c : Split(line, ' ')) {
      if (!c.empty()) cols.push_back(c);
    }
    if (cols.size() < 8) continue;
    const auto inode = ParseUint(cols[6]);
    if (!p.socket_inodes.empty() &&
        (!inode || std::find(p.socket_inodes.begin(), p.socket_inodes.end(), *inode) ==
                       p.socket_inodes.end())) {
      continue;
    }
    const std::string path(cols[7]);
    const auto port = ParseUint(std::string_view(path).substr(path.rfind('.') + 1));
    if (!port || *port == 0 || *port > 65535 || path[0] != '/') continue;
    out.emplace_back(path, static_cast<uint16_t>(*port));
  }
  return out;
}

// Where the postmaster's argv says its files are: -D DIR, -c config_file=…, hba_file=….
void FilesFromArgv(const Process& p, std::string& data_dir, std::string& config, std::string& hba) {
  for (size_t i = 0; i < p.argv.size(); ++i) {
    const std::string& a = p.argv[i];
    if (a == "-D" && i + 1 < p.argv.size()) data_dir = p.argv[i + 1];
    std::string_view v = a;
    if (StartsWith(v, "--")) v.remove_prefix(2);
    if (a == "-c" && i + 1 < p.argv.size()) v = p.argv[i + 1];
    if (StartsWith(v, "config_file=")) config = std::string(v.substr(12));
    if (StartsWith(v, "hba_file=")) hba = std::string(v.substr(9));
    if (StartsWith(v, "data_directory=")) data_dir = std::string(v.substr(15));
  }
}

// POSTGRES_USER of the official container image, the user it creates.
std::string ConfiguredUser(const Process& p) {
  std::ifstream in(fmt::format("/proc/{}/environ", p.pid), std::ios::binary);
  std::string env(64 << 10, '\0');
  in.read(env.data(), static_cast<std::streamsize>(env.size()));
  env.resize(static_cast<size_t>(in.gcount()));
  for (std::string_view kv : Split(env, '\0')) {
    if (StartsWith(kv, "POSTGRES_USER=")) return Printable(kv.substr(14), 128);
  }
  return "";
}

void NoteParse(Facts& facts, const std::string& path, const std::vector<std::string>& notes) {
  if (notes.empty()) return;
  facts.gaps.push_back({fmt::format("{} of {} lines in {}", notes.size() == 1 ? "one" : "some",
                                    notes.size(), path),
                        notes.front() + (notes.size() > 1 ? " (and more)" : ""), ""});
}

// Reads a server's own config files (pg_hba.conf when the view was not
// readable, postgresql.conf when the server did not tell its settings).
void ReadServerFiles(Facts& facts, PgServer& s, const std::string& prefix,
                     const std::string& data_dir) {
  std::string hba = s.hba_path;
  std::string conf = s.config_path;
  if (conf.empty() && !data_dir.empty()) conf = data_dir + "/postgresql.conf";
  if (hba.empty() && !data_dir.empty()) hba = data_dir + "/pg_hba.conf";
  if (!s.hba_from_view && !hba.empty()) {
    if (auto text = ReadHostFile(prefix + hba)) {
      PgHbaFile f = ParsePgHba(*text);
      NoteParse(facts, hba, f.notes);
      ApplyPgHba(s, hba, f);
    } else if (!s.inspected || !s.superuser) {
      facts.gaps.push_back({s.Subject() + ": " + hba, "not readable", "root"});
    }
  }
  if (!s.Setting("listen_addresses") && !conf.empty()) {
    if (auto text = ReadHostFile(prefix + conf)) {
      PgConfFile f = ParsePgConf(*text);
      NoteParse(facts, conf, f.notes);
      ApplyPgConf(s, conf, f);
      s.config_path = conf;
      const std::string dir = data_dir.empty() ? conf.substr(0, conf.rfind('/')) : data_dir;
      if (auto text2 = ReadHostFile(prefix + dir + "/postgresql.auto.conf")) {
        ApplyPgConf(s, dir + "/postgresql.auto.conf", ParsePgConf(*text2));
      }
    }
  }
}

void AddConfigDir(Facts& facts, const std::string& where, const std::vector<std::string>& conf_paths,
                  const std::string& hba_path,
                  const std::function<std::optional<std::string>(const std::string&)>& read) {
  PgServer s;
  s.where = where;
  s.source = "config";
  bool any = false;
  for (const std::string& p : conf_paths) {
    if (auto text = read(p)) {
      PgConfFile f = ParsePgConf(*text);
      NoteParse(facts, p, f.notes);
      ApplyPgConf(s, p, f);
      if (Basename(p) == "postgresql.conf") s.config_path = p;
      any = true;
    }
  }
  if (!hba_path.empty()) {
    if (auto text = read(hba_path)) {
      PgHbaFile f = ParsePgHba(*text);
      NoteParse(facts, hba_path, f.notes);
      ApplyPgHba(s, hba_path, f);
      any = true;
    }
  }
  if (any) facts.pg_servers.push_back(std::move(s));
}

void CollectLive(const ScanOptions& options, Facts& facts, std::set<std::string>& used_files) {
  std::vector<PgServer> servers;
  struct Extra {
    uint64_t netns = 0;
    std::string data_dir;
    std::string prefix;
    std::vector<std::string> users;
    std::string dsn;
  };
  std::vector<Extra> extra;
  auto find = [&](uint64_t netns, uint16_t port) -> int {
    for (size_t i = 0; i < servers.size(); ++i) {
      if (servers[i].port == port && extra[i].netns == netns) return static_cast<int>(i);
    }
    return -1;
  };
  auto add = [&](const Process* p, uint64_t netns, uint16_t port) -> size_t {
    PgServer s;
    s.port = port;
    Extra e;
    e.netns = netns;
    if (p != nullptr) {
      s.pid = p->pid;
      s.container = facts.ContainerOf(*p);
      std::string conf, hba;
      FilesFromArgv(*p, e.data_dir, conf, hba);
      s.config_path = conf;
      s.hba_path = hba;
      e.prefix = FsPrefix(facts, p);
      e.users.push_back(ConfiguredUser(*p));
    }
    servers.push_back(std::move(s));
    extra.push_back(std::move(e));
    return servers.size() - 1;
  };
  const uint64_t own_netns = facts.host.own_netns;

  // Listening TCP sockets of postgres processes, or on 5432.
  for (const Socket& sock : facts.sockets) {
    if (sock.proto != Proto::kTcp || !sock.Listening()) continue;
    const Process* owner = nullptr;
    for (const int pid : sock.pids) {
      const Process* p = facts.FindProcess(pid);
      if (p != nullptr && IsPostgresProcess(*p)) owner = p;
    }
    if (owner == nullptr && (sock.local_port != 5432 || !sock.pids.empty())) continue;
    int i = find(sock.netns, sock.local_port);
    if (i < 0) i = static_cast<int>(add(owner, sock.netns, sock.local_port));
    servers[i].listen.push_back(HostPort(sock.local_addr, sock.local_port));
  }
  // Postmasters with a Unix socket only, and the Unix sockets of every one.
  for (const Process& p : facts.processes) {
    if (!IsPostgresProcess(p)) continue;
    const Process* parent = facts.FindProcess(p.ppid);
    if (parent != nullptr && IsPostgresProcess(*parent)) continue;  // a backend
    for (const auto& [path, port] : UnixSockets(p)) {
      int i = find(p.netns, port);
      if (i < 0) i = static_cast<int>(add(&p, p.netns, port));
      if (servers[i].unix_socket.empty()) servers[i].unix_socket = FsPrefix(facts, &p) + path;
    }
  }
  // The usual socket directories, for servers whose process this scan cannot see.
  for (const char* dir : {"/var/run/postgresql", "/run/postgresql", "/tmp"}) {
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(dir, ec)) {
      const std::string name = e.path().filename().string();
      if (!StartsWith(name, ".s.PGSQL.") || EndsWith(name, ".lock")) continue;
      const auto port = ParseUint(std::string_view(name).substr(9));
      if (!port || *port == 0 || *port > 65535 || !e.is_socket(ec)) continue;
      const uint16_t p16 = static_cast<uint16_t>(*port);
      int i = find(own_netns, p16);
      if (i < 0) i = find(0, p16);
      if (i < 0) {
        i = static_cast<int>(add(nullptr, own_netns, p16));
        servers[i].source = "unix";
      }
      if (servers[i].unix_socket.empty()) servers[i].unix_socket = e.path().string();
    }
  }
  // TCP addresses to try: only a listener in this host's network namespace.
  for (size_t i = 0; i < servers.size(); ++i) {
    PgServer& s = servers[i];
    if (s.source.empty()) s.source = s.listen.empty() ? "unix" : "socket";
    const bool host_netns = extra[i].netns == own_netns || extra[i].netns == 0;
    if (!s.listen.empty() && host_netns) {
      const std::string& first = s.listen.front();
      std::string addr = first.substr(0, first.rfind(':'));
      if (!addr.empty() && addr.front() == '[') addr = addr.substr(1, addr.size() - 2);
      // Prefer an IPv4 wildcard or address when there is one.
      for (const std::string& l : s.listen) {
        if (l.front() != '[') addr = l.substr(0, l.rfind(':'));
      }
      s.tcp_host = ConnectAddress(addr);
      s.where = HostPort(s.tcp_host, s.port);
    } else if (!s.listen.empty() && s.unix_socket.empty()) {
      facts.gaps.push_back({fmt::format("postgresql on port {} in network namespace {}", s.port,
                                        extra[i].netns),
                            "its TCP listener is in another network namespace and it has no Unix "
                            "socket this host can reach",
                            "deminer verify exposure, or --dsn"});
    }
    if (s.where.empty()) {
      s.where = !s.unix_socket.empty() ? s.unix_socket : fmt::format("port {}", s.port);
      if (!s.listen.empty()) s.where = HostPort("127.0.0.1", s.port);
    }
  }

  // --dsn: attach to the server it names, or a server of its own.
  for (const std::string& dsn : options.dsns) {
    std::string error;
    const auto t = ParsePgDsn(dsn, &error);
    if (!t) {
      facts.gaps.push_back({"a --dsn", error, "a libpq conninfo or postgresql:// URI"});
      continue;
    }
    const bool local_host = t->host.empty() || t->host == "localhost" || t->host == "127.0.0.1" ||
                            t->host == "::1" || t->host.front() == '/';
    int i = local_host ? find(own_netns, t->port) : -1;
    if (i < 0 && local_host) i = find(0, t->port);
    if (i < 0) {
      i = static_cast<int>(add(nullptr, own_netns, t->port));
      PgServer& s = servers[i];
      s.source = "dsn";
      if (!t->host.empty() && t->host.front() == '/') {
        s.unix_socket = fmt::format("{}/.s.PGSQL.{}", t->host, t->port);
        s.where = s.unix_socket;
      } else {
        s.tcp_host = t->host.empty() ? "localhost" : t->host;
        s.where = HostPort(s.tcp_host, t->port);
        s.listen.push_back(s.where);
      }
    }
    extra[i].dsn = dsn;
    extra[i].users.push_back(t->user);
  }

  for (size_t i = 0; i < servers.size(); ++i) {
    PgServer& s = servers[i];
    ProbePgServer(s, extra[i].users, extra[i].dsn, facts.gaps);
    ReadServerFiles(facts, s, extra[i].prefix, extra[i].data_dir);
    if (extra[i].prefix.empty()) {
      if (!s.hba_path.empty()) used_files.insert(s.hba_path);
      if (!s.config_path.empty()) used_files.insert(s.config_path);
    }
    facts.pg_servers.push_back(std::move(s));
  }
}

void CollectOffline(const ScanOptions& options, Facts& facts,
                    const std::set<std::string>& used_files) {
  auto fs = RootFs::Open(options.root);
  if (fs) {
    auto read = [&](const std::string& p) -> std::optional<std::string> {
      auto r = fs->Read(p, kMaxConfBytes);
      if (r) return std::move(*r);
      return std::nullopt;
    };
    std::vector<std::string> dirs;
    if (auto versions = fs->List("/etc/postgresql")) {
      for (const auto& v : *versions) {
        if (!v.dir) continue;
        if (auto clusters = fs->List("/etc/postgresql/" + v.name)) {
          for (const auto& c : *clusters) {
            if (c.dir) dirs.push_back("/etc/postgresql/" + v.name + "/" + c.name);
          }
        }
      }
    }
    for (const char* d : {"/var/lib/postgresql/data", "/var/lib/pgsql/data"}) dirs.push_back(d);
    for (const std::string& d : dirs) {
      const std::string conf = d + "/postgresql.conf";
      const std::string hba = d + "/pg_hba.conf";
      if (options.root == "/" && (used_files.contains(conf) || used_files.contains(hba))) continue;
      std::vector<std::string> confs = {conf};
      if (auto entries = fs->List(d + "/conf.d")) {
        std::vector<std::string> extra;
        for (const auto& e : *entries) {
          if (EndsWith(e.name, ".conf")) extra.push_back(d + "/conf.d/" + e.name);
        }
        std::sort(extra.begin(), extra.end());
        if (extra.size() > 100) extra.resize(100);
        confs.insert(confs.end(), extra.begin(), extra.end());
      }
      confs.push_back(d + "/postgresql.auto.conf");
      // Paths are the scanned system's, as its administrator knows them.
      AddConfigDir(facts, d, confs, hba, read);
    }
  }
  // PATHs named like PostgreSQL's files, one server per directory.
  std::map<std::string, std::pair<std::vector<std::string>, std::string>> by_dir;
  for (const std::string& p : options.paths) {
    const std::string_view base = Basename(p);
    const size_t slash = p.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : p.substr(0, slash);
    if (base == "postgresql.conf" || base == "postgresql.auto.conf") {
      by_dir[dir].first.push_back(p);
    } else if (base == "pg_hba.conf") {
      by_dir[dir].second = p;
    }
  }
  for (auto& [dir, files] : by_dir) {
    // postgresql.auto.conf last: it wins.
    std::stable_partition(files.first.begin(), files.first.end(),
                          [](const std::string& a) { return Basename(a) == "postgresql.conf"; });
    AddConfigDir(facts, dir, files.first, files.second, [&](const std::string& p) {
      auto r = ReadHostFile(p);
      if (!r) facts.gaps.push_back({p, "not readable", ""});
      return r;
    });
  }
}

}  // namespace

void CollectPostgres(const ScanOptions& options, Facts& facts) {
  std::set<std::string> used_files;
  if (options.root == "/") {
    facts.Index();
    CollectLive(options, facts, used_files);
  } else if (!options.dsns.empty()) {
    CollectLive(options, facts, used_files);  // --dsn only: no sockets were swept
  }
  CollectOffline(options, facts, used_files);
}

}  // namespace deminer
