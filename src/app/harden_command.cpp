// deminer harden [TARGET...]: prints the fix for the container weaknesses of
// Compose files, inspect files and live containers, for the databases' settings
// (live servers and their config files), and a packet filter rule set for this
// host. Nothing is applied, no SQL is run.
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <set>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "checks/container_collect.h"
#include "checks/scanner.h"
#include "report/harden.h"
#include "report/service_harden.h"

namespace deminer {
namespace {

Expected<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Fail(Error::FromErrno(errno, path));
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool IsFile(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The configs a file target holds, and whether it is a Compose file.
Expected<std::vector<ContainerConfig>> FromFile(const std::string& path, bool& compose) {
  auto text = ReadText(path);
  if (!text) return Fail(text.error());
  switch (DetectConfigFile(path, std::string_view(*text).substr(0, 4096))) {
    case ConfigFileKind::kCompose:
      compose = true;
      return ParseCompose(*text, path);
    case ConfigFileKind::kInspect:
      return ParseInspect(*text, path, ConfigSource::kInspect);
    case ConfigFileKind::kKubernetes:
    case ConfigFileKind::kDockerfile:
      return Fail(Error::InvalidInput(fmt::format(
          "{}: harden writes Compose overrides and docker run flags; for Kubernetes manifests "
          "and Dockerfiles, `deminer scan --only containers {}` gives the fix of each finding",
          path, path)));
    case ConfigFileKind::kNone:
      break;
  }
  return Fail(Error::InvalidInput(
      path +
      ": not a Compose file or a docker inspect JSON (name it docker-compose.yml or "
      "compose.yaml)"));
}

// Config files of the services the databases scope reads.
bool IsServiceConfig(const std::string& path) {
  const std::string_view name = std::string_view(path).substr(path.rfind('/') + 1);
  return name == "pg_hba.conf" || name == "postgresql.conf" || name == "postgresql.auto.conf" ||
         (name.starts_with("redis") && name.ends_with(".conf"));
}

// Each distinct gap once (the scopes are scanned one after another).
void PrintGaps(const std::vector<Gap>& gaps) {
  static std::set<std::string> printed;
  for (const Gap& g : gaps) {
    if (!printed.insert(g.what + '\0' + g.reason).second) continue;
    std::cerr << "deminer: skipped " << g.what << ": " << g.reason;
    if (!g.needs.empty()) std::cerr << " (needs " << g.needs << ")";
    std::cerr << "\n";
  }
}

// The databases scope's findings over this host (or only `paths` when given).
std::vector<Finding> DatabaseFindings(const HardenArgs& args, const std::vector<std::string>& paths,
                                      const RulePack& rules) {
  ScanOptions options;
  options.scopes = {Scope::kDatabases};
  options.paths = paths;
  options.dsns = args.dsns;
  ScanResult result = RunScan(options, rules);
  PrintGaps(result.skipped);
  return std::move(result.findings);
}

std::string FirewallRules(FirewallFormat format, const RulePack& rules) {
  ScanOptions options;
  options.scopes = {Scope::kExposure};
  const ScanResult result = RunScan(options, rules);
  PrintGaps(result.skipped);
  return RenderFirewall(result.exposure, rules, format);
}

}  // namespace

int RunHardenCommand(const HardenArgs& args) {
  static const std::set<std::string, std::less<>> kFormats = {"auto", "compose", "run", "nft",
                                                              "ufw"};
  if (!kFormats.contains(args.format)) {
    std::cerr << "deminer: harden --format is auto, compose, run, nft or ufw\n";
    return kExitError;
  }
  std::vector<Gap> gaps;
  std::vector<ContainerConfig> containers;  // live or inspect: docker run flags by default
  std::string out;
  std::vector<ContainerConfig> live;
  bool live_read = false;
  // With no target: this host's containers, databases and firewall, each when it has a fix.
  const bool everything = args.targets.empty();
  bool databases = everything, firewall = everything, all_containers = everything;
  std::vector<std::string> service_files;
  for (const std::string& target : args.targets) {
    if (target == "databases" || target == "firewall" || target == "containers") {
      (target == "databases" ? databases : target == "firewall" ? firewall : all_containers) = true;
      continue;
    }
    if (IsFile(target) && IsServiceConfig(target)) {
      service_files.push_back(target);
      continue;
    }
    if (IsFile(target)) {
      bool compose = false;
      auto configs = FromFile(target, compose);
      if (!configs) {
        std::cerr << "deminer: " << configs.error().message() << "\n";
        return kExitError;
      }
      if (compose || args.format == "compose") {
        out += RenderComposeOverride(*configs, target);
      } else {
        std::move(configs->begin(), configs->end(), std::back_inserter(containers));
      }
      continue;
    }
    if (!live_read) {
      live = ReadLiveContainers("/proc", gaps);
      live_read = true;
    }
    // A container by name, or by id or an id prefix of at least 4 characters.
    const auto it = std::find_if(live.begin(), live.end(), [&](const ContainerConfig& c) {
      return c.name == target || (target.size() >= 4 && c.ref.id.starts_with(target));
    });
    if (it == live.end()) {
      std::cerr << "deminer: " << target
                << ": no such file, and no container of that name or id on this host's engines\n";
      for (const Gap& g : gaps) std::cerr << "deminer: " << g.what << ": " << g.reason << "\n";
      return kExitError;
    }
    containers.push_back(*it);
  }
  if (all_containers) {
    containers = ReadLiveContainers("/proc", gaps);
    PrintGaps(gaps);
    if (containers.empty() && !everything) {
      std::cerr << "deminer: no containers found to harden (give a Compose file or a container)\n";
      return kExitError;
    }
  }
  if (!containers.empty()) {
    if (args.format == "compose") {
      out += RenderComposeOverride(containers, "");
    } else {
      for (const ContainerConfig& c : containers) out += RenderDockerRun(c) + "\n";
    }
  }
  if (databases || firewall || !service_files.empty()) {
    auto rules = LoadRules(args.rules, false);
    if (!rules) {
      std::cerr << "deminer: " << rules.error().message() << "\n";
      return kExitError;
    }
    // Files given and the host's own servers, each finding once (the host's
    // scan reads its config files too).
    std::vector<Finding> findings;
    std::set<std::string> seen;
    for (const auto& [wanted, paths] : {std::pair{!service_files.empty(), service_files},
                                        std::pair{databases, std::vector<std::string>{}}}) {
      if (!wanted) continue;
      for (Finding& f : DatabaseFindings(args, paths, *rules)) {
        if (seen.insert(f.check + f.fingerprint).second) findings.push_back(std::move(f));
      }
    }
    out += RenderServiceFixes(findings);
    if (firewall) {
      out += FirewallRules(args.format == "ufw" ? FirewallFormat::kUfw : FirewallFormat::kNft,
                           *rules);
    }
  }
  if (out.empty()) {
    std::cerr << "deminer: nothing to harden: no finding of these targets has a fix\n";
    return kExitClean;
  }
  std::cout << out;
  return kExitClean;
}

}  // namespace deminer
