#include "report/service_harden.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <map>
#include <set>

#include "checks/exposure_common.h"
#include "core/strings.h"

namespace deminer {
namespace {

std::string EvidenceText(const Finding& f, const char* key) {
  const auto it = f.evidence.find(key);
  if (it == f.evidence.end()) return "";
  return it->is_string() ? it->get<std::string>() : it->dump();
}

// "sql" and other non-files get a heading of their own; files are edited.
std::string Heading(const std::string& target) {
  if (target == "sql") {
    return "SQL, to run as a database superuser after reading it (deminer never runs it)";
  }
  if (target.find('/') != std::string::npos || target.ends_with(".conf") ||
      target.ends_with(".json")) {
    return "edit " + target;
  }
  return target;
}

bool IsIpv4(const std::string& s) {
  in_addr a{};
  return inet_pton(AF_INET, s.c_str(), &a) == 1;
}

bool IsIpv6(const std::string& s) {
  in6_addr a{};
  return inet_pton(AF_INET6, s.c_str(), &a) == 1;
}

// A port an engine publishes through NAT (or its proxy's listener): the
// packet is DNATed in prerouting and forwarded, so input rules never see it.
bool PublishedByEngine(const ExposureRow& r) {
  static const std::set<std::string, std::less<>> kProxies = {"docker-proxy", "rootlessport",
                                                              "rootlessport-child"};
  return r.published || kProxies.contains(r.process);
}

std::string PortList(const std::set<uint16_t>& ports) {
  std::string out;
  for (const uint16_t p : ports) out += fmt::format("{}{}", out.empty() ? "" : ", ", p);
  return out;
}

struct Plan {
  // port -> who serves it (for the comment), per protocol.
  std::map<uint16_t, std::string> allow_tcp, allow_udp;
  std::map<uint16_t, std::string> closed;     // sensitive, kept from other hosts
  struct Published {
    std::string who, engine;
  };
  std::map<uint16_t, Published> published;  // sensitive and published by an engine
  std::set<uint16_t> pool_ports, c2_ports;
  std::set<std::string> ioc_v4, ioc_v6;
  std::vector<std::pair<std::string, uint16_t>> ioc_endpoints;  // ip:port entries
};

Plan MakePlan(const std::vector<ExposureRow>& rows, const RulePack& rules) {
  Plan p;
  for (const ExposureRow& r : rows) {
    if (r.verdict == Reach::kLocal) continue;
    const std::string who = r.process.empty() ? (r.service.empty() ? "?" : r.service) : r.process;
    if (r.sensitive || r.verdict == Reach::kReachableSensitive) {
      p.closed.emplace(r.port, who);
      if (PublishedByEngine(r) && r.proto == Proto::kTcp) {
        p.published.emplace(r.port, Plan::Published{who, r.engine.empty() ? "docker" : r.engine});
      }
      continue;
    }
    (r.proto == Proto::kTcp ? p.allow_tcp : p.allow_udp).emplace(r.port, who);
  }
  for (const auto& [port, source] : rules.pool_ports) p.pool_ports.insert(port);
  for (const auto& [port, source] : rules.c2_ports) p.c2_ports.insert(port);
  for (const auto& [entry, source] : rules.c2_addresses) {
    if (IsIpv4(entry)) {
      p.ioc_v4.insert(entry);
    } else if (IsIpv6(entry)) {
      p.ioc_v6.insert(entry);
    } else if (const size_t colon = entry.rfind(':'); colon != std::string::npos) {
      const std::string ip = entry.substr(0, colon);
      const auto port = ParseUint(std::string_view(entry).substr(colon + 1));
      if (IsIpv4(ip) && port && *port > 0 && *port < 65536) {
        p.ioc_endpoints.emplace_back(ip, static_cast<uint16_t>(*port));
      }
    }
  }
  return p;
}

std::string Comment(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '"' || c == '\\') c = '\'';
  }
  return out;
}

std::string RenderNft(const Plan& p) {
  std::string out =
      "#!/usr/sbin/nft -f\n"
      "# deminer harden: let in only what this host serves to others; keep mining pools and\n"
      "# known attacker addresses out. A table of its own: re-created when loaded, the host's\n"
      "# other tables stay. Check it with `nft -c -f FILE`, load it with `nft -f FILE`;\n"
      "# to persist, include it from /etc/nftables.conf. Read every line first: a port this\n"
      "# host serves that is not listening now is not in it.\n"
      "table inet deminer_harden\n"
      "delete table inet deminer_harden\n";
  if (p.allow_tcp.empty()) {
    out +=
        "# WARNING: no port is let in (no TCP socket was seen listening beyond loopback):\n"
        "# loading this as it is closes every inbound connection, ssh's too. Add\n"
        "# `tcp dport 22 accept` to the input chain if this host is reached over ssh.\n";
  }
  out +=
      "table inet deminer_harden {\n";
  if (!p.pool_ports.empty() || !p.c2_ports.empty()) {
    std::set<uint16_t> ports = p.pool_ports;
    ports.insert(p.c2_ports.begin(), p.c2_ports.end());
    out += fmt::format(
        "  # Mining pool (stratum) and C2 ports of the rule pack.\n"
        "  set pool_ports {{\n    type inet_service\n    elements = {{ {} }}\n  }}\n",
        PortList(ports));
  }
  if (!p.ioc_v4.empty()) {
    out += fmt::format(
        "  # Addresses the seeds' intruders used (droppers, pools, C2), from the rule pack.\n"
        "  set ioc_v4 {{\n    type ipv4_addr\n    elements = {{ {} }}\n  }}\n",
        Join(std::vector<std::string>(p.ioc_v4.begin(), p.ioc_v4.end()), ", "));
  }
  if (!p.ioc_v6.empty()) {
    out += fmt::format("  set ioc_v6 {{\n    type ipv6_addr\n    elements = {{ {} }}\n  }}\n",
                       Join(std::vector<std::string>(p.ioc_v6.begin(), p.ioc_v6.end()), ", "));
  }
  out +=
      "  chain input {\n"
      "    type filter hook input priority filter - 1; policy drop;\n"
      "    iif \"lo\" accept\n"
      "    ct state established,related accept\n"
      "    ct state invalid drop\n"
      "    meta l4proto { icmp, ipv6-icmp } accept\n";
  for (const auto& [port, who] : p.allow_tcp) {
    out += fmt::format("    tcp dport {} accept comment \"{}\"\n", port, Comment(who));
  }
  for (const auto& [port, who] : p.allow_udp) {
    out += fmt::format("    udp dport {} accept comment \"{}\"\n", port, Comment(who));
  }
  for (const auto& [port, who] : p.closed) {
    out += fmt::format("    # {} ({}) stays closed to other hosts: a database, cache or engine API\n",
                       port, who);
  }
  out += "  }\n";
  out +=
      "  chain output {\n"
      "    type filter hook output priority filter - 1; policy accept;\n"
      "    oif \"lo\" accept\n";
  if (!p.ioc_v4.empty()) out += "    ip daddr @ioc_v4 drop comment \"attacker addresses\"\n";
  if (!p.ioc_v6.empty()) out += "    ip6 daddr @ioc_v6 drop comment \"attacker addresses\"\n";
  for (const auto& [ip, port] : p.ioc_endpoints) {
    out += fmt::format("    ip daddr {} tcp dport {} drop comment \"attacker endpoint\"\n", ip, port);
  }
  if (!p.pool_ports.empty() || !p.c2_ports.empty()) {
    out += "    tcp dport @pool_ports drop comment \"mining pool and C2 ports\"\n";
  }
  out += "  }\n}\n";
  if (!p.published.empty()) {
    out +=
        "# Ports Docker or Podman publish through NAT never reach the input chain. Drop\n"
        "# other hosts' connections to them in the forward path (for Docker, in DOCKER-USER,\n"
        "# the chain Docker keeps for you):\n";
    for (const auto& [port, pub] : p.published) {
      out += fmt::format("#   {}   # {}\n", PublishedPortDrop(pub.engine, "tcp", port).fix,
                         pub.who);
    }
    out += "# or publish them on 127.0.0.1 only (-p 127.0.0.1:PORT:PORT).\n";
  }
  return out;
}

std::string RenderUfw(const Plan& p) {
  std::string out =
      "# deminer harden: ufw commands that let in only what this host serves to others and\n"
      "# keep mining pools and known attacker addresses out. Run them one by one as root;\n"
      "# `ufw enable` last (an ssh session stays up: its port is allowed first).\n";
  if (p.allow_tcp.empty()) {
    out += "# WARNING: no port is let in; add `ufw allow 22/tcp` first if this host is reached over ssh\n";
  }
  for (const auto& [port, who] : p.allow_tcp) {
    out += fmt::format("ufw allow {}/tcp comment '{}'\n", port, Comment(who));
  }
  for (const auto& [port, who] : p.allow_udp) {
    out += fmt::format("ufw allow {}/udp comment '{}'\n", port, Comment(who));
  }
  out += "ufw default deny incoming\nufw default allow outgoing\n";
  for (const auto& [port, who] : p.closed) {
    out += fmt::format("# {} ({}) stays closed to other hosts\n", port, who);
  }
  for (const std::string& ip : p.ioc_v4) out += fmt::format("ufw deny out to {}\n", ip);
  for (const std::string& ip : p.ioc_v6) out += fmt::format("ufw deny out to {}\n", ip);
  for (const auto& [ip, port] : p.ioc_endpoints) {
    out += fmt::format("ufw deny out to {} port {} proto tcp\n", ip, port);
  }
  std::set<uint16_t> ports = p.pool_ports;
  ports.insert(p.c2_ports.begin(), p.c2_ports.end());
  for (const uint16_t port : ports) out += fmt::format("ufw deny out {}/tcp\n", port);
  out += "ufw enable\n";
  if (!p.published.empty()) {
    out += fmt::format(
        "# ufw does not filter ports Docker or Podman publish through NAT ({}): add DOCKER-USER\n"
        "# rules (see `deminer harden firewall --format nft`) or publish them on 127.0.0.1.\n",
        PortList([&] {
          std::set<uint16_t> s;
          for (const auto& [port, pub] : p.published) s.insert(port);
          return s;
        }()));
  }
  return out;
}

}  // namespace

std::string RenderServiceFixes(const std::vector<Finding>& findings) {
  struct Item {
    std::string fix;
    std::vector<std::string> because;  // "db.pg-hba-trust: postgresql 127.0.0.1:5432 (line 92)"
  };
  // Target -> fixes in first-seen order.
  std::map<std::string, std::vector<Item>> by_target;
  std::vector<std::string> order;
  for (const Finding& f : findings) {
    const std::string fix = EvidenceText(f, "fix");
    if (fix.empty()) continue;
    std::string target = EvidenceText(f, "fix_file");
    if (target.empty()) target = f.path.empty() ? "other" : f.path;
    if (!by_target.contains(target)) order.push_back(target);
    auto& items = by_target[target];
    std::string because = fmt::format("{}: {}", f.check, f.subject);
    if (f.line > 0) because += fmt::format(" (line {})", f.line);
    auto it = std::find_if(items.begin(), items.end(), [&](const Item& i) { return i.fix == fix; });
    if (it == items.end()) {
      items.push_back({fix, {because}});
    } else if (std::find(it->because.begin(), it->because.end(), because) == it->because.end()) {
      it->because.push_back(because);
    }
  }
  std::string out;
  for (const std::string& target : order) {
    out += fmt::format("# --- {}\n", Heading(target));
    for (const Item& item : by_target[target]) {
      for (const std::string& b : item.because) out += fmt::format("# closes {}\n", b);
      out += item.fix;
      if (!item.fix.ends_with('\n')) out += '\n';
    }
    out += '\n';
  }
  return out;
}

std::string RenderFirewall(const std::vector<ExposureRow>& rows, const RulePack& rules,
                           FirewallFormat format) {
  const Plan plan = MakePlan(rows, rules);
  return format == FirewallFormat::kNft ? RenderNft(plan) : RenderUfw(plan);
}

}  // namespace deminer
