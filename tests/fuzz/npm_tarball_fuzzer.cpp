// Fuzzes the readers of --verify-registry's untrusted input: package tarballs
// (from npm's cache or the network), the lockfile's SRI strings and npm's
// cacache index lines.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/npm_registry.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  deminer::TarballLimits limits;
  limits.max_entries = 1000;
  limits.max_total_bytes = 16 << 20;
  limits.max_file_bytes = 4 << 20;
  (void)deminer::ReadPackageTarball(text, limits);
  for (const deminer::SriHash& h : deminer::ParseSri(text)) {
    (void)deminer::SriHex(h);
    (void)deminer::CacacheContentPath("/c", h);
  }
  (void)deminer::ParseCacacheIndexLine(text);
  (void)deminer::FindCacacheIntegrity(text, "make-fetch-happen:request-cache:x");
  (void)deminer::RegistryOfResolved(text, "@a/b");
  (void)deminer::UrlOrigin(text);
  return 0;
}
