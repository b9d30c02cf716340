// YARA rules from many files, and per-thread scanners over them. This is the
// only file pair that includes <yara.h>. Compile once, share the rules between
// threads (read-only after compilation); each scanning thread makes its own
// Scanner. A rule file that does not compile is reported with its file, line
// and the compiler's message, and the other files still load.
//
// Gates: YARA walks every byte of every file with its automaton, even for a
// rule set without strings. A rule file whose every rule promises, in its
// meta, that it cannot match without one of its strings (`needs_strings =
// true`) is scanned only when a Vectorscan pre-filter built from its
// strings (those a rule names in a `gate` meta, when it has one) (literals, regexes and hex
// strings, compiled with HS_FLAG_PREFILTER, so a superset of their matches) finds one in the file.
// A file whose every rule states `min_filesize` and `max_filesize` is scanned only for files in
// that range. Other files are scanned on every file. A gated file whose
// strings cannot all be turned into pre-filter patterns is not gated.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/vectorscan_db.h"

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
  // How many rule files are gated by their strings, by file size, or not at all.
  struct GateCounts {
    size_t strings = 0, size = 0, always = 0;
  };
  GateCounts gates() const;

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

// The Vectorscan pre-filter patterns for the string declarations of a YARA
// rule file (`$a = "text" nocase`, `$b = /re/is`, `$c = { 4D 5A ?? [2-4] }`),
// in file order; nullopt when one cannot be translated (xor, base64, a wide
// regex or hex string, or syntax this reader does not follow). A rule with a
// `gate = "k*"` meta contributes only its strings named $k...: the author
// states it cannot match without one of them; `gate = ""` none of its own,
// for a rule that cannot match without another rule of the file. `declarations` receives the
// number of string declarations read. Pure.
std::optional<std::vector<PatternSpec>> PrefilterPatterns(std::string_view rule_file_text,
                                                          size_t* declarations = nullptr);

}  // namespace deminer
