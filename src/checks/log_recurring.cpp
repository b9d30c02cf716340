// log.recurring: an intrusion step that comes back at a steady interval (a
// cron job or a re-exploit loop re-running it): seed 001's containers
// re-downloaded /tmp/dbus_daemon every few minutes whatever was deleted.
#include <fmt/format.h>

#include <map>

#include "checks/log_common.h"

namespace deminer {

extern const Check kLogRecurring;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  // One loop is one finding, however many rules its lines fire: the same
  // log and the same times are the same lines.
  std::map<std::pair<std::string, std::vector<int64_t>>, size_t> seen;
  for (const LogHits& h : ctx.facts.log_hits) {
    const LogRule& rule = ctx.rules.log_rules.at(h.rule);
    if (rule.severity < Severity::kMedium) continue;
    const auto period = SteadyPeriod(h.times);
    if (!period) continue;
    const auto [it, fresh] = seen.try_emplace({h.log + "\n" + h.container_id, h.times}, out.size());
    if (!fresh) {
      Finding& first = out[it->second];
      first.evidence["also_rules"].push_back(rule.id);
      first.severity = std::max(first.severity, rule.severity);
      continue;
    }
    Finding f = LogFinding(kLogRecurring.info, ctx, h, std::max(rule.severity, Severity::kHigh));
    f.title = fmt::format("{}, every {}: something re-runs it", rule.title, FormatPeriod(*period));
    f.evidence["period_seconds"] = *period;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kLogRecurring = {
    {"log.recurring", "An intrusion step recurs at a steady interval", Severity::kCritical,
     Kind::kCompromise, Scope::kLogs, "T1053",
     "Deleting the file or restarting the container will not stop it: find what re-runs it. Look "
     "for a cron entry or timer with that period (deminer scan --only persistence), a dropper in "
     "the application's own build (deminer diff against a clean build), or an exploit that is "
     "still open (patch it), and remove that first.",
     "The hits of each log rule of medium severity or more, by time: four or more at a steady "
     "interval (three quarters of the gaps within a quarter of their median, 10 s or more) are a "
     "loop, the way seed 001's containers re-downloaded their miner every few minutes."},
    Run};

}  // namespace deminer
