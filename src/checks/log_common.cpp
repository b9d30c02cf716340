#include "checks/log_common.h"

#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>

namespace deminer {

Finding LogFinding(const CheckInfo& info, const CheckContext& ctx, const LogHits& hits,
                   Severity severity) {
  const LogRule& rule = ctx.rules.log_rules.at(hits.rule);
  std::optional<ContainerRef> container = ctx.facts.ContainerById(hits.container_id);
  std::string subject = hits.log;
  if (container) {
    subject += fmt::format(" (container {})",
                           container->Shown());
  }
  Finding f = NewFinding(info, severity, std::move(subject),
                         fmt::format("{}\n{}\n{}", rule.id, hits.log, hits.container_id));
  f.container = std::move(container);
  f.path = hits.log == "-" ? "" : hits.log;
  f.line = static_cast<int>(std::min<uint64_t>(hits.first_line, INT32_MAX));
  if (!rule.attack.empty()) f.attack = rule.attack;
  auto& ev = f.evidence;
  ev["rule"] = rule.id;
  if (!rule.why.empty()) ev["why"] = rule.why;
  ev["log"] = hits.log;
  ev["log_kind"] = hits.kind;
  ev["count"] = hits.count;
  if (hits.first_time != 0) {
    ev["first_seen"] = FormatTime(hits.first_time);
    ev["last_seen"] = FormatTime(hits.last_time);
  }
  ev["first_line"] = hits.first_line;
  ev["last_line"] = hits.last_line;
  ev["lines"] = hits.samples;
  if (!hits.captured.empty()) ev["captured"] = hits.captured;
  ev["rule_source"] = rule.source;
  return f;
}

std::optional<int64_t> SteadyPeriod(std::vector<int64_t> times) {
  std::sort(times.begin(), times.end());
  times.erase(std::unique(times.begin(), times.end()), times.end());
  if (times.size() < 4) return std::nullopt;
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  std::vector<int64_t> sorted = gaps;
  std::nth_element(sorted.begin(), sorted.begin() + static_cast<long>(sorted.size() / 2),
                   sorted.end());
  const int64_t median = sorted[sorted.size() / 2];
  if (median < 10) return std::nullopt;
  const auto steady = std::count_if(
      gaps.begin(), gaps.end(), [&](int64_t g) { return std::llabs(g - median) * 4 <= median; });
  if (static_cast<size_t>(steady) * 4 < gaps.size() * 3) return std::nullopt;
  return median;
}

std::string FormatPeriod(int64_t s) {
  std::string out;
  if (s >= 3600) out += fmt::format("{}h", s / 3600);
  if (s % 3600 >= 60) out += fmt::format("{}m", (s % 3600) / 60);
  if (s % 60 != 0 || out.empty()) out += fmt::format("{}s", s % 60);
  return out;
}

}  // namespace deminer
