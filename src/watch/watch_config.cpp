#include "watch/watch_config.h"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

namespace deminer {
namespace {

std::string Where(const std::string& path, const YAML::Node& n) {
  return fmt::format("{}:{}", path, n.Mark().line + 1);
}

}  // namespace

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
      } else if (key == "respond") {
        auto r = ParseResponse(v.as<std::string>());
        if (!r) return bad("expected alert, suspend or kill");
        o.respond = *r;
      } else if (key == "respond_at") {
        auto s = ParseSeverity(v.as<std::string>());
        if (!s) return bad("expected critical, high, medium, low or info");
        o.respond_at = *s;
      } else if (key == "container_action") {
        o.container_action = v.as<std::string>();
        if (o.container_action == "none") o.container_action.clear();
        if (!o.container_action.empty() && o.container_action != "pause" &&
            o.container_action != "stop") {
          return bad("expected none, pause or stop");
        }
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
