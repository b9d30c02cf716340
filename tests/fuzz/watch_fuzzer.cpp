// Fuzzes the watch daemon's parsers: its policy file (YAML an operator
// writes, and a typo must never crash the daemon) and the process events
// connector's datagrams. The first byte picks the parser.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "watch/proc_events.h"
#include "watch/watch_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* text = reinterpret_cast<const char*>(data) + 1;
  if (data[0] % 2 == 0) {
    (void)deminer::ParseWatchConfig(std::string(text, size - 1), "fuzz.yaml", {});
  } else {
    std::vector<deminer::ProcEvent> out;
    deminer::ParseProcEvents(text, size - 1, out);
  }
  return 0;
}
