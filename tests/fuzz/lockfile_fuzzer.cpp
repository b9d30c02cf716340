// Fuzzes the lockfile parsers: package-lock.json (v1-v3), npm-shrinkwrap,
// the hidden lockfile, pnpm-lock.yaml and yarn.lock (classic and Berry) come
// from repositories and images a scan does not trust. The first byte picks
// the format; the rest is the lockfile.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/npm_lockfile.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string_view text(reinterpret_cast<const char*>(data) + 1, size - 1);
  static const deminer::LockfileKind kKinds[] = {
      deminer::LockfileKind::kPackageLock, deminer::LockfileKind::kShrinkwrap,
      deminer::LockfileKind::kHiddenLock,  deminer::LockfileKind::kPnpm,
      deminer::LockfileKind::kYarnClassic, deminer::LockfileKind::kYarnBerry};
  const auto kind = kKinds[data[0] % (sizeof(kKinds) / sizeof(kKinds[0]))];
  deminer::RootDeps roots;
  roots.prod = {{"a", "^1.0.0"}, {"debug", "4.3.4"}};
  roots.dev = {{"once", "1.4.0"}};
  (void)deminer::ParseLockfile(text, kind, (data[0] & 0x80) != 0 ? roots : deminer::RootDeps{});
  (void)deminer::DetectLockfileKind("yarn.lock", text);
  (void)deminer::ParseRootDeps(text);
  return 0;
}
