// exposure.no-firewall: the packet filter filters nothing on input while
// services listen beyond loopback: every port is as open as its bind address.
#include <fmt/format.h>

#include "checks/exposure_common.h"

namespace deminer {

extern const Check kExposureNoFirewall;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const FirewallState& fw = ctx.facts.firewall;
  if (!fw.read || HasInputFiltering(fw)) return;
  std::vector<std::string> open;
  for (const ExposureRow& r : BuildExposureTable(ctx.facts)) {
    if (!OwnRow(ctx.facts, r) || r.published) continue;
    if (r.verdict != Reach::kReachable && r.verdict != Reach::kReachableSensitive) continue;
    if (open.size() < 20) open.push_back(RowSubject(r));
  }
  if (open.empty()) return;
  Finding f = NewFinding(kExposureNoFirewall.info, Severity::kMedium,
                         "host: no packet filter on input", "host");
  f.evidence["listening_beyond_loopback"] = open;
  f.evidence["nftables_read"] = fw.nft_read;
  f.evidence["iptables_legacy_read"] = fw.legacy_read;
  f.evidence["ufw_installed"] = fw.ufw.installed;
  if (fw.ufw.installed) {
    f.evidence["fix"] = "ufw allow 22/tcp && ufw enable";
    f.evidence["fix_file"] = "ufw";
  } else {
    // A rule set that accepts only port 22 would cut every other service: harden
    // writes one from the exposure table (every port served, ICMP, loopback).
    f.evidence["fix"] =
        "deminer harden firewall > harden.nft && nft -c -f harden.nft && nft -f harden.nft";
    f.evidence["fix_file"] = "nftables";
  }
  f.remediation =
      fmt::format(
          "Load a rule set that drops by default and accepts only the ports "
          "you serve: {}; save it ({}). ",
          f.evidence["fix"].get<std::string>(),
          fw.ufw.installed ? "ufw keeps it"
                           : "nft list ruleset > /etc/nftables.conf; systemctl enable nftables") +
      std::string(kExposureNoFirewall.info.remediation);
  out.push_back(std::move(f));
}

}  // namespace

const Check kExposureNoFirewall = {
    {"exposure.no-firewall", "No packet filter on input", Severity::kMedium, Kind::kWeakness,
     Scope::kExposure, "T1190", "`deminer harden` prints a full rule set for the ports in use.",
     "Neither nftables nor iptables has an input chain with a rule or a drop policy, while "
     "something listens beyond loopback: nothing but bind addresses keeps other hosts out."},
    Run};

}  // namespace deminer
