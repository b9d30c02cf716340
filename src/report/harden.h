// `deminer harden`: the fix for a container's weaknesses, written out. From a
// container config (a Compose service, a live container) it plans the settings
// that close every weakness the container checks find, keeping what the
// container needs (its own tmpfs mounts, its data volumes, the capabilities an
// image that starts as root and steps down needs, a low port's bind), and
// renders them as a Compose override or as `docker run` flags, a comment on
// each line saying why. What an override cannot undo (Compose merges lists
// such as ports, volumes and cap_add) is listed as edits to the base file,
// with its line. deminer prints the fix; it never applies it.
#pragma once

#include <string>
#include <vector>

#include "sources/container_config.h"

namespace deminer {

struct HardenPlan {
  struct Set {
    std::string key;                  // Compose key: "read_only", "tmpfs", "cap_drop", ...
    std::vector<std::string> values;  // one for scalars; the items of a list
    bool list = false;
    std::vector<std::string> flags;  // the same as `docker run` flags
    std::string why;
  };
  struct Edit {
    int line = 0;           // in the base file; 0 when unknown
    std::string what;       // "ports \"5432:5432\" -> \"127.0.0.1:5432:5432\""
    std::string drop_flag;  // the `docker run` flag to leave out, when there is one
    std::string why;
  };
  std::vector<Set> set;
  std::vector<Edit> edits;
  // -p, -v, --tmpfs, --network the container keeps (changed where needed), and why.
  std::vector<std::pair<std::string, std::string>> kept_flags;
  // Commands the docker run script runs first ("docker network create ..."), and why.
  std::vector<std::pair<std::string, std::string>> before_run;
  bool Empty() const { return set.empty() && edits.empty(); }
};

HardenPlan PlanHardening(const ContainerConfig& c);

// A Compose override for `configs` (Compose services, or live containers by
// their compose service or name), valid for `docker compose -f BASE -f
// OVERRIDE config`; `base` names the base file in the header comment.
std::string RenderComposeOverride(const std::vector<ContainerConfig>& configs,
                                  const std::string& base);

// `docker run` flags for recreating a live container hardened: a bash array,
// a comment per line, then the run line with its image and command.
std::string RenderDockerRun(const ContainerConfig& c);

}  // namespace deminer
