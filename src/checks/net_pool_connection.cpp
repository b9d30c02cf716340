// net.pool-connection: a connection to a mining pool, by address or port.
#include <fmt/format.h>

#include "checks/net_common.h"
#include "match/miner_cmdline.h"

namespace deminer {

extern const Check kNetPoolConnection;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Socket& s : ctx.facts.sockets) {
    if (s.proto != Proto::kTcp || !s.Connected()) continue;
    const auto resolved = ctx.facts.pool_addresses.find(s.remote_addr);
    const auto port = ctx.rules.pool_ports.find(s.remote_port);
    const bool by_address = resolved != ctx.facts.pool_addresses.end();
    const bool by_port = port != ctx.rules.pool_ports.end();
    if (!by_address && !by_port) continue;
    const Process* owner = SocketOwner(ctx, s);
    if (owner == nullptr && !s.pids.empty()) continue;  // deminer's own socket
    // The owner's own look decides how sure we are: a pool port from a process
    // that also looks like a miner is a miner talking to its pool.
    Severity sev = by_address ? Severity::kCritical : Severity::kMedium;
    bool miner = false;
    if (owner != nullptr) {
      const MinerVerdict v = AnalyzeMiner(owner->argv, owner->exe, owner->comm, ctx.rules);
      miner = v.severity >= Severity::kLow;
      if (miner)
        sev = by_address || v.severity >= Severity::kHigh ? Severity::kCritical : Severity::kHigh;
    }
    Finding f = SocketFinding(kNetPoolConnection.info, ctx, s, sev);
    if (by_address) f.evidence["pool_domain"] = resolved->second;
    if (by_port) f.evidence["pool_port"] = fmt::format("{} ({})", s.remote_port, port->second);
    f.evidence["owner_looks_like_miner"] = miner;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNetPoolConnection = {
    {"net.pool-connection", "Connection to a mining pool", Severity::kCritical, Kind::kCompromise,
     Scope::kNetwork, "T1496",
     "Block the pool's address on egress, stop the owning process and follow proc.miner. "
     "Containers that serve web apps rarely need arbitrary egress: restrict it.",
     "Established or opening TCP connections to a stratum pool port (3333, 5555, 10128...) or, "
     "with --resolve, to an address a known pool domain resolves to. A pool port alone is "
     "medium; from a process that also looks like a miner it is high or critical."},
    Run};

}  // namespace deminer
