#include "report/harden.h"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "checks/container_common.h"
#include "core/strings.h"

namespace deminer {
namespace {

// Official images of databases and caches start as root to own their data
// dir, then step down to their own user (gosu, su-exec): they need these
// capabilities for that, and must not be given a user.
bool StepsDownFromRoot(const std::string& image) {
  const std::string i = ToLower(image);
  for (const char* name :
       {"postgres", "redis", "mysql", "mariadb", "mongo", "rabbitmq", "memcached"}) {
    if (i.find(name) != std::string::npos) return true;
  }
  return false;
}

constexpr const char* kStepDownCaps[] = {"CHOWN", "SETUID", "SETGID", "FOWNER", "DAC_OVERRIDE"};
constexpr const char* kTmpOptions = "rw,noexec,nosuid,nodev,size=64m";

std::string PortText(const ConfigPort& p) {
  std::string s = p.host_port != 0 ? fmt::format("{}:{}", p.host_port, p.container_port)
                                   : std::to_string(p.container_port);
  if (p.proto != "tcp") s += "/" + p.proto;
  return s;
}

std::string ShellQuote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of(
                        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-./:=,@") ==
                        std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char ch : s) {
    if (ch == '\'')
      out += "'\\''";
    else
      out += ch;
  }
  return out + "'";
}

void PlanTmp(const ContainerConfig& c, HardenPlan& plan) {
  std::vector<std::string> add;
  for (const char* dir : {"/tmp", "/var/tmp"}) {
    const ConfigMount* m = c.MountAt(dir);
    // The engine's own mount there (Podman's on a read-only root) is replaced by ours.
    if (m == nullptr || m->target == "/" || (m->from_engine && !HasOption(m->options, "noexec"))) {
      add.push_back(fmt::format("{}:{}", dir, kTmpOptions));
    } else if (m->Executable()) {
      plan.edits.push_back(
          {m->line > 0 ? m->line : c.LineOf("tmpfs"),
           fmt::format("add noexec,nosuid,nodev to the {} mount of {}", m->type, m->target), "",
           "a payload written there could be run"});
    }
  }
  // The container's own tmpfs mounts stay (a read-only root needs them).
  for (const ConfigMount& m : c.mounts) {
    if (m.from_engine) continue;
    if (m.type == "tmpfs" && m.target != "/tmp" && m.target != "/var/tmp") {
      plan.kept_flags.emplace_back(
          fmt::format("--tmpfs {}{}", m.target, m.options.empty() ? "" : ":" + m.options),
          "kept: its own scratch mount");
    } else if (m.type == "tmpfs") {
      plan.kept_flags.emplace_back(
          fmt::format("--tmpfs {}:{}", m.target,
                      HasOption(m.options, "noexec") ? m.options : kTmpOptions),
          "its scratch mount, noexec: a payload written there cannot run");
    }
  }
  if (!add.empty()) {
    std::vector<std::string> flags;
    for (const std::string& a : add) flags.push_back("--tmpfs " + a);
    plan.set.push_back(
        {"tmpfs", add, true, flags,
         "scratch space that cannot run programs: every seed's payload ran from /tmp"});
  }
}

void PlanCaps(const ContainerConfig& c, HardenPlan& plan) {
  std::vector<std::string> need;
  if (StepsDownFromRoot(c.image)) need.assign(std::begin(kStepDownCaps), std::end(kStepDownCaps));
  const bool low_port = std::any_of(c.ports.begin(), c.ports.end(), [](const ConfigPort& p) {
    return p.container_port < 1024 && p.container_port > 0;
  });
  if (low_port) need.emplace_back("NET_BIND_SERVICE");
  for (const std::string& cap : c.cap_add) {
    if (IsDangerousCap(cap)) {
      plan.edits.push_back({c.LineOf("cap_add"), "remove " + cap + " from cap_add",
                            "--cap-add " + cap, "a way out of the container to the host's kernel"});
    } else if (std::find(need.begin(), need.end(), cap) == need.end()) {
      need.push_back(cap);  // the operator added it; keep it
    }
  }
  if (!c.DroppedAll()) {
    plan.set.push_back({"cap_drop",
                        {"ALL"},
                        true,
                        {"--cap-drop ALL"},
                        "a web app or database needs none of the default capabilities"});
  }
  std::vector<std::string> add;
  for (const std::string& cap : need) {
    if (std::find(c.cap_add.begin(), c.cap_add.end(), cap) == c.cap_add.end()) add.push_back(cap);
  }
  if (!add.empty()) {
    std::vector<std::string> flags;
    for (const std::string& a : add) flags.push_back("--cap-add " + a);
    plan.set.push_back({"cap_add", add, true, flags,
                        low_port && add.back() == "NET_BIND_SERVICE" && add.size() == 1
                            ? "to bind its port below 1024"
                            : "what it needs: the image starts as root and steps down to its own "
                              "user (and binds a low port if it has one)"});
  }
}

void PlanPorts(const ContainerConfig& c, HardenPlan& plan) {
  for (const ConfigPort& p : c.ports) {
    if (!p.published) continue;
    std::string_view service = SensitiveService(p.container_port);
    if (service.empty()) service = SensitiveService(p.host_port);
    if (service.empty() || !OnAllAddresses(p.host_ip)) {
      plan.kept_flags.emplace_back(
          fmt::format("-p {}{}", p.host_ip.empty() ? "" : p.host_ip + ":", PortText(p)),
          "kept: the port it serves");
      continue;
    }
    const uint16_t host = p.host_port != 0 ? p.host_port : p.container_port;
    ConfigPort fixed = p;
    fixed.host_port = host;
    plan.kept_flags.emplace_back(
        fmt::format("-p 127.0.0.1:{}", PortText(fixed)),
        fmt::format("was on every address: {} answers on loopback only", service));
    plan.edits.push_back(
        {p.line > 0 ? p.line : c.LineOf("ports"),
         fmt::format("ports \"{}\" -> \"127.0.0.1:{}\"", PortText(p), PortText(fixed)), "",
         fmt::format("{} must not face the network; Docker's published ports "
                     "bypass ufw and the INPUT chain",
                     service)});
  }
}

void PlanMounts(const ContainerConfig& c, HardenPlan& plan) {
  for (const ConfigMount& m : c.mounts) {
    if (m.type == "tmpfs" || m.type == "emptyDir" || m.from_engine) continue;
    const std::string vol = fmt::format("{}:{}{}", m.source, m.target, m.read_only ? ":ro" : "");
    const bool sensitive = (m.type == "bind" || m.type == "hostPath") &&
                           (IsEngineSocket(m.source) || IsSensitiveHostPath(m.source));
    if (sensitive) {
      plan.edits.push_back({m.line > 0 ? m.line : c.LineOf("volumes"), "remove the volume " + vol,
                            "-v " + vol,
                            "gives the container the host (an engine socket or a system dir)"});
    } else if (m.type == "bind" || m.type == "volume") {
      plan.kept_flags.emplace_back("-v " + vol, "kept: its data");
    }
  }
}

void PlanRest(const ContainerConfig& c, HardenPlan& plan) {
  if (c.privileged) {
    plan.set.push_back({"privileged",
                        {"false"},
                        false,
                        {},
                        "privileged is every capability and device: root on the host"});
    plan.edits.push_back({c.LineOf("privileged"), "remove privileged: true", "--privileged",
                          "the override sets it false; the base should not say it"});
  }
  if (!c.read_only_rootfs.value_or(false)) {
    plan.set.push_back(
        {"read_only",
         {"true"},
         false,
         {"--read-only"},
         "a dropper cannot write its payload or its persistence into the image's file system"});
  }
  PlanTmp(c, plan);
  PlanCaps(c, plan);
  if (!c.no_new_privileges.value_or(false)) {
    plan.set.push_back({"security_opt",
                        {"no-new-privileges:true"},
                        true,
                        {"--security-opt no-new-privileges"},
                        "setuid programs cannot raise privileges"});
  }
  if (c.seccomp_unconfined || c.apparmor_unconfined) {
    plan.edits.push_back(
        {c.LineOf("security_opt"), "remove seccomp/apparmor unconfined from security_opt",
         "--security-opt seccomp=unconfined", "keeps the engine's default confinement"});
  }
  const std::pair<bool, const char*> kHost[] = {
      {c.host_pid, "pid: host"}, {c.host_ipc, "ipc: host"}, {c.host_network, "network_mode: host"}};
  const char* kKey[] = {"pid", "ipc", "network"};
  const char* kFlag[] = {"--pid=host", "--ipc=host", "--network=host"};
  for (size_t i = 0; i < 3; ++i) {
    if (kHost[i].first) {
      plan.edits.push_back({c.LineOf(kKey[i]), fmt::format("remove {}", kHost[i].second), kFlag[i],
                            "the container would share the host's namespace"});
    }
  }
  if (c.memory_limit <= 0) {
    plan.set.push_back({"mem_limit",
                        {"512m"},
                        false,
                        {"--memory 512m"},
                        "size it to the app; a hijacked container stops at it"});
  }
  if (c.cpu_limit <= 0) {
    plan.set.push_back(
        {"cpus", {"1.0"}, false, {"--cpus 1"}, "a miner then takes one core, not the host"});
  }
  if (c.pids_limit_settable && c.pids_limit <= 0) {
    plan.set.push_back({"pids_limit",
                        {"256"},
                        false,
                        {"--pids-limit 256"},
                        "a fork bomb or a respawn loop stops at it"});
  }
  if (c.RunsAsRoot() && !StepsDownFromRoot(c.image)) {
    plan.set.push_back({"user",
                        {"1000:1000"},
                        false,
                        {"--user 1000:1000"},
                        "not root: a uid the app's files allow (node images: node is 1000)"});
  }
  PlanPorts(c, plan);
  PlanMounts(c, plan);
  // A network of its own instead of the engine's default one (live containers
  // only: a Compose project already has one).
  bool on_default = false;
  for (const std::string& n : c.networks) {
    if (IsEngineDefaultNetwork(n)) {
      on_default = true;
    } else if (!c.host_network && n != "none" && n != "host") {
      plan.kept_flags.emplace_back("--network " + n, "kept: its own network");
    }
  }
  if (on_default && !c.host_network && c.source == ConfigSource::kLive) {
    const std::string net = c.name + "-net";
    plan.before_run.emplace_back(
        "docker network create " + ShellQuote(net) + " >/dev/null 2>&1 || true",
        "a network of its own (add --internal for a database's)");
    plan.set.push_back({"networks",
                        {net},
                        true,
                        {"--network " + net},
                        "not the engine's default network that every other container shares"});
  }
}

std::string Quote(const std::string& s) { return nlohmann::json(s).dump(); }

// "# " + text, one comment line; newlines in it would end the comment.
std::string Comment(std::string_view text) {
  std::string s(text);
  std::replace(s.begin(), s.end(), '\n', ' ');
  return s;
}

std::string ServiceName(const ContainerConfig& c) {
  if (!c.compose_service.empty()) return c.compose_service;
  return c.name;
}

}  // namespace

HardenPlan PlanHardening(const ContainerConfig& c) {
  HardenPlan plan;
  PlanRest(c, plan);
  return plan;
}

std::string RenderComposeOverride(const std::vector<ContainerConfig>& configs,
                                  const std::string& base) {
  std::string out = fmt::format(
      "# deminer harden: a Compose override that closes the weaknesses deminer finds{}.\n"
      "# Use it beside the base file, then recreate the services:\n"
      "#   docker compose -f {} -f THIS_FILE up -d\n"
      "# An override cannot take away what the base file lists (Compose merges ports,\n"
      "# volumes, cap_add and security_opt): those changes are marked \"edit\" with the\n"
      "# base file's line. Sizes (memory, CPUs, PIDs) are starting points: fit them to the app.\n",
      base.empty() ? "" : " in " + base, base.empty() ? "docker-compose.yml" : base);
  std::string services;
  for (const ContainerConfig& c : configs) {
    if (!c.runtime_settings) continue;
    const HardenPlan plan = PlanHardening(c);
    if (plan.Empty()) continue;
    services += fmt::format("  {}:\n", Quote(ServiceName(c)));
    bool any = false;
    for (const HardenPlan::Set& s : plan.set) {
      if (s.key == "networks") {
        // A service's networks must be declared at the top level too; said, not written.
        services += fmt::format(
            "    # give it a network of its own: networks: [{}] (declared under the "
            "top-level networks:)\n",
            s.values[0]);
        continue;
      }
      any = true;
      if (!s.list) {
        const bool bare = s.values[0] == "true" || s.values[0] == "false" ||
                          s.values[0].find_first_not_of("0123456789.") == std::string::npos;
        services += fmt::format("    {}: {}  # {}\n", s.key,
                                bare ? s.values[0] : Quote(s.values[0]), Comment(s.why));
        continue;
      }
      services += fmt::format("    {}:  # {}\n", s.key, Comment(s.why));
      for (const std::string& v : s.values) services += fmt::format("      - {}\n", Quote(v));
    }
    for (const HardenPlan::Edit& e : plan.edits) {
      services += fmt::format("    # edit {}{}: {} ({})\n", base.empty() ? "the base file" : base,
                              e.line > 0 ? fmt::format(":{}", e.line) : "", Comment(e.what),
                              Comment(e.why));
    }
    if (!any) services += "    {}\n";  // only edits: the service needs nothing the override can set
  }
  if (services.empty())
    return out +
           "# Nothing to harden: no weakness an override or edit would close.\nservices: {}\n";
  return out + "services:\n" + services;
}

std::string RenderDockerRun(const ContainerConfig& c) {
  const HardenPlan plan = PlanHardening(c);
  std::string out = fmt::format(
      "# deminer harden: container {} (image {}), recreated with its weaknesses closed.\n"
      "# Remove the old one first (docker rm -f {}); add your -e/--env-file.\n"
      "# Sizes (memory, CPUs, PIDs) are starting points: fit them to the app.\n"
      "flags=(\n",
      c.name, c.image.empty() ? "?" : c.image, ShellQuote(c.name));
  std::vector<std::pair<std::string, std::string>> lines;
  lines.emplace_back("--name " + ShellQuote(c.name), "its name");
  for (const HardenPlan::Set& s : plan.set) {
    for (const std::string& f : s.flags) lines.emplace_back(f, s.why);
  }
  lines.insert(lines.end(), plan.kept_flags.begin(), plan.kept_flags.end());
  size_t width = 0;
  for (const auto& [flag, why] : lines) width = std::max(width, flag.size());
  for (const auto& [flag, why] : lines) {
    // Flags are "--opt value": the value is shell-quoted, the option is a word.
    const size_t space = flag.find(' ');
    const std::string quoted =
        space == std::string::npos || flag.starts_with("--name ")
            ? flag
            : flag.substr(0, space) + " " + ShellQuote(flag.substr(space + 1));
    out += fmt::format("  {:<{}}  # {}\n", quoted, width + 2, Comment(why));
  }
  out += ")\n";
  for (const auto& [command, why] : plan.before_run) out += fmt::format("# {}\n{}\n", why, command);
  for (const HardenPlan::Edit& e : plan.edits) {
    if (!e.drop_flag.empty())
      out += fmt::format("# left out: {} ({})\n", e.drop_flag, Comment(e.why));
  }
  std::vector<std::string> run = {"docker", "run", "-d", "\"${flags[@]}\""};
  if (!c.entrypoint.empty()) {
    run.push_back("--entrypoint");
    run.push_back(ShellQuote(c.entrypoint[0]));
  }
  run.push_back(ShellQuote(c.image.empty() ? "IMAGE" : c.image));
  for (size_t i = 1; i < c.entrypoint.size(); ++i) run.push_back(ShellQuote(c.entrypoint[i]));
  for (const std::string& a : c.cmd) run.push_back(ShellQuote(a));
  return out + Join(run, " ") + "\n";
}

}  // namespace deminer
