// What the log checks share: a finding about one group of log hits, and the
// steady period of a recurring hit.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "checks/check.h"

namespace deminer {

// A finding about `hits`: subject the log (and container), path and first
// line, and evidence: the rule, the count, first and last seen, the lines
// and what they named. Fingerprint key: the rule, the log and the container.
Finding LogFinding(const CheckInfo& info, const CheckContext& ctx, const LogHits& hits,
                   Severity severity);

// The period, in seconds, at which `times` recur when they do so steadily:
// at least 4 hits, 10 s or more apart, three quarters of the gaps within a
// quarter of their median. Seed 001's "zombie" re-downloaded its miner that
// way. Pure.
std::optional<int64_t> SteadyPeriod(std::vector<int64_t> times);

// "5m", "1h30m", "45s".
std::string FormatPeriod(int64_t seconds);

}  // namespace deminer
