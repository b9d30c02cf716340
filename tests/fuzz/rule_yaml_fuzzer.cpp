// Fuzzes the rule pack loader on hostile YAML (user rule files are input too).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "match/rule_pack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One scratch dir for the run, removed when libFuzzer exits (the inputs hold
  // IOC strings that a later scan of /tmp would rightly report).
  static const std::string dir = [] {
    char tmpl[] = "/tmp/deminer-fuzz-rules-XXXXXX";
    std::string d = mkdtemp(tmpl);
    std::atexit([] {
      std::remove((dir + "/rules.yaml").c_str());
      rmdir(dir.c_str());
    });
    return d;
  }();
  const std::string path = dir + "/rules.yaml";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)deminer::RulePack::Load({dir});
  return 0;
}
