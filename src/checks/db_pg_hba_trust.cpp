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

// A netmask (the two-column form) must keep the rule inside 127.0.0.0/8 too.
bool LocalOnly(const PgHbaRule& r) {
  if (r.type == "local") return true;
  if (!r.netmask.empty() && !r.netmask.starts_with("255.") && r.netmask != "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff") {
    return false;
  }
  return PgLoopbackAddress(r.address);
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) {
    if (!out.empty()) out += ',';
    out += s;
  }
  return out.empty() ? "all" : out;
}

// The rule as it should read.
// The same rule with a password required. scram-sha-256 for local rules too
// (peer would lock out an app that logs in as a role that is not its OS user);
// hostssl only when the server already has SSL on (else no client could match).
std::string FixedRule(const PgHbaRule& r, bool ssl_on) {
  const std::string who = JoinList(r.databases) + "   " + JoinList(r.users);
  if (r.type == "local") return "local   " + who + "   scram-sha-256";
  std::string addr = r.address;
  if (!r.netmask.empty()) addr += "   " + r.netmask;
  const std::string type = r.type == "host" && ssl_on ? "hostssl" : r.type;
  return type + "   " + who + "   " + addr + "   scram-sha-256";
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    const PgSetting* ssl = s.Setting("ssl");
    const bool ssl_on = ssl != nullptr && (ssl->value == "on" || ssl->value == "true");
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
      PgFix(f, FixedRule(r, ssl_on), path);
      f.remediation = fmt::format(
          "Replace line {} of {} with `{}` (narrow the address to the clients that need it), "
          "set passwords (ALTER ROLE ... PASSWORD), then SELECT pg_reload_conf().",
          r.line, path, FixedRule(r, ssl_on));
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbPgHbaTrust = {
    {"db.pg-hba-trust", "pg_hba.conf lets clients in without a password", Severity::kCritical,
     Kind::kWeakness, Scope::kDatabases, "T1078.001",
     "Use scram-sha-256 (hostssl when SSL is on); never trust.",
     "Reads pg_hba.conf (through pg_hba_file_rules on a live server, else the file): `trust` "
     "rules (critical beyond loopback, medium for local connections) and password/md5 rules "
     "that accept any address (medium)."},
    Run};

}  // namespace deminer
