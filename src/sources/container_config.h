// How a container is set up to run, as the container checks judge it. One
// model for every place a setting can be read: a live container's inspect
// through the Docker API, an inspect JSON file, a Compose service, a
// Kubernetes container, a Dockerfile's final stage and an image's config. A
// check is written once for all of them; each source fills what it can say and
// leaves the rest unknown.
// Thread safety: values, no shared state. Parsers are pure and fuzzed.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"

namespace deminer {

enum class ConfigSource {
  kLive,        // a container of a running engine (Docker API inspect)
  kInspect,     // a `docker inspect` JSON file
  kCompose,     // a service of a Compose file
  kKubernetes,  // a container of a Pod template (Pod, Deployment, ...)
  kDockerfile,  // the final stage of a Dockerfile
  kImage,       // an image's config (image tarball, or the image of a live container)
};
std::string_view ConfigSourceName(ConfigSource s);  // "container", "inspect", "compose", ...

struct ConfigMount {
  std::string type;    // "bind", "volume", "tmpfs", "hostPath", "emptyDir", "npipe"
  std::string source;  // host path (bind, hostPath) or volume name; empty for tmpfs
  std::string target;  // path in the container
  bool read_only = false;
  std::string options;  // tmpfs options as given: "rw,noexec,nosuid,size=65536k"
  int line = 0;         // offline sources: where it is declared
  // Seen in a running container's mount table, not in its config: the
  // engine's own (its /dev/shm, Podman's tmpfs on a read-only root).
  bool from_engine = false;

  // Writable and able to run programs: neither read-only nor noexec.
  bool Executable() const;
};

struct ConfigPort {
  std::string host_ip;     // "", "0.0.0.0" or "::" mean every address
  uint16_t host_port = 0;  // 0: chosen by the engine
  uint16_t container_port = 0;
  std::string proto = "tcp";
  bool published = true;  // false: only declared (EXPOSE, containerPort without hostPort)
  int line = 0;
};

struct ContainerConfig {
  ConfigSource source = ConfigSource::kLive;
  // What a person calls it: the container's name, the Compose service, "Deployment
  // web, container app", "Dockerfile final stage", the image reference.
  std::string name;
  std::string file;  // offline sources: the file read; empty for live containers
  int line = 0;      // offline: where the container / service / stage begins
  // Offline: the line of each setting that was given, by the keys below
  // ("privileged", "read_only", "cap_add", "cap_drop", "security_opt", "user",
  // "pid", "network", "ipc", "mem_limit", "cpus", "pids_limit", "ports",
  // "volumes", "tmpfs", "image", "tools"). LineOf falls back to `line`.
  std::map<std::string, int, std::less<>> lines;
  ContainerRef ref;             // live: id, name, image, runtime, compose project
  std::string image;            // image reference as configured
  std::string compose_service;  // live: the com.docker.compose.service label
  bool running = false;
  int pid = 0;  // live and running: the init's pid on the host

  // Runtime settings. Dockerfiles and images cannot set them; for those
  // `runtime_settings` is false and the checks of runtime settings skip them.
  bool runtime_settings = true;
  bool privileged = false;
  std::optional<bool> read_only_rootfs;  // unset: not said (the engine's default: writable)
  // Upper case without "CAP_", "ALL" kept as "ALL". Podman reports `--cap-drop
  // ALL` as the expanded list; DroppedAll() accepts both.
  std::vector<std::string> cap_add, cap_drop;
  std::optional<bool> no_new_privileges;
  bool seccomp_unconfined = false;
  bool apparmor_unconfined = false;
  bool host_pid = false, host_network = false, host_ipc = false;
  std::string network_mode;           // "bridge", "host", "none", a network name
  std::vector<std::string> networks;  // live, inspect: the networks it is attached to
  std::vector<ConfigMount> mounts;    // binds, volumes, tmpfs, hostPath, emptyDir
  int64_t memory_limit = 0;           // bytes; 0: none
  double cpu_limit = 0;               // cores; 0: none
  int64_t pids_limit = 0;             // 0 or less: none
  bool pids_limit_settable = true;    // Kubernetes sets PIDs limits per node, not per pod
  std::vector<ConfigPort> ports;

  // Who the process runs as. `user` unset: not said, so the image decides
  // (root unless the image sets USER). Kubernetes: runAsNonRoot / runAsUser.
  std::optional<std::string> user;
  std::optional<bool> run_as_non_root;

  // Tools an attacker's dropper needs that the app rarely does, found in the
  // final image or stage: "curl /usr/bin/curl", "wget (busybox applet)", or for a
  // Dockerfile the package an install line adds ("curl (apk add, line 7)").
  // `tools_known` is false when the file system could not be looked at.
  std::vector<std::string> tools;
  bool tools_known = false;
  std::vector<std::string> entrypoint, cmd;

  int LineOf(std::string_view key) const;
  // Drops every capability: "ALL", or the expanded list of Docker's defaults.
  bool DroppedAll() const;
  // Capabilities the container has beyond nothing: Docker's default set minus
  // cap_drop plus cap_add (all of them when privileged).
  std::vector<std::string> EffectiveCaps() const;
  // Runs as root: user unset or empty (image decides; the image's own user is
  // merged into live inspects), "root", "0" or "0:..."; false when
  // run_as_non_root is set.
  bool RunsAsRoot() const;
  // The mount covering `path` in the container, if any (longest target prefix).
  const ConfigMount* MountAt(std::string_view path) const;
  // A label for findings: "container web", "compose service web", ...
  std::string Describe() const;
};

// One security option as Docker and Compose write it ("no-new-privileges",
// "no-new-privileges:false", "seccomp=unconfined", "apparmor:unconfined",
// "label=disable"), applied to `c`; others are left alone.
void ApplySecurityOpt(std::string_view opt, ContainerConfig& c);

// Whether a comma-separated option list ("rw,nosuid,noexec") has `opt`.
bool HasOption(std::string_view options, std::string_view opt);

// Docker's default capability set (what a container has unless dropped).
const std::vector<std::string>& DockerDefaultCaps();

// "CAP_SYS_ADMIN", "sys_admin" -> "SYS_ADMIN".
std::string NormalizeCap(std::string_view cap);

// A `docker inspect` of one container (an object) or several (an array), from
// the API or a file. `file` is recorded in each config (empty for live); lines
// are those of each setting's key in the text. Pure.
Expected<std::vector<ContainerConfig>> ParseInspect(std::string_view json, const std::string& file,
                                                    ConfigSource source);

// A Compose file: one config per service. Pure. (container_offline.cpp)
Expected<std::vector<ContainerConfig>> ParseCompose(std::string_view yaml, const std::string& file);

// Kubernetes manifests (several documents, List kinds): one config per
// container and init container of Pod, Deployment, StatefulSet, DaemonSet,
// ReplicaSet, Job and CronJob. Pure. (container_offline.cpp)
Expected<std::vector<ContainerConfig>> ParseKubernetes(std::string_view yaml,
                                                       const std::string& file);

// A Dockerfile: one config for its final stage (user, exposed ports, tools its
// install lines add and do not remove). Pure. (container_offline.cpp)
Expected<std::vector<ContainerConfig>> ParseDockerfile(std::string_view text,
                                                       const std::string& file);

// The dropper's tools in a container's or an image's file system seen at
// `root` (/proc/PID/root, an unpacked image): curl, wget, nc, ncat, socat, a
// busybox (as its wget and nc applets) and shells, as "curl /usr/bin/curl",
// "wget (busybox applet, /bin/busybox)". Resolved inside root (RootFs): a
// symlink never leads out of it, and the last one is not followed.
std::vector<std::string> FindDropperTools(const std::string& root);

enum class ConfigFileKind { kNone, kInspect, kCompose, kKubernetes, kDockerfile };

// What a file is, from its name and its first bytes.
ConfigFileKind DetectConfigFile(std::string_view path, std::string_view head);

// Reads the container configs of each PATH: a file of a kind above, or a
// directory searched (bounded depth, skipping node_modules, .git and build
// output) for Compose files, Dockerfiles, Kubernetes manifests and inspect
// JSON. Unreadable or malformed files are gaps. (container_offline.cpp)
void ReadContainerConfigs(const std::vector<std::string>& paths, std::vector<ContainerConfig>& out,
                          std::vector<Gap>& gaps);

}  // namespace deminer
