// `deminer harden` for services and the packet filter: the fixes of the
// databases scope's findings gathered into one sheet (pg_hba.conf,
// postgresql.conf and redis.conf lines, daemon.json keys, SQL statements for
// a superuser), and a packet filter rule set that lets in only what this host
// serves to others and keeps mining pools and the seeds' IOC addresses out.
// deminer prints these; it never applies them (nor runs the SQL).
#pragma once

#include <string>
#include <vector>

#include "checks/exposure_table.h"
#include "core/finding.h"
#include "match/rule_pack.h"

namespace deminer {

// The fixes findings carry (evidence "fix", and "fix_file": the file to edit,
// "sql", or another target), grouped by what they change, each with the
// finding it closes (check, subject, line). Identical fixes are printed once.
// Findings without a fix are left out. "" when none has one.
std::string RenderServiceFixes(const std::vector<Finding>& findings);

enum class FirewallFormat { kNft, kUfw };

// A rule set from the exposure table: inbound, loopback, replies and ICMP,
// then each port something listens on beyond loopback that is not sensitive
// (with the process that serves it); sensitive ones (databases, caches,
// engine APIs) stay closed to other hosts. Outbound: the rule pack's pool
// ports, C2 ports and literal IOC addresses dropped. Ports published by Docker
// or Podman through NAT are not filtered by the input hook: for those the
// DOCKER-USER rules to add are printed too.
//
// nft: one table of its own (`inet deminer_harden`), re-created by the file,
// whose input chain's policy is drop; a packet must pass every base chain, so
// it only narrows what the host's other rules allow. ufw: the commands.
std::string RenderFirewall(const std::vector<ExposureRow>& rows, const RulePack& rules,
                           FirewallFormat format);

}  // namespace deminer
