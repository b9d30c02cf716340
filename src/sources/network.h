// Every TCP and UDP socket on the host and in every network namespace a
// process lives in (containers), with the owning processes joined in.
// sock_diag first; /proc/PID/net tables when netlink or setns is refused.
#pragma once

#include <string>
#include <vector>

#include "sources/facts.h"

namespace deminer {

struct SocketSweep {
  std::vector<Socket> sockets;
  std::vector<Gap> gaps;
};

// `processes` supply the namespaces to visit; own_netns is the scanner's.
SocketSweep SweepSockets(const std::string& proc_root, const std::vector<Process>& processes,
                         uint64_t own_netns);

// Fills Socket::pids from the processes' socket inodes.
void JoinSocketOwners(std::vector<Socket>& sockets, const std::vector<Process>& processes);

}  // namespace deminer
