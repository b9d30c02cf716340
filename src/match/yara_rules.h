// One compiled YARA rule set from many files, and per-thread scanners over it.
// This is the only file pair that includes <yara.h>. Compile once, share the
// rules between threads (read-only after compilation); each scanning thread
// makes its own Scanner. A rule file that does not compile is reported with
// its file, line and the compiler's message, and the other files still load.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/finding.h"

namespace deminer {

struct YaraMatch {
  std::string rule;
  std::string ns;                                         // the rule file's name without extension
  std::vector<std::pair<std::string, std::string>> meta;  // in the rule's order
  // Matched strings: identifier and the bytes matched (bounded), first match each.
  std::vector<std::pair<std::string, std::string>> strings;
  int64_t first_offset = -1;

  // The meta value named `key`, or empty.
  std::string Meta(std::string_view key) const;
};

class YaraRules {
 public:
  // Compiles `files`; one that fails is skipped and described in `problems`.
  // Fails when libyara cannot start or no file compiles. The rules see the
  // external string variables `filename`, `filepath` and `extension`.
  static Expected<std::shared_ptr<const YaraRules>> Compile(const std::vector<std::string>& files,
                                                            std::vector<Gap>& problems);
  ~YaraRules();
  YaraRules(const YaraRules&) = delete;
  YaraRules& operator=(const YaraRules&) = delete;

  size_t rule_count() const { return rule_count_; }

  // Scans with the rules. Not thread-safe: one per thread.
  class Scanner {
   public:
    ~Scanner();
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;
    // The rules that match `bytes` of the file at `path` (path feeds the
    // external variables). A scan that times out or fails returns an error.
    Expected<std::vector<YaraMatch>> Scan(std::string_view bytes, std::string_view path);

   private:
    friend class YaraRules;
    struct Impl;
    explicit Scanner(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> impl_;
  };
  Expected<std::unique_ptr<Scanner>> NewScanner(int timeout_s = 10) const;

 private:
  struct Impl;
  explicit YaraRules(std::unique_ptr<Impl> impl, size_t rule_count);
  std::unique_ptr<Impl> impl_;
  size_t rule_count_ = 0;
};

}  // namespace deminer
