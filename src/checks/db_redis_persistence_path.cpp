// db.redis-persistence-path: a Redis server whose dump goes to a cron
// directory, an .ssh directory or authorized_keys, /etc or a web root. An
// attacker sets dir and dbfilename with CONFIG SET, plants a cron line or a key
// in a value, and SAVEs: the dump becomes a cron job that fetches a miner.
#include "checks/db_redis_common.h"

namespace deminer {

extern const Check kDbRedisPersistencePath;

namespace {

// Why a dump at dir/dbfilename would run or let someone in; "" when harmless.
// Matches path components anywhere (a container's or a chroot's /etc/cron.d too).
std::string RedisDumpTarget(std::string_view dir, std::string_view dbfilename) {
  std::string d(dir);
  while (d.size() > 1 && d.back() == '/') d.pop_back();
  const std::string slashed = d + "/";
  const auto has = [&](std::string_view part) { return slashed.find(part) != std::string::npos; };
  const std::string file = ToLower(dbfilename);
  if (has("/etc/cron") || has("/var/spool/cron") || has("/etc/anacrontab")) {
    return "a cron directory: the dump would be read as a crontab";
  }
  if (has("/.ssh/") || file.starts_with("authorized_keys")) {
    return "an .ssh directory or authorized_keys: the dump would hold an attacker's key";
  }
  if (file == ".bashrc" || file == ".profile" || file == ".bash_profile" || file == "ld.so.preload") {
    return "a file run or loaded at login or by every program";
  }
  if (has("/var/www/") || has("/srv/www/") || has("/usr/share/nginx/html/") ||
      has("/var/lib/nginx/html/") || file.ends_with(".php") || file.ends_with(".jsp")) {
    return "a web root: the dump would be served, or run as a script";
  }
  if (d == "/etc" || d.ends_with("/etc") ||
      (d.starts_with("/etc/") && !d.starts_with("/etc/redis"))) {
    return "/etc: the dump could replace a system configuration file";
  }
  if (d.ends_with("/root") && file.starts_with(".")) return "root's home: a login file";
  return "";
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const RedisServer& s : ctx.facts.redis_servers) {
    const auto dir = s.Setting("dir");
    const auto file = s.Setting("dbfilename");
    if (!dir && !file) continue;
    const std::string why = RedisDumpTarget(dir ? dir->value : "", file ? file->value : "");
    if (why.empty()) continue;
    // The setting to point at: dir unless only dbfilename is the problem.
    const bool dir_is_it = dir && !RedisDumpTarget(dir->value, "").empty();
    const auto& setting = dir_is_it || !file ? dir : file;
    const bool from_file = setting && setting->line > 0;
    Finding f = RedisFinding(
        kDbRedisPersistencePath.info, s, Severity::kCritical,
        fmt::format("dumps to {}/{}", dir ? dir->value : "?", file ? file->value : "dump.rdb"),
        "persistence-path", setting,
        from_file ? (dir_is_it ? "dir /var/lib/redis" : "dbfilename dump.rdb")
                  : "rename-command CONFIG \"\"");
    f.evidence["dir"] = dir ? dir->value : "";
    f.evidence["dbfilename"] = file ? file->value : "";
    f.evidence["target"] = why;
    f.remediation = fmt::format(
        "Treat the host as compromised: look for what was written there (cron files, "
        "authorized_keys) and remove it. Then set `dir /var/lib/redis` and `dbfilename dump.rdb` "
        "in {}, set a password, add `rename-command CONFIG \"\"` so clients cannot move the dump "
        "again, and restart Redis.",
        s.FixFile());
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbRedisPersistencePath = {
    {"db.redis-persistence-path", "Redis dumps into a cron, ssh, /etc or web directory",
     Severity::kCritical, Kind::kCompromise, Scope::kDatabases, "T1053.003",
     "Remove what was written, reset dir and dbfilename, set a password and rename CONFIG.",
     "CONFIG GET dir and dbfilename of live Redis servers (and the same in redis.conf): a dump "
     "into /etc/cron*, /var/spool/cron, an .ssh directory or authorized_keys, /etc or a web "
     "root is how Redis is used to plant a cron job or an SSH key that installs a miner."},
    Run};

}  // namespace deminer
