// db.redis-no-auth: a Redis server that answers without AUTH lets any client
// run CONFIG SET dir/dbfilename and SAVE, the classic way to write a cron job
// or an authorized_keys file that installs a miner.
#include "checks/db_redis_common.h"

namespace deminer {

extern const Check kDbRedisNoAuth;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const RedisServer& s : ctx.facts.redis_servers) {
    const auto needs = RedisNeedsAuth(s);
    if (!needs || *needs) continue;
    // Protected mode refuses clients beyond loopback while no password is set.
    const auto protected_mode = s.Setting("protected-mode");
    // Unset is Redis's default since 3.2: yes.
    const bool protected_on = !protected_mode || protected_mode->value == "yes";
    const bool exposed = s.BeyondLoopback() && !protected_on;
    const bool live = s.auth == RedisAuth::kOpen;
    // Loopback only is Redis's stock setup: worth fixing (a local process or an SSRF
    // can write through it), not an open door to other hosts.
    const Severity sev = exposed ? Severity::kCritical : Severity::kMedium;
    Finding f = RedisFinding(kDbRedisNoAuth.info, s, sev,
                             live ? "answers without AUTH" : "no password configured",
                             "no-auth", s.conf ? s.Setting("requirepass") : std::nullopt,
                             "requirepass <a long random secret>");
    f.evidence["answer"] = live ? "PONG to PING without AUTH" : "no requirepass, aclfile or "
                                                                 "password for the default user";
    f.evidence["reach"] = exposed ? "beyond loopback" : "loopback only (any local process or SSRF)";
    if (protected_mode) f.evidence["protected-mode"] = protected_mode->value;
    f.remediation = fmt::format(
        "Set a password: add `requirepass <a long random secret>` to {} (or an ACL user), "
        "restart Redis, and give the secret to its clients. Until then, anyone who can "
        "reach it can CONFIG SET dir to a cron or .ssh directory and SAVE a payload there.",
        s.FixFile());
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbRedisNoAuth = {
    {"db.redis-no-auth", "Redis answers without a password", Severity::kCritical, Kind::kWeakness,
     Scope::kDatabases, "T1190",
     "Set `requirepass` (or ACL users) in redis.conf and restart Redis.",
     "Asks each live Redis server PING without AUTH (PONG: open, NOAUTH: a password is "
     "required), and reads redis.conf files for requirepass, aclfile and the default user. "
     "Critical when it is reachable beyond loopback, high when only local processes (or an "
     "SSRF) can reach it (medium for a loopback-only config file with no live answer)."},
    Run};

}  // namespace deminer
