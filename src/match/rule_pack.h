// The rule pack: detections as data. Loads YAML lists (each group of entries
// names its source) and Loki-style IOC files from one or more directories and
// merges them. Load errors in YAML carry file and line and fail the load (a
// rule the user wrote must not be silently ignored); a bad line in a Loki IOC
// file is skipped and reported as a problem with file and line.
//
// A loaded RulePack is immutable and safe to share between threads.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/osv.h"
#include "match/vectorscan_db.h"

namespace deminer {

struct MinerOption {
  std::string flag;                 // "--donate-level", "-a"
  int weight = 1;                   // 1 weak .. 2 specific to miners
  std::vector<std::string> values;  // when set, only these values count ("rx/0")
  std::string why;
  std::string source;
};

struct WalletFragment {
  std::string prefix;
  std::string suffix;
  std::string source;
};

struct SystemDaemon {
  std::string name;
  // Directories the real executable lives in, as fnmatch(3) patterns with
  // FNM_PATHNAME ("/snap/snapd/*/usr/lib/snapd").
  std::vector<std::string> dirs;
  // Basenames the real executable may have (default: the name itself); a
  // trailing '*' is a prefix ("python3*" for a daemon written in Python).
  std::vector<std::string> exes;
  std::string source;

  bool IsReal(std::string_view exe_path) const;
};

// A shell idiom droppers use ("curl ... | sh"), matched in command lines of
// persistence entries (cron, systemd Exec*, rc.local, shell startup files).
struct ShellPattern {
  std::string id;
  std::string pattern;  // Vectorscan (PCRE subset), matched case-sensitively
  Severity severity = Severity::kHigh;
  std::string why;
  std::string source;
};

// Which logs a log rule reads.
enum class LogKind : uint8_t {
  kContainer,  // Docker json-file and Podman k8s-file container logs
  kJournal,    // the systemd journal
  kPostgres,
  kRedis,
  kWeb,   // nginx and Apache access and error logs
  kAuth,  // auth.log, secure
  kFile,  // any other log given as a PATH or on stdin: every rule applies
};
std::string_view LogKindName(LogKind k);
std::optional<LogKind> ParseLogKind(std::string_view name);

// A log detection (rules/logs.yaml): its patterns are matched within one log
// line; any of them firing is a hit.
struct LogRule {
  std::string id;
  std::string title;
  Severity severity = Severity::kMedium;
  std::string attack;  // MITRE ATT&CK technique
  std::string why;
  uint32_t kinds = 0;  // bit (1 << LogKind) per kind it reads
  bool caseless = false;
  std::vector<std::string> patterns;       // Vectorscan (PCRE subset)
  std::vector<std::string> pattern_where;  // "file:line" of each pattern
  // What to pull out of a matching line as evidence: "url", "ip", "path".
  std::vector<std::string> capture;
  // Many hits are worse than one (password guessing): from this many hits in
  // one log, the finding has `escalate_severity`. 0: never.
  uint64_t escalate_count = 0;
  Severity escalate_severity = Severity::kHigh;
  // A rule for novelty only (log.new-source): a captured value (an address)
  // first seen within this many seconds of the scan, when the rule's hits go
  // back further, is reported; log.match leaves the rule's hits alone. 0: an
  // ordinary rule.
  int64_t new_within = 0;
  std::string source;

  bool Reads(LogKind k) const {
    return k == LogKind::kFile || (kinds & (1U << static_cast<unsigned>(k))) != 0;
  }
};

struct FilenameIoc {
  std::string regex;
  int score = 0;
  std::string source;  // "file:line"
};

// A name list where a trailing '*' in an entry means "starts with".
class NameList {
 public:
  void Add(std::string_view entry, const std::string& source);
  // The source of the first entry that matches `name` (case-insensitive).
  const std::string* Match(std::string_view name) const;
  size_t size() const { return exact_.size() + prefixes_.size(); }

 private:
  std::unordered_map<std::string, std::string> exact_;
  std::vector<std::pair<std::string, std::string>> prefixes_;
};

class RulePack {
 public:
  // Loads the directories in order; later ones add to earlier ones. An entry
  // may also be a single YARA file.
  static Expected<RulePack> Load(const std::vector<std::string>& dirs);

  std::string name = "deminer-default";
  std::string version = "unknown";
  std::vector<std::string> dirs;
  std::vector<Gap> problems;  // skipped IOC lines, rejected patterns

  NameList miner_names;
  NameList kernel_thread_prefixes;
  NameList cpu_expected;
  NameList hugepage_expected;
  NameList msr_expected;
  NameList shells;
  NameList memfd_expected;  // memfd names (after "memfd:") that runtimes execute
  std::vector<SystemDaemon> system_daemons;

  std::vector<MinerOption> miner_options;
  std::vector<std::string> pool_url_options;
  std::vector<std::string> wallet_options;
  std::vector<std::string> pool_url_schemes;

  std::unordered_map<std::string, std::string> pool_domains;  // domain -> source
  std::map<uint16_t, std::string> pool_ports;
  std::map<uint16_t, std::string> c2_ports;
  std::unordered_map<std::string, std::string> wallets;
  std::vector<WalletFragment> wallet_fragments;
  // IP, domain, or "ip:port" -> source.
  std::unordered_map<std::string, std::string> c2_addresses;
  // SSH public keys known from intrusions: the base64 key blob, or the key's
  // comment (droppers reuse both) -> source.
  std::unordered_map<std::string, std::string> attacker_ssh_keys;
  // lower-case hex md5 / sha1 / sha256 -> source.
  std::unordered_map<std::string, std::string> hashes;
  std::vector<FilenameIoc> filename_iocs;
  std::shared_ptr<const PatternDb> filename_db;  // null when there are none
  std::vector<ShellPattern> shell_patterns;
  std::vector<LogRule> log_rules;
  // Hidden names in temp dirs that systems make ("/tmp/.X11-unix"), as
  // fnmatch(3) patterns over the whole path.
  std::vector<std::pair<std::string, std::string>> hidden_expected;
  // Files that admins commonly make immutable on purpose ("/etc/resolv.conf").
  std::vector<std::pair<std::string, std::string>> immutable_expected;
  // YARA rule files (*.yar, *.yara in a rule dir or its yara/ folder, or given
  // directly); compiled by the scan that needs them, not at load.
  std::vector<std::string> yara_files;
  // OSV advisories (npm): the pack's advisories/ dirs, then --advisories.
  // Null when there are none.
  std::shared_ptr<const AdvisoryDb> advisories;

  // The source of the pool domain that `host` is or is under.
  const std::string* MatchPoolDomain(std::string_view host) const;
  // The source of the C2 entry for host, or host:port.
  const std::string* MatchC2(std::string_view host, uint16_t port) const;
  // The source of the seed wallet `addr` is (full, or by its fragment).
  const std::string* MatchWallet(std::string_view addr) const;
  // Indices of the filename IOCs whose regex matches `path`.
  std::vector<size_t> MatchFilename(std::string_view path) const;
  // Indices of the shell patterns that match `text`. The patterns are compiled
  // by the first call (tens of ms that scans without the persistence or
  // files scopes never pay); thread-safe.
  std::vector<size_t> MatchShell(std::string_view text) const;
  // Problems found after load: shell patterns Vectorscan rejected.
  std::vector<Gap> LateProblems() const;
  // The source of the first fnmatch pattern in `list` that matches `path`.
  static const std::string* MatchGlob(const std::vector<std::pair<std::string, std::string>>& list,
                                      std::string_view path);

 private:
  Expected<void> LoadYaml(const std::string& path);
  void LoadLoki(const std::string& path, std::string_view kind);
  Expected<void> CompileFilenameIocs();
  struct ShellDb;
  const ShellDb& CompiledShell() const;
  std::shared_ptr<ShellDb> shell_;  // compiled on first use
};

// Where the default pack lives: beside the binary (rules/) or in
// ../share/deminer/rules; plus /etc/deminer/rules.d when it exists.
std::vector<std::string> DefaultRuleDirs();

}  // namespace deminer
