// The subcommands. Each returns the process exit code: 0 nothing at or above
// --fail-on, 1 findings at or above it, 2 usage or operational error.
#pragma once

#include <cstdint>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/rule_pack.h"

namespace deminer {

inline constexpr int kExitClean = 0;
inline constexpr int kExitFindings = 1;
inline constexpr int kExitError = 2;

// The --fail-on value: a severity, nullopt for "none"; false (and a message on
// stderr) when it is neither.
bool ParseFailOn(const std::string& value, std::optional<Severity>& fail_on);

// The report's stream: stdout when `path` is empty, else `file` opened on it;
// nullptr (and a message on stderr) when it cannot be written.
std::ostream* OpenOutput(const std::string& path, std::ofstream& file);

// The --only values (comma separated, repeatable) into `scopes`; unchanged
// when `only` is empty; false (and a message on stderr) on an unknown scope.
bool ParseScopes(const std::vector<std::string>& only, std::set<Scope>& scopes);

struct ScanArgs {
  std::vector<std::string> only;  // scope names
  std::string root = "/";
  std::vector<std::string> rules;  // extra rule directories
  bool no_default_rules = false;
  std::string format = "text";
  std::string output;            // empty: stdout
  std::string fail_on = "high";  // severity name or "none"
  std::string color = "auto";    // auto, always, never
  bool resolve = false;
  unsigned threads = 0;
  std::vector<std::string> paths;  // extra trees (files scope) and logs (logs scope; "-": stdin)
  unsigned max_file_mib = 32;
  std::string since;  // logs: a time, a date or a span back ("24h")
  std::string until;
  bool follow = false;            // logs: keep reading what the logs gain (jsonl)
  std::vector<std::string> dsns;  // databases: PostgreSQL servers to check besides those found
  std::vector<std::string> advisories;  // npm: OSV files, dirs or zips besides the built-in set
  std::vector<std::string> verify_registry;  // npm: projects compared with the registry's tarballs
  std::string registry;                      // npm: registry URL when none is configured
  unsigned registry_jobs = 8;                // npm: tarballs fetched at once
};

int RunScanCommand(const ScanArgs& args);

struct WatchArgs {
  std::string config;  // YAML policy file; flags below override it
  std::vector<std::string> rules;
  bool no_default_rules = false;
  std::string output;             // alerts as JSON lines; "-": stdout
  std::string respond;            // alert, suspend, kill (for critical findings)
  std::string respond_container;  // none, pause, stop
  bool quarantine = false;
  bool block_remote = false;
  std::string state_dir;
  std::string syslog;
  std::string webhook;
  bool no_store = false;
  bool block_exec = false;
  bool dry_run = false;
  bool no_initial_scan = false;
  std::string status_file;
  std::vector<std::string> allow;
};

// Runs the watch daemon until SIGTERM or SIGINT.
int RunWatchCommand(const WatchArgs& args);

// deminer quarantine list|restore ID [--state-dir DIR].
int RunQuarantineCommand(const std::string& action, const std::string& id,
                         const std::string& state_dir, const std::string& format);
struct HardenArgs {
  // Compose or inspect files, container names or ids; "containers", "databases",
  // "firewall"; pg_hba.conf, postgresql.conf or redis.conf files.
  std::vector<std::string> targets;
  // auto (Compose files: override; containers: run; firewall: nft), compose, run, nft, ufw.
  std::string format = "auto";
  std::vector<std::string> dsns;   // databases: PostgreSQL servers besides those found
  std::vector<std::string> rules;  // extra rule dirs (the firewall's pool ports and IOCs)
};

// Prints the fix for the weaknesses of each target (containers, databases and
// the firewall of this host when none is given): a Compose override or docker
// run flags, config lines and SQL, an nftables rule set or ufw commands.
int RunHardenCommand(const HardenArgs& args);

// The default rule pack (unless `no_default`) and the `extra` dirs.
Expected<RulePack> LoadRules(const std::vector<std::string>& extra, bool no_default);

struct VerifyArgs {
  std::vector<uint16_t> ports;  // --port: probe only these (default: every TCP socket)
  int timeout_ms = 500;         // per batch of connects
  std::string format = "text";  // text or json
  std::string pg_user = "postgres";
};

// deminer verify exposure: from a network namespace made for the purpose,
// connects to this host's listening ports and sets what answered beside what
// the packet filter rules predicted; tries a PostgreSQL login without a
// password. 0 all agree and nothing sensitive answered; 1 otherwise; 2 error.
int RunVerifyExposureCommand(const VerifyArgs& args);

struct DiffArgs {
  std::string clean;            // directory, image tarball or node_modules
  std::string suspect;          // the same kind
  std::string format = "text";  // text or json
  std::string output;           // empty: stdout
  std::vector<std::string> rules;
  bool no_default_rules = false;
  std::string fail_on = "high";
};

// deminer diff CLEAN SUSPECT: files added, removed and changed (by hash), the
// changed hunks of text files with the JS heuristics run on the change alone,
// and build noise normalised and listed apart. 0 nothing suspicious at or
// above --fail-on, 1 otherwise, 2 error.
int RunDiffCommand(const DiffArgs& args);

struct CollectArgs {
  std::string output;           // empty: deminer-evidence-HOST-TIME.tar.zst here
  std::string verify;           // --verify FILE: check a bundle instead of making one
  std::string manifest_sha256;  // with --verify: the hash printed when it was made
  std::vector<std::string> only;
  std::string root = "/";
  std::vector<std::string> rules;
  bool no_default_rules = false;
  std::vector<std::string> paths;  // extra trees and logs for the scan, as scan's PATHs
  uint64_t max_bytes = uint64_t{1} << 30;
  uint64_t max_file_bytes = uint64_t{64} << 20;
  unsigned max_seconds = 600;
  unsigned tail_lines = 1000;
  bool no_redact = false;
};

// deminer collect: scans, then seals the evidence in a tar.zst with a
// manifest; prints the manifest's SHA-256. 0 sealed, 2 error. With --verify:
// 0 intact, 1 altered, 2 unreadable.
int RunCollectCommand(const CollectArgs& args);

int RunChecksCommand(const std::string& format);
int RunVersionCommand(const std::vector<std::string>& rules, bool no_default_rules);
// Prints the log rules' patterns one a line, for grep -E -f and rg -f;
// `portable`: only those these tools read as Vectorscan does.
int RunLogPatternsCommand(const std::vector<std::string>& rules, bool no_default_rules,
                          bool portable);

}  // namespace deminer
