// Test helper for the db.pg-* checks: a hand-built PostgreSQL server as
// seed 004 had it, and a fixed one, without a live server.
#pragma once

#include <algorithm>
#include <string>
#include <vector>

#include "checks/test_facts.h"

namespace deminer {

// A live server on 0.0.0.0:5432, inspected as superuser, with nothing wrong.
inline PgServer CleanPgServer() {
  PgServer s;
  s.where = "127.0.0.1:5432";
  s.source = "socket";
  s.port = 5432;
  s.tcp_host = "127.0.0.1";
  s.listen = {"127.0.0.1:5432"};
  s.inspected = true;
  s.superuser = true;
  s.server_version = "15.8";
  s.config_path = "/etc/postgresql/15/main/postgresql.conf";
  s.hba_path = "/etc/postgresql/15/main/pg_hba.conf";
  s.hba_from_view = true;
  s.settings["listen_addresses"] = {"listen_addresses", "localhost", s.config_path, 60};
  s.settings["ssl"] = {"ssl", "on", s.config_path, 105};
  s.hba_rules = ParsePgHba(
                    "local all postgres peer\n"
                    "host all all 127.0.0.1/32 scram-sha-256\n"
                    "hostssl all all 0.0.0.0/0 scram-sha-256\n")
                    .rules;
  PgRole r;
  r.name = "postgres";
  r.superuser = r.can_login = true;
  r.has_password = true;
  s.roles.push_back(r);
  s.logins.push_back({"postgres", "tcp", "127.0.0.1:5432", "127.0.0.1:5432", false, false,
                      "fe_sendauth: no password supplied"});
  return s;
}

inline std::vector<Finding> RunOnPg(const Check& check, std::vector<PgServer> servers,
                                    int64_t now = 1800000000) {
  Facts f = BaseFacts();
  f.now = now;
  f.pg_servers = std::move(servers);
  return RunCheck(check, f);
}

}  // namespace deminer
