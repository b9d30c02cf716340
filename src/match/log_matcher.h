// The log rules compiled into one Vectorscan database, and the two passes
// that use it. A chunk of many lines is scanned at once (ScanChunk) for
// candidate lines; each candidate line is then scanned alone (RulesOf), which
// says exactly which rules it fires and keeps a match from spanning two lines.
// Matches are rare in logs, so the second pass costs next to nothing and the
// first runs at Vectorscan's block-mode speed.
//
// Compile once; both passes are thread-safe.
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/rule_pack.h"
#include "match/vectorscan_db.h"

namespace deminer {

class LogMatcher {
 public:
  // Every pattern of every rule; a pattern Vectorscan cannot compile is a
  // problem naming its rule, file and line (the rule's other patterns stay).
  static Expected<LogMatcher> Compile(const std::vector<LogRule>& rules,
                                      std::vector<Gap>& problems);

  // Calls on_match(end offset) for each match of any pattern in `text`,
  // ascending; a candidate, not a verdict.
  Expected<void> ScanChunk(std::string_view text,
                           const std::function<void(size_t end)>& on_match) const;

  // The indices (into the rules) of the rules that read `kind` and fire on
  // `line`, ascending.
  std::vector<size_t> RulesOf(std::string_view line, LogKind kind) const;

  size_t patterns() const { return db_ ? db_->size() : 0; }

 private:
  LogMatcher(std::shared_ptr<const PatternDb> db, std::vector<size_t> rule_of,
             const std::vector<LogRule>* rules)
      : db_(std::move(db)), rule_of_(std::move(rule_of)), rules_(rules) {}
  std::shared_ptr<const PatternDb> db_;  // null when there are no patterns
  std::vector<size_t> rule_of_;          // pattern -> rule
  const std::vector<LogRule>* rules_;
};

// The patterns of `rules` that POSIX extended regular expressions (GNU grep
// -E, with its \s \w \b extensions) and ripgrep read the same way as
// Vectorscan: case-sensitive ones without (?...) groups, \d, lazy repeats or
// escapes of ordinary characters. For comparing against those tools.
std::vector<std::string> PortableLogPatterns(const std::vector<LogRule>& rules);

}  // namespace deminer
