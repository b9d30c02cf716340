// exposure.ipv6-open: a port the rules drop for IPv4 but let in over IPv6 —
// an iptables rule set without its ip6tables twin, or a socket on [::] that
// also takes IPv4. Other hosts reach it by the host's IPv6 address.
#include <fmt/format.h>

#include <map>

#include "checks/exposure_common.h"

namespace deminer {

extern const Check kExposureIpv6Open;

namespace {

bool Open(std::optional<Reach> r) {
  return r && (*r == Reach::kReachable || *r == Reach::kReachableSensitive);
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const std::vector<ExposureRow> rows = BuildExposureTable(ctx.facts);
  // By (proto, port): a row filtered for IPv4, and a row open over IPv6.
  std::map<std::pair<int, uint16_t>, std::pair<const ExposureRow*, const ExposureRow*>> ports;
  for (const ExposureRow& r : rows) {
    if (!OwnRow(ctx.facts, r) || r.published) continue;
    auto& [v4, v6] = ports[{static_cast<int>(r.proto), r.port}];
    if (r.v4 && *r.v4 == Reach::kFiltered && (v4 == nullptr || r.family == 4)) v4 = &r;
    if (Open(r.v6)) v6 = &r;
  }
  for (const auto& [key, pair] : ports) {
    const auto [v4, v6] = pair;
    if (v4 == nullptr || v6 == nullptr) continue;
    Finding f = RowFinding(kExposureIpv6Open.info, ctx.facts, *v6, Severity::kHigh, "ipv6");
    f.subject += ": filtered over IPv4, open over IPv6";
    f.evidence["ipv4_reason"] = v4->reason;
    const std::string proto = v6->proto == Proto::kTcp ? "tcp" : "udp";
    // IPv6 only: the IPv4 sources the rules allow keep their access.
    f.evidence["fix"] = fmt::format(
        "nft insert rule inet filter input iifname != \"lo\" meta nfproto ipv6 {} dport {} drop",
        proto, v6->port);
    f.evidence["fix_file"] = "nftables";
    f.remediation = fmt::format(
                        "Filter IPv6 like IPv4: `ip6tables -I INPUT -p {0} --dport {1} -j "
                        "DROP`, or in nftables: {2}. ",
                        proto, v6->port, f.evidence["fix"].get<std::string>()) +
                    std::string(kExposureIpv6Open.info.remediation);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kExposureIpv6Open = {
    {"exposure.ipv6-open", "Port filtered for IPv4 but open over IPv6", Severity::kHigh,
     Kind::kWeakness, Scope::kExposure, "T1190",
     "Keep IPv4 and IPv6 rules in one place (an nftables inet table) so they cannot drift.",
     "A listening port the IPv4 rules drop while the IPv6 rules (ip6tables, an ip6 table, or "
     "none at all) let other hosts in."},
    Run};

}  // namespace deminer
