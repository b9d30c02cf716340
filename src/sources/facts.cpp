#include "sources/facts.h"

#include <netinet/tcp.h>

#include "core/strings.h"

namespace deminer {

std::string Process::CommandLine() const {
  if (argv.empty()) return "[" + comm + "]";
  return Join(argv);
}

std::string Process::DisplayName() const {
  if (!argv.empty() && !argv[0].empty()) {
    // argv[0] may carry arguments when a program rewrote it ("nginx: worker").
    const std::string_view first = Split(argv[0], ' ')[0];
    return std::string(Basename(first));
  }
  return comm;
}

bool Socket::Listening() const {
  return proto == Proto::kTcp ? state == TCP_LISTEN
                              : (remote_port == 0 && state != TCP_ESTABLISHED);
}

bool Socket::Connected() const {
  if (proto == Proto::kUdp) return state == TCP_ESTABLISHED && remote_port != 0;
  return state == TCP_ESTABLISHED || state == TCP_SYN_SENT || state == TCP_SYN_RECV;
}

std::string_view TcpStateName(int state) {
  switch (state) {
    case TCP_ESTABLISHED:
      return "ESTABLISHED";
    case TCP_SYN_SENT:
      return "SYN_SENT";
    case TCP_SYN_RECV:
      return "SYN_RECV";
    case TCP_FIN_WAIT1:
      return "FIN_WAIT1";
    case TCP_FIN_WAIT2:
      return "FIN_WAIT2";
    case TCP_TIME_WAIT:
      return "TIME_WAIT";
    case TCP_CLOSE:
      return "CLOSE";
    case TCP_CLOSE_WAIT:
      return "CLOSE_WAIT";
    case TCP_LAST_ACK:
      return "LAST_ACK";
    case TCP_LISTEN:
      return "LISTEN";
    case TCP_CLOSING:
      return "CLOSING";
    default:
      return "UNKNOWN";
  }
}

void UnmapIpv4(std::string& addr) {
  constexpr std::string_view kMapped = "::ffff:";
  if (addr.size() > kMapped.size() && addr.starts_with(kMapped) &&
      addr.find('.') != std::string::npos) {
    addr.erase(0, kMapped.size());
  }
}

void Facts::Index() {
  by_pid.clear();
  socket_by_inode.clear();
  for (size_t i = 0; i < processes.size(); ++i) by_pid[processes[i].pid] = i;
  for (size_t i = 0; i < sockets.size(); ++i) {
    if (sockets[i].inode != 0) socket_by_inode[sockets[i].inode] = i;
  }
}

const Process* Facts::FindProcess(int pid) const {
  const auto it = by_pid.find(pid);
  return it == by_pid.end() ? nullptr : &processes[it->second];
}

const Socket* Facts::FindSocket(uint64_t inode) const {
  const auto it = socket_by_inode.find(inode);
  return it == socket_by_inode.end() ? nullptr : &sockets[it->second];
}

std::optional<ContainerRef> Facts::ContainerOf(const Process& p) const {
  if (p.container_id.empty()) return std::nullopt;
  const auto it = containers.find(p.container_id);
  if (it != containers.end()) return it->second;
  ContainerRef ref;
  ref.id = p.container_id;
  ref.runtime = p.container_runtime;
  return ref;
}

std::optional<ContainerRef> Facts::ContainerById(const std::string& id) const {
  if (id.empty()) return std::nullopt;
  const auto it = containers.find(id);
  if (it != containers.end()) return it->second;
  ContainerRef ref;
  ref.id = id;
  return ref;
}

std::map<std::string, int> Facts::ContainerInits() const {
  std::map<std::string, int> init;
  for (const Process& p : processes) {
    if (p.container_id.empty()) continue;
    auto [it, fresh] = init.emplace(p.container_id, p.pid);
    if (!fresh && p.pid < it->second) it->second = p.pid;
  }
  return init;
}

std::vector<const Process*> Facts::Ancestry(const Process& p, size_t max_depth) const {
  std::vector<const Process*> chain;
  const Process* cur = &p;
  while (chain.size() < max_depth && cur->pid > 1) {
    const Process* parent = FindProcess(cur->ppid);
    if (parent == nullptr) break;
    // Stop at the container's init: its parent (runc/conmon) is outside the container.
    if (!p.container_id.empty() && parent->container_id != p.container_id) break;
    chain.push_back(parent);
    cur = parent;
  }
  return chain;
}

}  // namespace deminer
