// PostgreSQL servers as the databases scope sees them: what a live server
// answers through libpq (opened at run time, like libcurl), and what its
// configuration files say. A source: it records, it never judges.
// (Scaffolding: the databases helper fills this in.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deminer {

struct PgServer {
  std::string where;  // "127.0.0.1:5432", "/var/run/postgresql/.s.PGSQL.5432", a config dir
};

// What one login attempt without a password gave. Never sends a password.
struct PgLoginResult {
  bool connected = false;
  std::string error;           // libpq's message when not connected
  std::string server_version;  // when connected
};

// Tries to log in as `user` to `dbname` at `host` (an address, or a Unix
// socket directory) and `port`, without a password, within `timeout_s`.
PgLoginResult TryPasswordlessLogin(const std::string& host, uint16_t port, const std::string& user,
                                   const std::string& dbname, int timeout_s = 3);

}  // namespace deminer
