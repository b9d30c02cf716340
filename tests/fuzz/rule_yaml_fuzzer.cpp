// Fuzzes the rule pack loader on hostile YAML (user rule files are input too).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "match/rule_pack.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // One scratch dir for the run, under $TMPDIR: tests/fuzz/run.sh points it at
  // a dir it removes (the inputs hold IOC strings that a later scan of /tmp
  // would rightly report, and libFuzzer exits without running atexit handlers).
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") +
                       "/deminer-fuzz-rules-XXXXXX";
    return std::string(mkdtemp(tmpl.data()));
  }();
  const std::string path = dir + "/rules.yaml";
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)deminer::RulePack::Load({dir});
  return 0;
}
