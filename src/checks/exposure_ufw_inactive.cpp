// exposure.ufw-inactive: ufw is installed (and maybe configured) but not
// enabled, or enabled on disk with none of its chains loaded. Seed 004's exact
// mistake: its owner wrote ufw rules and never turned ufw on.
#include <fmt/format.h>

#include "checks/exposure_common.h"

namespace deminer {

extern const Check kExposureUfwInactive;

namespace {

bool UfwChainsLoaded(const FirewallState& fw) {
  for (const FwRuleset* rs : {&fw.nft, &fw.legacy}) {
    for (const FwTable& t : rs->tables) {
      if (t.Find("ufw-user-input") != nullptr || t.Find("ufw-before-input") != nullptr) return true;
    }
  }
  return false;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  const FirewallState& fw = ctx.facts.firewall;
  if (!fw.ufw.installed) return;
  std::string subject, state;
  if (!fw.ufw.enabled) {
    subject = "ufw installed but not enabled";
    state = fw.ufw.conf_read ? "ENABLED=no in /etc/ufw/ufw.conf" : "/etc/ufw/ufw.conf missing";
  } else if (fw.read && !UfwChainsLoaded(fw)) {
    subject = "ufw enabled in ufw.conf, but its rules are not loaded";
    state = "ENABLED=yes, no ufw-user-input chain in the rules in force";
  } else {
    return;
  }
  // Another filter in force (nftables, iptables) does the work: worth knowing, less urgent.
  const bool other_filter = fw.read && HasInputFiltering(fw);
  Finding f = NewFinding(kExposureUfwInactive.info,
                         other_filter ? Severity::kLow : Severity::kMedium, subject, "ufw");
  f.evidence["other_filter_in_force"] = other_filter;
  f.path = "/etc/ufw/ufw.conf";
  f.evidence["state"] = state;
  f.evidence["user_rules"] = fw.ufw.user_rules;
  f.evidence["fix"] = "ufw allow 22/tcp && ufw enable";
  f.evidence["fix_file"] = "ufw";
  f.remediation = fmt::format(
                      "{} ufw rule(s) in /etc/ufw/user.rules are not in force. Allow SSH "
                      "first, then enable it: `ufw allow 22/tcp && ufw enable`; check "
                      "with `ufw status verbose`. ",
                      fw.ufw.user_rules) +
                  std::string(kExposureUfwInactive.info.remediation);
  out.push_back(std::move(f));
}

}  // namespace

const Check kExposureUfwInactive = {
    {"exposure.ufw-inactive", "ufw installed but not in force", Severity::kMedium, Kind::kWeakness,
     Scope::kExposure, "T1562.004",
     "Then prove the ports are closed from another host (`deminer verify exposure`).",
     "ufw is installed but ENABLED is not yes in /etc/ufw/ufw.conf (offline too), or it is "
     "enabled there while none of its chains are loaded: the rules its owner wrote filter "
     "nothing."},
    Run};

}  // namespace deminer
