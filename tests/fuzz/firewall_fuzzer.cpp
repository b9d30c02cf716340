// Fuzzes the packet filter parsers: `nft -j list ruleset` and iptables-save
// output come from the scanned host, whose rules an intruder may have written.
// Whatever parses is also evaluated, so the chain walker (jumps, gotos, verdict
// maps, unknown matches) runs on odd rule sets too.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/firewall.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  deminer::FirewallState fw;
  fw.read = true;
  if (auto rs = deminer::ParseNftJson(text)) {
    fw.nft_read = true;
    fw.nft = std::move(*rs);
  }
  for (int family : {4, 6}) {
    if (auto rs = deminer::ParseIptablesSave(text, family)) {
      fw.legacy_read = true;
      for (auto& t : rs->tables) fw.legacy.tables.push_back(std::move(t));
    }
  }
  (void)deminer::CountSavedNftRules(text);
  (void)deminer::SavedNftTables(text);
  (void)deminer::CountSavedIptablesRules(text);
  for (const auto& p : deminer::FindPublishedPorts(fw.nft)) (void)p;
  for (const auto& p : deminer::FindPublishedPorts(fw.legacy)) (void)p;
  for (bool forwarded : {false, true}) {
    deminer::FwPacket packet;
    packet.port = 5432;
    packet.forwarded = forwarded;
    if (forwarded) packet.daddr = "172.17.0.2";
    (void)deminer::EvaluateFirewall(fw, packet);
    packet.family = 6;
    packet.proto = "udp";
    (void)deminer::EvaluateFirewall(fw, packet);
  }
  (void)deminer::DockerUserFilters(fw);
  return 0;
}
