// Judges whether a process is a cryptocurrency miner from its names and its
// command line. Pure: argv and names in, a scored verdict out. Hints are
// weighted so that one weak hint alone never makes a high finding, while a
// pool plus a wallet is critical whatever the port (seed 000's miner used 443
// with no stratum URL, which rules keyed on "stratum+tcp" miss).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "match/rule_pack.h"

namespace deminer {

struct MinerHint {
  std::string what;   // "pool domain", "Monero wallet", "miner option", ...
  std::string value;  // what matched, as it appeared
  int weight = 0;
  std::string source;  // the rule's source, or why
};

struct PoolEndpoint {
  std::string host;
  uint16_t port = 0;
};

struct MinerVerdict {
  std::vector<MinerHint> hints;
  std::vector<PoolEndpoint> pools;   // where it says it mines
  std::vector<std::string> wallets;  // Monero addresses it names
  int score = 0;
  bool pool = false;
  bool wallet = false;
  // kInfo means "not a miner": nothing to report.
  Severity severity = Severity::kInfo;
};

// Minimum score for a finding at all; below it the hints are noise.
inline constexpr int kMinerReportScore = 2;

MinerVerdict AnalyzeMiner(const std::vector<std::string>& argv, std::string_view exe,
                          std::string_view comm, const RulePack& rules);

// Splits "stratum+tcp://host:port/path", "host:port" or "[v6]:port" into host
// and port; false when there is no host:port in it.
bool ParseHostPort(std::string_view s, std::string& host, uint16_t& port);

}  // namespace deminer
