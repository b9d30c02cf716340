// Shared by the db.redis-* checks: a finding about one Redis server (live or
// a redis.conf), with the subject, the server's evidence and the fix keys
// `deminer harden` collects ("fix": the exact line, "fix_file": where it goes).
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <optional>
#include <string>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

// `what` ends the subject ("answers without AUTH"); `setting`, when given,
// puts the file and line of that setting on the finding.
inline Finding RedisFinding(const CheckInfo& info, const RedisServer& s, Severity severity,
                            std::string_view what, std::string_view key,
                            const std::optional<RedisSetting>& setting, std::string fix) {
  const std::string where_key =
      fmt::format("{}\n{}\n{}", s.where, s.container ? (s.container->name.empty()
                                                            ? s.container->id
                                                            : s.container->name)
                                                      : std::string(),
                  key);
  Finding f = NewFinding(info, severity, fmt::format("{}: {}", s.Subject(), what), where_key);
  f.container = s.container;
  auto& e = f.evidence;
  e["server"] = s.where;
  e["source"] = s.live ? "live" : "config file";
  if (s.pid != 0) e["pid"] = s.pid;
  if (!s.bound.empty()) e["bound"] = Join(s.bound, ", ");
  if (!s.version.empty()) e["version"] = s.version;
  if (s.live) e["auth"] = std::string(RedisAuthName(s.auth));
  if (!s.config_error.empty()) e["config_command"] = "refused: " + s.config_error;
  if (setting && !setting->path.empty()) {
    f.path = setting->path;
    f.line = setting->line;
  } else if (!s.live && s.conf) {
    f.path = s.conf->path;
  }
  e["fix"] = std::move(fix);
  e["fix_file"] = s.FixFile();
  return f;
}

// Whether a server requires a password: the live answer (NOAUTH), else its
// file (requirepass, an ACL file, or a default user without nopass); nullopt
// when unknown.
inline std::optional<bool> RedisNeedsAuth(const RedisServer& s) {
  if (s.auth == RedisAuth::kOpen) return false;
  if (s.auth == RedisAuth::kRequired) return true;
  if (!s.conf) return std::nullopt;
  if (s.conf->Last("requirepass") || s.conf->Last("aclfile")) return true;
  for (const RedisDirective* d : s.conf->All("user")) {
    if (d->args.empty() || d->args[0] != "default") continue;
    const bool nopass = std::find(d->args.begin(), d->args.end(), "nopass") != d->args.end();
    const bool off = std::find(d->args.begin(), d->args.end(), "off") != d->args.end();
    return !nopass || off;
  }
  return false;
}

}  // namespace deminer
