// db.pg-untrusted-language, db.pg-large-object-binary, db.pg-recent-objects:
// what an attacker leaves inside PostgreSQL. Seed 004 stored its miner as a
// large object and wrote it out with lo_export; untrusted languages run any
// code as the server's user; recent roles and C functions date an intrusion.
#include "checks/db_pg_common.h"

namespace deminer {

extern const Check kDbPgUntrustedLanguage;
extern const Check kDbPgLargeObjectBinary;
extern const Check kDbPgRecentObjects;

namespace {

constexpr int64_t kRecentSeconds = 7 * 24 * 3600;

void RunLanguages(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgLanguage& l : s.untrusted_languages) {
      Finding f = PgFinding(kDbPgUntrustedLanguage.info, s, Severity::kMedium,
                            "untrusted language " + l.name + " is installed", "lang|" + l.name);
      f.evidence["language"] = l.name;
      f.evidence["owner"] = l.owner;
      f.evidence["from_extension"] = l.from_extension;
      const std::string fix = l.from_extension
                                  ? fmt::format("DROP EXTENSION {};", PgIdent(l.name))
                                  : fmt::format("DROP LANGUAGE {};", PgIdent(l.name));
      PgFix(f, fix, "sql");
      f.remediation = fmt::format(
          "If no function needs it, {} Functions in {} run any code as the server's OS user.", fix,
          l.name);
      out.push_back(std::move(f));
    }
  }
}

void RunLargeObjects(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const PgServer& s : ctx.facts.pg_servers) {
    for (const PgLargeObject& lo : s.binary_large_objects) {
      Finding f = PgFinding(
          kDbPgLargeObjectBinary.info, s, Severity::kCritical,
          fmt::format("large object {} holds {}", lo.oid,
                      lo.kind == "elf" ? "an ELF executable" : "a script"),
          fmt::format("lo|{}|{}", lo.oid, lo.head_hex));
      f.evidence["loid"] = lo.oid;
      f.evidence["owner"] = lo.owner;
      f.evidence["kind"] = lo.kind;
      f.evidence["head_hex"] = lo.head_hex;
      if (lo.size >= 0) f.evidence["size"] = lo.size;
      if (lo.created_at != 0) f.evidence["created"] = FormatTime(lo.created_at);
      PgFix(f, fmt::format("SELECT lo_unlink({});", lo.oid), "sql");
      f.remediation = fmt::format(
          "Keep a copy for analysis (\\lo_export {} /root/evidence/lo-{} in psql), then SELECT "
          "lo_unlink({}); look for the file lo_export wrote (often under /tmp) and treat the "
          "server as compromised.",
          lo.oid, lo.oid, lo.oid);
      out.push_back(std::move(f));
    }
  }
}

void RunRecent(const CheckContext& ctx, std::vector<Finding>& out) {
  const int64_t since = ctx.facts.now - kRecentSeconds;
  for (const PgServer& s : ctx.facts.pg_servers) {
    if (!s.commit_timestamps) continue;
    nlohmann::ordered_json roles = nlohmann::ordered_json::array();
    nlohmann::ordered_json functions = nlohmann::ordered_json::array();
    std::string fix;
    for (const PgRole& r : s.roles) {
      if (r.changed_at == 0 || r.changed_at < since) continue;
      roles.push_back(r.name + " at " + FormatTime(r.changed_at));
    }
    for (const PgFunction& fn : s.c_functions) {
      if (fn.created_at == 0 || fn.created_at < since) continue;
      const std::string sig =
          fmt::format("{}.{}({})", PgIdent(fn.schema), PgIdent(fn.name), fn.args);
      functions.push_back(sig + " at " + FormatTime(fn.created_at));
      fix += fmt::format("DROP FUNCTION {}; ", sig);
    }
    if (roles.empty() && functions.empty()) continue;
    Finding f = PgFinding(kDbPgRecentObjects.info, s, Severity::kLow,
                          fmt::format("{} role(s) and {} C function(s) created or changed in the "
                                      "last 7 days",
                                      roles.size(), functions.size()),
                          "recent");
    if (!roles.empty()) f.evidence["roles"] = roles;
    if (!functions.empty()) f.evidence["c_functions"] = functions;
    PgFix(f,
          "-- review; drop only what no one here made: " +
              (fix.empty() ? std::string("DROP ROLE name;") : fix),
          "sql");
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbPgUntrustedLanguage = {
    {"db.pg-untrusted-language", "Untrusted procedural language installed", Severity::kMedium,
     Kind::kWeakness, Scope::kDatabases, "T1059",
     "Drop untrusted languages (plpython3u, plperlu...) nothing needs.",
     "pg_language rows with lanpltrusted = false besides c and internal: a superuser (or an "
     "attacker who became one) runs any code through them."},
    RunLanguages};

const Check kDbPgLargeObjectBinary = {
    {"db.pg-large-object-binary", "Large object holding an executable or a script",
     Severity::kCritical, Kind::kCompromise, Scope::kDatabases, "T1105",
     "Export it for analysis, lo_unlink it, and investigate the server.",
     "The first 16 bytes of up to 1,000 large objects: an ELF header (\\x7fELF) or #! is how "
     "seed 004's attacker carried a miner into the database before lo_export wrote it to disk."},
    RunLargeObjects};

const Check kDbPgRecentObjects = {
    {"db.pg-recent-objects", "Roles or C functions created in the last 7 days", Severity::kLow,
     Kind::kCompromise, Scope::kDatabases, "T1136",
     "Check that someone here made them; drop what no one did.",
     "With track_commit_timestamp on, the commit time of each role's and C function's catalog "
     "row (created, or for a role last altered). Without it nothing is said about time."},
    RunRecent};

}  // namespace deminer
