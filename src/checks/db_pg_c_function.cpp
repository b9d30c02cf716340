// db.pg-c-function: C-language functions no extension owns. Seed 004's
// attacker made `sys_eval` this way, bound to libc's `system`, to run shell
// commands from SQL; another, from a library lo_export wrote to /tmp.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgCFunction;

namespace {

bool RunsCommands(std::string_view symbol) {
  static constexpr std::string_view kNames[] = {"system", "popen",  "execl",  "execlp",
                                                "execle", "execv",  "execvp", "execvpe",
                                                "execve", "fexecve", "posix_spawn", "posix_spawnp"};
  for (const std::string_view n : kNames) {
    if (symbol == n) return true;
  }
  return false;
}

bool IsLibc(std::string_view library) {
  const std::string_view base = Basename(library);
  return base.starts_with("libc.so") || base.starts_with("libc-");
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgFunction& fn : s.c_functions) {
      const bool exec = RunsCommands(fn.symbol);
      const bool temp = IsTempPath(fn.library);
      const bool bad = exec || temp;
      const std::string sig = fmt::format("{}.{}({})", PgIdent(fn.schema), PgIdent(fn.name), fn.args);
      std::string why = "a C function no extension owns";
      if (exec) {
        why = fmt::format("runs {}() from {}", fn.symbol, IsLibc(fn.library) ? "libc" : fn.library);
      } else if (temp) {
        why = "loads its code from a temp dir (" + fn.library + ")";
      }
      Finding f = PgFinding(kDbPgCFunction.info, s, bad ? Severity::kCritical : Severity::kHigh,
                            sig + " " + why, "fn|" + sig + "|" + fn.library + "|" + fn.symbol);
      f.kind = bad ? Kind::kCompromise : Kind::kWeakness;
      f.evidence["function"] = sig;
      f.evidence["library"] = fn.library;
      f.evidence["symbol"] = fn.symbol;
      f.evidence["owner"] = fn.owner;
      if (fn.created_at != 0) f.evidence["created"] = FormatTime(fn.created_at);
      if (IsTempPath(fn.library)) f.path = fn.library;
      PgFix(f, fmt::format("DROP FUNCTION {};", sig), "sql");
      f.remediation =
          bad ? fmt::format(
                    "Treat the server as compromised: DROP FUNCTION {}; look for what it ran "
                    "(the PostgreSQL log, {}), rotate every password the database holds, and "
                    "find how the attacker became superuser (trust rules, passwordless roles).",
                    sig, temp ? fn.library : std::string("processes started by postgres"))
              : fmt::format("If no one knows why {} is there, DROP FUNCTION {};", sig, sig);
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbPgCFunction = {
    {"db.pg-c-function", "C-language function not owned by an extension", Severity::kCritical,
     Kind::kCompromise, Scope::kDatabases, "T1505.001",
     "Drop C functions no extension owns; they run native code inside the server.",
     "pg_proc rows in LANGUAGE c with no extension dependency. Critical (compromise) when bound "
     "to system, popen or exec* (seed 004's sys_eval on libc) or to a library in a temp dir; "
     "high otherwise."},
    Run};

}  // namespace deminer
