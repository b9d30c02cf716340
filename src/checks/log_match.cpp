// log.match: lines of a log that a log rule fires on (rules/logs.yaml:
// droppers, miner output, database and Redis abuse, web exploitation, SSH
// brute force), one finding per rule and log with a count and first and last
// seen.
#include <fmt/format.h>

#include "checks/log_common.h"

namespace deminer {

extern const Check kLogMatch;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const LogHits& h : ctx.facts.log_hits) {
    const LogRule& rule = ctx.rules.log_rules.at(h.rule);
    if (rule.new_within != 0) continue;  // log.new-source's
    const bool many = rule.escalate_count != 0 && h.count >= rule.escalate_count;
    Finding f = LogFinding(kLogMatch.info, ctx, h,
                           many ? std::max(rule.severity, rule.escalate_severity) : rule.severity);
    f.title = h.count == 1 ? rule.title : fmt::format("{} ({} lines)", rule.title, h.count);
    if (many) f.evidence["escalated"] = fmt::format("{} or more lines", rule.escalate_count);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kLogMatch = {
    {"log.match", "A log shows an intrusion step", Severity::kCritical, Kind::kCompromise,
     Scope::kLogs, "T1059",
     "Read the lines in the evidence and follow them: the process that wrote them (its container, "
     "its parent), the files and hosts they name. Keep the log (deminer collect) before rotation "
     "deletes it.",
     "Every line of the containers' logs (Docker json-file, Podman k8s-file, rotated and gzip "
     "included), PostgreSQL, Redis, nginx and Apache, auth.log/secure and the PATHs given, "
     "against the log rules (rules/logs.yaml): droppers and temp-dir execution, miner output and "
     "pool hosts, PostgreSQL large-object and C-function abuse, Redis config rewrites, Next.js "
     "server-action exploitation, SSH brute force. One finding per rule and log, with the count, "
     "first and last seen, and the first lines."},
    Run};

}  // namespace deminer
