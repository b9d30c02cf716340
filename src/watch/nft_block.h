// Blocks remote addresses in an nftables table the daemon owns ("inet
// deminer"): two sets with timeouts (IPv4, IPv6) and output and forward chains
// that drop traffic to them; forward, because a container's traffic to its
// pool crosses FORWARD, not OUTPUT. Nothing else of the host's rule set is
// touched; `nft delete table inet deminer` undoes it all. Through the nft
// tool (the netlink protocol of nftables has no stable library API in
// Debian 12 beyond libnftables, which only takes the same text).
#pragma once

#include <string>

#include "core/error.h"

namespace deminer {

class NftBlocker {
 public:
  explicit NftBlocker(std::string nft = "nft", std::string table = "deminer")
      : nft_(std::move(nft)), table_(std::move(table)) {}

  // Adds `address` (an IPv4 or IPv6 literal; anything else is refused, as are
  // loopback, unspecified and multicast addresses) for `timeout_s` seconds.
  Expected<void> Block(const std::string& address, unsigned timeout_s);

 private:
  std::string nft_;
  std::string table_;
  bool ready_ = false;
};

// 4 or 6 for an address nftables may block; 0 for anything else.
int BlockableFamily(const std::string& address);

}  // namespace deminer
