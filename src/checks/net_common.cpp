#include "checks/net_common.h"

#include <fmt/format.h>

namespace deminer {

std::string Endpoint(const std::string& addr, uint16_t port) {
  return addr.find(':') != std::string::npos ? fmt::format("[{}]:{}", addr, port)
                                             : fmt::format("{}:{}", addr, port);
}

const Process* SocketOwner(const CheckContext& ctx, const Socket& s) {
  for (const int pid : s.pids) {
    const Process* p = ctx.facts.FindProcess(pid);
    if (p != nullptr && !IsSelf(ctx, *p)) return p;
  }
  return nullptr;
}

Finding SocketFinding(const CheckInfo& info, const CheckContext& ctx, const Socket& s,
                      Severity severity) {
  const Process* owner = SocketOwner(ctx, s);
  const std::string proto = s.proto == Proto::kTcp ? "tcp" : "udp";
  const std::string local = Endpoint(s.local_addr, s.local_port);
  const std::string remote = Endpoint(s.remote_addr, s.remote_port);
  std::string subject = fmt::format("{} {} -> {}", proto, local, remote);
  Finding f;
  if (owner != nullptr) {
    // Reuse the process evidence (ancestry, container) and put the socket first.
    f = ProcessFinding(info, ctx, *owner, severity);
    subject += fmt::format(" (pid {} {})", owner->pid, owner->DisplayName());
  }
  const std::string key =
      fmt::format("{}\n{}\n{}", proto, remote, owner != nullptr ? owner->exe : std::string());
  Finding base = NewFinding(info, severity, subject, key);
  base.container = f.container;
  base.path = f.path;
  auto& e = base.evidence;
  e["protocol"] = proto;
  e["local"] = local;
  e["remote"] = remote;
  e["state"] = s.proto == Proto::kTcp ? std::string(TcpStateName(s.state)) : "connected";
  e["netns"] = s.netns;
  if (owner == nullptr) {
    e["process"] = nullptr;
  } else {
    e["process"] = f.evidence;
  }
  return base;
}

}  // namespace deminer
