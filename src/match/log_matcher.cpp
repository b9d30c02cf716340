#include "match/log_matcher.h"

#include <fmt/format.h>

#include <algorithm>

namespace deminer {

Expected<LogMatcher> LogMatcher::Compile(const std::vector<LogRule>& rules,
                                         std::vector<Gap>& problems) {
  std::vector<PatternSpec> specs;
  std::vector<size_t> rule_of;
  std::vector<std::string_view> where;
  for (size_t r = 0; r < rules.size(); ++r) {
    for (size_t p = 0; p < rules[r].patterns.size(); ++p) {
      PatternSpec spec;
      spec.expression = rules[r].patterns[p];
      spec.caseless = rules[r].caseless;
      spec.every_match = true;  // every line of a chunk, not the first only
      specs.push_back(std::move(spec));
      rule_of.push_back(r);
      where.push_back(rules[r].pattern_where[p]);
    }
  }
  if (specs.empty()) return LogMatcher(nullptr, {}, &rules);
  std::vector<PatternRejection> rejected;
  auto db = PatternDb::Compile(specs, rejected);
  for (const PatternRejection& r : rejected) {
    problems.push_back({std::string(where[r.index]),
                        fmt::format("log rule '{}': pattern not supported by Vectorscan: {}",
                                    rules[rule_of[r.index]].id, r.message),
                        "a fix to the rule"});
  }
  if (!db) return Fail(db.error());
  return LogMatcher(std::make_shared<const PatternDb>(std::move(*db)), std::move(rule_of), &rules);
}

Expected<void> LogMatcher::ScanChunk(std::string_view text,
                                     const std::function<void(size_t end)>& on_match) const {
  if (!db_) return {};
  return db_->ScanMatches(text, [&on_match](size_t, size_t end) { on_match(end); });
}

std::vector<size_t> LogMatcher::RulesOf(std::string_view line, LogKind kind) const {
  std::vector<size_t> out;
  if (!db_) return out;
  (void)db_->ScanMatches(line, [&](size_t pattern, size_t) {
    const size_t r = rule_of_[pattern];
    if ((*rules_)[r].Reads(kind)) out.push_back(r);
  });
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

std::vector<std::string> PortableLogPatterns(const std::vector<LogRule>& rules) {
  std::vector<std::string> out;
  for (const LogRule& r : rules) {
    if (r.caseless) continue;
    for (const std::string& p : r.patterns) {
      bool portable = p.find("(?") == std::string::npos;
      for (size_t i = 0; portable && i < p.size(); ++i) {
        if (p[i] == '\\' && i + 1 < p.size()) {
          // Escapes ERE, GNU grep and ripgrep share.
          portable = std::string_view(".[]()*+?{}|^$\\sSwWb").find(p[i + 1]) != std::string::npos;
          ++i;
        } else if ((p[i] == '*' || p[i] == '+' || p[i] == '?' || p[i] == '}') && i + 1 < p.size() &&
                   p[i + 1] == '?') {
          portable = false;  // a lazy repeat
        }
      }
      if (portable) out.push_back(p);
    }
  }
  return out;
}

}  // namespace deminer
