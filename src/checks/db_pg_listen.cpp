// db.pg-listen-all and db.pg-ssl-off: a PostgreSQL server bound to every
// address (the exposure scope judges whether the firewall really blocks it,
// which in seed 004 it did not), and one that talks in clear text beyond loopback.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgListenAll;
extern const Check kDbPgSslOff;

namespace {

// Bound beyond loopback, by the setting or else by its sockets.
bool NonLocal(const PgServer& s) {
  if (const PgSetting* l = s.Setting("listen_addresses")) return PgListensBeyondLoopback(l->value);
  for (const std::string& l : s.listen) {
    if (!PgLoopbackAddress(PgListenHost(l))) return true;
  }
  return false;
}

void SettingFix(Finding& f, const PgServer& s, const PgSetting* setting, const std::string& name,
                const std::string& value) {
  const std::string file = PgSettingFile(s, setting);
  if (file == "sql") {
    PgFix(f, fmt::format("ALTER SYSTEM SET {} = '{}';", name, value), "sql");
  } else {
    PgFix(f, fmt::format("{} = '{}'", name, value), file);
  }
  if (setting != nullptr && !setting->path.empty()) {
    f.path = setting->path;
    f.line = setting->line;
    f.evidence["path"] = setting->path;
    f.evidence["line"] = setting->line;
  }
}

void RunListen(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    const PgSetting* l = s.Setting("listen_addresses");
    std::string bound;
    if (l != nullptr) {
      if (!PgListensOnAll(l->value)) continue;
      bound = l->value;
    } else {
      for (const std::string& a : s.listen) {
        const std::string_view h = PgListenHost(a);
        if (h != "0.0.0.0" && h != "::") continue;
        if (!bound.empty()) bound += ',';
        bound += h;
      }
      if (bound.empty()) continue;
    }
    Finding f = PgFinding(kDbPgListenAll.info, s, Severity::kMedium,
                          "listens on every address (" + bound + ")", "listen");
    f.evidence["listen_addresses"] = bound;
    if (!s.listen.empty()) f.evidence["sockets"] = s.listen;
    SettingFix(f, s, l, "listen_addresses", "localhost");
    f.remediation = fmt::format(
        "Set listen_addresses = 'localhost' (or the one private address clients use) in {}, and "
        "restart PostgreSQL; if other hosts must connect, allow only them in the firewall.",
        f.evidence["fix_file"].get<std::string>());
    out.push_back(std::move(f));
  }
}

void RunSsl(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    const PgSetting* ssl = s.Setting("ssl");
    // Unset in a config file means PostgreSQL's default, off; a live server always says.
    if (ssl == nullptr && (s.source != "config" || !s.Setting("listen_addresses"))) continue;
    if (ssl != nullptr && ssl->value != "off" && ssl->value != "false" && ssl->value != "0") {
      continue;
    }
    if (!NonLocal(s)) continue;
    Finding f = PgFinding(kDbPgSslOff.info, s, Severity::kMedium,
                          "SSL is off on a listener other hosts can reach", "ssl");
    f.evidence["ssl"] = ssl != nullptr ? ssl->value : "off (default)";
    if (const PgSetting* l = s.Setting("listen_addresses")) f.evidence["listen_addresses"] = l->value;
    SettingFix(f, s, ssl, "ssl", "on");
    // ssl = on without a certificate and key stops the server at its next start.
    const bool sql = f.evidence["fix_file"] == "sql";
    f.evidence["fix"] = f.evidence["fix"].get<std::string>() +
                        (sql ? "  -- first set ssl_cert_file and ssl_key_file to a certificate and key"
                             : "  # with ssl_cert_file and ssl_key_file naming a certificate and "
                               "key: without them PostgreSQL does not start");
    f.remediation = fmt::format(
        "Set ssl = on with ssl_cert_file and ssl_key_file in {}, use hostssl rules in pg_hba.conf, "
        "and reload; or listen on loopback only.",
        f.evidence["fix_file"].get<std::string>());
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbPgListenAll = {
    {"db.pg-listen-all", "PostgreSQL listens on every address", Severity::kMedium,
     Kind::kWeakness, Scope::kDatabases, "T1190",
     "listen_addresses = 'localhost' unless other hosts must connect.",
     "listen_addresses '*', 0.0.0.0 or :: (from the live server, or postgresql.conf and "
     "postgresql.auto.conf): the server answers on every interface, and only the firewall stands "
     "between it and the internet."},
    RunListen};

const Check kDbPgSslOff = {
    {"db.pg-ssl-off", "PostgreSQL without SSL on a non-local listener", Severity::kMedium,
     Kind::kWeakness, Scope::kDatabases, "T1040",
     "ssl = on, and hostssl rules for remote clients.",
     "ssl off while listen_addresses reaches beyond loopback: passwords (md5) and data cross the "
     "network in clear text."},
    RunSsl};

}  // namespace deminer
