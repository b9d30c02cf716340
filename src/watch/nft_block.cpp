#include "watch/nft_block.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include "core/subprocess.h"

namespace deminer {

int BlockableFamily(const std::string& address) {
  in_addr v4{};
  if (inet_pton(AF_INET, address.c_str(), &v4) == 1) {
    const uint32_t a = ntohl(v4.s_addr);
    if ((a >> 24) == 127 || a == 0 || (a >> 28) == 0xe || a == 0xffffffffu) return 0;
    return 4;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, address.c_str(), &v6) == 1) {
    if (IN6_IS_ADDR_LOOPBACK(&v6) || IN6_IS_ADDR_UNSPECIFIED(&v6) || IN6_IS_ADDR_MULTICAST(&v6) ||
        IN6_IS_ADDR_V4MAPPED(&v6)) {
      return 0;
    }
    return 6;
  }
  return 0;
}

Expected<void> NftBlocker::Block(const std::string& address, unsigned timeout_s) {
  const int family = BlockableFamily(address);
  if (family == 0) {
    return Fail(Error::InvalidInput(fmt::format(
        "{}: not an address deminer blocks (loopback, multicast or not an IP)", address)));
  }
  const auto run = [&](const std::string& script) -> Expected<void> {
    auto r = RunTool({nft_, "-f", "-"}, script);
    if (!r) return Fail(r.error());
    if (r->exit_code != 0) {
      return Fail(Error::Unavailable(fmt::format("nft: {}", r->err.empty() ? r->out : r->err)));
    }
    return {};
  };
  if (!ready_) {
    // Flushing and re-creating the chains keeps one rule each across restarts;
    // the sets (and what they hold) are kept.
    const std::string script = fmt::format(
        "add table inet {0}\n"
        "add set inet {0} blocked4 {{ type ipv4_addr; flags timeout; }}\n"
        "add set inet {0} blocked6 {{ type ipv6_addr; flags timeout; }}\n"
        "add chain inet {0} output {{ type filter hook output priority filter; policy accept; }}\n"
        "add chain inet {0} forward {{ type filter hook forward priority filter; policy accept; "
        "}}\n"
        "flush chain inet {0} output\n"
        "flush chain inet {0} forward\n"
        "add rule inet {0} output ip daddr @blocked4 counter drop\n"
        "add rule inet {0} output ip6 daddr @blocked6 counter drop\n"
        "add rule inet {0} forward ip daddr @blocked4 counter drop\n"
        "add rule inet {0} forward ip6 daddr @blocked6 counter drop\n",
        table_);
    if (auto r = run(script); !r) return r;
    ready_ = true;
  }
  return run(fmt::format("add element inet {} blocked{} {{ {} timeout {}s }}\n", table_, family,
                         address, timeout_s));
}

}  // namespace deminer
