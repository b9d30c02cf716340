#include "sources/container_config.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <set>
#include <tuple>

#include "core/strings.h"
#include "sources/root_fs.h"

namespace deminer {

std::string_view ConfigSourceName(ConfigSource s) {
  switch (s) {
    case ConfigSource::kLive:
      return "container";
    case ConfigSource::kInspect:
      return "inspect";
    case ConfigSource::kCompose:
      return "compose";
    case ConfigSource::kKubernetes:
      return "kubernetes";
    case ConfigSource::kDockerfile:
      return "dockerfile";
    case ConfigSource::kImage:
      return "image";
  }
  return "?";
}

const std::vector<std::string>& DockerDefaultCaps() {
  // moby's oci/caps/defaults.go; Podman's containers.conf default is a subset.
  static const std::vector<std::string> caps = {
      "AUDIT_WRITE",      "CHOWN",   "DAC_OVERRIDE", "FOWNER", "FSETID",  "KILL",   "MKNOD",
      "NET_BIND_SERVICE", "NET_RAW", "SETFCAP",      "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"};
  return caps;
}

std::string NormalizeCap(std::string_view cap) {
  std::string s(Trim(cap));
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::toupper(c); });
  if (s.starts_with("CAP_")) s.erase(0, 4);
  return s;
}

void ApplySecurityOpt(std::string_view opt, ContainerConfig& c) {
  const std::string o = ToLower(Trim(opt));
  const size_t sep = o.find_first_of(":=");
  const std::string key = o.substr(0, sep);
  const std::string value = sep == std::string::npos ? "" : o.substr(sep + 1);
  if (key == "no-new-privileges") {
    if (value.empty() || value == "true" || value == "1") c.no_new_privileges = true;
    if (value == "false" || value == "0") c.no_new_privileges = false;
  } else if (key == "seccomp" && value == "unconfined") {
    c.seccomp_unconfined = true;
  } else if (key == "apparmor" && value == "unconfined") {
    c.apparmor_unconfined = true;
  } else if (key == "label" && value == "disable") {
    c.apparmor_unconfined = true;  // SELinux confinement off: the same kind of weakness
  }
}

bool HasOption(std::string_view options, std::string_view opt) {
  for (std::string_view o : Split(options, ',')) {
    if (Trim(o) == opt) return true;
  }
  return false;
}

bool ConfigMount::Executable() const {
  return !read_only && !HasOption(options, "ro") && !HasOption(options, "noexec");
}

int ContainerConfig::LineOf(std::string_view key) const {
  const auto it = lines.find(key);
  return it != lines.end() ? it->second : line;
}

bool ContainerConfig::DroppedAll() const {
  if (std::find(cap_drop.begin(), cap_drop.end(), "ALL") != cap_drop.end()) return true;
  // Podman answers `--cap-drop ALL` with the list of what it dropped: the
  // engine's defaults, which may be fewer than Docker's.
  if (cap_drop.empty()) return false;
  const auto& defaults = DockerDefaultCaps();
  return std::all_of(defaults.begin(), defaults.end(), [&](const std::string& c) {
    return std::find(cap_drop.begin(), cap_drop.end(), c) != cap_drop.end() || c == "AUDIT_WRITE" ||
           c == "MKNOD" || c == "NET_RAW";  // not in Podman's defaults
  });
}

std::vector<std::string> ContainerConfig::EffectiveCaps() const {
  std::vector<std::string> caps;
  if (!DroppedAll()) {
    for (const std::string& c : DockerDefaultCaps()) {
      if (std::find(cap_drop.begin(), cap_drop.end(), c) == cap_drop.end()) caps.push_back(c);
    }
  }
  for (const std::string& c : cap_add) {
    if (std::find(caps.begin(), caps.end(), c) == caps.end()) caps.push_back(c);
  }
  return caps;
}

bool ContainerConfig::RunsAsRoot() const {
  if (run_as_non_root.value_or(false)) return false;
  if (!user) return true;
  const std::string_view u = Trim(*user);
  const std::string_view who = u.substr(0, u.find(':'));
  return who.empty() || who == "root" || who == "0";
}

const ConfigMount* ContainerConfig::MountAt(std::string_view path) const {
  const ConfigMount* best = nullptr;
  for (const ConfigMount& m : mounts) {
    std::string_view t = m.target;
    while (t.size() > 1 && t.back() == '/') t.remove_suffix(1);
    const bool covers = path == t || (path.starts_with(t) && path.size() > t.size() &&
                                      (t == "/" || path[t.size()] == '/'));
    if (covers && (best == nullptr || t.size() > best->target.size())) best = &m;
  }
  return best;
}

std::string ContainerConfig::Describe() const {
  switch (source) {
    case ConfigSource::kLive:
      return "container " + name;
    case ConfigSource::kInspect:
      return "container " + name + " (inspect file)";
    case ConfigSource::kCompose:
      return "compose service " + name;
    case ConfigSource::kKubernetes:
    case ConfigSource::kDockerfile:
      return name;
    case ConfigSource::kImage:
      return "image " + name;
  }
  return name;
}

namespace {

using Json = nlohmann::json;

// The byte ranges of the top-level values of a JSON array (or the one object),
// so each setting's line can be found in its own container's text.
std::vector<std::pair<size_t, size_t>> TopLevelRanges(std::string_view text) {
  std::vector<std::pair<size_t, size_t>> out;
  const size_t first = text.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return out;
  // Inside an array, the containers' objects start at depth 1; a lone object at 0.
  const int level = text[first] == '[' ? 1 : 0;
  int depth = 0;
  bool in_string = false;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"') {
      in_string = true;
    } else if (c == '{' || c == '[') {
      if (depth == level) start = i;
      ++depth;
    } else if (c == '}' || c == ']') {
      --depth;
      if (depth == level && c == '}') {
        out.emplace_back(start, i + 1);
      }
    }
  }
  return out;
}

int LineAt(std::string_view text, size_t offset) {
  return 1 +
         static_cast<int>(std::count(text.begin(), text.begin() + static_cast<long>(offset), '\n'));
}

std::string Str(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

int64_t Int(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_number() ? it->get<int64_t>() : 0;
}

bool Bool(const Json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_boolean() && it->get<bool>();
}

std::vector<std::string> Strings(const Json& j, const char* key) {
  std::vector<std::string> out;
  const auto it = j.find(key);
  if (it == j.end() || !it->is_array()) return out;
  for (const Json& v : *it) {
    if (v.is_string()) out.push_back(v.get<std::string>());
  }
  return out;
}

const Json& Object(const Json& j, const char* key) {
  static const Json empty = Json::object();
  const auto it = j.find(key);
  return it != j.end() && it->is_object() ? *it : empty;
}

// "/src:/dst:ro,z" -> a bind (or named volume) mount.
ConfigMount ParseBind(std::string_view bind) {
  ConfigMount m;
  const auto parts = Split(bind, ':');
  m.source = parts.empty() ? "" : std::string(parts[0]);
  m.target = parts.size() > 1 ? std::string(parts[1]) : m.source;
  m.type = m.source.starts_with("/") ? "bind" : "volume";
  if (parts.size() > 2) {
    for (std::string_view o : Split(parts[2], ',')) m.read_only |= o == "ro";
  }
  return m;
}

void ReadMounts(const Json& inspect, const Json& host, ContainerConfig& c) {
  // The top-level Mounts are what the engine mounted (binds, volumes, tmpfs on
  // Podman); Binds and Tmpfs fill in what older engines leave out.
  const auto mounts = inspect.find("Mounts");
  if (mounts != inspect.end() && mounts->is_array()) {
    for (const Json& m : *mounts) {
      if (!m.is_object()) continue;
      ConfigMount cm;
      cm.type = Str(m, "Type");
      cm.source =
          cm.type == "volume" && !Str(m, "Name").empty() ? Str(m, "Name") : Str(m, "Source");
      cm.target = Str(m, "Destination");
      const auto rw = m.find("RW");
      cm.read_only = rw != m.end() && rw->is_boolean() && !rw->get<bool>();
      const auto opts = m.find("Options");
      if (opts != m.end() && opts->is_array()) {
        std::vector<std::string> o;
        for (const Json& v : *opts) {
          if (v.is_string()) o.push_back(v.get<std::string>());
        }
        cm.options = Join(o, ",");
      }
      if (!cm.target.empty()) c.mounts.push_back(std::move(cm));
    }
  }
  for (const std::string& b : Strings(host, "Binds")) {
    ConfigMount m = ParseBind(b);
    if (c.MountAt(m.target) == nullptr || c.MountAt(m.target)->target != m.target) {
      c.mounts.push_back(std::move(m));
    }
  }
  for (const auto& [target, opts] : Object(host, "Tmpfs").items()) {
    ConfigMount m;
    m.type = "tmpfs";
    m.target = target;
    m.options = opts.is_string() ? opts.get<std::string>() : "";
    // Tmpfs names the options the mount really has; it wins over a bare entry.
    std::erase_if(c.mounts, [&](const ConfigMount& x) { return x.target == target; });
    c.mounts.push_back(std::move(m));
  }
}

void ReadPorts(const Json& host, ContainerConfig& c) {
  for (const auto& [key, bindings] : Object(host, "PortBindings").items()) {
    const auto slash = key.find('/');
    const auto port = ParseUint(std::string_view(key).substr(0, slash));
    if (!port || *port > 65535 || !bindings.is_array()) continue;
    for (const Json& b : bindings) {
      if (!b.is_object()) continue;
      ConfigPort p;
      p.container_port = static_cast<uint16_t>(*port);
      p.proto = slash == std::string::npos ? "tcp" : key.substr(slash + 1);
      p.host_ip = Str(b, "HostIp");
      const auto hp = ParseUint(Str(b, "HostPort"));
      p.host_port = hp && *hp <= 65535 ? static_cast<uint16_t>(*hp) : 0;
      c.ports.push_back(std::move(p));
    }
  }
}

ContainerConfig ConfigFromInspect(const Json& j, ConfigSource source) {
  ContainerConfig c;
  c.source = source;
  c.ref.id = Str(j, "Id");
  c.name = Str(j, "Name");
  if (c.name.starts_with("/")) c.name.erase(0, 1);
  if (c.name.empty()) c.name = c.ref.id.substr(0, 12);
  c.ref.name = c.name;
  const Json& config = Object(j, "Config");
  const Json& host = Object(j, "HostConfig");
  const Json& state = Object(j, "State");
  c.image = Str(config, "Image");
  if (c.image.empty()) c.image = Str(j, "ImageName");  // Podman
  c.ref.image = c.image;
  const Json& labels = Object(config, "Labels");
  if (const auto it = labels.find("com.docker.compose.project");
      it != labels.end() && it->is_string()) {
    c.ref.compose_project = it->get<std::string>();
  }
  if (const auto it = labels.find("com.docker.compose.service");
      it != labels.end() && it->is_string()) {
    c.compose_service = it->get<std::string>();
  }
  c.running = Bool(state, "Running");
  c.pid = c.running ? static_cast<int>(Int(state, "Pid")) : 0;
  c.privileged = Bool(host, "Privileged");
  c.read_only_rootfs = Bool(host, "ReadonlyRootfs");
  for (const std::string& cap : Strings(host, "CapAdd")) c.cap_add.push_back(NormalizeCap(cap));
  for (const std::string& cap : Strings(host, "CapDrop")) c.cap_drop.push_back(NormalizeCap(cap));
  c.no_new_privileges = false;  // inspect says it when set
  for (const std::string& opt : Strings(host, "SecurityOpt")) ApplySecurityOpt(opt, c);
  if (ToLower(Str(j, "AppArmorProfile")) == "unconfined") c.apparmor_unconfined = true;
  c.host_pid = Str(host, "PidMode") == "host";
  c.host_ipc = Str(host, "IpcMode") == "host";
  c.network_mode = Str(host, "NetworkMode");
  c.host_network = c.network_mode == "host";
  c.memory_limit = Int(host, "Memory");
  if (const int64_t nano = Int(host, "NanoCpus"); nano > 0) {
    c.cpu_limit = static_cast<double>(nano) / 1e9;
  } else if (const int64_t quota = Int(host, "CpuQuota"); quota > 0) {
    const int64_t period = Int(host, "CpuPeriod");
    c.cpu_limit = static_cast<double>(quota) / static_cast<double>(period > 0 ? period : 100000);
  }
  c.pids_limit = Int(host, "PidsLimit");
  const auto user = config.find("User");
  c.user = user != config.end() && user->is_string() ? user->get<std::string>() : "";
  c.entrypoint = Strings(config, "Entrypoint");
  c.cmd = Strings(config, "Cmd");
  for (const auto& [net, settings] : Object(Object(j, "NetworkSettings"), "Networks").items()) {
    c.networks.push_back(net);
  }
  ReadMounts(j, host, c);
  ReadPorts(host, c);
  return c;
}

// The line of `"Key"` in a container's text, for the settings a finding names.
void FindLines(std::string_view text, size_t begin, size_t end, ContainerConfig& c) {
  c.line = LineAt(text, begin);
  const std::pair<const char*, const char*> kKeys[] = {{"privileged", "\"Privileged\""},
                                                       {"read_only", "\"ReadonlyRootfs\""},
                                                       {"cap_add", "\"CapAdd\""},
                                                       {"cap_drop", "\"CapDrop\""},
                                                       {"security_opt", "\"SecurityOpt\""},
                                                       {"user", "\"User\""},
                                                       {"pid", "\"PidMode\""},
                                                       {"network", "\"NetworkMode\""},
                                                       {"ipc", "\"IpcMode\""},
                                                       {"mem_limit", "\"Memory\""},
                                                       {"cpus", "\"NanoCpus\""},
                                                       {"pids_limit", "\"PidsLimit\""},
                                                       {"ports", "\"PortBindings\""},
                                                       {"volumes", "\"Mounts\""},
                                                       {"tmpfs", "\"Tmpfs\""},
                                                       {"image", "\"Image\""}};
  const std::string_view body = text.substr(begin, end - begin);
  for (const auto& [key, needle] : kKeys) {
    const size_t at = body.find(needle);
    if (at != std::string_view::npos) c.lines[key] = LineAt(text, begin + at);
  }
}

}  // namespace

Expected<std::vector<ContainerConfig>> ParseInspect(std::string_view json, const std::string& file,
                                                    ConfigSource source) {
  Json j;
  try {
    j = Json::parse(json);
  } catch (const Json::exception& e) {
    return Fail(Error::InvalidInput(
        fmt::format("{}: not JSON: {}", file.empty() ? "inspect" : file, e.what())));
  }
  std::vector<const Json*> items;
  if (j.is_array()) {
    for (const Json& item : j) items.push_back(&item);
  } else {
    items.push_back(&j);
  }
  const auto ranges =
      file.empty() ? std::vector<std::pair<size_t, size_t>>{} : TopLevelRanges(json);
  std::vector<ContainerConfig> out;
  for (size_t i = 0; i < items.size(); ++i) {
    const Json& item = *items[i];
    // A container's inspect has HostConfig; an image's has none and is not this.
    if (!item.is_object() || !item.contains("HostConfig")) continue;
    ContainerConfig c = ConfigFromInspect(item, source);
    c.file = file;
    if (i < ranges.size()) FindLines(json, ranges[i].first, ranges[i].second, c);
    out.push_back(std::move(c));
  }
  if (out.empty()) {
    return Fail(Error::InvalidInput(fmt::format(
        "{}: no container inspect in it (an object or array of objects with HostConfig)",
        file.empty() ? "inspect" : file)));
  }
  return out;
}

std::vector<std::string> FindDropperTools(const std::string& root) {
  static constexpr std::pair<const char*, const char*> kTools[] = {
      {"curl", "/usr/bin/curl"}, {"curl", "/usr/local/bin/curl"}, {"wget", "/usr/bin/wget"},
      {"wget", "/bin/wget"},     {"nc", "/usr/bin/nc"},           {"nc", "/bin/nc"},
      {"ncat", "/usr/bin/ncat"}, {"socat", "/usr/bin/socat"}};
  // Shells last: nearly every image has /bin/sh, so a shell alone is the
  // weakest sign; curl and wget are what seeds 000 and 001 fetched payloads with.
  static constexpr std::pair<const char*, const char*> kShells[] = {
      {"sh", "/bin/sh"}, {"bash", "/bin/bash"}, {"ash", "/bin/ash"}};
  std::vector<std::string> out;
  // Intermediate symlinks resolve inside the root (a usr-merged /bin); the
  // last component may itself be a symlink (busybox applets, alternatives).
  auto fs = RootFs::Open(root);
  if (!fs) return out;
  std::set<std::tuple<std::string, dev_t, ino_t>> seen;  // /bin -> usr/bin finds a file twice
  const auto present = [&](const char* path) -> std::optional<struct stat> {
    auto st = fs->Lstat(path);
    if (!st || !(S_ISREG(st->st_mode) || S_ISLNK(st->st_mode))) return std::nullopt;
    return *st;
  };
  const auto add = [&](const char* name, const char* path) {
    if (auto st = present(path); st && seen.emplace(name, st->st_dev, st->st_ino).second) {
      out.push_back(fmt::format("{} {}", name, path));
    }
  };
  for (const auto& [name, path] : kTools) add(name, path);
  for (const char* busybox : {"/bin/busybox", "/usr/bin/busybox"}) {
    if (!present(busybox)) continue;
    out.push_back(fmt::format("wget (busybox applet, {})", busybox));
    out.push_back(fmt::format("nc (busybox applet, {})", busybox));
    break;
  }
  for (const auto& [name, path] : kShells) add(name, path);
  return out;
}

}  // namespace deminer
