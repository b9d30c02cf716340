// The evidence bundle of `deminer collect`: one tar.zst written through
// libarchive, every entry hashed (SHA-256) as it is added, and a manifest.json
// at the root naming each entry's hash, size, source and collection time. The
// manifest's own SHA-256 is what the operator writes down: VerifyBundle checks
// every entry against the manifest, and the manifest against that hash.
#pragma once

#include <cstdint>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"

namespace deminer {

struct BundleLimits {
  uint64_t max_total_bytes = uint64_t{1} << 30;  // all entries, before compression
  uint64_t max_file_bytes = uint64_t{64} << 20;  // one copied file; longer ones are cut
};

struct BundleEntry {
  std::string name;    // path inside the bundle
  std::string sha256;  // hex, of the bytes stored
  uint64_t size = 0;   // bytes stored
  std::string source;  // where it came from: a path, "/proc/PID/maps", "docker logs NAME", ...
  std::string collected_at;  // RFC 3339, UTC
  std::string note;          // "cut at 67108864 of 91000000 bytes", ...
};

class EvidenceBundle {
 public:
  // Creates (truncates) `path`; the bundle is complete only after Finish().
  static Expected<std::unique_ptr<EvidenceBundle>> Create(const std::string& path,
                                                          BundleLimits limits = {});
  ~EvidenceBundle();
  EvidenceBundle(const EvidenceBundle&) = delete;
  EvidenceBundle& operator=(const EvidenceBundle&) = delete;

  // Stores `data` as `name`. Over the total bound, it stores nothing and
  // records a gap; a write error is an error (the bundle is then unusable).
  Expected<void> AddData(const std::string& name, std::string_view data, const std::string& source,
                         const std::string& note = {});
  // Copies a file, up to limits.max_file_bytes (the cut is noted). An
  // unreadable file is a gap, not an error. A symlink is not followed unless
  // `follow_link` (/proc/PID/exe: the executable itself).
  Expected<void> AddFile(const std::string& name, const std::string& path,
                         const std::string& note = {}, bool follow_link = false);

  // Records what could not be collected; the manifest lists it.
  void AddGap(Gap gap) { gaps_.push_back(std::move(gap)); }

  // Writes manifest.json, closes the archive, writes PATH.sha256 (the whole
  // file's hash, sha256sum's format); returns the manifest's SHA-256.
  Expected<std::string> Finish();

  const std::vector<BundleEntry>& entries() const { return entries_; }
  const std::vector<Gap>& gaps() const { return gaps_; }
  uint64_t stored_bytes() const { return stored_; }

 private:
  EvidenceBundle(std::string path, BundleLimits limits);
  Expected<void> Write(const std::string& name, std::string_view data);

  struct Archive;
  std::unique_ptr<Archive> archive_;
  std::string path_;
  BundleLimits limits_;
  std::vector<BundleEntry> entries_;
  std::set<std::string> names_;
  std::vector<Gap> gaps_;
  uint64_t stored_ = 0;
};

struct BundleVerdict {
  std::string manifest_sha256;  // as computed from the bundle
  std::string bundle_sha256;    // of the whole file
  size_t entries_checked = 0;
  std::vector<std::string> problems;  // empty: the bundle is intact
  bool ok() const { return problems.empty(); }
};

// Reads the bundle: every entry's hash and size against the manifest, entries
// missing or not listed, and, when `expected_manifest_sha256` is given, the
// manifest itself; when PATH.sha256 is beside it, the whole file too. A bundle
// that cannot be read at all is an error.
Expected<BundleVerdict> VerifyBundle(const std::string& path,
                                     std::string_view expected_manifest_sha256 = {});

}  // namespace deminer
