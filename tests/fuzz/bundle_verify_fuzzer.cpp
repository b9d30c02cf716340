// Fuzzes deminer collect --verify: a bundle handed over later is untrusted
// bytes (a damaged or forged tar.zst, a manifest that is not what it says).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "report/evidence_bundle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = [] {
    const char* tmp = std::getenv("TMPDIR");
    return std::string(tmp != nullptr ? tmp : "/tmp") + "/bundle-verify-fuzz-" +
           std::to_string(getpid()) + ".tar.zst";
  }();
  FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return 0;
  std::fwrite(data, 1, size, f);
  std::fclose(f);
  (void)deminer::VerifyBundle(path, std::string(64, 'a'));
  std::remove(path.c_str());
  return 0;
}
