// db.pg-passwordless-login: PostgreSQL let deminer in without a password.
// Seed 004's server did exactly this for anyone on the internet.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgPasswordlessLogin;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgLoginAttempt& a : s.logins) {
      if (!a.connected || a.with_dsn) continue;
      const bool wide = a.how == "tcp" && !PgLoopbackAddress(PgListenHost(a.listen));
      Finding f = PgFinding(kDbPgPasswordlessLogin.info, s,
                            wide ? Severity::kCritical : Severity::kHigh,
                            fmt::format("{} logs in without a password over {}", a.user, a.how),
                            a.user + "|" + a.how);
      f.evidence["user"] = a.user;
      f.evidence["how"] = a.how;
      f.evidence["address"] = a.address;
      if (!a.listen.empty()) f.evidence["listen"] = a.listen;
      const std::string hba = s.hba_path.empty() ? "pg_hba.conf" : s.hba_path;
      // The rules that let it in are db.pg-hba-trust's findings, each with its line.
      PgFix(f, fmt::format("ALTER ROLE {} PASSWORD '<a long random secret>';", PgIdent(a.user)),
            "sql");
      f.remediation = fmt::format(
          "Give {} a password (ALTER ROLE {} PASSWORD '...'), and in {} replace the rules that "
          "let it in without one (trust; db.pg-hba-trust names each line) with scram-sha-256, "
          "then reload (SELECT pg_reload_conf()).",
          a.user, PgIdent(a.user), hba);
      if (!s.hba_path.empty()) f.path = s.hba_path;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbPgPasswordlessLogin = {
    {"db.pg-passwordless-login", "PostgreSQL accepts a login without a password",
     Severity::kCritical, Kind::kWeakness, Scope::kDatabases, "T1078.001",
     "Require a password (scram-sha-256) or peer authentication in pg_hba.conf and set passwords "
     "on the roles.",
     "Tries to log in to each PostgreSQL server found (as postgres and the configured user, over "
     "TCP and the Unix socket) without sending any password. Critical when it works over TCP on a "
     "listener bound beyond loopback."},
    Run};

}  // namespace deminer
