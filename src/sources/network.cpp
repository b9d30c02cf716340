#include "sources/network.h"

#include <fmt/format.h>

#include <map>
#include <unordered_map>

#include "sources/proc_parse.h"
#include "sources/proc_reader.h"
#include "sources/sock_diag.h"

namespace deminer {
namespace {

// The text tables of the namespace that `dir` (/proc/net or /proc/PID/net) shows.
Expected<std::vector<Socket>> ReadProcNetDir(const std::string& dir) {
  struct Table {
    const char* name;
    Proto proto;
    int family;
  };
  static constexpr Table kTables[] = {{"tcp", Proto::kTcp, 4},
                                      {"tcp6", Proto::kTcp, 6},
                                      {"udp", Proto::kUdp, 4},
                                      {"udp6", Proto::kUdp, 6}};
  std::vector<Socket> out;
  bool any = false;
  for (const Table& t : kTables) {
    auto text = ReadSmallFile(dir + "/" + t.name, 64 << 20);
    if (!text) continue;  // e.g. no IPv6 in this kernel
    any = true;
    auto parsed = ParseProcNet(*text, t.proto, t.family);
    if (!parsed) return Fail(parsed.error());
    std::move(parsed->begin(), parsed->end(), std::back_inserter(out));
  }
  if (!any) return Fail(Error::NotFound(dir + ": no socket tables"));
  return out;
}

void Tag(std::vector<Socket>& sockets, uint64_t netns) {
  for (Socket& s : sockets) s.netns = netns;
}

}  // namespace

SocketSweep SweepSockets(const std::string& proc_root, const std::vector<Process>& processes,
                         uint64_t own_netns) {
  SocketSweep out;
  // Namespace inode -> a few pids inside it (one may exit before we enter).
  constexpr size_t kPidsPerNamespace = 3;
  std::map<uint64_t, std::vector<int>> namespaces;
  for (const Process& p : processes) {
    if (p.netns == 0 || p.netns == own_netns) continue;
    auto& pids = namespaces[p.netns];
    if (pids.size() < kPidsPerNamespace) pids.push_back(p.pid);
  }

  const bool live = proc_root == "/proc";
  // Our own namespace.
  {
    Expected<std::vector<Socket>> got = Fail(Error::Unavailable("not live"));
    if (live) {
      if (auto diag = SockDiag::Open()) got = diag->DumpAll();
    }
    if (!got) got = ReadProcNetDir(proc_root + "/net");
    if (got) {
      Tag(*got, own_netns);
      std::move(got->begin(), got->end(), std::back_inserter(out.sockets));
    } else {
      out.gaps.push_back({"sockets of the host's network namespace", got.error().message(), ""});
    }
  }

  for (const auto& [ns, pids] : namespaces) {
    Expected<std::vector<Socket>> got = Fail(Error::Unavailable("not live"));
    for (const int pid : pids) {
      const std::string pid_dir = fmt::format("{}/{}", proc_root, pid);
      got = Fail(Error::Unavailable("not live"));
      if (live) {
        if (auto diag = SockDiag::OpenIn(pid_dir + "/ns/net")) got = diag->DumpAll();
      }
      // Without CAP_SYS_ADMIN, /proc/PID/net shows the same namespace's tables.
      if (!got) got = ReadProcNetDir(pid_dir + "/net");
      if (got || got.error().code() != ErrorCode::kNotFound) break;  // else: pid exited
    }
    if (got) {
      Tag(*got, ns);
      std::move(got->begin(), got->end(), std::back_inserter(out.sockets));
    } else {
      out.gaps.push_back({fmt::format("sockets of network namespace {} (pid {})", ns, pids[0]),
                          got.error().message(), "root or CAP_SYS_ADMIN"});
    }
  }
  return out;
}

void JoinSocketOwners(std::vector<Socket>& sockets, const std::vector<Process>& processes) {
  std::unordered_map<uint64_t, size_t> index;
  index.reserve(sockets.size());
  for (size_t i = 0; i < sockets.size(); ++i) {
    if (sockets[i].inode != 0) index.emplace(sockets[i].inode, i);
  }
  for (const Process& p : processes) {
    for (const uint64_t inode : p.socket_inodes) {
      const auto it = index.find(inode);
      if (it == index.end()) continue;
      auto& pids = sockets[it->second].pids;
      if (pids.empty() || pids.back() != p.pid) pids.push_back(p.pid);
    }
  }
}

}  // namespace deminer
