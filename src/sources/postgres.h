// PostgreSQL servers as the databases scope sees them: what a live server
// answers through libpq (opened at run time, like libcurl), and what its
// configuration files say. A source: it records, it never judges.
//
// Live servers are asked only read-only, bounded questions (BEGIN READ ONLY,
// statement_timeout, LIMITs). A login is tried without a password; the only
// password deminer ever sends is one the user gave in --dsn, and it is never
// recorded. The parsers (ParsePgHba, ParsePgConf) are pure and fuzzed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/finding.h"

namespace deminer {

// One rule of pg_hba.conf, from the file or from the pg_hba_file_rules view.
struct PgHbaRule {
  int line = 0;                        // 1-based line in the file
  std::string type;                    // local, host, hostssl, hostnossl, hostgssenc, hostnogssenc
  std::vector<std::string> databases;  // "all", "sameuser", names
  std::vector<std::string> users;
  std::string address;  // "" for local; "0.0.0.0/0", "all", "samehost", "10.0.0.0/8", a host name
  std::string netmask;  // when given as a separate column
  std::string method;   // trust, scram-sha-256, md5, password, peer, ...
  std::string error;    // what the server (or the parser) could not accept in this line
};

struct PgHbaFile {
  std::vector<PgHbaRule> rules;
  std::vector<std::string> notes;  // lines skipped: "line 7: include directives are not followed"
};

// Parses pg_hba.conf text: comments, quoted names, comma lists, the address
// and netmask forms. Continuation lines and include directives are skipped
// with a note. Never fails: a line it cannot read becomes a note.
PgHbaFile ParsePgHba(std::string_view text);

// One `name = value` line of postgresql.conf (or a setting the server reports).
struct PgSetting {
  std::string name;   // lower case
  std::string value;  // unquoted
  std::string path;   // the file that set it; "" when it came from elsewhere
  int line = 0;
};

struct PgConfFile {
  std::vector<PgSetting> settings;  // in file order (later lines win)
  std::vector<std::string> includes;  // include / include_dir / include_if_exists targets
  std::vector<std::string> notes;     // lines it could not read
};

// Parses postgresql.conf text (name = value, name value, quotes with '' and
// backslash escapes, # comments). Never fails: bad lines become notes.
PgConfFile ParsePgConf(std::string_view text);

// One login tried without a password (or with the --dsn's credentials).
struct PgLoginAttempt {
  std::string user;
  std::string how;      // "tcp" or "unix"
  std::string address;  // "127.0.0.1:5432" or the socket's path
  std::string listen;   // for tcp: the address the server is bound to ("0.0.0.0")
  bool connected = false;
  bool with_dsn = false;  // the --dsn's own credentials, not a passwordless try
  std::string error;      // libpq's message when not connected
};

struct PgRole {
  std::string name;
  bool superuser = false;
  bool can_login = false;
  std::optional<bool> has_password;  // known only to a superuser (pg_authid)
  std::string valid_until;           // "" when none
  uint64_t xmin = 0;
  int64_t changed_at = 0;  // commit time of the row (created or last altered); 0 unknown
};

struct PgFunction {
  std::string schema, name, args;
  std::string library;  // pg_proc.probin
  std::string symbol;   // pg_proc.prosrc
  std::string owner;
  uint64_t xmin = 0;
  int64_t created_at = 0;  // commit time; 0 unknown
};

struct PgLanguage {
  std::string name, owner;
  bool from_extension = false;
};

struct PgRoleGrant {
  std::string member;   // the role that holds it
  std::string granted;  // pg_execute_server_program, pg_write_server_files, pg_read_server_files
};

struct PgLargeObject {
  uint32_t oid = 0;
  std::string owner;
  std::string head_hex;  // the first bytes, hex
  std::string kind;      // "elf" or "script"
  int64_t size = -1;     // -1 unknown
  int64_t created_at = 0;
};

struct PgServer {
  std::string where;   // "127.0.0.1:5432", "/var/run/postgresql/.s.PGSQL.5432", a config dir
  std::string source;  // "socket" (a listening socket), "unix", "config", "dsn"
  int pid = 0;         // the postmaster, when known
  std::optional<ContainerRef> container;
  std::vector<std::string> listen;  // bound TCP addresses, "0.0.0.0:5432"
  uint16_t port = 0;
  std::string tcp_host;     // the address tried over TCP ("127.0.0.1"); "" when none
  std::string unix_socket;  // the socket's path as this host reaches it; "" when none
  std::vector<PgLoginAttempt> logins;

  // What a login (passwordless, or the --dsn's) could read.
  bool inspected = false;
  std::string inspected_as;
  bool superuser = false;
  std::string server_version;
  std::map<std::string, PgSetting> settings;  // by name; from the server or the config files
  bool hba_from_view = false;                 // hba_rules came from pg_hba_file_rules
  std::string hba_path;                       // the pg_hba.conf the rules are from
  std::vector<PgHbaRule> hba_rules;
  std::string config_path;  // postgresql.conf
  bool commit_timestamps = false;  // track_commit_timestamp on: changed_at/created_at are set
  std::vector<PgRole> roles;
  std::vector<PgFunction> c_functions;  // LANGUAGE c, not owned by an extension
  std::vector<PgLanguage> untrusted_languages;
  std::vector<PgRoleGrant> server_role_grants;  // non-superusers only
  std::vector<PgLargeObject> binary_large_objects;

  const PgSetting* Setting(const std::string& name) const;
  // "postgresql 127.0.0.1:5432", with " in container NAME" when it runs in one.
  std::string Subject() const;
};

// What one login attempt without a password gave. Never sends a password.
struct PgLoginResult {
  bool connected = false;
  std::string error;           // libpq's message when not connected
  std::string server_version;  // when connected
};

// Tries to log in as `user` to `dbname` at `host` (an address, or a Unix
// socket directory) and `port`, without a password, within `timeout_s`.
// Thread-safe; opens and closes its own connection (nothing cached), so it can
// run from a thread that entered another network namespace.
PgLoginResult TryPasswordlessLogin(const std::string& host, uint16_t port, const std::string& user,
                                   const std::string& dbname, int timeout_s = 3);

// Tries the passwordless logins a server allows (as `postgres` and as each of
// `users`, over TCP and the Unix socket it has), then inspects it through the
// first superuser login, else the --dsn (`dsn`, may be empty), else any login.
// Each thing it could not read is appended to `gaps`.
void ProbePgServer(PgServer& server, const std::vector<std::string>& users,
                   const std::string& dsn, std::vector<Gap>& gaps);

// Host and port a conninfo or URI names, never its password; nullopt when
// libpq cannot parse it (or cannot be loaded). Host "" means the default socket.
struct PgDsnTarget {
  std::string host;
  uint16_t port = 5432;
  std::string user;
};
std::optional<PgDsnTarget> ParsePgDsn(const std::string& dsn, std::string* error = nullptr);

// Applies config files to `server` (settings and hba rules, with their paths
// and lines); `conf` texts are applied in order, later ones win.
void ApplyPgConf(PgServer& server, const std::string& path, const PgConfFile& conf);
void ApplyPgHba(PgServer& server, const std::string& path, const PgHbaFile& hba);

}  // namespace deminer
