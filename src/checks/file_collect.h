// The I/O of the files and persistence scopes: which trees to walk (temp dirs,
// running containers' writable layers and tmpfs mounts, PATHs), the content
// matchers run in the walker's single read of each file (YARA, shell
// patterns), the persistence files of the host and of running containers, and
// the attributes of system dirs. Called by CollectFacts; checks stay pure.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "checks/scanner.h"
#include "sources/file_hash.h"

namespace deminer {

// The digests the rule pack's hash IOCs need (MD5 for 32 hex digits, SHA-1
// for 40, SHA-256 for 64).
HashSet IocDigests(const RulePack& rules);

class ContentMatcher;

// The files scope's reader with its content matchers (YARA compiled once, the
// shell patterns), kept between walks: the watch daemon walks one dropped
// file at a time. Walk is not thread-safe per object.
class FileInspector {
 public:
  FileInspector(const RulePack& rules, unsigned threads, std::vector<Gap>& gaps);
  ~FileInspector();
  FileInspector(const FileInspector&) = delete;
  FileInspector& operator=(const FileInspector&) = delete;

  // Walks `targets` (trees or single files): entries, counts and gaps are
  // appended to facts. What is not begun by `deadline` is a gap.
  void Walk(const std::vector<WalkTarget>& targets, uint64_t max_content_bytes, Facts& facts,
            std::chrono::steady_clock::time_point deadline =
                std::chrono::steady_clock::time_point::max());

 private:
  unsigned threads_;
  std::unique_ptr<ContentMatcher> matcher_;
  HashSet hashes_;
};

// Walks the temp dirs of options.root, each running container (live root
// only; needs facts.processes) and options.paths into facts.files.
// `extra`: more trees to walk (unpacked images).
void CollectFiles(const ScanOptions& options, const RulePack& rules, const std::string& proc_root,
                  Facts& facts, const std::vector<WalkTarget>& extra = {});

// Persistence files of options.root, and the immutable or append-only files
// of its system dirs (area "system").
void CollectPersistence(const ScanOptions& options, Facts& facts);

// Persistence files inside each running container, through /proc/PID/root.
void CollectContainerPersistence(const std::string& proc_root, Facts& facts);

}  // namespace deminer
