// The host's packet filter as it is: the nftables ruleset (nft -j), the
// iptables and ip6tables rule sets of both back ends (legacy and nft), ufw's
// state, and Docker's published-port chains. A source: it records, it never
// judges. (Scaffolding: the exposure helper fills this in.)
#pragma once

#include <string>
#include <vector>

namespace deminer {

struct FirewallState {
  bool read = false;  // false when nothing could be read (offline --root, no root)
};

}  // namespace deminer
