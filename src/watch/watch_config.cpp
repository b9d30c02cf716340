#include "watch/watch_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace deminer {
namespace {

std::string Where(const std::string& path, const YAML::Node& n) {
  return fmt::format("{}:{}", path, n.Mark().line + 1);
}

// One policy's keys, over `p`; "" or the error.
std::string ParsePolicyKey(const std::string& key, const YAML::Node& v, Policy& p) {
  if (key == "check") {
    p.check = v.as<std::string>();
  } else if (key == "at" || key == "respond_at") {
    auto s = ParseSeverity(v.as<std::string>());
    if (!s) return "expected critical, high, medium, low or info";
    p.at = *s;
  } else if (key == "respond") {
    auto r = ParseResponse(v.as<std::string>());
    if (!r) return "expected alert, suspend or kill";
    p.process = *r;
  } else if (key == "quarantine") {
    p.quarantine = v.as<bool>();
  } else if (key == "block" || key == "block_remote") {
    p.block = v.as<bool>();
  } else if (key == "container" || key == "container_action") {
    p.container = v.as<std::string>();
    if (p.container == "none") p.container.clear();
    if (!p.container.empty() && p.container != "pause" && p.container != "stop" &&
        p.container != "disconnect") {
      return "expected none, pause, stop or disconnect";
    }
  } else {
    return "?";
  }
  return "";
}

}  // namespace

WatchOptions WatchConfig::Final() const {
  WatchOptions o = options;
  if (defaults.Acts()) o.policies.push_back(defaults);
  return o;
}

Expected<WatchConfig> ParseWatchConfig(const std::string& text, const std::string& path,
                                       WatchConfig base) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (root.IsNull()) return base;
    if (!root.IsMap()) return Fail(Error::InvalidInput(path + ": expected a mapping of settings"));
    WatchOptions& o = base.options;
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& v = kv.second;
      const auto bad = [&](std::string_view what) {
        return Fail(Error::InvalidInput(fmt::format("{}: {}: {}", Where(path, v), key, what)));
      };
      if (key == "output") {
        o.output = v.as<std::string>();
      } else if (key == "respond" || key == "respond_at" || key == "container_action" ||
                 key == "quarantine" || key == "block_remote") {
        if (std::string why = ParsePolicyKey(key, v, base.defaults); !why.empty()) return bad(why);
      } else if (key == "policies") {
        if (!v.IsSequence()) return bad("expected a list of policies");
        for (const auto& item : v) {
          if (!item.IsMap()) {
            return Fail(
                Error::InvalidInput(fmt::format("{}: a policy is a mapping", Where(path, item))));
          }
          Policy p;
          for (const auto& pk : item) {
            const std::string k = pk.first.as<std::string>();
            const std::string why = ParsePolicyKey(k, pk.second, p);
            if (why == "?") {
              return Fail(Error::InvalidInput(
                  fmt::format("{}: unknown policy key {}", Where(path, pk.first), k)));
            }
            if (!why.empty()) {
              return Fail(
                  Error::InvalidInput(fmt::format("{}: {}: {}", Where(path, pk.second), k, why)));
            }
          }
          o.policies.push_back(std::move(p));
        }
      } else if (key == "state_dir") {
        o.state_dir = v.as<std::string>();
      } else if (key == "store") {
        o.store = v.as<bool>();
      } else if (key == "syslog") {
        o.syslog = v.as<std::string>();
      } else if (key == "webhook") {
        o.webhook = v.as<std::string>();
      } else if (key == "block_timeout") {
        o.block_timeout_s = v.as<unsigned>();
      } else if (key == "block_exec") {
        o.block_exec = v.as<bool>();
      } else if (key == "dry_run") {
        o.dry_run = v.as<bool>();
      } else if (key == "initial_scan") {
        o.initial_scan = v.as<bool>();
      } else if (key == "allow") {
        if (!v.IsSequence()) return bad("expected a list");
        for (const auto& a : v) o.allow.push_back(a.as<std::string>());
      } else if (key == "status_file") {
        o.status_file = v.as<std::string>();
      } else if (key == "dedup_window") {
        o.dedup_window_s = v.as<unsigned>();
      } else if (key == "rules") {
        if (!v.IsSequence()) return bad("expected a list");
        for (const auto& r : v) base.rules.push_back(r.as<std::string>());
      } else if (key == "intervals") {
        if (!v.IsMap()) return bad("expected sockets, processes, scan and logs in seconds");
        for (const auto& iv : v) {
          const std::string k = iv.first.as<std::string>();
          const unsigned s = iv.second.as<unsigned>();
          if (k == "sockets") {
            o.socket_interval_s = s;
          } else if (k == "processes") {
            o.process_interval_s = s;
          } else if (k == "scan") {
            o.scan_interval_s = s;
          } else if (k == "logs") {
            o.log_interval_s = s;
          } else {
            return Fail(Error::InvalidInput(
                fmt::format("{}: unknown interval {}", Where(path, iv.first), k)));
          }
        }
      } else {
        return Fail(
            Error::InvalidInput(fmt::format("{}: unknown setting {}", Where(path, kv.first), key)));
      }
    }
    return base;
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("{}:{}: {}", path, e.mark.line + 1, e.msg)));
  }
}

}  // namespace deminer
