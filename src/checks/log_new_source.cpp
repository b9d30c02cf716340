// log.new-source: a login from an address the host's logs have not seen it
// from before (rules with new_within: ssh-login). "New" is against the
// history the logs keep: an address first seen within the window, when the
// rule's hits go back further than the window. With no older history nothing
// is called new.
#include <fmt/format.h>

#include <map>

#include "checks/log_common.h"

namespace deminer {

extern const Check kLogNewSource;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  // Per rule, across its logs (a rotated auth.log.1 holds the older history).
  std::map<size_t, std::vector<const LogHits*>> by_rule;
  for (const LogHits& h : ctx.facts.log_hits) {
    if (ctx.rules.log_rules.at(h.rule).new_within != 0) by_rule[h.rule].push_back(&h);
  }
  for (const auto& [r, groups] : by_rule) {
    const LogRule& rule = ctx.rules.log_rules.at(r);
    const int64_t since = ctx.facts.now - rule.new_within;
    std::map<std::string, std::pair<int64_t, const LogHits*>> first;
    int64_t history = 0;  // the rule's earliest hit
    for (const LogHits* h : groups) {
      for (const auto& [value, t] : h->first_seen) {
        auto [it, fresh] = first.try_emplace(value, t, h);
        if (!fresh && t < it->second.first) it->second = {t, h};
        history = history == 0 ? t : std::min(history, t);
      }
    }
    if (history == 0 || history >= since) continue;  // nothing older to compare with
    for (const auto& [value, seen] : first) {
      if (seen.first < since) continue;
      Finding f = LogFinding(kLogNewSource.info, ctx, *seen.second, rule.severity);
      f.title = fmt::format("{} from {}, not seen before {}", rule.title, value,
                            FormatTime(since).substr(0, 10));
      f.subject = value + " in " + f.subject;
      f.fingerprint = Fingerprint(kLogNewSource.info.id, rule.id + "\n" + value);
      f.evidence["address"] = value;
      f.evidence["first_seen_from_it"] = FormatTime(seen.first);
      f.evidence["history_since"] = FormatTime(history);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kLogNewSource = {
    {"log.new-source", "A login from an address not seen before", Severity::kHigh,
     Kind::kCompromise, Scope::kLogs, "T1078",
     "Check the login was one of yours: who has that address, and what the session did (auth.log, "
     "the shell history, deminer scan --only persistence). If not, lock the account, rotate its "
     "keys and passwords, and look for what it installed.",
     "SSH logins (the log rules with new_within: ssh-login) by source address, across auth.log, "
     "its rotations and the journal: an address whose first login is within the rule's window "
     "(7 days), when the logs hold logins from before it. Logs that do not reach back that far "
     "say nothing new."},
    Run};

}  // namespace deminer
