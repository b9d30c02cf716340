// Fuzzes what reads logs, which an intruder writes into: the format guess,
// Docker json-file escape finding and decoding, the newline count, the line
// decoders and time readers of every format, the --since/--until reader,
// evidence capture, and the default log rules' two passes.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "checks/log_collect.h"
#include "match/log_matcher.h"
#include "sources/log_reader.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace deminer;
  static const RulePack rules = [] {
    auto r = RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  static const LogMatcher matcher = [] {
    std::vector<Gap> problems;
    auto m = LogMatcher::Compile(rules.log_rules, problems);
    if (!m || !problems.empty()) __builtin_trap();
    return std::move(*m);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)DetectLogFormat(text);
  std::string decoded;
  for (const size_t start : EscapedDockerLines(text)) {
    if (start > text.size()) __builtin_trap();
    AppendDockerMessage(text.substr(start, text.find('\n', start) - start), decoded);
  }
  if (CountNewlines(text) != static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n'))) {
    __builtin_trap();
  }
  for (const LogFormat f : {LogFormat::kPlain, LogFormat::kDockerJson, LogFormat::kK8sFile}) {
    const LogLineParts p = DecodeLogLine(f, text, 2026);
    (void)matcher.RulesOf(p.message, LogKind::kFile);
  }
  (void)ParseLogTime(text, 2026);
  (void)ParseTimeBound(text, 1795381381);
  (void)CaptureFromLine(text, {"url", "ip", "path"});
  (void)matcher.ScanChunk(decoded, [&](size_t end) {
    if (end > decoded.size()) __builtin_trap();
  });
  return 0;
}
