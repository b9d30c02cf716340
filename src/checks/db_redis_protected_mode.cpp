// db.redis-protected-mode: protected mode is Redis's last guard when no
// password is set (it refuses clients that are not on loopback); turning it
// off is what exposes an unauthenticated server to the network.
#include "checks/db_redis_common.h"

namespace deminer {

extern const Check kDbRedisProtectedMode;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const RedisServer& s : ctx.facts.redis_servers) {
    const auto mode = s.Setting("protected-mode");
    if (!mode || ToLower(mode->value) != "no") continue;
    // With a password protected mode does nothing; still worth turning back on.
    const auto needs = RedisNeedsAuth(s);
    const Severity sev = needs && *needs ? Severity::kLow : Severity::kMedium;
    Finding f = RedisFinding(kDbRedisProtectedMode.info, s, sev, "protected-mode no",
                             "protected-mode", mode, "protected-mode yes");
    f.evidence["protected-mode"] = mode->value;
    f.remediation = fmt::format(
        "Set `protected-mode yes` in {}{}, and restart Redis (or CONFIG SET protected-mode yes).",
        s.FixFile(), mode->line > 0 ? fmt::format(" (line {})", mode->line) : "");
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbRedisProtectedMode = {
    {"db.redis-protected-mode", "Redis protected mode is off", Severity::kMedium,
     Kind::kWeakness, Scope::kDatabases, "T1190", "Set `protected-mode yes` in redis.conf.",
     "Live CONFIG GET protected-mode and redis.conf's protected-mode: `no` lets clients beyond "
     "loopback in when no password is set (low when a password is set)."},
    Run};

}  // namespace deminer
