// Fuzzes the /proc text parsers: stat, status, cmdline, cgroup and the links.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)deminer::ParseStat(text);
  (void)deminer::ParseStatus(text);
  (void)deminer::ParseCmdline(text);
  (void)deminer::ParseCgroup(text);
  (void)deminer::ParseBracketInode(text, "socket");
  return 0;
}
