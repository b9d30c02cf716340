// Offline container configs: Compose files, Kubernetes manifests and
// Dockerfiles read into the one ContainerConfig model, and the walk that finds
// them (and inspect JSON files) under a PATH. The parsers are pure and fuzzed;
// this file is yaml-cpp's adapter for them, so its exceptions stop here. A
// setting given in a form we cannot read is left unknown rather than failing
// the file: one odd port must not hide a privileged service beside it.
#include <fcntl.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <unordered_set>

#include "core/strings.h"
#include "sources/container_config.h"

namespace deminer {
namespace {

// Bounds against hostile input: an anchor may refer to itself, aliases can
// multiply merged keys, and "1-65535" would be a port per number.
constexpr int kMaxMergeDepth = 8;
constexpr size_t kMaxMapEntries = 4096;
constexpr int kMaxPortRange = 64;
constexpr size_t kMaxPortsPerConfig = 1024;
// Stages a later FROM may build on; real files have a handful, and each kept
// stage is a copy.
constexpr size_t kMaxNamedStages = 64;

// ---------------------------------------------------------------------------
// YAML helpers. Every lookup goes through these so that a wrong type (a list
// where a mapping belongs) reads as "not given" instead of throwing.

int NodeLine(const YAML::Node& n, int offset = 0) {
  const YAML::Mark m = n.Mark();
  return m.line < 0 ? 0 : m.line + 1 + offset;
}

std::optional<std::string> Scalar(const YAML::Node& n) {
  if (!n.IsDefined() || !n.IsScalar()) return std::nullopt;
  return n.Scalar();
}

struct Entry {
  std::string key;
  YAML::Node key_node;
  YAML::Node value;
};

// A mapping's entries with YAML merge keys (`<<: *common`) applied, which
// yaml-cpp 0.7 leaves to its users: the mapping's own keys win over merged
// ones, and earlier merges over later ones.
class MapView {
 public:
  explicit MapView(const YAML::Node& map) { Collect(map, 0); }

  const std::vector<Entry>& entries() const { return entries_; }
  const Entry* Find(std::string_view key) const {
    for (const Entry& e : entries_) {
      if (e.key == key) return &e;
    }
    return nullptr;
  }
  // The value, or a null node when the key is absent.
  YAML::Node Get(std::string_view key) const {
    const Entry* e = Find(key);
    return e != nullptr ? e->value : YAML::Node();
  }

 private:
  void Collect(const YAML::Node& map, int depth) {
    if (depth > kMaxMergeDepth || budget_ == 0 || !map.IsDefined() || !map.IsMap()) return;
    --budget_;
    std::vector<YAML::Node> merges;
    for (const auto& kv : map) {
      if (budget_ == 0) return;
      --budget_;
      const std::optional<std::string> key = Scalar(kv.first);
      if (!key) continue;
      // A quoted "<<" (tag "!") is an ordinary key.
      if (*key == "<<" && kv.first.Tag() != "!") {
        if (kv.second.IsSequence()) {
          for (const auto& m : kv.second) merges.push_back(m);
        } else {
          merges.push_back(kv.second);
        }
        continue;
      }
      if (seen_.insert(*key).second) entries_.push_back({*key, kv.first, kv.second});
    }
    for (const YAML::Node& m : merges) Collect(m, depth + 1);
  }

  std::vector<Entry> entries_;
  std::unordered_set<std::string> seen_;
  size_t budget_ = kMaxMapEntries;
};

YAML::Node Child(const YAML::Node& map, std::string_view key) { return MapView(map).Get(key); }

// A scalar, or each scalar of a sequence.
std::vector<std::string> Strings(const YAML::Node& n) {
  std::vector<std::string> out;
  if (const auto s = Scalar(n)) {
    out.push_back(*s);
  } else if (n.IsDefined() && n.IsSequence()) {
    for (const auto& item : n) {
      if (const auto item_text = Scalar(item)) out.push_back(*item_text);
    }
  }
  return out;
}

std::string YamlErrorMessage(const std::string& file, const YAML::Exception& e, int offset) {
  if (e.mark.is_null()) return fmt::format("{}: {}", file, e.msg);
  return fmt::format("{}:{}: {}", file, e.mark.line + 1 + offset, e.msg);
}

// ---------------------------------------------------------------------------
// Scalars: booleans, numbers and sizes as Compose and Kubernetes write them.

std::optional<bool> ParseBool(std::string_view s) {
  const std::string v = ToLower(Trim(s));
  if (v == "true" || v == "yes" || v == "on" || v == "y") return true;
  if (v == "false" || v == "no" || v == "off" || v == "n") return false;
  return std::nullopt;
}

// The name of `${NAME...}`'s body and what an unset NAME gives: the default
// of `:-` and `-`, else nothing.
std::string UnsetValue(std::string_view body) {
  size_t p = 0;
  while (p < body.size() && (std::isalnum(static_cast<unsigned char>(body[p])) || body[p] == '_')) {
    ++p;
  }
  const std::string_view op = body.substr(p);
  if (op.starts_with(":-")) return std::string(op.substr(2));
  if (op.starts_with("-")) return std::string(op.substr(1));
  return "";
}

// Compose's variable interpolation as if no variable were set: `${X:-8080}`
// gives 8080, `${X}` and `$X` nothing, `$$` a dollar. Used only to read
// numbers, ports and mounts; names and images keep their text as written.
std::string Interpolate(std::string_view s) {
  if (s.find('$') == std::string_view::npos) return std::string(s);
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '$' || i + 1 >= s.size()) {
      out += s[i++];
      continue;
    }
    const char next = s[i + 1];
    if (next == '$') {
      out += '$';
      i += 2;
    } else if (next == '{') {
      size_t depth = 1, j = i + 2;
      for (; j < s.size() && depth > 0; ++j) {
        if (s[j] == '{') ++depth;
        if (s[j] == '}') --depth;
      }
      if (depth != 0) {
        out.append(s.substr(i));
        break;
      }
      out += UnsetValue(s.substr(i + 2, j - i - 3));
      i = j;
    } else if (std::isalpha(static_cast<unsigned char>(next)) || next == '_') {
      i += 2;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '_')) ++i;
    } else {
      out += s[i++];
    }
  }
  return out;
}

std::string InterpolatedScalar(const YAML::Node& n) { return Interpolate(Scalar(n).value_or("")); }

std::optional<bool> BoolOf(const YAML::Node& n) {
  const auto s = Scalar(n);
  if (!s) return std::nullopt;
  return ParseBool(Interpolate(*s));
}

std::optional<double> ParseDouble(std::string_view s) {
  s = Trim(s);
  if (s.starts_with('+')) s.remove_prefix(1);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size() || !std::isfinite(v)) {
    return std::nullopt;
  }
  return v;
}

std::optional<int64_t> ParseInt64(std::string_view s) {
  s = Trim(s);
  int64_t v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> ToInt64(double v) {
  if (!(v >= 0) || v >= 9.2e18) return std::nullopt;
  return static_cast<int64_t>(std::ceil(v));
}

// "1.5Gi" -> {1.5, "Gi"}; not negative, finite.
std::optional<std::pair<double, std::string_view>> NumberAndUnit(std::string_view s) {
  s = Trim(s);
  double v = 0;
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc() || !std::isfinite(v) || v < 0) return std::nullopt;
  return std::pair{v, Trim(s.substr(static_cast<size_t>(ptr - s.data())))};
}

// Docker's sizes ("512m", "1g", "1GiB", "2048"): binary multiples.
std::optional<int64_t> ParseDockerBytes(std::string_view s) {
  const auto nu = NumberAndUnit(s);
  if (!nu) return std::nullopt;
  const std::string unit = ToLower(nu->second);
  constexpr std::string_view kPrefixes = "kmgtp";
  double mult = 1;
  size_t i = 0;
  if (i < unit.size()) {
    const size_t p = kPrefixes.find(unit[i]);
    if (p != std::string_view::npos) {
      for (size_t k = 0; k <= p; ++k) mult *= 1024;
      ++i;
      if (i < unit.size() && unit[i] == 'i') ++i;
    }
  }
  if (i < unit.size() && unit[i] == 'b') ++i;
  if (i != unit.size()) return std::nullopt;
  return ToInt64(nu->first * mult);
}

// Kubernetes quantities ("512Mi", "1G", "500m", "1e3", "2").
std::optional<double> ParseKubeQuantity(std::string_view s) {
  const auto nu = NumberAndUnit(s);
  if (!nu) return std::nullopt;
  static constexpr std::pair<std::string_view, double> kUnits[] = {{"", 1},
                                                                   {"n", 1e-9},
                                                                   {"u", 1e-6},
                                                                   {"m", 1e-3},
                                                                   {"k", 1e3},
                                                                   {"M", 1e6},
                                                                   {"G", 1e9},
                                                                   {"T", 1e12},
                                                                   {"P", 1e15},
                                                                   {"E", 1e18},
                                                                   {"Ki", 1024.0},
                                                                   {"Mi", 1048576.0},
                                                                   {"Gi", 1073741824.0},
                                                                   {"Ti", 1099511627776.0},
                                                                   {"Pi", 1125899906842624.0},
                                                                   {"Ei", 1152921504606846976.0}};
  for (const auto& [unit, mult] : kUnits) {
    if (nu->second == unit) return nu->first * mult;
  }
  return std::nullopt;
}

// ---------------------------------------------------------------------------
// Ports, shared by Compose, Kubernetes and EXPOSE.

struct PortRange {
  int lo = 0, hi = 0;  // 0: not given (the engine picks a host port)
};

std::optional<PortRange> ParsePortRange(std::string_view s, bool allow_empty) {
  s = Trim(s);
  if (s.empty()) return allow_empty ? std::optional<PortRange>(PortRange{}) : std::nullopt;
  const size_t dash = s.find('-');
  const auto lo = ParseUint(s.substr(0, dash));
  const auto hi = dash == std::string_view::npos ? lo : ParseUint(s.substr(dash + 1));
  if (!lo || !hi || *lo == 0 || *hi > 65535 || *lo > *hi) return std::nullopt;
  return PortRange{static_cast<int>(*lo), static_cast<int>(*hi)};
}

std::optional<std::string> ParseProto(std::string_view s) {
  std::string p = ToLower(Trim(s));
  if (p.empty()) p = "tcp";
  if (p != "tcp" && p != "udp" && p != "sctp") return std::nullopt;
  return p;
}

// One ConfigPort per container port of the range (at most kMaxPortRange),
// paired with the host range when there is one.
std::vector<ConfigPort> ExpandPorts(const std::string& ip, PortRange host, PortRange ctr,
                                    const std::string& proto, bool published, int line) {
  std::vector<ConfigPort> out;
  const int n = std::min(ctr.hi - ctr.lo + 1, kMaxPortRange);
  for (int i = 0; i < n; ++i) {
    ConfigPort p;
    p.host_ip = ip;
    p.container_port = static_cast<uint16_t>(ctr.lo + i);
    if (host.lo != 0)
      p.host_port = static_cast<uint16_t>(host.lo + i <= host.hi ? host.lo + i : host.lo);
    p.proto = proto;
    p.published = published;
    p.line = line;
    out.push_back(std::move(p));
  }
  return out;
}

// Compose's short syntax: "[ip:][host[-range]:]container[-range][/proto]",
// with an IPv6 address in brackets ("[::1]:80:80").
std::vector<ConfigPort> ParseShortPort(std::string_view raw, int line) {
  const std::string spec = Interpolate(raw);
  std::string_view s = Trim(spec);
  std::optional<std::string> proto = "tcp";
  if (const size_t slash = s.rfind('/'); slash != std::string_view::npos) {
    proto = ParseProto(s.substr(slash + 1));
    s = s.substr(0, slash);
  }
  std::string ip;
  std::string_view host, ctr;
  if (s.starts_with('[')) {
    const size_t close = s.find(']');
    if (close == std::string_view::npos || s.substr(close + 1, 1) != ":") return {};
    ip = std::string(s.substr(1, close - 1));
    const std::string_view rest = s.substr(close + 2);
    const size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return {};
    host = rest.substr(0, colon);
    ctr = rest.substr(colon + 1);
  } else if (const size_t last = s.rfind(':'); last == std::string_view::npos) {
    ctr = s;
  } else {
    ctr = s.substr(last + 1);
    const std::string_view front = s.substr(0, last);
    const size_t prev = front.rfind(':');
    host = prev == std::string_view::npos ? front : front.substr(prev + 1);
    if (prev != std::string_view::npos) ip = std::string(front.substr(0, prev));
  }
  const auto h = ParsePortRange(host, true);
  const auto c = ParsePortRange(ctr, false);
  if (!proto || !h || !c) return {};
  return ExpandPorts(ip, *h, *c, *proto, true, line);
}

// Compose's long syntax: target, published, host_ip, protocol.
std::vector<ConfigPort> ParseLongPort(const YAML::Node& n, int line) {
  const MapView m(n);
  const auto c = ParsePortRange(InterpolatedScalar(m.Get("target")), false);
  const auto h = ParsePortRange(InterpolatedScalar(m.Get("published")), true);
  const auto proto = ParseProto(InterpolatedScalar(m.Get("protocol")));
  if (!c || !h || !proto || c->lo != c->hi) return {};
  return ExpandPorts(InterpolatedScalar(m.Get("host_ip")), *h, *c, *proto, true, line);
}

void AddPorts(std::vector<ConfigPort> ports, ContainerConfig& c) {
  for (ConfigPort& p : ports) {
    if (c.ports.size() >= kMaxPortsPerConfig) return;
    c.ports.push_back(std::move(p));
  }
}

// ---------------------------------------------------------------------------
// Compose.

bool IsHostPath(std::string_view source) {
  return source.find('/') != std::string_view::npos || source.starts_with('.') ||
         source.starts_with('~');
}

// "SRC:TARGET[:MODE]" or "TARGET" (an anonymous volume).
std::optional<ConfigMount> ParseShortVolume(std::string_view raw, int line) {
  const std::string spec = Interpolate(raw);
  const std::vector<std::string_view> parts = Split(Trim(spec), ':');
  ConfigMount m;
  m.line = line;
  if (parts.size() == 1) {
    m.type = "volume";
    m.target = std::string(parts[0]);
  } else if (parts.size() <= 3) {
    m.source = std::string(parts[0]);
    m.target = std::string(parts[1]);
    m.type = IsHostPath(m.source) ? "bind" : "volume";
    if (parts.size() == 3) {
      for (const std::string_view opt : Split(parts[2], ',')) {
        if (opt == "ro" || opt == "readonly") m.read_only = true;
      }
    }
  } else {
    return std::nullopt;
  }
  if (m.target.empty()) return std::nullopt;
  return m;
}

// type, source, target, read_only and, for tmpfs, size and mode.
std::optional<ConfigMount> ParseLongVolume(const YAML::Node& n, int line) {
  const MapView v(n);
  ConfigMount m;
  m.line = line;
  m.source = InterpolatedScalar(v.Get("source"));
  m.target = InterpolatedScalar(v.Get("target"));
  m.type = Scalar(v.Get("type")).value_or(IsHostPath(m.source) ? "bind" : "volume");
  m.read_only = BoolOf(v.Get("read_only")).value_or(false);
  const MapView tmpfs(v.Get("tmpfs"));
  std::vector<std::string> opts;
  for (const char* key : {"size", "mode"}) {
    if (const auto s = Scalar(tmpfs.Get(key))) opts.push_back(fmt::format("{}={}", key, *s));
  }
  m.options = Join(opts, ",");
  if (m.target.empty()) return std::nullopt;
  return m;
}

// "/tmp:noexec,nosuid,size=64m"
ConfigMount ParseTmpfs(std::string_view spec, int line) {
  ConfigMount m;
  m.type = "tmpfs";
  m.line = line;
  const size_t colon = spec.find(':');
  m.target = std::string(Trim(spec.substr(0, colon)));
  if (colon != std::string_view::npos) m.options = std::string(Trim(spec.substr(colon + 1)));
  return m;
}

void ComposePrivileged(const Entry& e, ContainerConfig& c) {
  c.privileged = BoolOf(e.value).value_or(c.privileged);
}
void ComposeReadOnly(const Entry& e, ContainerConfig& c) { c.read_only_rootfs = BoolOf(e.value); }
void ComposeCapAdd(const Entry& e, ContainerConfig& c) {
  for (const std::string& cap : Strings(e.value)) c.cap_add.push_back(NormalizeCap(cap));
}
void ComposeCapDrop(const Entry& e, ContainerConfig& c) {
  for (const std::string& cap : Strings(e.value)) c.cap_drop.push_back(NormalizeCap(cap));
}
void ComposeSecurityOpt(const Entry& e, ContainerConfig& c) {
  for (const std::string& opt : Strings(e.value)) ApplySecurityOpt(opt, c);
}
void ComposeUser(const Entry& e, ContainerConfig& c) {
  if (const auto s = Scalar(e.value)) c.user = *s;
}
void ComposePid(const Entry& e, ContainerConfig& c) {
  c.host_pid = ToLower(Scalar(e.value).value_or("")) == "host";
}
void ComposeIpc(const Entry& e, ContainerConfig& c) {
  c.host_ipc = ToLower(Scalar(e.value).value_or("")) == "host";
}
void ComposeNetworkMode(const Entry& e, ContainerConfig& c) {
  c.network_mode = Scalar(e.value).value_or("");
  c.host_network = ToLower(c.network_mode) == "host";
  c.lines["network"] = NodeLine(e.key_node);
}
// `networks:` names the networks a service joins (as the file names them,
// without the project's prefix); the first is what an inspect would show as
// its network mode, unless network_mode says otherwise.
void ComposeNetworks(const Entry& e, ContainerConfig& c) {
  std::vector<std::string> names = Strings(e.value);
  if (e.value.IsMap()) {
    const MapView networks(e.value);
    for (const Entry& n : networks.entries()) names.push_back(n.key);
  }
  if (names.empty()) return;
  c.networks = names;
  if (!c.network_mode.empty()) return;
  c.network_mode = names.front();
  c.lines.try_emplace("network", NodeLine(e.key_node));
}
void ComposeMemLimit(const Entry& e, ContainerConfig& c) {
  c.memory_limit = ParseDockerBytes(InterpolatedScalar(e.value)).value_or(c.memory_limit);
}
void ComposeCpus(const Entry& e, ContainerConfig& c) {
  c.cpu_limit = ParseDouble(InterpolatedScalar(e.value)).value_or(c.cpu_limit);
}
void ComposePidsLimit(const Entry& e, ContainerConfig& c) {
  c.pids_limit = ParseInt64(InterpolatedScalar(e.value)).value_or(c.pids_limit);
}
// deploy.resources.limits: used where the service-level keys are not given.
void ComposeDeploy(const Entry& e, ContainerConfig& c) {
  const MapView limits(Child(Child(e.value, "resources"), "limits"));
  if (const Entry* m = limits.Find("memory")) {
    c.lines.try_emplace("mem_limit", NodeLine(m->key_node));
    if (c.memory_limit == 0)
      c.memory_limit = ParseDockerBytes(InterpolatedScalar(m->value)).value_or(0);
  }
  if (const Entry* m = limits.Find("cpus")) {
    c.lines.try_emplace("cpus", NodeLine(m->key_node));
    if (c.cpu_limit == 0) c.cpu_limit = ParseDouble(InterpolatedScalar(m->value)).value_or(0);
  }
  if (const Entry* m = limits.Find("pids")) {
    c.lines.try_emplace("pids_limit", NodeLine(m->key_node));
    if (c.pids_limit == 0) c.pids_limit = ParseInt64(InterpolatedScalar(m->value)).value_or(0);
  }
}
void ComposePorts(const Entry& e, ContainerConfig& c) {
  if (!e.value.IsSequence()) return;
  for (const auto& item : e.value) {
    const int line = NodeLine(item);
    if (item.IsMap()) AddPorts(ParseLongPort(item, line), c);
    if (const auto s = Scalar(item)) AddPorts(ParseShortPort(*s, line), c);
  }
}
// `expose:` declares ports to linked services only: like EXPOSE, not published.
void ComposeExpose(const Entry& e, ContainerConfig& c) {
  if (!e.value.IsSequence()) return;
  for (const auto& item : e.value) {
    const std::string spec = InterpolatedScalar(item);
    const size_t slash = spec.find('/');
    const auto range = ParsePortRange(std::string_view(spec).substr(0, slash), false);
    const auto proto = ParseProto(slash == std::string::npos ? "" : spec.substr(slash + 1));
    if (range && proto) AddPorts(ExpandPorts("", {}, *range, *proto, false, NodeLine(item)), c);
  }
}
void ComposeVolumes(const Entry& e, ContainerConfig& c) {
  if (!e.value.IsSequence()) return;
  for (const auto& item : e.value) {
    const int line = NodeLine(item);
    std::optional<ConfigMount> m;
    if (item.IsMap()) m = ParseLongVolume(item, line);
    if (const auto s = Scalar(item)) m = ParseShortVolume(*s, line);
    if (m) c.mounts.push_back(std::move(*m));
  }
}
void ComposeTmpfs(const Entry& e, ContainerConfig& c) {
  if (const auto s = Scalar(e.value)) {
    c.mounts.push_back(ParseTmpfs(*s, NodeLine(e.value)));
    return;
  }
  if (!e.value.IsSequence()) return;
  for (const auto& item : e.value) {
    if (const auto s = Scalar(item)) c.mounts.push_back(ParseTmpfs(*s, NodeLine(item)));
  }
}
void ComposeImage(const Entry& e, ContainerConfig& c) { c.image = Scalar(e.value).value_or(""); }

struct ComposeKey {
  std::string_view key;
  std::string_view line_key;  // empty: the handler records its own lines
  void (*read)(const Entry&, ContainerConfig&);
};

constexpr ComposeKey kComposeKeys[] = {
    {"privileged", "privileged", ComposePrivileged},
    {"read_only", "read_only", ComposeReadOnly},
    {"cap_add", "cap_add", ComposeCapAdd},
    {"cap_drop", "cap_drop", ComposeCapDrop},
    {"security_opt", "security_opt", ComposeSecurityOpt},
    {"user", "user", ComposeUser},
    {"pid", "pid", ComposePid},
    {"network_mode", "", ComposeNetworkMode},
    {"networks", "", ComposeNetworks},
    {"ipc", "ipc", ComposeIpc},
    {"mem_limit", "mem_limit", ComposeMemLimit},
    {"cpus", "cpus", ComposeCpus},
    {"pids_limit", "pids_limit", ComposePidsLimit},
    {"deploy", "", ComposeDeploy},
    {"ports", "ports", ComposePorts},
    {"expose", "", ComposeExpose},
    {"volumes", "volumes", ComposeVolumes},
    {"tmpfs", "tmpfs", ComposeTmpfs},
    {"image", "image", ComposeImage},
};

std::optional<ContainerConfig> ComposeService(const Entry& service, const std::string& file) {
  if (!service.value.IsMap()) return std::nullopt;
  ContainerConfig c;
  c.source = ConfigSource::kCompose;
  c.name = service.key;
  c.file = file;
  c.line = NodeLine(service.key_node);
  c.runtime_settings = true;
  const MapView settings(service.value);
  for (const Entry& e : settings.entries()) {
    for (const ComposeKey& k : kComposeKeys) {
      if (k.key != e.key) continue;
      // A service-level key's line wins over deploy's, as its value does.
      if (!k.line_key.empty()) c.lines[std::string(k.line_key)] = NodeLine(e.key_node);
      k.read(e, c);
    }
  }
  return c;
}

// Compose file format 1 has no `services:`: each top-level mapping with an
// image or a build is a service.
std::vector<Entry> LegacyServices(const MapView& top) {
  std::vector<Entry> out;
  for (const Entry& e : top.entries()) {
    if (e.key.starts_with("x-") || !e.value.IsMap()) continue;
    const MapView v(e.value);
    if (v.Find("image") != nullptr || v.Find("build") != nullptr) out.push_back(e);
  }
  return out;
}

Expected<std::vector<ContainerConfig>> ComposeServices(const YAML::Node& root,
                                                       const std::string& file) {
  std::vector<ContainerConfig> out;
  if (root.IsNull()) return out;
  if (!root.IsMap()) {
    return Fail(Error::InvalidInput(
        fmt::format("{}:{}: a Compose file is a mapping (services: ...)", file, NodeLine(root))));
  }
  const MapView top(root);
  const Entry* services = top.Find("services");
  if (services != nullptr && !services->value.IsNull() && !services->value.IsMap()) {
    return Fail(
        Error::InvalidInput(fmt::format("{}:{}: services: expected a mapping of service names",
                                        file, NodeLine(services->key_node))));
  }
  const std::vector<Entry> candidates =
      services != nullptr ? MapView(services->value).entries() : LegacyServices(top);
  for (const Entry& e : candidates) {
    try {
      if (auto c = ComposeService(e, file)) out.push_back(std::move(*c));
    } catch (const YAML::Exception&) {
      // One unreadable service must not hide the others.
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Kubernetes.

// One YAML document of a multi-document file, with the line it starts on, so
// that a malformed document costs only itself.
struct YamlDocument {
  std::string text;
  int first_line = 0;  // lines before it in the file
};

std::vector<YamlDocument> SplitYamlDocuments(std::string_view yaml) {
  std::vector<YamlDocument> docs(1);
  bool has_content = false;
  int line_no = 0;
  size_t pos = 0;
  while (pos < yaml.size()) {
    const size_t nl = yaml.find('\n', pos);
    const size_t end = nl == std::string_view::npos ? yaml.size() : nl + 1;
    const std::string_view line = yaml.substr(pos, end - pos);
    std::string_view bare = line;
    while (!bare.empty() && (bare.back() == '\n' || bare.back() == '\r')) bare.remove_suffix(1);
    const bool marker =
        bare.starts_with("---") && (bare.size() == 3 || bare[3] == ' ' || bare[3] == '\t');
    if (marker && has_content) {
      docs.push_back({"", line_no});
      has_content = false;
    }
    docs.back().text.append(line);
    const std::string_view rest = Trim(marker ? bare.substr(3) : bare);
    if (!rest.empty() && rest[0] != '#' && (marker || rest[0] != '%')) has_content = true;
    ++line_no;
    pos = end;
  }
  return docs;
}

struct PodContext {
  const std::string& file;
  int offset;            // lines before the document
  std::string workload;  // "Deployment web"
  MapView spec;          // the Pod spec
  MapView security;      // its securityContext
  MapView annotations;   // the Pod (template)'s annotations

  int Line(const YAML::Node& n) const { return NodeLine(n, offset); }
};

// The container's securityContext field, else the pod's.
const Entry* Override(const MapView& container, const MapView& pod, std::string_view key) {
  const Entry* e = container.Find(key);
  return e != nullptr ? e : pod.Find(key);
}

void KubeHostNamespaces(const PodContext& pod, ContainerConfig& c) {
  struct HostNamespace {
    std::string_view field, line_key;
    bool ContainerConfig::*flag;
  };
  static constexpr HostNamespace kHost[] = {
      {"hostPID", "pid", &ContainerConfig::host_pid},
      {"hostNetwork", "network", &ContainerConfig::host_network},
      {"hostIPC", "ipc", &ContainerConfig::host_ipc}};
  for (const HostNamespace& h : kHost) {
    const Entry* e = pod.spec.Find(h.field);
    if (e == nullptr) continue;
    c.*h.flag = BoolOf(e->value).value_or(false);
    c.lines[std::string(h.line_key)] = pod.Line(e->key_node);
  }
  if (c.host_network) c.network_mode = "host";
}

void KubeUser(const MapView& sc, const PodContext& pod, ContainerConfig& c) {
  if (const Entry* e = Override(sc, pod.security, "runAsUser")) {
    if (const auto s = Scalar(e->value)) c.user = *s;
    c.lines["user"] = pod.Line(e->key_node);
  }
  if (const Entry* e = Override(sc, pod.security, "runAsNonRoot")) {
    c.run_as_non_root = BoolOf(e->value);
    c.lines.try_emplace("user", pod.Line(e->key_node));
  }
}

// Whether a profile (seccompProfile, appArmorProfile) or, before those fields
// existed, an annotation says "unconfined". Fields win over annotations, the
// container's over the pod's.
bool KubeUnconfined(const MapView& sc, std::string_view field,
                    const std::vector<std::string>& annotations, const PodContext& pod,
                    ContainerConfig& c) {
  if (const Entry* e = Override(sc, pod.security, field)) {
    if (ToLower(Scalar(Child(e->value, "type")).value_or("")) != "unconfined") return false;
    c.lines.try_emplace("security_opt", pod.Line(e->key_node));
    return true;
  }
  for (const std::string& key : annotations) {
    const Entry* e = pod.annotations.Find(key);
    if (e == nullptr) continue;
    if (ToLower(Scalar(e->value).value_or("")) != "unconfined") return false;
    c.lines.try_emplace("security_opt", pod.Line(e->key_node));
    return true;
  }
  return false;
}

void KubeSecurity(const MapView& ctr, const std::string& cname, const PodContext& pod,
                  ContainerConfig& c) {
  const MapView sc(ctr.Get("securityContext"));
  c.seccomp_unconfined = KubeUnconfined(sc, "seccompProfile",
                                        {"container.seccomp.security.alpha.kubernetes.io/" + cname,
                                         "seccomp.security.alpha.kubernetes.io/pod"},
                                        pod, c);
  c.apparmor_unconfined = KubeUnconfined(
      sc, "appArmorProfile", {"container.apparmor.security.beta.kubernetes.io/" + cname}, pod, c);
  if (const Entry* e = sc.Find("allowPrivilegeEscalation")) {
    if (const auto b = BoolOf(e->value)) c.no_new_privileges = !*b;
    c.lines.try_emplace("security_opt", pod.Line(e->key_node));
  }
  if (const Entry* e = sc.Find("privileged")) {
    c.privileged = BoolOf(e->value).value_or(false);
    c.lines["privileged"] = pod.Line(e->key_node);
  }
  if (const Entry* e = sc.Find("readOnlyRootFilesystem")) {
    c.read_only_rootfs = BoolOf(e->value);
    c.lines["read_only"] = pod.Line(e->key_node);
  }
  const MapView caps(sc.Get("capabilities"));
  if (const Entry* e = caps.Find("add")) {
    for (const std::string& cap : Strings(e->value)) c.cap_add.push_back(NormalizeCap(cap));
    c.lines["cap_add"] = pod.Line(e->key_node);
  }
  if (const Entry* e = caps.Find("drop")) {
    for (const std::string& cap : Strings(e->value)) c.cap_drop.push_back(NormalizeCap(cap));
    c.lines["cap_drop"] = pod.Line(e->key_node);
  }
  KubeUser(sc, pod, c);
}

void KubeResources(const MapView& ctr, const PodContext& pod, ContainerConfig& c) {
  const MapView limits(Child(ctr.Get("resources"), "limits"));
  if (const Entry* e = limits.Find("memory")) {
    if (const auto q = ParseKubeQuantity(Scalar(e->value).value_or(""))) {
      c.memory_limit = ToInt64(*q).value_or(0);
    }
    c.lines["mem_limit"] = pod.Line(e->key_node);
  }
  if (const Entry* e = limits.Find("cpu")) {
    c.cpu_limit = ParseKubeQuantity(Scalar(e->value).value_or("")).value_or(0);
    c.lines["cpus"] = pod.Line(e->key_node);
  }
}

void KubePorts(const MapView& ctr, const PodContext& pod, ContainerConfig& c) {
  const Entry* ports = ctr.Find("ports");
  if (ports == nullptr || !ports->value.IsSequence()) return;
  c.lines["ports"] = pod.Line(ports->key_node);
  for (const auto& item : ports->value) {
    const MapView p(item);
    const auto ctr_port = ParsePortRange(Scalar(p.Get("containerPort")).value_or(""), false);
    std::string host_spec = Scalar(p.Get("hostPort")).value_or("");
    if (host_spec == "0") host_spec.clear();  // the API's "none": only declared
    const auto host_port = ParsePortRange(host_spec, true);
    const auto proto = ParseProto(Scalar(p.Get("protocol")).value_or(""));
    if (!ctr_port || !host_port || !proto || ctr_port->lo != ctr_port->hi) continue;
    const bool published = host_port->lo != 0;
    AddPorts(ExpandPorts(published ? Scalar(p.Get("hostIP")).value_or("") : "", *host_port,
                         *ctr_port, *proto, published, pod.Line(item)),
             c);
  }
}

YAML::Node PodVolume(const PodContext& pod, const std::string& name) {
  const YAML::Node volumes = pod.spec.Get("volumes");
  if (!volumes.IsSequence()) return YAML::Node();
  for (const auto& v : volumes) {
    if (Scalar(Child(v, "name")) == name) return v;
  }
  return YAML::Node();
}

void KubeMounts(const MapView& ctr, const PodContext& pod, ContainerConfig& c) {
  const Entry* mounts = ctr.Find("volumeMounts");
  if (mounts == nullptr || !mounts->value.IsSequence()) return;
  c.lines["volumes"] = pod.Line(mounts->key_node);
  for (const auto& item : mounts->value) {
    const MapView vm(item);
    ConfigMount m;
    m.target = Scalar(vm.Get("mountPath")).value_or("");
    m.read_only = BoolOf(vm.Get("readOnly")).value_or(false);
    m.line = pod.Line(item);
    const std::string name = Scalar(vm.Get("name")).value_or("");
    const std::string sub_path = Scalar(vm.Get("subPath")).value_or("");
    const MapView volume(PodVolume(pod, name));
    if (const Entry* host = volume.Find("hostPath")) {
      m.type = "hostPath";
      m.source = Scalar(Child(host->value, "path")).value_or("");
      if (!sub_path.empty()) m.source += (m.source.ends_with('/') ? "" : "/") + sub_path;
    } else if (const Entry* empty = volume.Find("emptyDir")) {
      m.type = "emptyDir";
      const std::string medium = Scalar(Child(empty->value, "medium")).value_or("");
      if (!medium.empty()) m.options = "medium=" + medium;
    } else {
      m.type = "volume";
      m.source = name;
    }
    if (!m.target.empty()) c.mounts.push_back(std::move(m));
  }
}

ContainerConfig KubeContainer(const YAML::Node& item, size_t index, bool init,
                              const PodContext& pod) {
  const MapView ctr(item);
  ContainerConfig c;
  c.source = ConfigSource::kKubernetes;
  c.file = pod.file;
  c.line = pod.Line(item);
  const std::string cname = Scalar(ctr.Get("name")).value_or(std::to_string(index + 1));
  c.name = fmt::format("{}, {} {}", pod.workload, init ? "init container" : "container", cname);
  c.runtime_settings = true;
  c.pids_limit_settable = false;
  if (const Entry* e = ctr.Find("image")) {
    c.image = Scalar(e->value).value_or("");
    c.lines["image"] = pod.Line(e->key_node);
  }
  KubeHostNamespaces(pod, c);
  KubeSecurity(ctr, cname, pod, c);
  KubeResources(ctr, pod, c);
  KubePorts(ctr, pod, c);
  KubeMounts(ctr, pod, c);
  return c;
}

// The Pod, or the Pod template of a workload: what holds metadata and spec.
YAML::Node PodTemplate(const std::string& kind, const YAML::Node& doc) {
  static constexpr std::string_view kTemplated[] = {
      "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"};
  if (kind == "Pod") return doc;
  const YAML::Node spec = Child(doc, "spec");
  if (std::find(std::begin(kTemplated), std::end(kTemplated), kind) != std::end(kTemplated)) {
    return Child(spec, "template");
  }
  if (kind == "CronJob") return Child(Child(Child(spec, "jobTemplate"), "spec"), "template");
  return YAML::Node();
}

void KubeObject(const YAML::Node& doc, const std::string& file, int offset, int depth,
                std::vector<ContainerConfig>& out) {
  if (!doc.IsMap()) return;
  const MapView m(doc);
  const std::string kind = Scalar(m.Get("kind")).value_or("");
  if (kind.ends_with("List")) {
    const YAML::Node items = m.Get("items");
    if (depth >= 2 || !items.IsSequence()) return;
    for (const auto& item : items) KubeObject(item, file, offset, depth + 1, out);
    return;
  }
  const YAML::Node tmpl = PodTemplate(kind, doc);
  if (!tmpl.IsMap()) return;
  const std::string name = Scalar(Child(m.Get("metadata"), "name")).value_or("");
  const YAML::Node spec = Child(tmpl, "spec");
  const PodContext pod{file,
                       offset,
                       name.empty() ? kind : kind + " " + name,
                       MapView(spec),
                       MapView(Child(spec, "securityContext")),
                       MapView(Child(Child(tmpl, "metadata"), "annotations"))};
  for (const bool init : {false, true}) {
    const YAML::Node list = pod.spec.Get(init ? "initContainers" : "containers");
    if (!list.IsSequence()) continue;
    size_t index = 0;
    for (const auto& item : list) {
      if (item.IsMap()) out.push_back(KubeContainer(item, index, init, pod));
      ++index;
    }
  }
}

// ---------------------------------------------------------------------------
// Dockerfile.

struct Instruction {
  int line = 0;
  std::string op;    // upper case: "FROM", "RUN", ...
  std::string args;  // continuations joined; a RUN's heredoc bodies appended
};

std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines = Split(text, '\n');
  for (std::string_view& l : lines) {
    if (l.ends_with('\r')) l.remove_suffix(1);
  }
  return lines;
}

std::string_view TrimRight(std::string_view s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsCommentOrBlank(std::string_view line) {
  const std::string_view t = Trim(line);
  return t.empty() || t[0] == '#';
}

// `# escape=`` ` and the like: only before anything else in the file.
std::optional<std::pair<std::string, std::string>> ParserDirective(std::string_view line) {
  std::string_view t = Trim(line);
  if (!t.starts_with('#')) return std::nullopt;
  t = Trim(t.substr(1));
  const size_t eq = t.find('=');
  if (eq == std::string_view::npos) return std::nullopt;
  const std::string_view name = Trim(t.substr(0, eq));
  if (name.empty() || name.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  return std::pair{ToLower(name), std::string(Trim(t.substr(eq + 1)))};
}

struct Heredoc {
  std::string word;
  bool strip_tabs = false;  // <<-EOF
};

// The heredocs an instruction opens (`<<EOF`, `<<-"EOF"`), in order.
std::vector<Heredoc> HeredocMarkers(std::string_view args) {
  const auto word_char = [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_';
  };
  std::vector<Heredoc> out;
  size_t p = args.find("<<");
  while (p != std::string_view::npos) {
    size_t q = p + 2;
    Heredoc h;
    if (q < args.size() && args[q] == '<') {  // a here-string, not a heredoc
      p = args.find("<<", q + 1);
      continue;
    }
    if (q < args.size() && args[q] == '-') {
      h.strip_tabs = true;
      ++q;
    }
    if (q < args.size() && (args[q] == '"' || args[q] == '\'')) ++q;
    const size_t start = q;
    while (q < args.size() && word_char(args[q])) ++q;
    if (q > start) {
      h.word = std::string(args.substr(start, q - start));
      out.push_back(std::move(h));
    }
    p = args.find("<<", q);
  }
  return out;
}

// Instructions with their first line: continuation lines joined (comments and
// blank lines inside a continuation dropped, as the builder does) and heredoc
// bodies consumed.
std::vector<Instruction> DockerfileInstructions(std::string_view text) {
  const std::vector<std::string_view> lines = SplitLines(text);
  char escape = '\\';
  size_t i = 0;
  for (; i < lines.size(); ++i) {
    const auto d = ParserDirective(lines[i]);
    if (!d) break;
    if (d->first == "escape" && (d->second == "`" || d->second == "\\")) escape = d->second[0];
  }
  std::vector<Instruction> out;
  while (i < lines.size()) {
    if (IsCommentOrBlank(lines[i])) {
      ++i;
      continue;
    }
    Instruction ins;
    ins.line = static_cast<int>(i) + 1;
    std::string logical;
    while (i < lines.size()) {
      const std::string_view cur = TrimRight(lines[i++]);
      if (cur.empty() || cur.back() != escape) {
        logical.append(cur);
        break;
      }
      logical.append(cur.substr(0, cur.size() - 1));
      logical += ' ';
      while (i < lines.size() && IsCommentOrBlank(lines[i])) ++i;
    }
    const std::string_view t = Trim(logical);
    const size_t sp = t.find_first_of(" \t");
    std::string op = std::string(t.substr(0, sp));
    for (char& ch : op) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    ins.op = std::move(op);
    ins.args = sp == std::string_view::npos ? "" : std::string(Trim(t.substr(sp)));
    if (ins.op == "RUN" || ins.op == "COPY" || ins.op == "ADD") {
      for (const Heredoc& h : HeredocMarkers(ins.args)) {
        while (i < lines.size()) {
          std::string_view body = lines[i++];
          std::string_view cmp = body;
          if (h.strip_tabs) cmp.remove_prefix(std::min(cmp.find_first_not_of('\t'), cmp.size()));
          if (TrimRight(cmp) == h.word) break;
          if (ins.op == "RUN") (ins.args += '\n') += body;
        }
      }
    }
    out.push_back(std::move(ins));
  }
  return out;
}

std::vector<std::string> Words(std::string_view s) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && (s[i] == ' ' || s[i] == '\t' || s[i] == '\n')) ++i;
    const size_t start = i;
    while (i < s.size() && s[i] != ' ' && s[i] != '\t' && s[i] != '\n') ++i;
    if (i > start) out.emplace_back(s.substr(start, i - start));
  }
  return out;
}

// `${NAME}`, `${NAME:-default}` and `$NAME` from the ARGs declared before the
// first FROM (the only ones a FROM can use); unknown names stay as written.
std::string SubstituteArgs(std::string_view s, const std::map<std::string, std::string>& args) {
  std::string out;
  size_t i = 0;
  while (i < s.size()) {
    if (s[i] != '$') {
      out += s[i++];
      continue;
    }
    const bool braced = i + 1 < s.size() && s[i + 1] == '{';
    const size_t close = braced ? s.find('}', i) : std::string_view::npos;
    if (braced && close == std::string_view::npos) {
      out.append(s.substr(i));
      break;
    }
    size_t j = braced ? i + 2 : i + 1;
    const size_t name_start = j;
    while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_')) ++j;
    const std::string name(s.substr(name_start, j - name_start));
    if (name.empty()) {
      out += s[i++];
      continue;
    }
    const size_t end = braced ? close + 1 : j;
    const auto it = args.find(name);
    if (it != args.end() && !it->second.empty()) {
      out += it->second;
    } else if (braced && s.substr(j, 2) == ":-") {
      out.append(s.substr(j + 2, close - j - 2));
    } else {
      out.append(s.substr(i, end - i));
    }
    i = std::max(end, i + 1);
  }
  return out;
}

std::string Unquote(std::string_view s) {
  if (s.size() >= 2 && (s.front() == '"' || s.front() == '\'') && s.back() == s.front()) {
    return std::string(s.substr(1, s.size() - 2));
  }
  return std::string(s);
}

// ARG NAME[=default] ...
void GlobalArgs(std::string_view args, std::map<std::string, std::string>& out) {
  for (const std::string& w : Words(args)) {
    const size_t eq = w.find('=');
    out[w.substr(0, eq)] = eq == std::string::npos ? "" : Unquote(w.substr(eq + 1));
  }
}

// The exec (JSON) form of RUN, CMD, ENTRYPOINT and SHELL.
std::optional<std::vector<std::string>> ExecForm(std::string_view args) {
  if (!args.starts_with('[')) return std::nullopt;
  const nlohmann::json j = nlohmann::json::parse(args, nullptr, false);
  if (!j.is_array()) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& v : j) {
    if (!v.is_string()) return std::nullopt;
    out.push_back(v.get<std::string>());
  }
  return out;
}

struct ToolInstall {
  std::string package;
  std::string tool;  // what removing the binary by path removes: "curl", "nc"
  std::string how;   // "apk add"
  int line = 0;
};

struct Stage {
  std::string from, alias;
  int line = 0;
  std::optional<std::string> user;
  int user_line = 0;
  std::vector<ConfigPort> ports;
  int ports_line = 0;
  std::vector<std::string> entrypoint, cmd;
  std::vector<std::string> shell = {"/bin/sh", "-c"};
  std::vector<ToolInstall> tools;
  std::map<std::string, std::vector<std::string>> virtual_packages;  // apk add --virtual NAME
};

// Packages that add a dropper's download or connect-back tool, and the tool.
std::optional<std::string_view> ToolOfPackage(std::string_view package) {
  static constexpr std::pair<std::string_view, std::string_view> kTools[] = {
      {"curl", "curl"},
      {"curl-minimal", "curl"},
      {"wget", "wget"},
      {"wget2", "wget"},
      {"netcat", "nc"},
      {"netcat-openbsd", "nc"},
      {"netcat-traditional", "nc"},
      {"openbsd-netcat", "nc"},
      {"gnu-netcat", "nc"},
      {"netcat-gnu", "nc"},
      {"nc", "nc"},
      {"ncat", "ncat"},
      {"nmap-ncat", "ncat"},
      {"socat", "socat"}};
  for (const auto& [pkg, tool] : kTools) {
    if (pkg == package) return tool;
  }
  return std::nullopt;
}

std::optional<std::string_view> ToolOfBinary(std::string_view name) {
  if (name == "curl" || name == "wget" || name == "ncat" || name == "socat") return name;
  if (name == "nc" || name == "netcat" || name == "nc.openbsd" || name == "nc.traditional") {
    return "nc";
  }
  return std::nullopt;
}

// "curl=7.88.1-10", "curl>8", "curl@edge", "curl:amd64", "curl/bookworm" -> "curl".
std::string PackageName(std::string_view spec) {
  return std::string(spec.substr(0, spec.find_first_of("=<>~@:/")));
}

struct ManagerCall {
  std::string sub;
  std::vector<std::string> packages;
  std::string virtual_name;
};

// Options of the package managers that take the next word as their value.
bool TakesValue(std::string_view opt) {
  static constexpr std::string_view kOptions[] = {"-X",
                                                  "--repository",
                                                  "-t",
                                                  "--virtual",
                                                  "-p",
                                                  "--root",
                                                  "--arch",
                                                  "--cache-dir",
                                                  "--keys-dir",
                                                  "--repositories-file",
                                                  "-o",
                                                  "--option",
                                                  "--target-release",
                                                  "--default-release",
                                                  "-c",
                                                  "--config-file",
                                                  "-a",
                                                  "--host-architecture",
                                                  "--setopt",
                                                  "--enablerepo",
                                                  "--disablerepo",
                                                  "--releasever",
                                                  "--installroot",
                                                  "--config",
                                                  "--repo",
                                                  "--repoid",
                                                  "-x",
                                                  "--exclude",
                                                  "-r"};
  return std::find(std::begin(kOptions), std::end(kOptions), opt) != std::end(kOptions);
}

ManagerCall ParseManagerCall(const std::vector<std::string>& words, bool apk) {
  ManagerCall call;
  for (size_t k = 0; k < words.size(); ++k) {
    const std::string& w = words[k];
    if (w.starts_with('-')) {
      const size_t eq = w.find('=');
      const std::string opt = w.substr(0, eq);
      std::string value = eq == std::string::npos ? "" : w.substr(eq + 1);
      if (eq == std::string::npos && TakesValue(opt) && k + 1 < words.size()) value = words[++k];
      if (apk && (opt == "-t" || opt == "--virtual")) call.virtual_name = value;
      continue;
    }
    if (call.sub.empty()) {
      call.sub = w;
    } else {
      call.packages.push_back(PackageName(w));
    }
  }
  return call;
}

void Install(const std::string& package, const std::string& how, int line, Stage& st) {
  const auto tool = ToolOfPackage(package);
  if (!tool) return;
  for (const ToolInstall& t : st.tools) {
    if (t.package == package) return;
  }
  st.tools.push_back({package, std::string(*tool), how, line});
}

void Remove(const std::string& package, Stage& st) {
  std::erase_if(st.tools, [&](const ToolInstall& t) { return t.package == package; });
}

void ApplyManagerCall(const std::string& prog, const std::vector<std::string>& args, int line,
                      Stage& st) {
  const bool apk = prog == "apk";
  const ManagerCall call = ParseManagerCall(args, apk);
  static constexpr std::string_view kInstall[] = {"add", "install", "in"};
  static constexpr std::string_view kRemove[] = {"del",   "remove", "purge",
                                                 "erase", "rm",     "autoremove"};
  const auto is = [&](const auto& list) {
    return std::find(std::begin(list), std::end(list), call.sub) != std::end(list);
  };
  if (is(kInstall) && (apk == (call.sub == "add"))) {
    for (const std::string& p : call.packages) Install(p, prog + " " + call.sub, line, st);
    if (apk && !call.virtual_name.empty()) {
      auto& group = st.virtual_packages[call.virtual_name];
      group.insert(group.end(), call.packages.begin(), call.packages.end());
    }
  } else if (is(kRemove)) {
    for (const std::string& p : call.packages) {
      const auto group = st.virtual_packages.find(p);
      if (apk && group != st.virtual_packages.end()) {
        for (const std::string& member : group->second) Remove(member, st);
        st.virtual_packages.erase(group);
      } else {
        Remove(p, st);
      }
    }
  }
}

// rpm -e PKG, dpkg -r|-P PKG, rm /usr/bin/curl.
void ApplyRemoval(const std::string& prog, const std::vector<std::string>& args, Stage& st) {
  if (prog == "rm") {
    for (const std::string& a : args) {
      if (a.starts_with('-') || a.find('/') == std::string::npos) continue;
      if (const auto tool = ToolOfBinary(Basename(a))) {
        std::erase_if(st.tools, [&](const ToolInstall& t) { return t.tool == *tool; });
      }
    }
    return;
  }
  const bool erase = std::any_of(args.begin(), args.end(), [&](const std::string& a) {
    return prog == "rpm" ? a == "-e" || a == "--erase"
                         : a == "-r" || a == "-P" || a == "--remove" || a == "--purge";
  });
  if (!erase) return;
  for (const std::string& a : args) {
    if (!a.starts_with('-')) Remove(PackageName(a), st);
  }
}

// Words a command starts with that are not the program: assignments, sudo,
// env, and the keywords of shell compounds (`if ...; then apk add ...`).
bool IsCommandPrefix(std::string_view w) {
  static constexpr std::string_view kPrefixes[] = {"sudo",    "env",   "then", "do", "else", "exec",
                                                   "command", "nohup", "time", "!",  "{"};
  if (std::find(std::begin(kPrefixes), std::end(kPrefixes), w) != std::end(kPrefixes)) return true;
  const size_t eq = w.find('=');
  return eq != std::string_view::npos && eq > 0 && !w.starts_with('-');
}

void ApplyCommand(const std::vector<std::string>& words, int line, Stage& st) {
  size_t k = 0;
  while (k < words.size() && (IsCommandPrefix(words[k]) || (k > 0 && words[k].starts_with('-') &&
                                                            IsCommandPrefix(words[k - 1])))) {
    ++k;
  }
  if (k >= words.size()) return;
  const std::string prog(Basename(words[k]));
  const std::vector<std::string> args(words.begin() + static_cast<std::ptrdiff_t>(k) + 1,
                                      words.end());
  static constexpr std::string_view kManagers[] = {"apk", "apt-get",  "apt",  "aptitude", "yum",
                                                   "dnf", "microdnf", "tdnf", "zypper"};
  if (std::find(std::begin(kManagers), std::end(kManagers), prog) != std::end(kManagers)) {
    ApplyManagerCall(prog, args, line, st);
  } else if (prog == "rm" || prog == "rpm" || prog == "dpkg") {
    ApplyRemoval(prog, args, st);
  }
}

// A RUN's shell text as simple commands (split at ; & | newlines and
// parentheses), each as words with quotes dropped: rough, but enough to see
// which packages an install line adds.
std::vector<std::vector<std::string>> ShellCommands(std::string_view text) {
  std::vector<std::vector<std::string>> out(1);
  std::string word;
  const auto end_word = [&] {
    if (!word.empty()) out.back().push_back(std::move(word));
    word.clear();
  };
  for (const char ch : text) {
    if (ch == ';' || ch == '&' || ch == '|' || ch == '\n' || ch == '(' || ch == ')' || ch == '`') {
      end_word();
      if (!out.back().empty()) out.emplace_back();
    } else if (ch == ' ' || ch == '\t' || ch == '\\' || ch == '\r') {
      end_word();
    } else if (ch != '"' && ch != '\'') {
      word += ch;
    }
  }
  end_word();
  return out;
}

// RUN [--mount=...] [--network=...] command
void ApplyRun(std::string_view args, int line, Stage& st) {
  std::vector<std::string> words = Words(args);
  size_t k = 0;
  while (k < words.size() && words[k].starts_with("--")) ++k;
  std::string_view cmd = args;
  if (k > 0) {
    const size_t pos = args.find(words[k - 1]) + words[k - 1].size();
    cmd = args.substr(std::min(pos, args.size()));
  }
  cmd = Trim(cmd);
  std::string text(cmd);
  if (auto exec = ExecForm(cmd)) {
    // ["/bin/sh", "-c", "apk add curl"]: the script is what installs.
    const bool shell = exec->size() >= 3 && (*exec)[1] == "-c";
    if (shell) exec->erase(exec->begin(), exec->begin() + 2);
    text = Join(*exec);
  }
  for (const auto& command : ShellCommands(text)) ApplyCommand(command, line, st);
}

void ApplyExpose(const Instruction& ins, Stage& st) {
  for (const std::string& w : Words(ins.args)) {
    const size_t slash = w.find('/');
    const auto range = ParsePortRange(std::string_view(w).substr(0, slash), false);
    const auto proto = ParseProto(slash == std::string::npos ? "" : w.substr(slash + 1));
    if (!range || !proto) continue;
    for (ConfigPort& p : ExpandPorts("", {}, *range, *proto, false, ins.line)) {
      if (st.ports.size() < kMaxPortsPerConfig) st.ports.push_back(std::move(p));
    }
    if (st.ports_line == 0) st.ports_line = ins.line;
  }
}

void ApplyInstruction(const Instruction& ins, Stage& st) {
  if (ins.op == "USER") {
    const std::vector<std::string> words = Words(ins.args);
    if (words.empty()) return;
    st.user = words.front();
    st.user_line = ins.line;
  } else if (ins.op == "EXPOSE") {
    ApplyExpose(ins, st);
  } else if (ins.op == "RUN") {
    ApplyRun(ins.args, ins.line, st);
  } else if (ins.op == "SHELL") {
    if (auto shell = ExecForm(ins.args); shell && !shell->empty()) st.shell = std::move(*shell);
  } else if (ins.op == "ENTRYPOINT" || ins.op == "CMD") {
    std::vector<std::string> argv;
    if (auto exec = ExecForm(ins.args)) {
      argv = std::move(*exec);
    } else {
      argv = st.shell;
      argv.push_back(ins.args);
    }
    (ins.op == "CMD" ? st.cmd : st.entrypoint) = std::move(argv);
  }
}

// FROM [--platform=...] IMAGE [AS NAME]. A stage built on an earlier stage
// starts with what that stage set (its USER, its tools).
Stage NewStage(const Instruction& ins, const std::map<std::string, std::string>& args,
               const std::map<std::string, Stage>& named) {
  const std::vector<std::string> words = Words(ins.args);
  size_t k = 0;
  while (k < words.size() && words[k].starts_with("--")) ++k;
  const std::string image = k < words.size() ? SubstituteArgs(words[k], args) : "";
  Stage st;
  if (const auto it = named.find(ToLower(image)); it != named.end()) st = it->second;
  st.from = image;
  st.alias = k + 2 < words.size() && ToLower(words[k + 1]) == "as" ? words[k + 2] : "";
  st.line = ins.line;
  return st;
}

ContainerConfig FinalStageConfig(const Stage& st, const std::string& file) {
  ContainerConfig c;
  c.source = ConfigSource::kDockerfile;
  c.runtime_settings = false;
  c.name = fmt::format("Dockerfile final stage (FROM {})", st.from);
  c.file = file;
  c.line = st.line;
  c.image = st.from;
  c.lines["image"] = st.line;
  c.user = st.user;
  if (st.user) c.lines["user"] = st.user_line;
  c.ports = st.ports;
  if (st.ports_line != 0) c.lines["ports"] = st.ports_line;
  c.entrypoint = st.entrypoint;
  c.cmd = st.cmd;
  // The list is what the stage's own install lines add; the base image's
  // tools are the image source's to find.
  c.tools_known = true;
  for (const ToolInstall& t : st.tools) {
    c.tools.push_back(fmt::format("{} ({}, line {})", t.package, t.how, t.line));
  }
  if (!st.tools.empty()) c.lines["tools"] = st.tools.front().line;
  return c;
}

// ---------------------------------------------------------------------------
// Finding and reading config files.

constexpr size_t kHeadBytes = 4096;
constexpr size_t kMaxFileBytes = size_t{8} << 20;
constexpr int kMaxWalkDepth = 6;
constexpr size_t kMaxWalkEntries = 5000;

bool IsComposeName(std::string_view name) {
  for (const std::string_view prefix : {"docker-compose", "compose"}) {
    if (!name.starts_with(prefix)) continue;
    const std::string_view rest = name.substr(prefix.size());
    if (rest.starts_with('.') || rest.starts_with('-') || rest.starts_with('_')) return true;
  }
  return false;
}

bool IsDockerfileName(std::string_view name) {
  if (name.ends_with(".dockerignore") || name.ends_with(".md")) return false;
  for (const std::string_view base : {"dockerfile", "containerfile"}) {
    if (name == base) return true;
    if (name.starts_with(base) &&
        std::string_view(".-_").find(name[base.size()]) != std::string_view::npos) {
      return true;
    }
    if (name.size() > base.size() + 1 && name.ends_with(base) &&
        name[name.size() - base.size() - 1] == '.') {
      return true;
    }
  }
  return false;
}

bool LooksLikeInspect(std::string_view head) {
  if (head.starts_with("\xEF\xBB\xBF")) head.remove_prefix(3);
  head = Trim(head);
  return (head.starts_with('[') || head.starts_with('{')) &&
         head.find("\"HostConfig\"") != std::string_view::npos;
}

// Both keys at the start of a line; a Helm template (`{{ .Values ... }}`) is
// not a manifest until rendered, so it is not read.
bool LooksLikeKubernetes(std::string_view head) {
  bool api = false, kind = false;
  for (const std::string_view line : Split(head, '\n')) {
    api = api || line.starts_with("apiVersion:");
    kind = kind || line.starts_with("kind:");
  }
  const bool helm = head.find("{{") != std::string_view::npos &&
                    (head.find(".Values") != std::string_view::npos ||
                     head.find(".Release") != std::string_view::npos ||
                     head.find("{{-") != std::string_view::npos ||
                     head.find("include \"") != std::string_view::npos);
  return api && kind && !helm;
}

bool NeedsHead(std::string_view name) {
  return name.ends_with(".json") || name.ends_with(".yml") || name.ends_with(".yaml");
}

// Reads a regular file, at most `max` bytes; beyond that an error unless
// `truncate`. O_NONBLOCK: a FIFO named like a config must not hang the scan.
Expected<std::string> ReadBounded(const std::string& path, bool follow, size_t max, bool truncate) {
  const int fd = ::open(path.c_str(),
                        O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | (follow ? 0 : O_NOFOLLOW));
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat sb {};
  if (::fstat(fd, &sb) != 0) return Fail(Error::FromErrno(errno, path));
  if (!S_ISREG(sb.st_mode)) return Fail(Error::InvalidInput(path + ": not a regular file"));
  const auto too_big = [&] {
    return Fail(
        Error::InvalidInput(fmt::format("{}: larger than {} MiB, not read", path, max >> 20)));
  };
  if (!truncate && static_cast<uint64_t>(sb.st_size) > max) return too_big();
  std::string buf;
  char chunk[65536];
  while (buf.size() <= max) {
    const ssize_t n = ::read(fd, chunk, std::min(sizeof(chunk), max + 1 - buf.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(Error::FromErrno(errno, path));
    if (n == 0) break;
    buf.append(chunk, static_cast<size_t>(n));
  }
  if (buf.size() > max) {
    if (!truncate) return too_big();
    buf.resize(max);
  }
  return buf;
}

Expected<std::vector<ContainerConfig>> ParseConfigText(ConfigFileKind kind, std::string_view text,
                                                       const std::string& file) {
  switch (kind) {
    case ConfigFileKind::kInspect:
      return ParseInspect(text, file, ConfigSource::kInspect);
    case ConfigFileKind::kCompose:
      return ParseCompose(text, file);
    case ConfigFileKind::kKubernetes:
      return ParseKubernetes(text, file);
    case ConfigFileKind::kDockerfile:
      return ParseDockerfile(text, file);
    case ConfigFileKind::kNone:
      break;
  }
  return std::vector<ContainerConfig>{};
}

// `follow`: a file named on the command line is read through a symlink; one
// met in a walk is not.
void ReadConfigFile(const std::string& path, bool follow, std::vector<ContainerConfig>& out,
                    std::vector<Gap>& gaps) {
  ConfigFileKind kind = DetectConfigFile(path, "");
  if (kind == ConfigFileKind::kNone && NeedsHead(ToLower(Basename(path)))) {
    const auto head = ReadBounded(path, follow, kHeadBytes, true);
    if (!head) {
      gaps.push_back({path, head.error().message(), ""});
      return;
    }
    kind = DetectConfigFile(path, *head);
  }
  if (kind == ConfigFileKind::kNone) return;
  const auto text = ReadBounded(path, follow, kMaxFileBytes, false);
  if (!text) {
    gaps.push_back({path, text.error().message(), ""});
    return;
  }
  auto configs = ParseConfigText(kind, *text, path);
  if (!configs) {
    gaps.push_back({path, configs.error().message(), ""});
    return;
  }
  for (ContainerConfig& c : *configs) out.push_back(std::move(c));
}

bool SkippedDir(std::string_view name) {
  static constexpr std::string_view kSkipped[] = {"node_modules", ".git",   ".next", "dist",
                                                  "build",        "vendor", "target"};
  return std::find(std::begin(kSkipped), std::end(kSkipped), name) != std::end(kSkipped);
}

struct Walk {
  std::vector<std::string> files;
  size_t seen = 0;
};

// Candidate files below `dir`; false when the entry bound was reached.
bool WalkDir(const std::filesystem::path& dir, int depth, Walk& walk, std::vector<Gap>& gaps) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  if (ec) {
    gaps.push_back({dir.string(), ec.message(), ""});
    return true;
  }
  std::vector<fs::path> subdirs;
  for (; it != fs::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (++walk.seen > kMaxWalkEntries) return false;
    std::error_code status_ec;
    const fs::file_status st = it->symlink_status(status_ec);
    if (status_ec) continue;
    const std::string name = it->path().filename().string();
    if (fs::is_directory(st)) {
      if (!SkippedDir(name) && depth + 1 < kMaxWalkDepth) subdirs.push_back(it->path());
    } else if (fs::is_regular_file(st)) {
      const std::string lower = ToLower(name);
      if (IsComposeName(lower) || IsDockerfileName(lower) || NeedsHead(lower)) {
        walk.files.push_back(it->path().string());
      }
    }
  }
  if (ec) gaps.push_back({dir.string(), ec.message(), ""});
  std::sort(subdirs.begin(), subdirs.end());
  for (const fs::path& sub : subdirs) {
    if (!WalkDir(sub, depth + 1, walk, gaps)) return false;
  }
  return true;
}

void ReadConfigDir(const std::string& dir, std::vector<ContainerConfig>& out,
                   std::vector<Gap>& gaps) {
  Walk walk;
  if (!WalkDir(dir, 0, walk, gaps)) {
    gaps.push_back({dir, fmt::format("stopped after {} entries", kMaxWalkEntries), ""});
  }
  std::sort(walk.files.begin(), walk.files.end());
  for (const std::string& f : walk.files) ReadConfigFile(f, false, out, gaps);
}

}  // namespace

Expected<std::vector<ContainerConfig>> ParseCompose(std::string_view yaml,
                                                    const std::string& file) {
  try {
    return ComposeServices(YAML::Load(std::string(yaml)), file);
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(YamlErrorMessage(file, e, 0)));
  } catch (const std::exception& e) {
    return Fail(Error::Internal(fmt::format("{}: {}", file, e.what())));
  }
}

Expected<std::vector<ContainerConfig>> ParseKubernetes(std::string_view yaml,
                                                       const std::string& file) {
  std::vector<ContainerConfig> out;
  std::optional<Error> first_error;
  for (const YamlDocument& doc : SplitYamlDocuments(yaml)) {
    try {
      KubeObject(YAML::Load(doc.text), file, doc.first_line, 0, out);
    } catch (const YAML::Exception& e) {
      if (!first_error)
        first_error = Error::InvalidInput(YamlErrorMessage(file, e, doc.first_line));
    } catch (const std::exception& e) {
      if (!first_error) first_error = Error::Internal(fmt::format("{}: {}", file, e.what()));
    }
  }
  // A malformed document is skipped when others gave containers; alone, it
  // is the file's error.
  if (first_error && out.empty()) return Fail(*first_error);
  return out;
}

Expected<std::vector<ContainerConfig>> ParseDockerfile(std::string_view text,
                                                       const std::string& file) {
  std::map<std::string, std::string> args;  // before the first FROM: FROM may use them
  std::map<std::string, Stage> named;       // by lower-case alias
  std::optional<Stage> stage;
  for (const Instruction& ins : DockerfileInstructions(text)) {
    if (ins.op == "FROM") {
      if (stage && !stage->alias.empty() && named.size() < kMaxNamedStages) {
        named.insert_or_assign(ToLower(stage->alias), std::move(*stage));
      }
      stage = NewStage(ins, args, named);
    } else if (!stage) {
      if (ins.op == "ARG") GlobalArgs(ins.args, args);
    } else {
      ApplyInstruction(ins, *stage);
    }
  }
  if (!stage) return Fail(Error::InvalidInput(file + ": no FROM instruction"));
  return std::vector<ContainerConfig>{FinalStageConfig(*stage, file)};
}

ConfigFileKind DetectConfigFile(std::string_view path, std::string_view head) {
  const std::string name = ToLower(Basename(path));
  const bool yaml = name.ends_with(".yml") || name.ends_with(".yaml");
  if (yaml && IsComposeName(name)) return ConfigFileKind::kCompose;
  if (IsDockerfileName(name)) return ConfigFileKind::kDockerfile;
  if (name.ends_with(".json") && LooksLikeInspect(head)) return ConfigFileKind::kInspect;
  if (yaml && LooksLikeKubernetes(head)) return ConfigFileKind::kKubernetes;
  return ConfigFileKind::kNone;
}

void ReadContainerConfigs(const std::vector<std::string>& paths, std::vector<ContainerConfig>& out,
                          std::vector<Gap>& gaps) {
  namespace fs = std::filesystem;
  for (const std::string& path : paths) {
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (st.type() == fs::file_type::not_found) {
      gaps.push_back({path, "no such file or directory", ""});
    } else if (ec) {
      gaps.push_back({path, ec.message(), ""});
    } else if (fs::is_directory(st)) {
      ReadConfigDir(path, out, gaps);
    } else {
      ReadConfigFile(path, true, out, gaps);
    }
  }
}

}  // namespace deminer
