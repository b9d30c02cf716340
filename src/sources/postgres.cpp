#include "sources/postgres.h"

#include <fmt/format.h>
#include <libpq-fe.h>

#include <algorithm>
#include <cctype>
#include <memory>

#include "core/dynamic_lib.h"
#include "core/error.h"
#include "core/strings.h"

namespace deminer {
namespace {

// ---------------------------------------------------------------- parsers

// Splits a pg_hba.conf line into tokens: whitespace separates, "..." quotes
// (a quoted token keeps its commas), # starts a comment outside quotes.
// Each token is a comma list; quoting is dropped from the parts.
struct HbaToken {
  std::vector<std::string> parts;
  std::string raw;
};

bool TokenizeHba(std::string_view line, std::vector<HbaToken>& out, std::string& error) {
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    if (i >= line.size() || line[i] == '#') break;
    HbaToken tok;
    std::string part;
    bool in_quotes = false;
    for (; i < line.size(); ++i) {
      const char c = line[i];
      if (in_quotes) {
        if (c == '"') {
          in_quotes = false;
        } else {
          part += c;
        }
      } else if (c == '"') {
        in_quotes = true;
      } else if (c == ',') {
        tok.parts.push_back(std::move(part));
        part.clear();
      } else if (std::isspace(static_cast<unsigned char>(c)) || c == '#') {
        break;
      } else {
        part += c;
      }
      tok.raw += c;
    }
    if (in_quotes) {
      error = "unterminated quote";
      return false;
    }
    tok.parts.push_back(std::move(part));
    out.push_back(std::move(tok));
  }
  return true;
}

bool LooksLikeIp(std::string_view s) {
  if (s.empty()) return false;
  if (s.find(':') != std::string_view::npos) return true;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)) || c == '.'; });
}

// A bounded, printable copy of untrusted text.
std::string Bounded(std::string_view s, size_t max = 512) { return Printable(s, max); }

}  // namespace

PgHbaFile ParsePgHba(std::string_view text) {
  PgHbaFile out;
  static constexpr std::string_view kTypes[] = {"local",      "host",      "hostssl",
                                                "hostnossl",  "hostgssenc", "hostnogssenc"};
  constexpr size_t kMaxRules = 10000;
  int line_no = 0;
  bool continued = false;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    const bool continues = !line.empty() && line.back() == '\\';
    if (continued) {
      continued = continues;
      continue;
    }
    if (continues) {
      out.notes.push_back(fmt::format("line {}: continuation lines are not followed", line_no));
      continued = true;
      continue;
    }
    std::vector<HbaToken> toks;
    std::string error;
    if (!TokenizeHba(line, toks, error)) {
      out.notes.push_back(fmt::format("line {}: {}", line_no, error));
      continue;
    }
    if (toks.empty()) continue;
    const std::string type = ToLower(toks[0].raw);
    if (type == "include" || type == "include_dir" || type == "include_if_exists") {
      out.notes.push_back(fmt::format("line {}: {} directives are not followed", line_no, type));
      continue;
    }
    if (std::find(std::begin(kTypes), std::end(kTypes), type) == std::end(kTypes)) {
      out.notes.push_back(
          fmt::format("line {}: unknown connection type \"{}\"", line_no, Bounded(toks[0].raw, 64)));
      continue;
    }
    if (out.rules.size() >= kMaxRules) {
      out.notes.push_back(fmt::format("line {}: more than {} rules, the rest skipped", line_no,
                                      kMaxRules));
      break;
    }
    PgHbaRule r;
    r.line = line_no;
    r.type = type;
    size_t need = type == "local" ? 4 : 5;
    if (toks.size() < need) {
      out.notes.push_back(fmt::format("line {}: too few fields", line_no));
      continue;
    }
    for (const auto& p : toks[1].parts) r.databases.push_back(Bounded(p, 256));
    for (const auto& p : toks[2].parts) r.users.push_back(Bounded(p, 256));
    size_t method_at = 3;
    if (type != "local") {
      r.address = Bounded(toks[3].raw, 256);
      method_at = 4;
      if (r.address.find('/') == std::string::npos && LooksLikeIp(r.address)) {
        if (toks.size() < 6) {
          out.notes.push_back(fmt::format("line {}: an address without a netmask", line_no));
          continue;
        }
        r.netmask = Bounded(toks[4].raw, 64);
        method_at = 5;
      }
    }
    r.method = ToLower(Bounded(toks[method_at].raw, 64));
    out.rules.push_back(std::move(r));
  }
  return out;
}

PgConfFile ParsePgConf(std::string_view text) {
  PgConfFile out;
  constexpr size_t kMaxSettings = 10000;
  int line_no = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++line_no;
    size_t i = 0;
    auto skip_space = [&] {
      while (i < line.size() && std::isspace(static_cast<unsigned char>(line[i]))) ++i;
    };
    skip_space();
    if (i >= line.size() || line[i] == '#') continue;
    const size_t name_start = i;
    while (i < line.size() && (std::isalnum(static_cast<unsigned char>(line[i])) ||
                               line[i] == '_' || line[i] == '.' || line[i] == '-')) {
      ++i;
    }
    if (i == name_start || !std::isalpha(static_cast<unsigned char>(line[name_start]))) {
      out.notes.push_back(fmt::format("line {}: not a setting", line_no));
      continue;
    }
    PgSetting s;
    s.name = ToLower(line.substr(name_start, i - name_start));
    s.line = line_no;
    skip_space();
    if (i < line.size() && line[i] == '=') {
      ++i;
      skip_space();
    }
    bool ok = true;
    if (i < line.size() && line[i] == '\'') {
      ++i;
      bool closed = false;
      while (i < line.size()) {
        const char c = line[i];
        if (c == '\'' && i + 1 < line.size() && line[i + 1] == '\'') {
          s.value += '\'';
          i += 2;
        } else if (c == '\'') {
          closed = true;
          ++i;
          break;
        } else if (c == '\\' && i + 1 < line.size()) {
          s.value += line[i + 1];
          i += 2;
        } else {
          s.value += c;
          ++i;
        }
      }
      ok = closed;
    } else {
      const size_t v = i;
      while (i < line.size() && !std::isspace(static_cast<unsigned char>(line[i])) &&
             line[i] != '#') {
        ++i;
      }
      s.value = std::string(line.substr(v, i - v));
    }
    skip_space();
    if (ok && i < line.size() && line[i] != '#') ok = false;
    if (!ok || (s.value.empty() && line.find('\'') == std::string_view::npos)) {
      out.notes.push_back(fmt::format("line {}: cannot read the value of {}", line_no,
                                      Bounded(s.name, 64)));
      continue;
    }
    s.value = Bounded(s.value, 1024);
    if (s.name == "include" || s.name == "include_dir" || s.name == "include_if_exists") {
      out.includes.push_back(s.value);
      continue;
    }
    if (out.settings.size() >= kMaxSettings) {
      out.notes.push_back(fmt::format("line {}: too many settings, the rest skipped", line_no));
      break;
    }
    out.settings.push_back(std::move(s));
  }
  return out;
}

void ApplyPgConf(PgServer& server, const std::string& path, const PgConfFile& conf) {
  for (const PgSetting& s : conf.settings) {
    PgSetting copy = s;
    copy.path = path;
    server.settings[s.name] = std::move(copy);
  }
}

void ApplyPgHba(PgServer& server, const std::string& path, const PgHbaFile& hba) {
  server.hba_path = path;
  server.hba_from_view = false;
  server.hba_rules = hba.rules;
}

const PgSetting* PgServer::Setting(const std::string& name) const {
  const auto it = settings.find(name);
  return it == settings.end() ? nullptr : &it->second;
}

std::string PgServer::Subject() const {
  std::string s = "postgresql " + where;
  if (container) s += " in container " + (container->Shown());
  return s;
}

// ---------------------------------------------------------------- libpq

namespace {

// libpq is opened on first use, not linked: a scan that has no database to
// look at does not pay for it (nor need it installed).
struct PqLib {
  PGconn* (*connectdb)(const char*);
  PGconn* (*connectdb_params)(const char* const*, const char* const*, int);
  ConnStatusType (*status)(const PGconn*);
  char* (*error_message)(const PGconn*);
  void (*finish)(PGconn*);
  PGresult* (*exec)(PGconn*, const char*);
  ExecStatusType (*result_status)(const PGresult*);
  char* (*result_error_message)(const PGresult*);
  void (*clear)(PGresult*);
  int (*ntuples)(const PGresult*);
  int (*nfields)(const PGresult*);
  char* (*getvalue)(const PGresult*, int, int);
  int (*getisnull)(const PGresult*, int, int);
  const char* (*parameter_status)(const PGconn*, const char*);
  PQconninfoOption* (*conninfo_parse)(const char*, char**);
  void (*conninfo_free)(PQconninfoOption*);
  void (*freemem)(void*);
  char* (*user)(const PGconn*);
  int (*used_password)(const PGconn*);
  std::string error;

  static const PqLib& Get() {
    static const PqLib lib = Load();
    return lib;
  }

 private:
  static PqLib Load() {
    PqLib l{};
    DynamicLib so("libpq.so.5");
    so.Sym("PQconnectdb", l.connectdb);
    so.Sym("PQconnectdbParams", l.connectdb_params);
    so.Sym("PQstatus", l.status);
    so.Sym("PQerrorMessage", l.error_message);
    so.Sym("PQfinish", l.finish);
    so.Sym("PQexec", l.exec);
    so.Sym("PQresultStatus", l.result_status);
    so.Sym("PQresultErrorMessage", l.result_error_message);
    so.Sym("PQclear", l.clear);
    so.Sym("PQntuples", l.ntuples);
    so.Sym("PQnfields", l.nfields);
    so.Sym("PQgetvalue", l.getvalue);
    so.Sym("PQgetisnull", l.getisnull);
    so.Sym("PQparameterStatus", l.parameter_status);
    so.Sym("PQconninfoParse", l.conninfo_parse);
    so.Sym("PQconninfoFree", l.conninfo_free);
    so.Sym("PQfreemem", l.freemem);
    so.Sym("PQuser", l.user);
    so.Sym("PQconnectionUsedPassword", l.used_password);
    l.error = so.error();
    return l;
  }
};

struct ConnDeleter {
  void operator()(PGconn* c) const { PqLib::Get().finish(c); }
};
using Conn = std::unique_ptr<PGconn, ConnDeleter>;

std::string Quote(const std::string& v) {
  std::string out = "'";
  for (const char c : v) {
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  return out + "'";
}

std::string ConnError(const PqLib& lib, const PGconn* c) {
  if (c == nullptr) return "out of memory";
  return std::string(Trim(Bounded(lib.error_message(c), 400)));
}

// Connects without a password: password='' stops libpq from taking one from
// PGPASSWORD, and a passfile that cannot exist (under /dev/null, silently
// skipped) from ~/.pgpass, so a server that asks for a password gets "no
// password supplied". No client certificate either (root's ~/.postgresql/
// would log in by `cert`, which is not a login without credentials). Error
// text in `error`.
Conn OpenPasswordless(const std::string& host, uint16_t port, const std::string& user,
                      const std::string& dbname, int timeout_s, std::string& error) {
  const PqLib& lib = PqLib::Get();
  if (!lib.error.empty()) {
    error = lib.error;
    return nullptr;
  }
  std::string db = dbname;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::string conninfo = fmt::format(
        "host={} port={} user={} dbname={} password='' passfile=/dev/null/none "
        "sslcert=/dev/null/none sslkey=/dev/null/none connect_timeout={} gssencmode=disable "
        "application_name=deminer",
        Quote(host), port, Quote(user), Quote(db), std::max(timeout_s, 2));
    Conn c(lib.connectdb(conninfo.c_str()));
    if (c && lib.status(c.get()) == CONNECTION_OK) {
      if (lib.used_password(c.get()) != 0) {  // cannot happen with an empty password
        error = "the server took a password";
        return nullptr;
      }
      return c;
    }
    error = ConnError(lib, c.get());
    // Authentication passed when the only complaint is the database.
    if (attempt == 0 && error.find("database \"" + db + "\" does not exist") != std::string::npos) {
      db = "template1";
      continue;
    }
    break;
  }
  return nullptr;
}

Conn OpenDsn(const std::string& dsn, std::string& error) {
  const PqLib& lib = PqLib::Get();
  if (!lib.error.empty()) {
    error = lib.error;
    return nullptr;
  }
  // Earlier keywords are defaults the DSN overrides.
  const char* keys[] = {"connect_timeout", "application_name", "gssencmode", "dbname", nullptr};
  const char* values[] = {"5", "deminer", "disable", dsn.c_str(), nullptr};
  Conn c(lib.connectdb_params(keys, values, 1));
  if (c && lib.status(c.get()) == CONNECTION_OK) return c;
  error = ConnError(lib, c.get());
  return nullptr;
}

using Row = std::vector<std::string>;

// Runs one statement; rows of text (NULL as ""), or the server's message.
Expected<std::vector<Row>> Exec(PGconn* c, const std::string& sql, size_t max_rows = 2000) {
  const PqLib& lib = PqLib::Get();
  PGresult* r = lib.exec(c, sql.c_str());
  if (r == nullptr) return Fail(Error::Io(ConnError(lib, c)));
  std::unique_ptr<PGresult, void (*)(PGresult*)> guard(r, lib.clear);
  const ExecStatusType st = lib.result_status(r);
  if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
    return Fail(Error::Io(std::string(Trim(Bounded(lib.result_error_message(r), 400)))));
  }
  std::vector<Row> rows;
  const int n = std::min<int>(lib.ntuples(r), static_cast<int>(max_rows));
  const int f = lib.nfields(r);
  for (int i = 0; i < n; ++i) {
    Row row;
    for (int j = 0; j < f; ++j) {
      row.push_back(lib.getisnull(r, i, j) != 0 ? "" : Bounded(lib.getvalue(r, i, j), 1024));
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

int64_t ToInt(const std::string& s) {
  if (s.empty()) return 0;
  const bool neg = s[0] == '-';
  const auto v = ParseUint(neg ? std::string_view(s).substr(1) : std::string_view(s));
  if (!v) return 0;
  return neg ? -static_cast<int64_t>(*v) : static_cast<int64_t>(*v);
}

std::vector<std::string> SplitUnit(const std::string& s) {
  std::vector<std::string> out;
  if (s.empty()) return out;
  for (std::string_view p : Split(s, '\x1f')) out.emplace_back(p);
  return out;
}

// Reads what the server says about itself, read-only, each query in its own
// savepoint so one refused query does not end the others.
void Inspect(PGconn* c, PgServer& server, std::vector<Gap>& gaps) {
  const std::string what = server.Subject();
  auto gap = [&](const std::string& part, const std::string& reason, const std::string& needs) {
    gaps.push_back({what + ": " + part, reason, needs});
  };
  for (const char* s : {"BEGIN READ ONLY", "SET LOCAL statement_timeout = '5s'",
                        "SET LOCAL lock_timeout = '2s'", "SET LOCAL search_path = pg_catalog"}) {
    if (auto r = Exec(c, s); !r) {
      gap("queries", r.error().message(), "");
      return;
    }
  }
  server.inspected = true;
  auto query = [&](const std::string& part, const std::string& sql,
                   const std::string& needs) -> std::optional<std::vector<Row>> {
    (void)Exec(c, "SAVEPOINT q");
    auto r = Exec(c, sql);
    if (!r) {
      (void)Exec(c, "ROLLBACK TO SAVEPOINT q");
      gap(part, r.error().message(), needs);
      return std::nullopt;
    }
    (void)Exec(c, "RELEASE SAVEPOINT q");
    return std::move(*r);
  };
  const std::string ct_expr = "coalesce(extract(epoch from pg_xact_commit_timestamp(%))::bigint, 0)";

  if (auto rows = query("settings",
                        "SELECT name, setting, coalesce(sourcefile, ''), coalesce(sourceline, 0) "
                        "FROM pg_settings WHERE name IN ('listen_addresses', 'port', 'ssl', "
                        "'password_encryption', 'hba_file', 'config_file', 'data_directory', "
                        "'track_commit_timestamp', 'server_version')",
                        "")) {
    for (const Row& r : *rows) {
      server.settings[r[0]] = PgSetting{r[0], r[1], r[2], static_cast<int>(ToInt(r[3]))};
    }
  }
  if (const PgSetting* v = server.Setting("server_version")) server.server_version = v->value;
  if (const PgSetting* v = server.Setting("hba_file")) server.hba_path = v->value;
  if (const PgSetting* v = server.Setting("config_file")) server.config_path = v->value;
  const PgSetting* ts = server.Setting("track_commit_timestamp");
  server.commit_timestamps = ts != nullptr && ts->value == "on";
  auto created = [&](const std::string& col) {
    if (!server.commit_timestamps) return std::string("0");
    std::string e = ct_expr;
    e.replace(e.find('%'), 1, col);
    return e;
  };
  const std::string needs_super = "a superuser login (give one with --dsn)";

  if (server.superuser) {
    if (auto rows = query("pg_hba_file_rules",
                          "SELECT coalesce(line_number, 0), coalesce(type, ''), "
                          "coalesce(array_to_string(database, chr(31)), ''), "
                          "coalesce(array_to_string(user_name, chr(31)), ''), "
                          "coalesce(address, ''), coalesce(netmask, ''), "
                          "coalesce(auth_method, ''), coalesce(error, '') "
                          "FROM pg_hba_file_rules ORDER BY line_number LIMIT 2000",
                          needs_super)) {
      server.hba_rules.clear();
      for (const Row& r : *rows) {
        PgHbaRule h;
        h.line = static_cast<int>(ToInt(r[0]));
        h.type = r[1];
        h.databases = SplitUnit(r[2]);
        h.users = SplitUnit(r[3]);
        h.address = r[4];
        h.netmask = r[5];
        h.method = r[6];
        h.error = r[7];
        server.hba_rules.push_back(std::move(h));
      }
      server.hba_from_view = true;
    }
  }

  const std::string roles_sql =
      server.superuser
          ? "SELECT rolname, rolsuper, rolcanlogin, (rolpassword IS NOT NULL)::text, "
            "coalesce(rolvaliduntil::text, ''), xmin::text, " +
                created("xmin") + " FROM pg_authid WHERE rolname !~ '^pg_' ORDER BY oid LIMIT 1000"
          : "SELECT rolname, rolsuper, rolcanlogin, '', coalesce(rolvaliduntil::text, ''), "
            "'0', 0 FROM pg_roles WHERE rolname !~ '^pg_' ORDER BY oid LIMIT 1000";
  if (auto rows = query("roles", roles_sql, "")) {
    for (const Row& r : *rows) {
      PgRole role;
      role.name = r[0];
      role.superuser = r[1] == "t";
      role.can_login = r[2] == "t";
      if (!r[3].empty()) role.has_password = r[3] == "true";
      role.valid_until = r[4];
      role.xmin = static_cast<uint64_t>(ToInt(r[5]));
      role.changed_at = ToInt(r[6]);
      server.roles.push_back(std::move(role));
    }
  }

  if (auto rows = query(
          "C-language functions",
          "SELECT n.nspname, p.proname, pg_get_function_identity_arguments(p.oid), "
          "coalesce(p.probin, ''), coalesce(p.prosrc, ''), pg_get_userbyid(p.proowner), "
          "p.xmin::text, " +
              created("p.xmin") +
              " FROM pg_proc p JOIN pg_language l ON l.oid = p.prolang "
              "JOIN pg_namespace n ON n.oid = p.pronamespace WHERE l.lanname = 'c' "
              // initdb's own C functions (encoding conversions, snowball) are below 16384.
              "AND p.oid >= 16384 "
              "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
              "AND d.objid = p.oid AND d.deptype = 'e') ORDER BY p.oid LIMIT 500",
          "")) {
    for (const Row& r : *rows) {
      server.c_functions.push_back({r[0], r[1], r[2], r[3], r[4], r[5],
                                    static_cast<uint64_t>(ToInt(r[6])), ToInt(r[7])});
    }
  }

  if (auto rows = query("untrusted languages",
                        "SELECT l.lanname, pg_get_userbyid(l.lanowner), EXISTS (SELECT 1 FROM "
                        "pg_depend d WHERE d.classid = 'pg_language'::regclass AND d.objid = "
                        "l.oid AND d.deptype = 'e')::text FROM pg_language l WHERE NOT "
                        "l.lanpltrusted AND l.lanname NOT IN ('c', 'internal') ORDER BY l.oid "
                        "LIMIT 100",
                        "")) {
    for (const Row& r : *rows) server.untrusted_languages.push_back({r[0], r[1], r[2] == "true"});
  }

  if (auto rows = query("members of the server file and program roles",
                        "SELECT r.rolname, g.g FROM pg_roles r CROSS JOIN (VALUES "
                        "('pg_execute_server_program'), ('pg_write_server_files'), "
                        "('pg_read_server_files')) AS g(g) WHERE NOT r.rolsuper AND r.rolname "
                        "!~ '^pg_' AND pg_has_role(r.oid, g.g, 'MEMBER') ORDER BY 1, 2 LIMIT 500",
                        "")) {
    for (const Row& r : *rows) server.server_role_grants.push_back({r[0], r[1]});
  }

  if (!server.superuser) {
    gap("large objects", "not looked at without a superuser login", needs_super);
    return;
  }
  constexpr int kMaxLargeObjects = 1000;
  if (auto rows = query("large objects", "SELECT count(*) FROM pg_largeobject_metadata", "")) {
    if (!rows->empty() && ToInt((*rows)[0][0]) > kMaxLargeObjects) {
      gap("large objects",
          fmt::format("{} large objects; only the first {} were looked at", (*rows)[0][0],
                      kMaxLargeObjects),
          "");
    }
  }
  if (auto rows = query(
          "large objects",
          fmt::format(
              "WITH lo AS (SELECT oid, lomowner, xmin FROM pg_largeobject_metadata ORDER BY oid "
              "LIMIT {}), h AS (SELECT oid, lomowner, xmin, lo_get(oid, 0, 16) AS head FROM lo) "
              "SELECT oid::text, pg_get_userbyid(lomowner), encode(head, 'hex'), "
              "coalesce((SELECT p.pageno::bigint * 2048 + octet_length(p.data) FROM "
              "pg_largeobject p WHERE p.loid = h.oid ORDER BY p.pageno DESC LIMIT 1), -1), {} "
              "FROM h WHERE substring(head FROM 1 FOR 4) = '\\x7f454c46'::bytea OR "
              "substring(head FROM 1 FOR 2) = '\\x2321'::bytea LIMIT 100",
              kMaxLargeObjects, created("xmin")),
          "")) {
    for (const Row& r : *rows) {
      PgLargeObject lo;
      lo.oid = static_cast<uint32_t>(ToInt(r[0]));
      lo.owner = r[1];
      lo.head_hex = r[2];
      lo.kind = StartsWith(r[2], "7f454c46") ? "elf" : "script";
      lo.size = ToInt(r[3]);
      lo.created_at = ToInt(r[4]);
      server.binary_large_objects.push_back(std::move(lo));
    }
  }
  (void)Exec(c, "ROLLBACK");
}

}  // namespace

PgLoginResult TryPasswordlessLogin(const std::string& host, uint16_t port, const std::string& user,
                                   const std::string& dbname, int timeout_s) {
  PgLoginResult out;
  Conn c = OpenPasswordless(host, port, user, dbname, timeout_s, out.error);
  if (!c) return out;
  out.connected = true;
  if (const char* v = PqLib::Get().parameter_status(c.get(), "server_version")) {
    out.server_version = Bounded(v, 64);
  }
  return out;
}

std::optional<PgDsnTarget> ParsePgDsn(const std::string& dsn, std::string* error) {
  const PqLib& lib = PqLib::Get();
  if (!lib.error.empty()) {
    if (error) *error = lib.error;
    return std::nullopt;
  }
  char* err = nullptr;
  PQconninfoOption* opts = lib.conninfo_parse(dsn.c_str(), &err);
  if (opts == nullptr) {
    // libpq's message may quote the DSN, password included: never pass it on.
    if (error) *error = "libpq cannot parse it";
    if (err) lib.freemem(err);
    return std::nullopt;
  }
  PgDsnTarget t;
  for (PQconninfoOption* o = opts; o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    const std::string_view k = o->keyword;
    if (k == "host" || (k == "hostaddr" && t.host.empty())) t.host = Bounded(o->val, 256);
    if (k == "port") {
      if (auto p = ParseUint(o->val); p && *p > 0 && *p < 65536) t.port = static_cast<uint16_t>(*p);
    }
    if (k == "user") t.user = Bounded(o->val, 128);
  }
  lib.conninfo_free(opts);
  return t;
}

void ProbePgServer(PgServer& server, const std::vector<std::string>& users, const std::string& dsn,
                   std::vector<Gap>& gaps) {
  const PqLib& lib = PqLib::Get();
  if (!lib.error.empty()) {
    gaps.push_back({server.Subject() + ": login", lib.error, "libpq (libpq5)"});
    return;
  }
  std::vector<std::string> names = {"postgres"};
  for (const std::string& u : users) {
    if (!u.empty() && std::find(names.begin(), names.end(), u) == names.end()) names.push_back(u);
  }
  struct Target {
    std::string how, host, address, listen;
  };
  std::vector<Target> targets;
  if (!server.tcp_host.empty()) {
    const std::string addr = server.tcp_host.find(':') != std::string::npos
                                 ? fmt::format("[{}]:{}", server.tcp_host, server.port)
                                 : fmt::format("{}:{}", server.tcp_host, server.port);
    std::string listen = server.listen.empty() ? server.tcp_host : server.listen.front();
    // The widest bound address is the one that matters.
    for (const std::string& l : server.listen) {
      if (StartsWith(l, "0.0.0.0:") || StartsWith(l, "[::]:")) listen = l;
    }
    targets.push_back({"tcp", server.tcp_host, addr, listen});
  }
  if (!server.unix_socket.empty()) {
    const size_t slash = server.unix_socket.rfind('/');
    targets.push_back({"unix", server.unix_socket.substr(0, slash == 0 ? 1 : slash),
                       server.unix_socket, ""});
  }
  Conn best;
  bool best_super = false;
  for (const Target& t : targets) {
    for (const std::string& user : names) {
      PgLoginAttempt a{user, t.how, t.address, t.listen, false, false, ""};
      Conn c = OpenPasswordless(t.host, server.port, user, "postgres", 3, a.error);
      if (c) {
        a.connected = true;
        a.error.clear();
        const char* su = lib.parameter_status(c.get(), "is_superuser");
        const bool is_super = su != nullptr && std::string_view(su) == "on";
        if (!best || (is_super && !best_super)) {
          best = std::move(c);
          best_super = is_super;
          server.inspected_as = user;
        }
      }
      server.logins.push_back(std::move(a));
    }
  }
  if (!best_super && !dsn.empty()) {
    PgLoginAttempt a;
    a.how = "dsn";
    a.with_dsn = true;
    Conn c = OpenDsn(dsn, a.error);
    if (c) {
      a.connected = true;
      a.user = Bounded(lib.user(c.get()), 128);
      const char* su = lib.parameter_status(c.get(), "is_superuser");
      const bool is_super = su != nullptr && std::string_view(su) == "on";
      if (!best || is_super) {
        best = std::move(c);
        best_super = is_super;
        server.inspected_as = a.user;
      }
    } else {
      gaps.push_back({server.Subject() + ": login with --dsn", a.error, ""});
    }
    server.logins.push_back(std::move(a));
  }
  if (!best) {
    std::string why;
    for (const PgLoginAttempt& a : server.logins) {
      if (!a.error.empty()) {
        why = a.error;
        break;
      }
    }
    gaps.push_back({server.Subject() + ": settings, roles, functions and large objects",
                    "no login: " + why, "a login given with --dsn (a superuser sees everything)"});
    return;
  }
  server.superuser = best_super;
  if (const char* v = lib.parameter_status(best.get(), "server_version")) {
    server.server_version = Bounded(v, 64);
  }
  Inspect(best.get(), server, gaps);
}

}  // namespace deminer
