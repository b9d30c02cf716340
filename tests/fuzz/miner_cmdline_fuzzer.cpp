// Fuzzes the miner judgement on hostile command lines: NUL-separated argv,
// Monero address decoding and host:port parsing, against the default rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "match/miner_cmdline.h"
#include "match/monero.h"
#include "sources/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const deminer::RulePack rules = [] {
    auto r = deminer::RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto argv = deminer::ParseCmdline(text);
  (void)deminer::AnalyzeMiner(argv, argv.empty() ? "" : argv[0], "x", rules);
  (void)deminer::ParseMoneroAddress(text);
  return 0;
}
