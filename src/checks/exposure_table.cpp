#include "checks/exposure_table.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <tuple>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {

std::string_view ReachName(Reach r) {
  switch (r) {
    case Reach::kLocal:
      return "local";
    case Reach::kFiltered:
      return "filtered";
    case Reach::kReachable:
      return "reachable";
    case Reach::kReachableSensitive:
      return "reachable-sensitive";
    case Reach::kUnknown:
      return "unknown";
  }
  return "unknown";
}

ServiceGuess GuessService(uint16_t port, std::string_view process) {
  struct ByName {
    std::string_view process, service;
    bool sensitive;
  };
  static constexpr ByName kNames[] = {
      {"postgres", "postgresql", true},
      {"postmaster", "postgresql", true},
      {"redis-server", "redis", true},
      {"valkey-server", "redis", true},
      {"mongod", "mongodb", true},
      {"mongos", "mongodb", true},
      {"mysqld", "mysql", true},
      {"mariadbd", "mysql", true},
      {"dockerd", "docker-api", true},
      {"podman", "docker-api", true},
      {"memcached", "memcached", true},
      {"etcd", "etcd", true},
      {"influxd", "influxdb", true},
      {"kubelet", "kubelet", true},
      {"kube-apiserver", "kubernetes-api", true},
      {"sshd", "ssh", false},
  };
  for (const ByName& n : kNames) {
    if (process == n.process) return {std::string(n.service), n.sensitive};
  }
  const std::string_view known = SensitiveService(port);
  if (known.empty()) return {};
  std::string name = ToLower(known);
  std::replace(name.begin(), name.end(), ' ', '-');
  name.erase(std::remove(name.begin(), name.end(), '('), name.end());
  name.erase(std::remove(name.begin(), name.end(), ')'), name.end());
  if (name == "ssh") return {name, false};
  return {name, true};
}

namespace {

Reach Open(bool sensitive) { return sensitive ? Reach::kReachableSensitive : Reach::kReachable; }

// An outcome of the evaluator as a verdict and its reason.
void Judge(const FwOutcome& o, ExposureRow& row) {
  row.only_from.clear();
  switch (o.pass) {
    case FwPass::kAccept:
      row.verdict = Open(row.sensitive);
      row.reason = o.reason;
      break;
    case FwPass::kSome:
      row.verdict = Open(row.sensitive);
      row.only_from = o.sources;
      row.reason = fmt::format("only from {}; others: {}", Join(o.sources, ", "), o.reason);
      break;
    case FwPass::kDrop:
      row.verdict = Reach::kFiltered;
      row.reason = o.reason;
      break;
    case FwPass::kUnknown:
      row.verdict = Reach::kUnknown;
      row.reason = o.reason;
      break;
  }
}

Reach ReachOf(const FwOutcome& o, bool sensitive) {
  switch (o.pass) {
    case FwPass::kAccept:
    case FwPass::kSome:
      return Open(sensitive);
    case FwPass::kDrop:
      return Reach::kFiltered;
    case FwPass::kUnknown:
      break;
  }
  return Reach::kUnknown;
}

bool AllAddresses(const std::string& a) {
  return a.empty() || a == "0.0.0.0" || a == "::" || a == "*";
}

// A published port judged by the forward chains, as a new connection to the container.
void JudgePublished(const FirewallState& fw, const PublishedPort& p, ExposureRow& row) {
  row.published = true;
  row.engine = p.engine;
  row.published_to = p.to_addr.empty() ? "" : fmt::format("{}:{}", p.to_addr, p.to_port);
  const std::string by = p.engine.empty() ? "a DNAT rule" : p.engine + "'s NAT";
  if (!p.host_ip.empty() && IsLoopbackAddress(p.host_ip)) {
    row.verdict = Reach::kLocal;
    row.reason = fmt::format("published by {} on {} only ({})", by, p.host_ip, p.where);
    return;
  }
  FwPacket packet;
  packet.family = p.family;
  packet.proto = p.proto;
  packet.port = p.to_port;
  packet.daddr = p.to_addr;
  packet.forwarded = true;
  Judge(EvaluateFirewall(fw, packet), row);
  row.reason =
      fmt::format("published by {} to {} ({}); forward chains: {}", by,
                  row.published_to.empty() ? "a container" : row.published_to, p.where, row.reason);
  // What INPUT would have said, had it applied.
  FwPacket input;
  input.family = p.family;
  input.proto = p.proto;
  input.port = p.host_port;
  const FwOutcome in = EvaluateFirewall(fw, input);
  row.input_filters = in.pass == FwPass::kDrop || in.pass == FwPass::kSome;
}

const PublishedPort* FindPublished(const FirewallState& fw, const std::string& proto, uint16_t port,
                                   const std::string& addr, bool by_container_port) {
  for (const PublishedPort& p : fw.published) {
    if (p.proto != proto) continue;
    if (by_container_port ? p.to_port != port : p.host_port != port) continue;
    if (!by_container_port && !p.host_ip.empty() && !AllAddresses(addr) && p.host_ip != addr)
      continue;
    return &p;
  }
  return nullptr;
}

std::optional<ContainerRef> ContainerOfPublished(const Facts& facts, const PublishedPort& p) {
  for (const ContainerConfig& c : facts.container_configs) {
    if (c.source != ConfigSource::kLive) continue;
    for (const ConfigPort& cp : c.ports) {
      if (cp.published && cp.host_port == p.host_port && cp.proto == p.proto) return c.ref;
    }
  }
  return std::nullopt;
}

}  // namespace

std::vector<ExposureRow> BuildExposureTable(const Facts& facts) {
  std::vector<ExposureRow> rows;
  std::set<std::tuple<int, int, std::string, uint16_t, uint64_t>> seen;
  const FirewallState& fw = facts.firewall;
  const uint64_t own = facts.host.own_netns;
  for (const Socket& s : facts.sockets) {
    if (!s.Listening() || s.local_port == 0) continue;
    std::string addr = s.local_addr;
    if (!seen.insert({static_cast<int>(s.proto), s.family, addr, s.local_port, s.netns}).second)
      continue;
    ExposureRow row;
    row.proto = s.proto;
    row.family = s.family;
    row.address = addr;
    row.port = s.local_port;
    row.netns = s.netns;
    const Process* owner = nullptr;
    for (int pid : s.pids) {
      if (const Process* p = facts.FindProcess(pid)) {
        owner = p;
        break;
      }
    }
    if (owner != nullptr) {
      row.pid = owner->pid;
      row.process = owner->DisplayName();
      row.container = facts.ContainerOf(*owner);
    }
    const ServiceGuess svc = GuessService(row.port, row.process);
    row.service = svc.name;
    row.sensitive = svc.sensitive;
    const std::string proto = s.proto == Proto::kTcp ? "tcp" : "udp";

    if (IsLoopbackAddress(addr)) {
      row.verdict = Reach::kLocal;
      row.reason = "bound to " + addr;
    } else if (own != 0 && s.netns != 0 && s.netns != own) {
      const bool in_container = owner != nullptr && !owner->container_id.empty();
      const PublishedPort* pub =
          in_container ? FindPublished(fw, proto, row.port, addr, true) : nullptr;
      if (pub != nullptr) {
        JudgePublished(fw, *pub, row);
        row.reason = fmt::format("host port {} -> ", pub->host_port) + row.reason;
      } else if (in_container) {
        row.verdict = Reach::kLocal;
        row.reason = "container network only, not published";
      } else {
        row.verdict = Reach::kUnknown;
        row.reason = fmt::format(
            "in network namespace {}, whose packet filter this scan did not read", s.netns);
      }
    } else if (const PublishedPort* pub = FindPublished(fw, proto, row.port, addr, false)) {
      // docker-proxy, conmon or rootlessport holding the host port: outside
      // clients are DNATed before INPUT sees them.
      JudgePublished(fw, *pub, row);
      if (!row.container) row.container = ContainerOfPublished(facts, *pub);
    } else if (!fw.read) {
      row.verdict = Reach::kUnknown;
      row.reason = "the packet filter rules in force were not read";
    } else {
      FwPacket packet;
      packet.family = s.family;
      packet.proto = proto;
      packet.port = row.port;
      packet.daddr = AllAddresses(addr) ? "" : addr;
      const FwOutcome o = EvaluateFirewall(fw, packet);
      Judge(o, row);
      if (s.family == 4) {
        row.v4 = row.verdict;
      } else {
        row.v6 = row.verdict;
        if (addr == "::") {
          // Dual-stack (net.ipv6.bindv6only=0): IPv4 clients reach it too.
          packet.family = 4;
          const FwOutcome o4 = EvaluateFirewall(fw, packet);
          row.v4 = ReachOf(o4, row.sensitive);
          const auto rank = [](Reach r) {
            return r == Reach::kReachableSensitive || r == Reach::kReachable ? 3
                   : r == Reach::kUnknown                                    ? 2
                   : r == Reach::kFiltered                                   ? 1
                                                                             : 0;
          };
          if (rank(*row.v4) > rank(row.verdict)) {
            Judge(o4, row);
            row.reason = "IPv4: " + row.reason;
          } else if (rank(*row.v4) < rank(row.verdict)) {
            row.reason = "IPv6: " + row.reason;
          }
        }
      }
    }
    rows.push_back(std::move(row));
  }
  // Ports published through NAT with no host socket holding them (Podman's
  // netavark, Docker without its userland proxy).
  for (const PublishedPort& p : fw.published) {
    const bool held = std::any_of(rows.begin(), rows.end(), [&](const ExposureRow& r) {
      return r.published && (r.netns == own || r.netns == 0) && r.port == p.host_port &&
             (r.proto == Proto::kTcp ? "tcp" : "udp") == p.proto;
    });
    if (held) continue;
    ExposureRow row;
    row.proto = p.proto == "udp" ? Proto::kUdp : Proto::kTcp;
    row.family = p.family;
    row.address = p.host_ip.empty() ? (p.family == 6 ? "::" : "0.0.0.0") : p.host_ip;
    row.port = p.host_port;
    if (!seen.insert({static_cast<int>(row.proto), row.family, row.address, row.port, 0}).second)
      continue;
    const ServiceGuess svc = GuessService(p.to_port, "");
    row.service = svc.name;
    row.sensitive = svc.sensitive || GuessService(p.host_port, "").sensitive;
    row.container = ContainerOfPublished(facts, p);
    JudgePublished(fw, p, row);
    rows.push_back(std::move(row));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const ExposureRow& a, const ExposureRow& b) {
    return std::tie(a.port, a.proto, a.family, a.address) <
           std::tie(b.port, b.proto, b.family, b.address);
  });
  return rows;
}

}  // namespace deminer
