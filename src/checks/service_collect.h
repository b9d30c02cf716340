// The databases and exposure scopes' I/O: find the services this host runs
// (from its listening sockets, Unix sockets, config files under --root and the
// PATHs, --dsn), ask them what they are set to, and read the packet filter.
// Each fills its part of Facts and records what it could not read as a Gap.
// Facts::sockets and processes are already swept when these run.
#pragma once

#include "checks/scanner.h"
#include "sources/facts.h"

namespace deminer {

// PostgreSQL (pg_collect.cpp).
void CollectPostgres(const ScanOptions& options, Facts& facts);
// Redis (redis_collect.cpp).
void CollectRedis(const ScanOptions& options, Facts& facts);
// The Docker API on TCP (redis_collect.cpp).
void CollectDockerTcp(const ScanOptions& options, Facts& facts);
// nftables, iptables, ufw (firewall_collect.cpp).
void CollectFirewall(const ScanOptions& options, Facts& facts);

}  // namespace deminer
