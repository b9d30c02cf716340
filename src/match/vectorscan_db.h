// One compiled Vectorscan database for many patterns, scanned in block mode.
// This is the only file that includes <hs.h>. Compile once, share the database
// between threads; each scanning thread uses its own scratch (kept per thread
// here). Patterns Vectorscan cannot compile are returned as rejections with
// their index and the compiler's message, never silently dropped.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace deminer {

struct PatternSpec {
  std::string expression;
  bool caseless = false;
  bool dotall = false;
  // Vectorscan may approximate what it cannot compile exactly, reporting a
  // superset of the true matches (HS_FLAG_PREFILTER): for pre-filters only.
  bool prefilter = false;
  // Report every match, not only the first (ScanMatches over many lines).
  bool every_match = false;
};

struct PatternRejection {
  size_t index;
  std::string message;
};

class PatternDb {
 public:
  // Compiles every pattern it can; `rejected` receives the ones it cannot.
  // Fails only when no pattern compiles or Vectorscan itself fails.
  static Expected<PatternDb> Compile(const std::vector<PatternSpec>& patterns,
                                     std::vector<PatternRejection>& rejected);

  // Calls on_match(pattern index) once per pattern that matches `text`.
  // Thread-safe.
  Expected<void> Scan(std::string_view text, const std::function<void(size_t)>& on_match) const;
  // Calls on_match(pattern index, end offset) for the matches of `text`
  // (every one for patterns compiled with every_match).
  Expected<void> ScanMatches(std::string_view text,
                             const std::function<void(size_t, size_t)>& on_match) const;

  size_t size() const { return ids_.size(); }

 private:
  struct Impl;
  explicit PatternDb(std::shared_ptr<Impl> impl, std::vector<size_t> ids)
      : impl_(std::move(impl)), ids_(std::move(ids)) {}
  std::shared_ptr<Impl> impl_;
  std::vector<size_t> ids_;  // hs id -> caller's pattern index
};

}  // namespace deminer
