// Helpers shared by the exposure checks: a finding about one row of the
// exposure table, and the packet filter rule that closes a port to other
// hosts, written for the filter the host uses (nftables, ufw, or Docker's
// DOCKER-USER chain for published ports). The rule goes into the evidence as
// "fix" and "fix_file" for `deminer harden`.
#pragma once

#include <string>
#include <string_view>

#include "checks/check.h"
#include "checks/exposure_table.h"

namespace deminer {

// "tcp 0.0.0.0:5432 (postgres)", "udp [::]:53", "tcp 0.0.0.0:8080 (docker -> 172.17.0.2:80)".
std::string RowSubject(const ExposureRow& r);

struct FirewallFix {
  std::string fix;   // the command or rule
  std::string file;  // "nftables", "ufw" or "DOCKER-USER"
};
// Drops connections from other hosts to a port an engine publishes through
// NAT: DOCKER-USER for Docker ("docker"), an nftables forward rule otherwise.
FirewallFix PublishedPortDrop(std::string_view engine, std::string_view proto, uint16_t port);
// Closes the row's port to every host but this one.
FirewallFix FixFor(const Facts& facts, const ExposureRow& r);

// A finding about a row: subject RowSubject(r), the container, evidence (proto,
// address, port, process, pid, container, service, verdict, reason, fix,
// fix_file). Fingerprint key: proto, address, port, container and `detail`.
Finding RowFinding(const CheckInfo& info, const Facts& facts, const ExposureRow& r,
                   Severity severity, std::string_view detail = "");

// Rows of this host's own network namespace (and published ports), the ones
// this host's packet filter judges.
bool OwnRow(const Facts& facts, const ExposureRow& r);

// Any input-hook filter chain with a rule or a drop policy, in either back end.
bool HasInputFiltering(const FirewallState& fw);

}  // namespace deminer
