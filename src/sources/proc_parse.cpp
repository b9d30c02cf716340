#include "sources/proc_parse.h"

#include <arpa/inet.h>
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "core/strings.h"

namespace deminer {

Expected<StatFields> ParseStat(std::string_view text) {
  const size_t open = text.find('(');
  const size_t close = text.rfind(')');
  if (open == std::string_view::npos || close == std::string_view::npos || close < open) {
    return Fail(Error::InvalidInput("stat: no (comm)"));
  }
  StatFields f;
  const auto pid = ParseUint(Trim(text.substr(0, open)));
  if (!pid || *pid > 0x7fffffff) return Fail(Error::InvalidInput("stat: bad pid"));
  f.pid = static_cast<int>(*pid);
  f.comm = std::string(text.substr(open + 1, close - open - 1));

  std::vector<std::string_view> fields;
  for (std::string_view part : Split(Trim(text.substr(close + 1)), ' ')) {
    if (!part.empty()) fields.push_back(part);
  }
  // Index 0 is field 3 (state) of proc(5).
  if (fields.size() < 20 || fields[0].size() != 1) {
    return Fail(Error::InvalidInput("stat: too few fields"));
  }
  f.state = fields[0][0];
  const auto ppid = ParseUint(fields[1]);
  const auto flags = ParseUint(fields[6]);
  const auto utime = ParseUint(fields[11]);
  const auto stime = ParseUint(fields[12]);
  const auto threads = ParseUint(fields[17]);
  const auto start = ParseUint(fields[19]);
  if (!ppid || !flags || !utime || !stime || !threads || !start || *ppid > 0x7fffffff) {
    return Fail(Error::InvalidInput("stat: bad number"));
  }
  f.ppid = static_cast<int>(*ppid);
  f.flags = *flags;
  f.utime = *utime;
  f.stime = *stime;
  f.threads = static_cast<uint32_t>(std::min<uint64_t>(*threads, UINT32_MAX));
  f.start_ticks = *start;
  if (fields.size() > 20) f.vsize = ParseUint(fields[20]).value_or(0);
  return f;
}

StatusFields ParseStatus(std::string_view text) {
  StatusFields f;
  for (std::string_view line : Split(text, '\n')) {
    if (line.starts_with("Uid:")) {
      const std::string_view rest = Trim(line.substr(4));
      const auto uid = ParseUint(rest.substr(0, rest.find_first_of(" \t")));
      if (uid && *uid <= UINT32_MAX) f.uid = static_cast<uint32_t>(*uid);
    } else if (line.starts_with("HugetlbPages:")) {
      std::string_view rest = Trim(line.substr(13));
      rest = rest.substr(0, rest.find(' '));
      if (const auto kb = ParseUint(rest)) f.hugetlb_kb = *kb;
    }
  }
  return f;
}

std::vector<std::string> ParseCmdline(std::string_view bytes) {
  std::vector<std::string> argv;
  if (bytes.empty()) return argv;
  if (bytes.back() == '\0') bytes.remove_suffix(1);
  for (std::string_view arg : Split(bytes, '\0')) argv.emplace_back(arg);
  return argv;
}

namespace {

bool IsHexId(std::string_view s) {
  if (s.size() != 64) return false;
  for (const char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Returns the 64-hex id that follows `prefix` in `segment` (and precedes an
// optional ".scope"), or empty.
std::string_view IdAfter(std::string_view segment, std::string_view prefix) {
  if (!segment.starts_with(prefix)) return {};
  std::string_view id = segment.substr(prefix.size());
  if (id.ends_with(".scope")) id.remove_suffix(6);
  return IsHexId(id) ? id : std::string_view{};
}

}  // namespace

std::optional<CgroupContainer> ParseCgroup(std::string_view text) {
  struct Pattern {
    std::string_view prefix;
    std::string_view runtime;
  };
  static constexpr std::array<Pattern, 5> kPrefixed = {{
      {"docker-", "docker"},
      {"libpod-", "podman"},
      {"cri-containerd-", "containerd"},
      {"crio-", "cri-o"},
      {"containerd-", "containerd"},
  }};
  // The innermost container wins (Docker in Docker: /docker/OUTER/docker/INNER).
  std::optional<CgroupContainer> found;
  for (std::string_view line : Split(text, '\n')) {
    // hierarchy-ID:controllers:path
    const size_t c1 = line.find(':');
    if (c1 == std::string_view::npos) continue;
    const size_t c2 = line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view parent;
    std::string_view grandparent;
    bool under_kubepods = false;
    for (const std::string_view seg : Split(line.substr(c2 + 1), '/')) {
      if (seg.starts_with("kubepods")) under_kubepods = true;
      std::optional<CgroupContainer> here;
      for (const Pattern& p : kPrefixed) {
        const std::string_view id = IdAfter(seg, p.prefix);
        if (!id.empty()) here = CgroupContainer{std::string(p.runtime), std::string(id)};
      }
      // containerd's systemd-style names under cgroupfs: "pod.slice:cri-containerd:ID".
      if (!here && seg.find(':') != std::string_view::npos) {
        const std::vector<std::string_view> parts = Split(seg, ':');
        if (parts.size() >= 3 && IsHexId(parts.back())) {
          const std::string_view kind = parts[parts.size() - 2];
          here = CgroupContainer{kind == "crio"     ? "cri-o"
                                 : kind == "docker" ? "docker"
                                                    : "containerd",
                                 std::string(parts.back())};
        }
      }
      if (!here && IsHexId(seg)) {
        if (parent == "docker") {
          here = CgroupContainer{"docker", std::string(seg)};
        } else if (grandparent == "ecs") {
          here = CgroupContainer{"ecs", std::string(seg)};  // Amazon ECS: /ecs/TASK/ID
        } else if (under_kubepods) {
          here = CgroupContainer{"kubernetes", std::string(seg)};
        }
      }
      if (here) found = std::move(here);
      grandparent = parent;
      parent = seg;
    }
    if (found) return found;
  }
  return found;
}

std::optional<uint64_t> ParseBracketInode(std::string_view link, std::string_view prefix) {
  if (!link.starts_with(prefix)) return std::nullopt;
  link.remove_prefix(prefix.size());
  if (!link.starts_with(":[") || !link.ends_with(']')) return std::nullopt;
  return ParseUint(link.substr(2, link.size() - 3));
}

namespace {

std::optional<uint32_t> ParseHex32(std::string_view s) {
  if (s.empty() || s.size() > 8) return std::nullopt;
  uint32_t v = 0;
  for (const char c : s) {
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<uint32_t>(c - 'A' + 10);
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<uint32_t>(c - 'a' + 10);
    } else {
      return std::nullopt;
    }
  }
  return v;
}

// "0100007F:0CEA" -> ("127.0.0.1", 3306). The kernel prints each 32-bit word of
// the address as it sits in memory, so parsing a word and storing it in host
// order gives back the network-order bytes.
bool ParseAddrPort(std::string_view s, int family, std::string& addr, uint16_t& port) {
  const size_t colon = s.find(':');
  if (colon == std::string_view::npos) return false;
  const std::string_view hex = s.substr(0, colon);
  const auto p = ParseHex32(s.substr(colon + 1));
  if (!p || *p > 0xffff) return false;
  port = static_cast<uint16_t>(*p);
  const size_t words = family == 4 ? 1 : 4;
  if (hex.size() != words * 8) return false;
  std::array<uint32_t, 4> raw{};
  for (size_t i = 0; i < words; ++i) {
    const auto w = ParseHex32(hex.substr(i * 8, 8));
    if (!w) return false;
    raw[i] = *w;
  }
  std::array<char, INET6_ADDRSTRLEN> buf{};
  if (inet_ntop(family == 4 ? AF_INET : AF_INET6, raw.data(), buf.data(),
                static_cast<socklen_t>(buf.size())) == nullptr) {
    return false;
  }
  addr = buf.data();
  UnmapIpv4(addr);
  return true;
}

}  // namespace

Expected<std::vector<Socket>> ParseProcNet(std::string_view text, Proto proto, int family) {
  std::vector<Socket> out;
  const std::vector<std::string_view> lines = Split(text, '\n');
  for (size_t n = 1; n < lines.size(); ++n) {  // line 0 is the header
    std::vector<std::string_view> f;
    for (std::string_view part : Split(Trim(lines[n]), ' ')) {
      if (!part.empty()) f.push_back(part);
    }
    if (f.empty()) continue;
    if (f.size() < 10) {
      return Fail(Error::InvalidInput(fmt::format("/proc/net line {}: too few fields", n + 1)));
    }
    Socket s;
    s.proto = proto;
    s.family = family;
    const auto state = ParseHex32(f[3]);
    const auto uid = ParseUint(f[7]);
    const auto inode = ParseUint(f[9]);
    if (!ParseAddrPort(f[1], family, s.local_addr, s.local_port) ||
        !ParseAddrPort(f[2], family, s.remote_addr, s.remote_port) || !state || !uid || !inode ||
        *uid > UINT32_MAX) {
      return Fail(Error::InvalidInput(fmt::format("/proc/net line {}: bad field", n + 1)));
    }
    s.state = static_cast<int>(*state);
    s.uid = static_cast<uint32_t>(*uid);
    s.inode = *inode;
    out.push_back(std::move(s));
  }
  return out;
}

namespace {

// mountinfo escapes space, tab, newline and backslash as \ooo.
std::string UnescapeOctal(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() &&
        std::all_of(s.begin() + static_cast<long>(i) + 1, s.begin() + static_cast<long>(i) + 4,
                    [](char c) { return c >= '0' && c <= '7'; })) {
      out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

}  // namespace

std::string MountEntry::SuperOption(std::string_view key) const {
  for (std::string_view opt : Split(super_options, ',')) {
    if (opt.size() > key.size() && opt.starts_with(key) && opt[key.size()] == '=') {
      return std::string(opt.substr(key.size() + 1));
    }
  }
  return {};
}

std::vector<MountEntry> ParseMountInfo(std::string_view text) {
  std::vector<MountEntry> out;
  for (std::string_view line : Split(text, '\n')) {
    std::vector<std::string_view> f;
    for (std::string_view w : Split(line, ' ')) {
      if (!w.empty()) f.push_back(w);
    }
    // id parent major:minor root mount_point options [optional...] - fstype source super
    const auto dash = std::find(f.begin(), f.end(), "-");
    if (f.size() < 6 || dash == f.end() || std::distance(dash, f.end()) < 3) continue;
    MountEntry m;
    m.mount_point = UnescapeOctal(f[4]);
    m.options = std::string(f[5]);
    m.fstype = std::string(*(dash + 1));
    m.source = UnescapeOctal(*(dash + 2));
    if (std::distance(dash, f.end()) >= 4) m.super_options = UnescapeOctal(*(dash + 3));
    out.push_back(std::move(m));
  }
  return out;
}

}  // namespace deminer
