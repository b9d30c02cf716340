#include "checks/exposure_common.h"

#include <fmt/format.h>

namespace deminer {

std::string RowSubject(const ExposureRow& r) {
  const std::string proto = r.proto == Proto::kTcp ? "tcp" : "udp";
  const std::string addr =
      r.address.find(':') != std::string::npos ? "[" + r.address + "]" : r.address;
  std::string who = !r.process.empty() ? r.process : r.service;
  if (r.published) {
    who = r.engine.empty() ? "DNAT" : r.engine;
    if (!r.published_to.empty()) who += " -> " + r.published_to;
  }
  if (who.empty()) return fmt::format("{} {}:{}", proto, addr, r.port);
  return fmt::format("{} {}:{} ({})", proto, addr, r.port, who);
}

// Matches only connections that were DNATed (published) and only their
// original direction: replies to containers' own connections and traffic
// between containers on their network pass.
FirewallFix PublishedPortDrop(std::string_view engine, std::string_view proto, uint16_t port) {
  if (engine == "docker") {
    return {fmt::format("iptables -I DOCKER-USER -p {} -m conntrack --ctstate DNAT "
                        "--ctorigdstport {} --ctdir ORIGINAL -j DROP",
                        proto, port),
            "DOCKER-USER"};
  }
  return {fmt::format("nft insert rule inet filter forward meta l4proto {} ct status dnat "
                      "ct direction original ct original proto-dst {} drop",
                      proto, port),
          "nftables"};
}

FirewallFix FixFor(const Facts& facts, const ExposureRow& r) {
  const std::string proto = r.proto == Proto::kTcp ? "tcp" : "udp";
  if (r.published) return PublishedPortDrop(r.engine, proto, r.port);
  if (facts.firewall.ufw.installed && facts.firewall.ufw.enabled) {
    return {fmt::format("ufw deny {}/{}", r.port, proto), "ufw"};
  }
  return {fmt::format("nft insert rule inet filter input iifname != \"lo\" {} dport {} drop", proto,
                      r.port),
          "nftables"};
}

Finding RowFinding(const CheckInfo& info, const Facts& facts, const ExposureRow& r,
                   Severity severity, std::string_view detail) {
  const std::string proto = r.proto == Proto::kTcp ? "tcp" : "udp";
  const std::string key =
      fmt::format("{}|{}|{}|{}|{}", proto, r.address, r.port,
                  r.container ? r.container->name + "/" + r.container->id : "", detail);
  Finding f = NewFinding(info, severity, RowSubject(r), key);
  f.container = r.container;
  f.evidence["proto"] = proto;
  f.evidence["address"] = r.address;
  f.evidence["port"] = r.port;
  if (!r.process.empty()) f.evidence["process"] = r.process;
  if (r.pid != 0) f.evidence["pid"] = r.pid;
  if (r.container)
    f.evidence["container"] = r.container->name.empty() ? r.container->id : r.container->name;
  if (!r.service.empty()) f.evidence["service"] = r.service;
  f.evidence["verdict"] = std::string(ReachName(r.verdict));
  f.evidence["reason"] = r.reason;
  if (!r.only_from.empty()) f.evidence["only_from"] = r.only_from;
  if (r.published) {
    f.evidence["published_by"] = r.engine.empty() ? "DNAT" : r.engine;
    if (!r.published_to.empty()) f.evidence["published_to"] = r.published_to;
  }
  const FirewallFix fix = FixFor(facts, r);
  f.evidence["fix"] = fix.fix;
  f.evidence["fix_file"] = fix.file;
  return f;
}

bool OwnRow(const Facts& facts, const ExposureRow& r) {
  return r.netns == 0 || facts.host.own_netns == 0 || r.netns == facts.host.own_netns;
}

bool HasInputFiltering(const FirewallState& fw) {
  for (const FwRuleset* rs : {&fw.nft, &fw.legacy}) {
    for (const FwTable& t : rs->tables) {
      if (t.family != "ip" && t.family != "ip6" && t.family != "inet") continue;
      for (const FwChain& c : t.chains) {
        if (c.base && c.hook == "input" && c.type == "filter" &&
            (!c.rules.empty() || c.policy == "drop")) {
          return true;
        }
      }
    }
  }
  return false;
}

}  // namespace deminer
