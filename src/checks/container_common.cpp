#include "checks/container_common.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/strings.h"

namespace deminer {

bool IsEngineSocket(std::string_view path) {
  const std::string_view name = Basename(path);
  return name == "docker.sock" || name == "podman.sock" || name == "containerd.sock" ||
         name == "crio.sock" || path == "/var/run" || path == "/run";
}

// Host paths whose contents give the host away: its root, config, users'
// keys, kernel interfaces, engine state, devices. Under /etc only what a
// dropper writes or reads (an /etc/localtime bind is normal).
bool IsSensitiveHostPath(std::string_view path) {
  constexpr std::string_view kExact[] = {
      "/",    "/etc", "/root", "/home", "/proc", "/sys",     "/boot",    "/dev",
      "/usr", "/lib", "/bin",  "/sbin", "/var",  "/var/log", "/var/lib", "/run/systemd"};
  constexpr std::string_view kUnder[] = {"/root/",
                                         "/var/lib/docker/",
                                         "/var/lib/containers/",
                                         "/var/lib/kubelet/",
                                         "/etc/cron",
                                         "/etc/systemd/",
                                         "/etc/ssh/",
                                         "/etc/sudoers",
                                         "/etc/shadow",
                                         "/etc/passwd",
                                         "/etc/ld.so.preload",
                                         "/etc/init.d/",
                                         "/var/spool/cron",
                                         "/boot/",
                                         "/proc/",
                                         "/sys/",
                                         "/etc/kubernetes/",
                                         "/home/"};
  while (path.size() > 1 && path.back() == '/') path.remove_suffix(1);
  for (std::string_view p : kExact) {
    if (path == p) return true;
  }
  for (std::string_view p : kUnder) {
    // A user's home mounted whole is sensitive (its .ssh); a project dir in it is not.
    if (p == "/home/") {
      if (path.starts_with(p) && path.find('/', p.size()) == std::string_view::npos) return true;
      continue;
    }
    if (path.starts_with(p)) return true;
  }
  return false;
}

// Each is a known way out of a container, or to the host's kernel or network.
constexpr std::string_view kDangerous[] = {
    "ALL", "SYS_ADMIN", "SYS_PTRACE",      "SYS_MODULE", "SYS_RAWIO", "SYS_BOOT",  "NET_ADMIN",
    "BPF", "PERFMON",   "DAC_READ_SEARCH", "SYSLOG",     "SYS_TIME",  "MAC_ADMIN", "MAC_OVERRIDE"};

bool IsDangerousCap(std::string_view cap) {
  return std::find(std::begin(kDangerous), std::end(kDangerous), cap) != std::end(kDangerous);
}

bool IsEngineDefaultNetwork(std::string_view network) {
  return network == "bridge" || network == "podman";
}

bool OnAllAddresses(std::string_view ip) {
  return ip.empty() || ip == "0.0.0.0" || ip == "::" || ip == "[::]";
}

std::string_view SensitiveService(uint16_t port) {
  static const std::pair<uint16_t, std::string_view> kPorts[] = {{22, "SSH"},
                                                                 {1433, "SQL Server"},
                                                                 {1521, "Oracle"},
                                                                 {2375, "Docker API"},
                                                                 {2376, "Docker API (TLS)"},
                                                                 {2379, "etcd"},
                                                                 {3306, "MySQL"},
                                                                 {5432, "PostgreSQL"},
                                                                 {5601, "Kibana"},
                                                                 {5672, "RabbitMQ"},
                                                                 {5984, "CouchDB"},
                                                                 {6379, "Redis"},
                                                                 {6443, "Kubernetes API"},
                                                                 {8086, "InfluxDB"},
                                                                 {8500, "Consul"},
                                                                 {9042, "Cassandra"},
                                                                 {9090, "Prometheus"},
                                                                 {9200, "Elasticsearch"},
                                                                 {9300, "Elasticsearch"},
                                                                 {10250, "kubelet"},
                                                                 {11211, "memcached"},
                                                                 {15672, "RabbitMQ admin"},
                                                                 {27017, "MongoDB"},
                                                                 {33060, "MySQL X"}};
  for (const auto& [p, name] : kPorts) {
    if (p == port) return name;
  }
  return {};
}

std::string FixText(const ContainerConfig& c, const ConfigFix& fix) {
  switch (c.source) {
    case ConfigSource::kCompose:
      return std::string(fix.compose);
    case ConfigSource::kKubernetes:
      return std::string(fix.kubernetes);
    case ConfigSource::kLive:
    case ConfigSource::kInspect:
      return fmt::format("{} (Compose: {}); `deminer harden {}` writes the whole fix",
                         fix.docker_run, fix.compose, c.name);
    case ConfigSource::kDockerfile:
    case ConfigSource::kImage:
      return std::string(fix.docker_run);
  }
  return std::string(fix.compose);
}

Finding ConfigFinding(const CheckInfo& info, const ContainerConfig& c, Severity severity,
                      std::string_view key, const std::string& setting, const ConfigFix& fix,
                      int line, std::string_view detail) {
  const std::string fp =
      fmt::format("{}\n{}\n{}\n{}\n{}", ConfigSourceName(c.source), c.file, c.name, key, detail);
  Finding f = NewFinding(info, severity, fmt::format("{}: {}", c.Describe(), setting), fp);
  f.evidence["source"] = ConfigSourceName(c.source);
  f.evidence["name"] = c.name;
  if (!c.image.empty()) f.evidence["image"] = c.image;
  if (!c.file.empty()) {
    f.path = c.file;
    f.line = line > 0 ? line : c.LineOf(key);
    f.evidence["file"] = f.line > 0 ? fmt::format("{}:{}", c.file, f.line) : c.file;
  }
  if (c.source == ConfigSource::kLive) {
    f.container = c.ref;
    if (!c.ref.compose_project.empty()) f.evidence["compose_project"] = c.ref.compose_project;
  } else if (c.source == ConfigSource::kImage) {
    // As the image's files are reported: the image stands where a container would.
    f.container = ContainerRef{"image:" + c.name, c.name, c.name, "image", ""};
  }
  f.evidence["setting"] = setting;
  const std::string fix_text = FixText(c, fix);
  f.evidence["fix"] = fix_text;
  f.remediation = fmt::format("{}. {}", fix_text, info.remediation);
  return f;
}

}  // namespace deminer
