// Test helper for the exposure checks: listening sockets and small nftables
// rule sets (as `nft -j` prints them) on top of test_facts.h's BaseFacts.
#pragma once

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "checks/exposure_table.h"
#include "checks/test_facts.h"
#include "core/strings.h"

namespace deminer {

constexpr uint64_t kHostNetns = 4026531833;

inline Socket Listener(std::string addr, uint16_t port, uint64_t inode, std::vector<int> pids = {},
                       Proto proto = Proto::kTcp, uint64_t netns = kHostNetns) {
  Socket s;
  s.proto = proto;
  s.family = addr.find(':') != std::string::npos ? 6 : 4;
  s.local_addr = std::move(addr);
  s.local_port = port;
  s.state = proto == Proto::kTcp ? 10 /* TCP_LISTEN */ : 7;
  s.inode = inode;
  s.netns = netns;
  s.pids = std::move(pids);
  return s;
}

// nft -j expressions.
inline std::string DportMatch(std::string_view proto, uint16_t port) {
  return fmt::format(
      R"({{"match":{{"op":"==","left":{{"payload":{{"protocol":"{}","field":"dport"}}}},"right":{}}}}})",
      proto, port);
}
inline std::string SaddrMatch(std::string_view family, std::string_view addr, int len) {
  return fmt::format(
      R"({{"match":{{"op":"==","left":{{"payload":{{"protocol":"{}","field":"saddr"}}}},"right":{{"prefix":{{"addr":"{}","len":{}}}}}}}}})",
      family, addr, len);
}
inline std::string Verdict(std::string_view v) { return fmt::format(R"({{"{}":null}})", v); }

// A table `family filter` with an input chain of `policy` holding `rules`
// (each a list of expressions), parsed as ReadFirewall would.
inline FwRuleset InputChain(std::string_view family, std::string_view policy,
                            const std::vector<std::vector<std::string>>& rules) {
  std::vector<std::string> items = {
      fmt::format(R"({{"table":{{"family":"{}","name":"filter","handle":1}}}})", family),
      fmt::format(R"({{"chain":{{"family":"{}","table":"filter","name":"input","handle":1,)"
                  R"("type":"filter","hook":"input","prio":0,"policy":"{}"}}}})",
                  family, policy)};
  int handle = 2;
  for (const auto& r : rules) {
    items.push_back(fmt::format(
        R"({{"rule":{{"family":"{}","table":"filter","chain":"input","handle":{},"expr":[{}]}}}})",
        family, handle++, Join(r, ",")));
  }
  auto rs = ParseNftJson(fmt::format(R"({{"nftables":[{}]}})", Join(items, ",")));
  EXPECT_TRUE(rs.has_value()) << (rs ? "" : rs.error().message());
  return rs ? *rs : FwRuleset{};
}

// Facts with the live nftables rule set `rs` read.
inline Facts WithNft(FwRuleset rs) {
  Facts f = BaseFacts();
  f.firewall.read = f.firewall.nft_read = true;
  f.firewall.nft = std::move(rs);
  return f;
}

inline const ExposureRow& RowOf(const std::vector<ExposureRow>& rows, uint16_t port) {
  static const ExposureRow kNone;
  for (const ExposureRow& r : rows) {
    if (r.port == port) return r;
  }
  ADD_FAILURE() << "no row for port " << port;
  return kNone;
}

}  // namespace deminer
