// Fuzzes the .npmrc parser: a project's .npmrc comes with the code a scan
// does not trust. Also checks that a literal token never survives parsing.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sources/npmrc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto settings = deminer::ParseNpmrc(text, ".npmrc", "project");
  if (!settings) return 0;
  for (const deminer::NpmrcSetting& s : *settings) {
    if (s.secret && s.value != deminer::kRedacted) std::abort();
  }
  (void)deminer::RegistryFromSettings(*settings);
  (void)deminer::RegistryFromSettings(*settings, "@a:registry");
  return 0;
}
