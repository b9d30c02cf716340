// db.pg-role-no-password and db.pg-server-program-role: roles that log in
// with nothing to guess (behind a trust rule, no password at all), and
// non-superusers that may run programs or write files on the server.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgRoleNoPassword;
extern const Check kDbPgServerProgramRole;

namespace {

void RunNoPassword(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgRole& r : s.roles) {
      if (!r.has_password || *r.has_password || !(r.can_login || r.superuser)) continue;
      Finding f = PgFinding(kDbPgRoleNoPassword.info, s,
                            r.superuser ? Severity::kHigh : Severity::kMedium,
                            fmt::format("{} role {} has no password",
                                        r.superuser ? "superuser" : "login", r.name),
                            "role|" + r.name);
      f.evidence["role"] = r.name;
      f.evidence["superuser"] = r.superuser;
      f.evidence["can_login"] = r.can_login;
      PgFix(f, fmt::format("ALTER ROLE {} PASSWORD '...';", PgIdent(r.name)), "sql");
      f.remediation = fmt::format(
          "Set a strong password (\\password {} in psql, or ALTER ROLE {} PASSWORD '...'), and "
          "make sure no pg_hba.conf rule trusts it.",
          PgIdent(r.name), PgIdent(r.name));
      out.push_back(std::move(f));
    }
  }
}

void RunServerProgram(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgRoleGrant& g : s.server_role_grants) {
      Finding f = PgFinding(kDbPgServerProgramRole.info, s,
                            g.granted == "pg_read_server_files" ? Severity::kMedium
                                                                : Severity::kHigh,
                            fmt::format("{} is a member of {}", g.member, g.granted),
                            g.member + "|" + g.granted);
      f.evidence["role"] = g.member;
      f.evidence["granted"] = g.granted;
      PgFix(f, fmt::format("REVOKE {} FROM {};", g.granted, PgIdent(g.member)), "sql");
      f.remediation =
          fmt::format("REVOKE {} FROM {}; unless it truly must {} on the database server.",
                      g.granted, PgIdent(g.member),
                      g.granted == "pg_execute_server_program" ? "run programs (COPY ... PROGRAM)"
                                                               : "read or write its files");
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbPgRoleNoPassword = {
    {"db.pg-role-no-password", "PostgreSQL role without a password", Severity::kHigh,
     Kind::kWeakness, Scope::kDatabases, "T1078.001",
     "Give every login role a strong password (ALTER ROLE ... PASSWORD), and rely on peer "
     "authentication for local administration.",
     "Superusers and login roles whose pg_authid.rolpassword is empty (seen by a superuser "
     "login): wherever a trust rule or a misconfigured image lets them in, nothing stops it. "
     "High for superusers, medium for other login roles."},
    RunNoPassword};

const Check kDbPgServerProgramRole = {
    {"db.pg-server-program-role", "Non-superuser can run programs or write files on the server",
     Severity::kHigh, Kind::kWeakness, Scope::kDatabases, "T1059",
     "Revoke pg_execute_server_program and pg_write_server_files from application roles.",
     "Members (direct or inherited) of pg_execute_server_program (COPY ... TO PROGRAM runs a "
     "shell command), pg_write_server_files (high) and pg_read_server_files (medium) that are "
     "not superusers."},
    RunServerProgram};

}  // namespace deminer
