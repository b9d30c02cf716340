// db.redis-bind-all: a Redis server listening on every interface. Whether
// other hosts really reach it is the exposure scope's verdict; this says the
// server does not limit itself.
#include "checks/db_redis_common.h"

namespace deminer {

extern const Check kDbRedisBindAll;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const RedisServer& s : ctx.facts.redis_servers) {
    std::string why;
    std::optional<RedisSetting> bind = s.Setting("bind");
    if (s.live && !s.bound.empty()) {
      // Inside a container's own netns, all addresses is the norm: its ports
      // are reachable only when published (the containers scope judges that).
      if (s.container) continue;
      for (const std::string& a : s.bound) {
        if (IsWildcardBind(a)) why = "listening on " + a;
      }
    } else if (!s.live) {
      if (!bind) {
        why = "no bind line: every interface";
      } else {
        for (std::string_view a : Split(bind->value, ' ')) {
          if (IsWildcardBind(a)) why = fmt::format("bind {}", bind->value);
        }
      }
    }
    if (why.empty()) continue;
    Finding f = RedisFinding(kDbRedisBindAll.info, s, Severity::kMedium, "bound to all addresses",
                             "bind-all", bind, "bind 127.0.0.1 -::1");
    f.evidence["bind"] = why;
    f.remediation = fmt::format(
        "Bind Redis to the addresses its clients use: `bind 127.0.0.1 -::1` in {} (add a "
        "private address only if other hosts need it), then restart Redis.",
        s.FixFile());
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbRedisBindAll = {
    {"db.redis-bind-all", "Redis bound to all addresses", Severity::kMedium, Kind::kWeakness,
     Scope::kDatabases, "T1190", "Set `bind 127.0.0.1 -::1` in redis.conf.",
     "The addresses a live Redis server listens on (0.0.0.0, ::), and redis.conf's bind (no "
     "bind line means every interface). Servers in a container's own network namespace are "
     "left to the containers and exposure scopes."},
    Run};

}  // namespace deminer
