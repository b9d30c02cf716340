// Fuzzes the JS heuristics: node_modules, build output and the hunks of
// `deminer diff` are text a scan does not trust (minified megabyte lines,
// binary junk named .js, truncated UTF-8). Scores, excerpts and line numbers
// must come out bounded, never crash.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "match/js_heuristics.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const deminer::RulePack rules = [] {
    auto r = deminer::RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  static const deminer::JsHeuristics heuristics(rules);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<deminer::JsSignal> signals;
  const int score = heuristics.Score(text, signals);
  if (score < 0 || signals.size() > deminer::JsHeuristics::kMaxSignals) __builtin_trap();
  for (const auto& s : signals) {
    if (s.line < 1 || s.excerpt.size() > 200 || s.weight <= 0) __builtin_trap();
  }
  return 0;
}
