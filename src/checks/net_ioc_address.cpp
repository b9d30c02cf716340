// net.ioc-address: a connection to a known C2, dropper or pool address of the seeds.
#include <fmt/format.h>

#include "checks/net_common.h"

namespace deminer {

extern const Check kNetIocAddress;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Socket& s : ctx.facts.sockets) {
    if (!s.Connected()) continue;
    const std::string* source = ctx.rules.MatchC2(s.remote_addr, s.remote_port);
    // A C2 domain that --resolve looked up.
    const auto resolved = ctx.facts.c2_addresses.find(s.remote_addr);
    if (source == nullptr && resolved != ctx.facts.c2_addresses.end()) {
      source = ctx.rules.MatchC2(resolved->second, s.remote_port);
    }
    const auto port = ctx.rules.c2_ports.find(s.remote_port);
    const bool by_port = port != ctx.rules.c2_ports.end();
    if (source == nullptr && !by_port) continue;
    if (SocketOwner(ctx, s) == nullptr && !s.pids.empty()) continue;
    Finding f = SocketFinding(kNetIocAddress.info, ctx, s,
                              source != nullptr ? Severity::kCritical : Severity::kMedium);
    if (source != nullptr) f.evidence["ioc"] = *source;
    if (resolved != ctx.facts.c2_addresses.end()) f.evidence["resolved_from"] = resolved->second;
    if (by_port) f.evidence["ioc_port"] = fmt::format("{} ({})", s.remote_port, port->second);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNetIocAddress = {
    {"net.ioc-address", "Connection to a known attacker address", Severity::kCritical,
     Kind::kCompromise, Scope::kNetwork, "T1071",
     "Treat the host as compromised: isolate it (or the container's network), collect "
     "evidence, block the address on egress, and rotate credentials the process could read.",
     "Connections whose remote address (or address:port) is a C2, dropper or download host "
     "from the rule pack or a Loki c2-iocs.txt, or an address such a domain resolves to "
     "(--resolve); the C2 port alone is medium."},
    Run};

}  // namespace deminer
