// JS heuristics: scores JavaScript text for what droppers and obfuscated
// payloads look like, so ordinary minified code stays quiet.
//
// One Vectorscan pass over the file finds the literal and regex signals
// (obfuscator identifiers and string-array rotation, eval/Function/vm fed by
// decoders, child_process, downloads, temp paths, chmod, public IPv4
// addresses, miner strings and the rule pack's pool domains and wallets);
// the score is then made per file from weights, where single weak signals
// stay below kReportScore and only combinations close to each other in the
// text (a download next to a temp path and a chmod, an eval of a decoded
// string) reach it. Idioms of ordinary bundles (`Function("return this")`,
// webpack's `eval("...//# sourceURL=")`, source maps) are not signals.
//
// Signal ids (JsSignal::id) and what the check makes of them:
//   miner-string, miner-pool, miner-wallet, miner-name,
//   miner-combination, miner-exec, dropper-chain          (critical)
//   exec-decoded, exec-near-decoded, hidden-require,
//   obfuscated-exec, ip-with-exec                          execution of decoded code (high)
//   obfuscator-identifiers, obfuscator-rotation, hex-string-table, packer
//   child-process, download-command, download-api, pipe-to-shell, temp-path,
//   temp-write, exec-temp, chmod-exec, charcode-chain, public-ip     (medium)
//
// Thread safety: a constructed JsHeuristics is immutable; Score may be called
// from many threads at once (Vectorscan scratch is per thread).
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "match/rule_pack.h"
#include "sources/npm_project.h"

namespace deminer {

class JsHeuristics {
 public:
  explicit JsHeuristics(const RulePack& rules);
  ~JsHeuristics();
  JsHeuristics(const JsHeuristics&) = delete;
  JsHeuristics& operator=(const JsHeuristics&) = delete;

  // The file's score, and its signals appended to `signals` (at most
  // kMaxSignals, strongest first). Texts larger than kMaxBytes score 0.
  // Thread-safe.
  int Score(std::string_view text, std::vector<JsSignal>& signals) const;

  // Files scoring this much or more are reported.
  static constexpr int kReportScore = 10;
  static constexpr size_t kMaxSignals = 24;
  static constexpr size_t kMaxBytes = size_t{64} << 20;

  // Built-in patterns Vectorscan refused (0: the unit tests say so); pool
  // domains or wallets of the pack it refused are left out, like elsewhere.
  size_t RejectedPatterns() const;

  // Signals that make a finding critical: miner strings, pools, wallets, and
  // a download with execution from a temp path.
  static bool Critical(std::string_view signal_id);
  // Signals of obfuscated or decoded code being executed (high).
  static bool Executes(std::string_view signal_id);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The severity of text the heuristics scored (npm.suspicious-code, deminer
// diff): critical for miner / pool / wallet strings or a download run from a
// temp path, high for obfuscated or decoded code being executed, medium for
// the rest; info below kReportScore (not reported).
inline Severity JsSeverity(int score, const std::vector<JsSignal>& signals) {
  if (score < JsHeuristics::kReportScore) return Severity::kInfo;
  bool executes = false;
  for (const JsSignal& s : signals) {
    if (JsHeuristics::Critical(s.id)) return Severity::kCritical;
    executes = executes || JsHeuristics::Executes(s.id);
  }
  return executes ? Severity::kHigh : Severity::kMedium;
}

}  // namespace deminer
