// deminer harden [TARGET...]: prints the fix for the container weaknesses of
// Compose files, inspect files and live containers. Nothing is applied.
#include <fmt/format.h>
#include <sys/stat.h>

#include <fstream>
#include <iostream>
#include <sstream>

#include "app/commands.h"
#include "checks/container_collect.h"
#include "report/harden.h"

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

}  // namespace

int RunHardenCommand(const HardenArgs& args) {
  if (args.format != "auto" && args.format != "compose" && args.format != "run") {
    std::cerr << "deminer: harden --format is auto, compose or run\n";
    return kExitError;
  }
  std::vector<Gap> gaps;
  std::vector<ContainerConfig> containers;  // live or inspect: docker run flags by default
  std::string out;
  std::vector<ContainerConfig> live;
  bool live_read = false;
  for (const std::string& target : args.targets) {
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
  if (args.targets.empty()) {
    containers = ReadLiveContainers("/proc", gaps);
    for (const Gap& g : gaps) std::cerr << "deminer: " << g.what << ": " << g.reason << "\n";
    if (containers.empty()) {
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
  std::cout << out;
  return kExitClean;
}

}  // namespace deminer
