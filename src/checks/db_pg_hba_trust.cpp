// db.pg-hba-trust: pg_hba.conf rules that let anyone in: `trust` (no password
// at all), and password or md5 rules open to every address.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgHbaTrust;

namespace {

bool AnyAddress(const PgHbaRule& r) {
  if (r.address == "all" || r.address == "0.0.0.0/0" || r.address == "::/0" ||
      r.address == "::0/0") {
    return true;
  }
  return (r.address == "0.0.0.0" && r.netmask == "0.0.0.0") ||
         (r.address == "::" && (r.netmask == "::" || r.netmask == "::0"));
}

bool LocalOnly(const PgHbaRule& r) { return r.type == "local" || PgLoopbackAddress(r.address); }

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out.empty() ? "all" : out;
}

// The rule as it should read.
std::string FixedRule(const PgHbaRule& r) {
  const std::string who = JoinList(r.databases) + "   " + JoinList(r.users);
  if (r.type == "local") return "local   " + who + "   peer";
  std::string addr = r.address;
  if (!r.netmask.empty()) addr += "   " + r.netmask;
  const std::string type = r.type == "host" ? "hostssl" : r.type;
  return type + "   " + who + "   " + addr + "   scram-sha-256";
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgHbaRule& r : s.hba_rules) {
      if (!r.error.empty()) continue;  // the server ignores the line
      Severity sev;
      std::string what;
      if (r.method == "trust") {
        sev = LocalOnly(r) ? Severity::kMedium : Severity::kCritical;
        what = LocalOnly(r) ? "trusts local connections" : "trusts connections from " +
                                                                 (AnyAddress(r) ? std::string("any address") : r.address);
      } else if ((r.method == "password" || r.method == "md5") && AnyAddress(r)) {
        sev = Severity::kMedium;
        what = "allows " + r.method + " logins from any address";
      } else {
        continue;
      }
      const std::string path = s.hba_path.empty() ? "pg_hba.conf" : s.hba_path;
      Finding f = PgFinding(kDbPgHbaTrust.info, s, sev,
                            fmt::format("{} line {} {}", path, r.line, what),
                            fmt::format("{}|{}|{}|{}|{}", path, r.type, r.address, r.netmask,
                                        r.method) + "|" + JoinList(r.databases) + "|" +
                                JoinList(r.users));
      f.path = path;
      f.line = r.line;
      f.evidence["path"] = path;
      f.evidence["line"] = r.line;
      f.evidence["type"] = r.type;
      f.evidence["database"] = JoinList(r.databases);
      f.evidence["user"] = JoinList(r.users);
      if (!r.address.empty()) f.evidence["address"] = r.address;
      if (!r.netmask.empty()) f.evidence["netmask"] = r.netmask;
      f.evidence["method"] = r.method;
      f.evidence["from"] = s.hba_from_view ? "pg_hba_file_rules" : "file";
      PgFix(f, FixedRule(r), path);
      f.remediation = fmt::format(
          "Replace line {} of {} with `{}` (narrow the address to the clients that need it), "
          "set passwords (ALTER ROLE ... PASSWORD), then SELECT pg_reload_conf().",
          r.line, path, FixedRule(r));
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbPgHbaTrust = {
    {"db.pg-hba-trust", "pg_hba.conf lets clients in without a password", Severity::kCritical,
     Kind::kWeakness, Scope::kDatabases, "T1078.001",
     "Use scram-sha-256 for host rules and peer for local ones; never trust.",
     "Reads pg_hba.conf (through pg_hba_file_rules on a live server, else the file): `trust` "
     "rules (critical beyond loopback, medium for local connections) and password/md5 rules "
     "that accept any address (medium)."},
    Run};

}  // namespace deminer
