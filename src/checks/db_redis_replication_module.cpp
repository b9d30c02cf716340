// db.redis-replication-module: a Redis server replicating from a master on
// another host, or with modules loaded. A rogue master can push a module to
// its replica (the "redis-rogue-server" attack), and a module runs native code
// inside Redis: one loaded from a temp dir is a planted one.
#include "checks/db_redis_common.h"

namespace deminer {

extern const Check kDbRedisReplicationModule;

namespace {

// Modules the public rogue-server exploits register.
bool RogueModuleName(std::string_view name) {
  const std::string n = ToLower(name);
  return n == "system" || n == "exp" || n == "evil" || n == "shell";
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const RedisServer& s : ctx.facts.redis_servers) {
    const auto needs = RedisNeedsAuth(s);
    const bool open = needs && !*needs;
    // Replication.
    std::string master, master_host;
    std::optional<RedisSetting> replicaof;
    if (s.live && s.role == "slave") {
      master_host = s.master_host;
      master = s.master_port != 0 ? fmt::format("{}:{}", s.master_host, s.master_port)
                                  : s.master_host;
    } else if ((replicaof = s.Setting("replicaof")) && !replicaof->value.empty()) {
      master = replicaof->value;
      master_host = std::string(Split(master, ' ')[0]);
    }
    if (!master.empty() && !IsLoopbackBind(master_host)) {
      const bool live_replica = s.live && s.role == "slave";
      const Severity sev = live_replica && open ? Severity::kCritical
                           : live_replica       ? Severity::kHigh
                                                : Severity::kMedium;
      Finding f = RedisFinding(kDbRedisReplicationModule.info, s, sev,
                               "replica of " + master, "replica\n" + master, replicaof,
                               "rename-command SLAVEOF \"\"\nrename-command REPLICAOF \"\"");
      f.kind = sev == Severity::kCritical ? Kind::kCompromise : Kind::kWeakness;
      f.evidence["master"] = master;
      if (!s.role.empty()) f.evidence["role"] = s.role;
      f.remediation = fmt::format(
          "Check that {} is your own master. If not: REPLICAOF NO ONE, look for modules and "
          "files it pushed, set a password, and add `rename-command SLAVEOF \"\"` and "
          "`rename-command REPLICAOF \"\"` to {}.",
          master, s.FixFile());
      out.push_back(std::move(f));
    }
    // Modules.
    for (const RedisModule& m : s.modules) {
      const bool planted = (!m.path.empty() && IsTempPath(m.path)) || RogueModuleName(m.name);
      std::optional<RedisSetting> where;
      if (m.line > 0 && s.conf) where = RedisSetting{m.path, s.conf->path, m.line};
      const std::string shown = m.path.empty() ? m.name : m.path;
      Finding f = RedisFinding(kDbRedisReplicationModule.info, s,
                               planted ? Severity::kCritical : Severity::kMedium,
                               "module " + shown, "module\n" + shown, where,
                               "rename-command MODULE \"\"");
      f.kind = planted ? Kind::kCompromise : Kind::kWeakness;
      f.evidence["module"] = m.name;
      if (!m.path.empty()) f.evidence["module_path"] = m.path;
      f.remediation =
          planted ? fmt::format("A module loaded from a temp dir (or named like the rogue-server "
                                "exploit's) runs the attacker's code in Redis: treat the host as "
                                "compromised, MODULE UNLOAD {} and restart Redis, remove the file, "
                                "and add `rename-command MODULE \"\"` to {}.",
                                m.name.empty() ? "it" : m.name, s.FixFile())
                  : fmt::format("Check that module {} is one you installed; if Redis needs no "
                                "modules, add `rename-command MODULE \"\"` to {}.",
                                shown, s.FixFile());
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kDbRedisReplicationModule = {
    {"db.redis-replication-module", "Redis replicates from another host or loads modules",
     Severity::kCritical, Kind::kCompromise, Scope::kDatabases, "T1505",
     "Stop unexpected replication (REPLICAOF NO ONE), unload unexpected modules, rename "
     "SLAVEOF, REPLICAOF and MODULE.",
     "INFO replication (role slave, master_host) and MODULE LIST of live servers, replicaof and "
     "loadmodule in redis.conf. A module from a temp dir or named like the rogue-server "
     "exploit's is a compromise (critical); a live replica of a foreign master is high, "
     "critical when the replica answers without a password."},
    Run};

}  // namespace deminer
