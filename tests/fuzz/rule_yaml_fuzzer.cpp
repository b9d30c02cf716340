// Fuzzes the rule pack loader on hostile YAML (user rule files are input too).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>

#include "match/rule_pack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/deminer-fuzz-rules-XXXXXX";
    return std::string(mkdtemp(tmpl));
  }();
  const std::string path = dir + "/rules.yaml";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)deminer::RulePack::Load({dir});
  return 0;
}
