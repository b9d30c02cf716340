// exposure.ruleset-flushed: a rule set saved on disk (nftables.conf,
// iptables rules.v4/v6) whose tables are not in force: flushed by hand, by a
// script, or never loaded at boot. Live scans only.
#include <fmt/format.h>

#include "checks/exposure_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kExposureRulesetFlushed;

namespace {

// Rules of a live table that its owner wrote, not a container engine.
size_t OwnRules(const FwTable& t) {
  size_t n = 0;
  for (const FwChain& c : t.chains) {
    if (c.name.starts_with("DOCKER") || c.name.starts_with("NETAVARK") ||
        c.name.starts_with("CNI-") || c.name == "FORWARD" || c.name == "POSTROUTING" ||
        c.name == "PREROUTING") {
      continue;
    }
    n += c.rules.size();
  }
  return n;
}

bool Live(const FirewallState& fw, const std::string& table) {
  for (const FwRuleset* rs : {&fw.nft, &fw.legacy}) {
    for (const FwTable& t : rs->tables) {
      if (t.family + " " + t.name == table && OwnRules(t) > 0) return true;
    }
  }
  return false;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const FirewallState& fw = ctx.facts.firewall;
  if (!fw.read) return;
  for (const SavedRuleset& s : fw.saved) {
    if (s.kind == "ufw" || s.rules == 0 || s.tables.empty()) continue;
    std::vector<std::string> missing;
    for (const std::string& t : s.tables) {
      if (!Live(fw, t)) missing.push_back(t);
    }
    if (missing.size() != s.tables.size()) continue;  // some of it is loaded
    Finding f =
        NewFinding(kExposureRulesetFlushed.info, Severity::kHigh,
                   fmt::format("{}: {} rule(s) saved, none in force", s.path, s.rules), s.path);
    f.path = s.path;
    f.evidence["saved_rules"] = s.rules;
    f.evidence["tables"] = s.tables;
    f.evidence["live_rules"] = fw.nft.RuleCount() + fw.legacy.RuleCount();
    const bool nft = s.kind == "nftables";
    f.evidence["fix"] =
        nft ? fmt::format("nft -c -f {0} && nft -f {0}  # a `flush ruleset` in it also removes "
                          "Docker's and Podman's rules: restart the engines afterwards",
                          s.path)
            : fmt::format("{} --noflush < {}",
                          s.tables[0].starts_with("ip6") ? "ip6tables-restore" : "iptables-restore",
                          s.path);
    f.evidence["fix_file"] = nft ? "nftables" : "iptables";
    f.remediation = fmt::format(
                        "Find out who flushed it (a flush in a script, a package, an "
                        "intruder: check the shell histories and the journal), load it "
                        "again with `{}`, and make it load at boot ({}). ",
                        f.evidence["fix"].get<std::string>(),
                        nft ? "systemctl enable nftables" : "netfilter-persistent") +
                    std::string(kExposureRulesetFlushed.info.remediation);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kExposureRulesetFlushed = {
    {"exposure.ruleset-flushed", "Saved firewall rules are not in force", Severity::kHigh,
     Kind::kWeakness, Scope::kExposure, "T1562.004",
     "Miner droppers flush the firewall (iptables -F) to open their way; treat an unexplained "
     "flush as part of an intrusion.",
     "A rule set saved on disk (/etc/nftables.conf, /etc/iptables/rules.v4 and rules.v6, "
     "/etc/sysconfig/iptables) holds rules while none of its tables has a rule in force."},
    Run};

}  // namespace deminer
