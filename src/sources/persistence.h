// Reads every place a miner hides its restart, under a root ("/" live, or a
// mounted disk, an exported container, an unpacked image): systemd units and
// drop-ins, cron tables and scripts, at jobs, rc.local and init scripts,
// /etc/ld.so.preload, environment and shell startup files, authorized_keys,
// sudoers, pm2's saved process lists. Each file becomes a PersistItem with
// the commands it runs (parsed here, judged by the checks). Files that cannot
// be read are gaps; a missing file is simply absent.
//
// The parsers (Parse*) are pure and unit-tested; ReadPersistence does the I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace deminer {

enum class PersistKind : uint8_t {
  kSystemdUnit,
  kCron,
  kAtJob,
  kRcLocal,
  kInitScript,
  kLdPreload,
  kEnvironment,
  kShellStartup,
  kAuthorizedKeys,
  kSudoers,
  kPm2,
};

std::string_view PersistKindName(PersistKind k);

// A command (or, for ld.so.preload and authorized_keys, an entry) in a file.
struct PersistCommand {
  int line = 0;      // 1-based
  std::string key;   // "ExecStart", "@reboot", a cron schedule, "LD_PRELOAD", ...
  std::string user;  // the user it runs as, when the file says
  std::string text;  // the command, library path or key line
};

struct PersistItem {
  PersistKind kind = PersistKind::kCron;
  std::string path;          // as the scanned system sees it
  std::string user;          // whose file it is (home dir or spool name); empty: the system's
  std::string container_id;  // the running container it was read in; empty: the host
  uint32_t uid = 0;
  uint32_t mode = 0;
  int64_t mtime = 0;
  int64_t ctime = 0;
  std::optional<bool> packaged;  // owned by a dpkg package; only looked up for recent files
  std::vector<PersistCommand> commands;
};

struct PasswdUser {
  std::string name;
  uint32_t uid = 0;
  std::string home;
  std::string shell;
};

struct PersistenceSweep {
  std::vector<PersistItem> items;
  std::vector<Gap> gaps;
  int64_t now = 0;  // the time "recent" is measured from
};

// How long a file counts as recently changed.
inline constexpr int64_t kRecentSeconds = 7 * 24 * 3600;

PersistenceSweep ReadPersistence(const std::string& root);

// Pure parsers.
std::vector<PasswdUser> ParsePasswd(std::string_view text);
// Cron table lines; `system_table` tables (/etc/crontab, /etc/cron.d) have a user field.
std::vector<PersistCommand> ParseCrontab(std::string_view text, bool system_table);
// Exec*= lines of a unit file (ExecStart, ExecStartPre, ExecStartPost, ExecReload,
// ExecStop, ExecStopPost, ExecCondition), with continuation lines joined, and
// its User= line (key "User").
std::vector<PersistCommand> ParseUnitExec(std::string_view text);
// Non-empty, non-comment lines of a script or list file.
std::vector<PersistCommand> ParseScriptLines(std::string_view text);
// LD_PRELOAD assignments in an environment or startup file.
std::vector<PersistCommand> ParseLdPreloadAssignments(std::string_view text);
// pm2's dump.pm2 (JSON): each saved app's interpreter, script and arguments.
std::vector<PersistCommand> ParsePm2Dump(std::string_view json);

// An authorized_keys line split into its options, key type, key and comment.
struct AuthorizedKey {
  std::string options;  // "command=\"...\",no-pty"; empty when none
  std::string type;     // "ssh-ed25519"
  std::string key;      // base64
  std::string comment;
};
std::optional<AuthorizedKey> ParseAuthorizedKey(std::string_view line);

}  // namespace deminer
