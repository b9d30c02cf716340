// Fuzzes the /proc/net/{tcp,udp}{,6} table parser in both address families.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)deminer::ParseProcNet(text, deminer::Proto::kTcp, 4);
  (void)deminer::ParseProcNet(text, deminer::Proto::kUdp, 6);
  return 0;
}
