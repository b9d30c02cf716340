// deminer collect: scans, then fills an evidence bundle (report/evidence_bundle.h)
// with what a responder preserves before wiping a host or a container -- what
// seeds 000 and 001 did by hand with ps, netstat, md5sum, docker logs and
// docker export. Each part that fails is a gap in the manifest and the rest
// goes on; the whole is bounded in bytes and in time.
#pragma once

#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "checks/scanner.h"
#include "core/error.h"
#include "match/rule_pack.h"
#include "report/evidence_bundle.h"

namespace deminer {

struct CollectOptions {
  ScanOptions scan;  // what the scan reads (root, scopes); the bundle's parts follow it
  BundleLimits limits;
  // After this, parts not begun are skipped (each a gap) and the bundle is sealed.
  std::chrono::seconds time_limit{600};
  bool redact = true;             // environment secrets and tokens in command lines
  size_t log_tail_lines = 1000;   // of each system and container log
  size_t log_context_lines = 10;  // around each log hit
  std::string tool_version;       // deminer's, for host/system.json and the findings
  std::string rules_version;
  bool progress = true;  // a progress bar when stderr is a terminal
};

struct CollectResult {
  std::string manifest_sha256;
  size_t entries = 0;
  uint64_t bytes = 0;     // stored, before compression
  std::vector<Gap> gaps;  // what the bundle lacks (also in its manifest)
  size_t findings = 0;
  size_t flagged_processes = 0;
  size_t flagged_files = 0;
  size_t containers = 0;
};

// Scans with options.scan, writes the bundle to `path` (and PATH.sha256).
// An error only when the bundle itself cannot be written.
Expected<CollectResult> CollectEvidence(const std::string& path, const CollectOptions& options,
                                        const RulePack& rules);

// A name inside the bundle for a path of the scanned system: no leading '/',
// no "." or ".." components, control bytes replaced. Pure.
std::string BundlePath(std::string_view path);

// The last `lines` lines of `text` (all of it when it has fewer). Pure.
std::string_view LastLines(std::string_view text, size_t lines);

// Lines [from, to] of a log (1-based, inclusive), after a header.
struct LineWindow {
  uint64_t from = 1;
  uint64_t to = 0;
  std::string header;
};
// Each window's header and lines, each line prefixed by its number and cut at
// 4 KiB; `in` is read line by line up to the last window, so a log of any size
// costs only the lines kept.
std::string ExcerptLines(FILE* in, const std::vector<LineWindow>& windows);

}  // namespace deminer
