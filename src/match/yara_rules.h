// YARA rules from many files, and per-thread scanners over them. This is the
// only file pair that includes <yara.h>. Compile once, share the rules between
// threads (read-only after compilation); each scanning thread makes its own
// Scanner. A rule file that does not compile is reported with its file, line
// and the compiler's message, and the other files still load.
//
// Gates. YARA walks every byte of every file with its automaton, even for a
// rule set without strings, so each rule file is put behind the first gate
// that fits all of its rules:
//  - digest: every rule is only `hash.md5(0, filesize) == "..."` (or sha1,
//    sha256), with `filesize` bounds. Answered from the digests the caller
//    already computed (Scan's `digests`), without reading the file again;
//    scanned by YARA when they are not given.
//  - strings: every rule states in its meta that it cannot match without one
//    of its strings (`needs_strings = true`; a `gate = "k*"` meta narrows
//    that to its strings $k...). Scanned only when a Vectorscan pre-filter
//    built from those strings (HS_FLAG_PREFILTER, so a superset of their
//    matches) finds one in the file. A file whose strings cannot all be
//    turned into pre-filter patterns is not gated.
//  - size: every rule states `min_filesize` and `max_filesize`; scanned only
//    for files in that range.
//  - none: scanned on every file.
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

// What a file's digests are, in lower-case hex; empty when not computed.
struct Digests {
  std::string_view md5, sha1, sha256;
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
    size_t digest = 0, strings = 0, size = 0, always = 0;
  };
  GateCounts gates() const;
  // The digests the digest-gated rules compare; a caller that hashes files
  // computes these too, so the rules need not read the file.
  struct DigestKinds {
    bool md5 = false, sha1 = false, sha256 = false;
  };
  DigestKinds digest_kinds() const;

  // Scans with the rules. Not thread-safe: one per thread.
  class Scanner {
   public:
    ~Scanner();
    Scanner(const Scanner&) = delete;
    Scanner& operator=(const Scanner&) = delete;
    // The rules that match `bytes` of the file at `path` (path feeds the
    // external variables), whose digests are `digests`. A scan that times out
    // or fails returns an error.
    Expected<std::vector<YaraMatch>> Scan(std::string_view bytes, std::string_view path,
                                          const Digests& digests = {});
    // Only the digest-gated rules, for a file too large to scan whole that
    // was still hashed: its size and digests.
    std::vector<YaraMatch> MatchDigests(uint64_t size, const Digests& digests) const;

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
// regex or hex string, or syntax this reader does not follow). A regex is
// searched by the longest run of literal bytes every match holds when that
// run is long enough to be rare in ordinary text, else by the regex itself.
// A rule with a `gate = "k*"` meta contributes only its strings named $k...:
// the author states it cannot match without one of them; `gate = ""` none of
// its own, for a rule that cannot match without another rule of the file.
// `declarations` receives the number of string declarations read. Pure.
std::optional<std::vector<PatternSpec>> PrefilterPatterns(std::string_view rule_file_text,
                                                          size_t* declarations = nullptr);

// A rule whose condition is one digest comparison, `hash.md5(0, filesize) ==
// "<hex>"` (or sha1, sha256, lower-case hex as YARA's hash module returns),
// and `filesize` comparisons, all joined by `and`.
struct DigestRule {
  enum class Kind { kMd5, kSha1, kSha256 };
  std::string rule;
  Kind kind = Kind::kMd5;
  std::string hex;
  uint64_t min_size = 0, max_size = UINT64_MAX;  // inclusive
};

// The rules of a rule file, in order, when every one is a digest rule (with
// no strings, not private or global); nullopt otherwise. Pure.
std::optional<std::vector<DigestRule>> DigestRules(std::string_view rule_file_text);

}  // namespace deminer
