#include "sources/netns_probe.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <thread>

#include "core/strings.h"
#include "core/subprocess.h"

namespace deminer {
namespace {

using Clock = std::chrono::steady_clock;

// At most this many connects in flight at once (file descriptors).
constexpr size_t kBatch = 256;

ProbeOutcome OutcomeOfErrno(int err) {
  switch (err) {
    case 0:
      return ProbeOutcome::kAnswered;
    case ECONNREFUSED:
    case ECONNRESET:
      return ProbeOutcome::kRefused;
    case ETIMEDOUT:
      return ProbeOutcome::kNoAnswer;
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EACCES:
    case EPERM:
    case EHOSTDOWN:
    case ENETDOWN:
    case EADDRNOTAVAIL:
      return ProbeOutcome::kUnreachable;
    default:
      return ProbeOutcome::kError;
  }
}

// A sockaddr for `t`; false when the address is not numeric of its family.
bool ToSockaddr(const ProbeTarget& t, sockaddr_storage& ss, socklen_t& len) {
  ss = {};
  if (t.family == 6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    a->sin6_port = htons(t.port);
    len = sizeof *a;
    return inet_pton(AF_INET6, t.address.c_str(), &a->sin6_addr) == 1;
  }
  auto* a = reinterpret_cast<sockaddr_in*>(&ss);
  a->sin_family = AF_INET;
  a->sin_port = htons(t.port);
  len = sizeof *a;
  return inet_pton(AF_INET, t.address.c_str(), &a->sin_addr) == 1;
}

void ProbeBatch(const ProbeTarget* targets, ProbeResult* results, size_t n,
                std::chrono::milliseconds timeout) {
  const auto start = Clock::now();
  const auto since_start = [&] {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
  };
  std::vector<int> fds(n, -1);
  const auto finish = [&](size_t i, int err) {
    results[i].outcome = OutcomeOfErrno(err);
    if (err != 0) results[i].detail = std::strerror(err);
    results[i].ms = since_start();
    if (fds[i] >= 0) close(fds[i]);
    fds[i] = -1;
  };
  size_t pending = 0;
  for (size_t i = 0; i < n; ++i) {
    sockaddr_storage ss;
    socklen_t len = 0;
    if (!ToSockaddr(targets[i], ss, len)) {
      results[i] = {ProbeOutcome::kError,
                    "not a numeric IPv" + std::to_string(targets[i].family) +
                        " address: " + targets[i].address,
                    0};
      continue;
    }
    fds[i] = socket(targets[i].family == 6 ? AF_INET6 : AF_INET,
                    SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fds[i] < 0) {
      results[i] = {ProbeOutcome::kError, std::string("socket: ") + std::strerror(errno), 0};
      continue;
    }
    if (connect(fds[i], reinterpret_cast<sockaddr*>(&ss), len) == 0) {
      finish(i, 0);
    } else if (errno == EINPROGRESS) {
      ++pending;
    } else {
      finish(i, errno);
    }
  }
  const auto deadline = start + timeout;
  while (pending > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) break;
    std::vector<pollfd> pfds;
    std::vector<size_t> index;
    for (size_t i = 0; i < n; ++i) {
      if (fds[i] < 0) continue;
      pfds.push_back({fds[i], POLLOUT, 0});
      index.push_back(i);
    }
    const int ready = poll(pfds.data(), pfds.size(), static_cast<int>(left));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) break;
    for (size_t k = 0; k < pfds.size(); ++k) {
      if (pfds[k].revents == 0) continue;
      int err = 0;
      socklen_t elen = sizeof err;
      if (getsockopt(pfds[k].fd, SOL_SOCKET, SO_ERROR, &err, &elen) != 0) err = errno;
      finish(index[k], err);
      --pending;
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (fds[i] < 0) continue;
    results[i] = {ProbeOutcome::kNoAnswer, "", since_start()};
    close(fds[i]);
  }
}

// Runs `ip ARGS...`; the tool's message on failure.
// iproute2's ip: where distributions put it (a PATH without sbin is common
// under sudo and cron), else whatever PATH finds.
const std::string& IpTool() {
  static const std::string path = [] {
    for (const char* p : {"/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"}) {
      if (access(p, X_OK) == 0) return std::string(p);
    }
    return std::string("ip");
  }();
  return path;
}

Expected<void> Ip(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {IpTool()};
  argv.insert(argv.end(), args.begin(), args.end());
  auto r = RunTool(argv);
  if (!r) {
    return Fail(Error::Unavailable("iproute2's ip could not be run (" + r.error().message() +
                                   "); install iproute2"));
  }
  if (r->exit_code != 0) {
    std::string msg = r->err.empty() ? r->out : r->err;
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    std::string cmd;
    for (const std::string& a : argv) cmd += (cmd.empty() ? "" : " ") + a;
    return Fail(Error::Unavailable(fmt::format("`{}` failed: {}", cmd, msg)));
  }
  return {};
}

// True when a route of the caller's namespace other than a default one
// already covers `address` (a lab that uses the benchmark range itself).
bool Routed(const std::string& family, const std::string& address) {
  auto r = RunTool({IpTool(), family, "-o", "route", "show", "to", "match", address});
  if (!r || r->exit_code != 0) return false;
  for (std::string_view line : Split(r->out, '\n')) {
    line = Trim(line);
    if (!line.empty() && !line.starts_with("default")) return true;
  }
  return false;
}

std::string StripScope(std::string_view a) {
  const size_t pct = a.find('%');
  return std::string(pct == std::string_view::npos ? a : a.substr(0, pct));
}

}  // namespace

std::string_view ProbeOutcomeName(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::kAnswered:
      return "answered";
    case ProbeOutcome::kRefused:
      return "refused";
    case ProbeOutcome::kNoAnswer:
      return "no-answer";
    case ProbeOutcome::kUnreachable:
      return "unreachable";
    case ProbeOutcome::kError:
      return "error";
  }
  return "error";
}

std::vector<ProbeResult> ProbeTcp(const std::vector<ProbeTarget>& targets,
                                  std::chrono::milliseconds timeout) {
  std::vector<ProbeResult> results(targets.size());
  for (size_t at = 0; at < targets.size(); at += kBatch) {
    ProbeBatch(targets.data() + at, results.data() + at, std::min(kBatch, targets.size() - at),
               timeout);
  }
  return results;
}

ProbeAddresses ProbeAddressesFor(int pid) {
  // 198.18.0.0/15 holds 32768 /30s; the ULA prefix fdde:4d1e:7e57::/48 holds 65536 /64s.
  const uint32_t offset = static_cast<uint32_t>(pid % 32768) * 4;
  const uint32_t base = (198u << 24) | (18u << 16);
  const uint32_t net = base + offset;
  const auto v4 = [](uint32_t a) {
    return fmt::format("{}.{}.{}.{}", a >> 24, (a >> 16) & 255, (a >> 8) & 255, a & 255);
  };
  const unsigned subnet = static_cast<unsigned>(pid % 65536);
  return {v4(net + 1), v4(net + 2), fmt::format("fdde:4d1e:7e57:{:x}::1", subnet),
          fmt::format("fdde:4d1e:7e57:{:x}::2", subnet)};
}

ProbeDestination ProbeDestinationFor(int family, std::string_view bound,
                                     const ProbeAddresses& addrs) {
  std::string a = StripScope(bound);
  if (family == 6 && a.starts_with("::ffff:") && a.find('.') != std::string::npos) {
    a = a.substr(7);  // an IPv4 address on a dual-stack socket
    family = 4;
  }
  if (family == 4) {
    if (a.empty() || a == "0.0.0.0" || a == "*") return {addrs.host4, ""};
    in_addr v4{};
    if (inet_pton(AF_INET, a.c_str(), &v4) != 1) return {"", "not an IPv4 address: " + a};
    if ((ntohl(v4.s_addr) >> 24) == 127) {
      return {"", "bound to loopback: not reachable from outside by construction"};
    }
    return {a, ""};
  }
  in6_addr v6{};
  if (!a.empty() && a != "*" && inet_pton(AF_INET6, a.c_str(), &v6) != 1) {
    return {"", "not an IPv6 address: " + a};
  }
  if (IN6_IS_ADDR_LOOPBACK(&v6)) {
    return {"", "bound to loopback: not reachable from outside by construction"};
  }
  if (IN6_IS_ADDR_LINKLOCAL(&v6)) {
    return {"", "bound to a link-local address: reachable only on its own link, not probed"};
  }
  if (addrs.host6.empty()) return {"", "IPv6 could not be set up in the probe namespace"};
  if (a.empty() || a == "*" || IN6_IS_ADDR_UNSPECIFIED(&v6)) return {addrs.host6, ""};
  return {a, ""};
}

Expected<std::unique_ptr<ProbeNamespace>> ProbeNamespace::Create() {
  if (geteuid() != 0) {
    return Fail(Error::PermissionDenied(
        "the probe needs root: it makes a network namespace and a veth pair (CAP_SYS_ADMIN, "
        "CAP_NET_ADMIN)"));
  }
  std::unique_ptr<ProbeNamespace> ns(new ProbeNamespace());
  const int pid = getpid();
  ns->name_ = fmt::format("deminer-probe-{}", pid);
  ns->host_link_ = fmt::format("dmp{}h", pid);  // at most 11 characters (IFNAMSIZ is 16)
  ns->probe_link_ = fmt::format("dmp{}p", pid);
  // The pid's ranges, or the next free ones when this host routes them already.
  for (int slot = 0; slot < 16; ++slot) {
    ns->addrs_ = ProbeAddressesFor(pid + slot * 4099);
    if (!Routed("-4", ns->addrs_.probe4) && !Routed("-6", ns->addrs_.probe6)) break;
  }
  // A stale namespace or link of this name (a run of an earlier process with this pid
  // that was killed) would make the set-up fail; they are ours to remove.
  (void)Ip({"link", "del", ns->host_link_});
  (void)Ip({"netns", "del", ns->name_});
  if (auto r = Ip({"netns", "add", ns->name_}); !r) return Fail(r.error());
  ns->made_ = true;  // from here on the destructor tears down
  for (const char* dir : {"/run/netns/", "/var/run/netns/"}) {
    struct stat st {};
    if (stat((dir + ns->name_).c_str(), &st) == 0) {
      ns->ns_path_ = dir + ns->name_;
      break;
    }
  }
  if (ns->ns_path_.empty()) {
    return Fail(Error::NotFound("ip netns add made no /run/netns/" + ns->name_));
  }
  const std::string& n = ns->name_;
  const ProbeAddresses& a = ns->addrs_;
  const std::vector<std::vector<std::string>> steps = {
      {"link", "add", ns->host_link_, "type", "veth", "peer", "name", ns->probe_link_, "netns", n},
      {"addr", "add", a.host4 + "/30", "dev", ns->host_link_},
      {"link", "set", ns->host_link_, "up"},
      {"-n", n, "link", "set", "lo", "up"},
      {"-n", n, "addr", "add", a.probe4 + "/30", "dev", ns->probe_link_},
      {"-n", n, "link", "set", ns->probe_link_, "up"},
      {"-n", n, "route", "add", "default", "via", a.host4},
  };
  for (const auto& step : steps) {
    if (auto r = Ip(step); !r) return Fail(r.error());
  }
  // IPv6 is optional: a host may have it disabled. nodad: usable at once.
  const std::vector<std::vector<std::string>> steps6 = {
      {"-6", "addr", "add", a.host6 + "/64", "dev", ns->host_link_, "nodad"},
      {"-n", n, "-6", "addr", "add", a.probe6 + "/64", "dev", ns->probe_link_, "nodad"},
      {"-n", n, "-6", "route", "add", "default", "via", a.host6},
  };
  for (const auto& step : steps6) {
    if (auto r = Ip(step); !r) {
      ns->ipv6_note_ = r.error().message();
      ns->addrs_.host6.clear();
      ns->addrs_.probe6.clear();
      break;
    }
  }
  return ns;
}

void ProbeNamespace::TearDown() {
  if (!made_) return;
  made_ = false;
  // Deleting one end of the veth deletes both at once; deleting the namespace
  // alone would leave the host's end until the kernel gets to it.
  (void)Ip({"link", "del", host_link_});
  (void)Ip({"netns", "del", name_});
}

ProbeNamespace::~ProbeNamespace() { TearDown(); }

Expected<void> ProbeNamespace::RunInside(const std::function<void()>& fn) const {
  std::string failed;
  std::thread worker([&] {
    const int fd = open(ns_path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      failed = fmt::format("open {}: {}", ns_path_, std::strerror(errno));
      return;
    }
    const int rc = setns(fd, CLONE_NEWNET);
    const int err = errno;
    close(fd);
    if (rc != 0) {
      failed = fmt::format("setns {}: {}", ns_path_, std::strerror(err));
      return;
    }
    try {
      fn();
    } catch (const std::exception& e) {
      failed = std::string("inside the probe namespace: ") + e.what();
    }
  });
  worker.join();
  if (!failed.empty()) return Fail(Error::Internal(failed));
  return {};
}

Expected<std::vector<ProbeResult>> ProbeNamespace::Probe(const std::vector<ProbeTarget>& targets,
                                                         std::chrono::milliseconds timeout) const {
  std::vector<ProbeResult> results;
  auto ran = RunInside([&] {
    results = ProbeTcp(targets, timeout);
    // "No answer" is only believed twice: a first SYN can be lost while the
    // fresh link resolves its neighbour, and a drop is the verdict that matters.
    std::vector<ProbeTarget> again;
    std::vector<size_t> index;
    for (size_t i = 0; i < results.size(); ++i) {
      if (results[i].outcome != ProbeOutcome::kNoAnswer) continue;
      again.push_back(targets[i]);
      index.push_back(i);
    }
    if (again.empty()) return;
    const std::vector<ProbeResult> second = ProbeTcp(again, timeout);
    for (size_t k = 0; k < second.size(); ++k) results[index[k]] = second[k];
  });
  if (!ran) return Fail(ran.error());
  return results;
}

}  // namespace deminer
