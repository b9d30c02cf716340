// exposure.ruleset-disagree: iptables-legacy and nftables both hold rules
// and judge a listening port differently. Both filter every packet (it must
// pass both), so the tool its owner looks at tells only half the story.
#include <fmt/format.h>

#include "checks/exposure_common.h"

namespace deminer {

extern const Check kExposureRulesetDisagree;

namespace {

bool Filters(const FwRuleset& rs) {
  FirewallState one;
  one.nft = rs;
  return HasInputFiltering(one);
}

bool Passes(FwPass p) { return p == FwPass::kAccept || p == FwPass::kSome; }

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const FirewallState& fw = ctx.facts.firewall;
  if (!fw.nft_read || !fw.legacy_read || !Filters(fw.nft) || !Filters(fw.legacy)) return;
  for (const ExposureRow& r : BuildExposureTable(ctx.facts)) {
    if (!OwnRow(ctx.facts, r) || r.published || r.verdict == Reach::kLocal) continue;
    FwPacket p;
    p.family = r.family;
    p.proto = r.proto == Proto::kTcp ? "tcp" : "udp";
    p.port = r.port;
    if (r.address != "0.0.0.0" && r.address != "::") p.daddr = r.address;
    const FwOutcome nft = EvaluateRuleset(fw.nft, p);
    const FwOutcome legacy = EvaluateRuleset(fw.legacy, p);
    if (nft.pass == FwPass::kUnknown || legacy.pass == FwPass::kUnknown) continue;
    if (Passes(nft.pass) == Passes(legacy.pass)) continue;
    Finding f =
        RowFinding(kExposureRulesetDisagree.info, ctx.facts, r, Severity::kMedium, "disagree");
    f.subject +=
        fmt::format(": nftables {}, iptables-legacy {}", Passes(nft.pass) ? "accepts" : "drops",
                    Passes(legacy.pass) ? "accepts" : "drops");
    f.evidence["nftables"] = nft.reason;
    f.evidence["iptables_legacy"] = legacy.reason;
    f.remediation = fmt::format(
        "Keep one back end: move the iptables-legacy rules into nftables "
        "(iptables-legacy-save | iptables-restore-translate -f /dev/stdin), "
        "then flush the legacy tables (iptables-legacy -F). {}",
        kExposureRulesetDisagree.info.remediation);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kExposureRulesetDisagree = {
    {"exposure.ruleset-disagree", "iptables-legacy and nftables disagree about a port",
     Severity::kMedium, Kind::kWeakness, Scope::kExposure, "T1562.004",
     "`iptables -L` (legacy) and `nft list ruleset` each show half of what filters the host.",
     "Both the legacy iptables tables and nftables hold input rules, and for a listening port "
     "one accepts what the other drops."},
    Run};

}  // namespace deminer
