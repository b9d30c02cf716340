#include "match/rule_pack.h"

#include <fmt/format.h>
#include <fnmatch.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>

#include "core/strings.h"

namespace deminer {
namespace fs = std::filesystem;

void NameList::Add(std::string_view entry, const std::string& source) {
  std::string e = ToLower(entry);
  if (e.ends_with('*')) {
    e.pop_back();
    prefixes_.emplace_back(std::move(e), source);
  } else {
    exact_.emplace(std::move(e), source);
  }
}

const std::string* NameList::Match(std::string_view name) const {
  if (name.empty()) return nullptr;
  const std::string lower = ToLower(name);
  if (const auto it = exact_.find(lower); it != exact_.end()) return &it->second;
  for (const auto& [prefix, source] : prefixes_) {
    if (lower.starts_with(prefix)) return &source;
  }
  return nullptr;
}

namespace {

std::string Where(const std::string& path, const YAML::Mark& mark) {
  return mark.line >= 0 ? fmt::format("{}:{}", path, mark.line + 1) : path;
}

// Calls fn(entry_node, source) for every entry of every group of `list`.
template <typename Fn>
Expected<void> ForEachEntry(const YAML::Node& list, const std::string& path, const std::string& key,
                            Fn&& fn) {
  if (!list.IsSequence()) {
    return Fail(Error::InvalidInput(fmt::format(
        "{}: '{}' must be a list of {{source, entries}} groups", Where(path, list.Mark()), key)));
  }
  for (const YAML::Node& group : list) {
    const YAML::Node source = group["source"];
    const YAML::Node entries = group["entries"];
    if (!group.IsMap() || !source || !source.IsScalar() || source.Scalar().empty() || !entries ||
        !entries.IsSequence()) {
      return Fail(Error::InvalidInput(
          fmt::format("{}: each group of '{}' needs a non-empty 'source' and an 'entries' list",
                      Where(path, group.Mark()), key)));
    }
    for (const YAML::Node& entry : entries) {
      if (auto r = fn(entry, source.Scalar()); !r) return r;
    }
  }
  return {};
}

Expected<std::string> Scalar(const YAML::Node& n, const std::string& path) {
  if (!n.IsScalar() || n.Scalar().empty()) {
    return Fail(
        Error::InvalidInput(fmt::format("{}: expected a non-empty string", Where(path, n.Mark()))));
  }
  return n.Scalar();
}

Expected<uint16_t> Port(const YAML::Node& n, const std::string& path) {
  const auto v = n.IsScalar() ? ParseUint(n.Scalar()) : std::nullopt;
  if (!v || *v == 0 || *v > 65535) {
    return Fail(
        Error::InvalidInput(fmt::format("{}: expected a port number", Where(path, n.Mark()))));
  }
  return static_cast<uint16_t>(*v);
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

namespace {

// One log rule: {id, title, severity, attack, logs, patterns, caseless,
// capture, why}.
Expected<LogRule> ReadLogRule(const YAML::Node& e, const std::string& path,
                              const std::string& src) {
  const auto bad = [&](const YAML::Node& at, std::string_view what) {
    return Fail(Error::InvalidInput(fmt::format("{}: {}", Where(path, at.Mark()), what)));
  };
  if (!e.IsMap() || !e["id"] || !e["title"] || !e["patterns"] || !e["logs"]) {
    return bad(
        e, "a log rule is {id, title, severity, attack, logs, patterns, caseless, capture, why}");
  }
  LogRule r;
  r.id = e["id"].as<std::string>();
  r.title = e["title"].as<std::string>();
  if (e["severity"]) {
    const auto sev = ParseSeverity(e["severity"].as<std::string>());
    if (!sev) return bad(e["severity"], "severity is critical, high, medium, low or info");
    r.severity = *sev;
  }
  if (e["attack"]) r.attack = e["attack"].as<std::string>();
  if (e["why"]) r.why = e["why"].as<std::string>();
  if (e["caseless"]) r.caseless = e["caseless"].as<bool>();
  const YAML::Node logs = e["logs"];
  if (!logs.IsSequence() || logs.size() == 0) return bad(logs, "logs is a list of log kinds");
  for (const YAML::Node& l : logs) {
    const std::string name = l.as<std::string>();
    if (name == "any") {
      r.kinds = ~0U;
      continue;
    }
    const auto kind = ParseLogKind(name);
    if (!kind) {
      return bad(l, "log kinds are any, container, journal, postgres, redis, web, auth, file");
    }
    r.kinds |= 1U << static_cast<unsigned>(*kind);
  }
  const YAML::Node patterns = e["patterns"];
  if (!patterns.IsSequence() || patterns.size() == 0) return bad(patterns, "patterns is a list");
  for (const YAML::Node& p : patterns) {
    auto text = Scalar(p, path);
    if (!text) return Fail(text.error());
    r.patterns.push_back(std::move(*text));
    r.pattern_where.push_back(Where(path, p.Mark()));
  }
  if (e["capture"]) {
    for (const YAML::Node& c : e["capture"]) {
      const std::string what = c.as<std::string>();
      if (what != "url" && what != "ip" && what != "path") {
        return bad(c, "capture takes url, ip and path");
      }
      r.capture.push_back(what);
    }
  }
  if (const YAML::Node esc = e["escalate"]) {
    const auto sev = esc["severity"] ? ParseSeverity(esc["severity"].as<std::string>())
                                     : std::optional<Severity>();
    if (!esc.IsMap() || !esc["count"] || !sev || esc["count"].as<int64_t>() < 2) {
      return bad(esc, "escalate is {count: N (2 or more), severity: ...}");
    }
    r.escalate_count = esc["count"].as<uint64_t>();
    r.escalate_severity = *sev;
  }
  if (const YAML::Node nw = e["new_within"]) {
    const std::string text = nw.as<std::string>();
    const auto days = text.ends_with('d') ? ParseUint(text.substr(0, text.size() - 1))
                                          : std::optional<uint64_t>();
    if (!days || *days == 0 || *days > 3650 || r.capture.empty()) {
      return bad(nw, "new_within is a number of days (\"7d\"), with a capture to compare");
    }
    r.new_within = static_cast<int64_t>(*days) * 86400;
  }
  r.source = fmt::format("{} ({})", src, Where(path, e.Mark()));
  return r;
}

}  // namespace

std::string_view LogKindName(LogKind k) {
  switch (k) {
    case LogKind::kContainer:
      return "container";
    case LogKind::kJournal:
      return "journal";
    case LogKind::kPostgres:
      return "postgres";
    case LogKind::kRedis:
      return "redis";
    case LogKind::kWeb:
      return "web";
    case LogKind::kAuth:
      return "auth";
    case LogKind::kFile:
      return "file";
  }
  return "file";
}

std::optional<LogKind> ParseLogKind(std::string_view name) {
  for (const LogKind k : {LogKind::kContainer, LogKind::kJournal, LogKind::kPostgres,
                          LogKind::kRedis, LogKind::kWeb, LogKind::kAuth, LogKind::kFile}) {
    if (LogKindName(k) == name) return k;
  }
  return std::nullopt;
}

Expected<void> RulePack::LoadYaml(const std::string& path) {
  YAML::Node root;
  try {
    root = YAML::LoadFile(path);
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("{}: {}", Where(path, e.mark), e.msg)));
  }
  if (root.IsNull()) return {};
  if (!root.IsMap()) {
    return Fail(Error::InvalidInput(fmt::format("{}: expected a map of lists", path)));
  }
  try {
    for (const auto& kv : root) {
      const std::string key = kv.first.as<std::string>();
      const YAML::Node& list = kv.second;
      Expected<void> r;
      // prefixes: every entry is a prefix, with or without a trailing '*'.
      const auto names = [&](NameList& out, bool prefixes = false) {
        return ForEachEntry(
            list, path, key,
            [&, prefixes](const YAML::Node& e, const std::string& src) -> Expected<void> {
              auto s = Scalar(e, path);
              if (!s) return Fail(s.error());
              out.Add(prefixes && !s->ends_with('*') ? *s + "*" : *s, src);
              return {};
            });
      };
      const auto strings = [&](std::vector<std::string>& out) {
        return ForEachEntry(list, path, key,
                            [&](const YAML::Node& e, const std::string&) -> Expected<void> {
                              auto s = Scalar(e, path);
                              if (!s) return Fail(s.error());
                              out.push_back(*s);
                              return {};
                            });
      };
      const auto ports = [&](std::map<uint16_t, std::string>& out) {
        return ForEachEntry(list, path, key,
                            [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
                              auto p = Port(e, path);
                              if (!p) return Fail(p.error());
                              out.emplace(*p, src);
                              return {};
                            });
      };
      const auto keyed = [&](std::unordered_map<std::string, std::string>& out, bool lower) {
        return ForEachEntry(list, path, key,
                            [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
                              auto s = Scalar(e, path);
                              if (!s) return Fail(s.error());
                              out.emplace(lower ? ToLower(*s) : *s, src);
                              return {};
                            });
      };

      if (key == "name" || key == "version") {
        (key == "name" ? name : version) = list.as<std::string>();
        continue;
      } else if (key == "miner_names") {
        r = names(miner_names);
      } else if (key == "kernel_thread_prefixes") {
        r = names(kernel_thread_prefixes, true);
      } else if (key == "cpu_expected") {
        r = names(cpu_expected);
      } else if (key == "hugepage_expected") {
        r = names(hugepage_expected);
      } else if (key == "msr_expected") {
        r = names(msr_expected);
      } else if (key == "shells") {
        r = names(shells);
      } else if (key == "memfd_expected") {
        r = names(memfd_expected);
      } else if (key == "pool_url_options") {
        r = strings(pool_url_options);
      } else if (key == "wallet_options") {
        r = strings(wallet_options);
      } else if (key == "pool_url_schemes") {
        r = strings(pool_url_schemes);
      } else if (key == "pool_ports") {
        r = ports(pool_ports);
      } else if (key == "c2_ports") {
        r = ports(c2_ports);
      } else if (key == "pool_domains") {
        r = keyed(pool_domains, true);
      } else if (key == "wallets") {
        r = keyed(wallets, false);
      } else if (key == "attacker_ssh_keys") {
        r = keyed(attacker_ssh_keys, false);
      } else if (key == "c2_addresses") {
        r = keyed(c2_addresses, true);
      } else if (key == "wallet_fragments") {
        r = ForEachEntry(
            list, path, key, [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
              auto s = Scalar(e, path);
              if (!s) return Fail(s.error());
              const size_t dots = s->find("...");
              if (dots == std::string::npos || dots == 0 || dots + 3 >= s->size()) {
                return Fail(Error::InvalidInput(fmt::format(
                    "{}: a wallet fragment is written PREFIX...SUFFIX", Where(path, e.Mark()))));
              }
              wallet_fragments.push_back({s->substr(0, dots), s->substr(dots + 3), src});
              return {};
            });
      } else if (key == "system_daemons") {
        r = ForEachEntry(
            list, path, key, [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
              if (!e.IsMap() || !e["name"] || !e["dirs"] || !e["dirs"].IsSequence()) {
                return Fail(Error::InvalidInput(fmt::format(
                    "{}: a system daemon is {{name, dirs: [...]}}", Where(path, e.Mark()))));
              }
              SystemDaemon d{e["name"].as<std::string>(), e["dirs"].as<std::vector<std::string>>(),
                             e["exes"] ? e["exes"].as<std::vector<std::string>>()
                                       : std::vector<std::string>{e["name"].as<std::string>()},
                             src};
              system_daemons.push_back(std::move(d));
              return {};
            });
      } else if (key == "hidden_expected" || key == "immutable_expected") {
        auto& out = key == "hidden_expected" ? hidden_expected : immutable_expected;
        r = ForEachEntry(list, path, key,
                         [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
                           auto s = Scalar(e, path);
                           if (!s) return Fail(s.error());
                           out.emplace_back(*s, src);
                           return {};
                         });
      } else if (key == "shell_patterns") {
        r = ForEachEntry(
            list, path, key, [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
              if (!e.IsMap() || !e["id"] || !e["pattern"] || !e["why"]) {
                return Fail(Error::InvalidInput(
                    fmt::format("{}: a shell pattern is {{id, pattern, why, severity}}",
                                Where(path, e.Mark()))));
              }
              ShellPattern sp{e["id"].as<std::string>(), e["pattern"].as<std::string>(),
                              Severity::kHigh, e["why"].as<std::string>(), src};
              if (e["severity"]) {
                const auto sev = ParseSeverity(e["severity"].as<std::string>());
                if (!sev) {
                  return Fail(Error::InvalidInput(
                      fmt::format("{}: severity is critical, high, medium, low or info",
                                  Where(path, e["severity"].Mark()))));
                }
                sp.severity = *sev;
              }
              sp.source = fmt::format("{} ({})", src, Where(path, e.Mark()));
              shell_patterns.push_back(std::move(sp));
              return {};
            });
      } else if (key == "log_rules") {
        r = ForEachEntry(list, path, key,
                         [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
                           auto rule = ReadLogRule(e, path, src);
                           if (!rule) return Fail(rule.error());
                           log_rules.push_back(std::move(*rule));
                           return {};
                         });
      } else if (key == "miner_options") {
        r = ForEachEntry(
            list, path, key, [&](const YAML::Node& e, const std::string& src) -> Expected<void> {
              if (!e.IsMap() || !e["flag"]) {
                return Fail(Error::InvalidInput(fmt::format(
                    "{}: a miner option is {{flag, weight, why}}", Where(path, e.Mark()))));
              }
              MinerOption o;
              o.flag = e["flag"].as<std::string>();
              o.weight = e["weight"] ? e["weight"].as<int>() : 1;
              if (e["values"]) o.values = e["values"].as<std::vector<std::string>>();
              if (e["why"]) o.why = e["why"].as<std::string>();
              o.source = src;
              miner_options.push_back(std::move(o));
              return {};
            });
      } else {
        return Fail(Error::InvalidInput(
            fmt::format("{}: unknown list '{}'", Where(path, kv.first.Mark()), key)));
      }
      if (!r) return r;
    }
  } catch (const YAML::Exception& e) {
    return Fail(Error::InvalidInput(fmt::format("{}: {}", Where(path, e.mark), e.msg)));
  }
  return {};
}

void RulePack::LoadLoki(const std::string& path, std::string_view kind) {
  std::ifstream in(path);
  if (!in) {
    problems.push_back({path, "cannot be read", ""});
    return;
  }
  std::string line;
  size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    const std::string_view l = Trim(line);
    if (l.empty() || l.front() == '#') continue;
    const std::vector<std::string_view> f = Split(l, ';');
    const std::string where = fmt::format("{}:{}", path, n);
    const std::string value(Trim(f[0]));
    const std::string comment = f.size() > 1 ? std::string(Trim(f[1])) : std::string();
    const std::string source = comment.empty() ? where : fmt::format("{} ({})", where, comment);
    if (kind == "hash") {
      const std::string h = ToLower(value);
      if ((h.size() != 32 && h.size() != 40 && h.size() != 64) || !IsHex(h)) {
        problems.push_back({where, "not an MD5, SHA-1 or SHA-256 hash", ""});
        continue;
      }
      hashes.emplace(h, source);
    } else if (kind == "c2") {
      if (value.empty() || value.find_first_of(" \t/") != std::string::npos) {
        problems.push_back({where, "not an address or domain", ""});
        continue;
      }
      c2_addresses.emplace(ToLower(value), source);
    } else {  // filename: regex;score[;false-positive regex]
      const auto score = f.size() > 1 ? ParseUint(Trim(f[1])) : std::optional<uint64_t>(50);
      if (value.empty() || !score) {
        problems.push_back({where, "expected REGEX;SCORE", ""});
        continue;
      }
      filename_iocs.push_back({value, static_cast<int>(std::min<uint64_t>(*score, 100)), where});
    }
  }
}

struct RulePack::ShellDb {
  std::once_flag once;
  std::shared_ptr<const PatternDb> db;  // null when there are none
  std::vector<Gap> problems;
};

const RulePack::ShellDb& RulePack::CompiledShell() const {
  static const ShellDb kNone;  // a pack built by hand, not by Load
  if (!shell_) return kNone;
  std::call_once(shell_->once, [this] {
    if (shell_patterns.empty()) return;
    std::vector<PatternSpec> specs;
    specs.reserve(shell_patterns.size());
    for (const ShellPattern& p : shell_patterns) specs.push_back({p.pattern, false});
    std::vector<PatternRejection> rejected;
    auto db = PatternDb::Compile(specs, rejected);
    for (const PatternRejection& r : rejected) {
      shell_->problems.push_back({shell_patterns[r.index].source,
                                  fmt::format("shell pattern '{}' not supported by Vectorscan: {}",
                                              shell_patterns[r.index].id, r.message),
                                  "a fix to the rule"});
    }
    if (db) shell_->db = std::make_shared<const PatternDb>(std::move(*db));
  });
  return *shell_;
}

std::vector<size_t> RulePack::MatchShell(std::string_view text) const {
  std::vector<size_t> out;
  const ShellDb& shell = CompiledShell();
  if (!shell.db) return out;
  (void)shell.db->Scan(text, [&](size_t i) { out.push_back(i); });
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<Gap> RulePack::LateProblems() const {
  return shell_ ? shell_->problems : std::vector<Gap>{};
}

const std::string* RulePack::MatchGlob(const std::vector<std::pair<std::string, std::string>>& list,
                                       std::string_view path) {
  const std::string p(path);
  for (const auto& [glob, source] : list) {
    if (fnmatch(glob.c_str(), p.c_str(), FNM_PATHNAME) == 0) return &source;
  }
  return nullptr;
}

Expected<void> RulePack::CompileFilenameIocs() {
  if (filename_iocs.empty()) return {};
  std::vector<PatternSpec> specs;
  specs.reserve(filename_iocs.size());
  for (const FilenameIoc& f : filename_iocs) specs.push_back({f.regex, true});
  std::vector<PatternRejection> rejected;
  auto db = PatternDb::Compile(specs, rejected);
  for (const PatternRejection& r : rejected) {
    problems.push_back({filename_iocs[r.index].source,
                        fmt::format("filename IOC not supported by Vectorscan: {}", r.message),
                        ""});
  }
  if (!db) return {};  // every pattern rejected: already recorded
  filename_db = std::make_shared<const PatternDb>(std::move(*db));
  return {};
}

Expected<RulePack> RulePack::Load(const std::vector<std::string>& dirs) {
  RulePack pack;
  const auto is_yara = [](const fs::path& f) {
    return f.extension() == ".yar" || f.extension() == ".yara";
  };
  for (const std::string& dir : dirs) {
    std::error_code ec;
    if (fs::is_regular_file(dir, ec) && is_yara(dir)) {
      pack.yara_files.push_back(dir);
      continue;
    }
    if (!fs::is_directory(dir, ec)) {
      return Fail(Error::NotFound(fmt::format("rule directory {} does not exist", dir)));
    }
    std::vector<fs::path> files;
    for (const auto& e : fs::directory_iterator(dir, ec)) {
      if (e.is_regular_file(ec)) files.push_back(e.path());
    }
    if (ec) return Fail(Error::Io(fmt::format("{}: {}", dir, ec.message())));
    if (const fs::path yara_dir = fs::path(dir) / "yara"; fs::is_directory(yara_dir, ec)) {
      for (const auto& e : fs::directory_iterator(yara_dir, ec)) {
        if (e.is_regular_file(ec)) files.push_back(e.path());
      }
    }
    std::sort(files.begin(), files.end());
    for (const fs::path& f : files) {
      const std::string fname = f.filename().string();
      if (f.extension() == ".yaml" || f.extension() == ".yml") {
        if (auto r = pack.LoadYaml(f.string()); !r) return Fail(r.error());
      } else if (fname == "hash-iocs.txt") {
        pack.LoadLoki(f.string(), "hash");
      } else if (fname == "c2-iocs.txt") {
        pack.LoadLoki(f.string(), "c2");
      } else if (fname == "filename-iocs.txt") {
        pack.LoadLoki(f.string(), "filename");
      } else if (is_yara(f)) {
        pack.yara_files.push_back(f.string());
      }
    }
    // The pack's OSV advisories (built-in set): bad files become problems.
    if (const fs::path adv = fs::path(dir) / "advisories"; fs::is_directory(adv, ec)) {
      if (auto r = AddAdvisories(pack, adv.string()); !r) return Fail(r.error());
    }
    pack.dirs.push_back(dir);
  }
  if (auto r = pack.CompileFilenameIocs(); !r) return Fail(r.error());
  pack.shell_ = std::make_shared<ShellDb>();
  return pack;
}

bool SystemDaemon::IsReal(std::string_view exe_path) const {
  const size_t slash = exe_path.rfind('/');
  if (slash == std::string_view::npos) return false;
  const std::string dir(exe_path.substr(0, slash == 0 ? 1 : slash));
  const std::string_view base = exe_path.substr(slash + 1);
  const bool dir_ok = std::any_of(dirs.begin(), dirs.end(), [&](const std::string& pattern) {
    return fnmatch(pattern.c_str(), dir.c_str(), FNM_PATHNAME) == 0;
  });
  const bool exe_ok = std::any_of(exes.begin(), exes.end(), [&](const std::string& e) {
    return e.ends_with('*') ? base.starts_with(std::string_view(e).substr(0, e.size() - 1))
                            : base == e;
  });
  return dir_ok && exe_ok;
}

const std::string* RulePack::MatchPoolDomain(std::string_view host) const {
  std::string h = ToLower(host);
  if (h.ends_with('.')) h.pop_back();
  std::string_view rest = h;
  while (!rest.empty()) {
    if (const auto it = pool_domains.find(std::string(rest)); it != pool_domains.end()) {
      return &it->second;
    }
    const size_t dot = rest.find('.');
    if (dot == std::string_view::npos) break;
    rest.remove_prefix(dot + 1);
  }
  return nullptr;
}

const std::string* RulePack::MatchC2(std::string_view host, uint16_t port) const {
  const std::string h = ToLower(host);
  if (const auto it = c2_addresses.find(fmt::format("{}:{}", h, port)); it != c2_addresses.end()) {
    return &it->second;
  }
  if (const auto it = c2_addresses.find(h); it != c2_addresses.end()) return &it->second;
  return nullptr;
}

const std::string* RulePack::MatchWallet(std::string_view addr) const {
  if (const auto it = wallets.find(std::string(addr)); it != wallets.end()) return &it->second;
  for (const WalletFragment& f : wallet_fragments) {
    if (addr.size() >= f.prefix.size() + f.suffix.size() && addr.starts_with(f.prefix) &&
        addr.ends_with(f.suffix)) {
      return &f.source;
    }
  }
  return nullptr;
}

std::vector<size_t> RulePack::MatchFilename(std::string_view path) const {
  std::vector<size_t> out;
  if (filename_db) {
    (void)filename_db->Scan(path, [&out](size_t i) { out.push_back(i); });
  }
  return out;
}

std::vector<std::string> DefaultRuleDirs() {
  std::vector<std::string> dirs;
  std::error_code ec;
  const fs::path exe = fs::read_symlink("/proc/self/exe", ec);
  if (!ec) {
    for (const fs::path& candidate :
         {exe.parent_path() / "rules", exe.parent_path().parent_path() / "share/deminer/rules"}) {
      if (fs::is_regular_file(candidate / "pack.yaml", ec)) {
        dirs.push_back(candidate.string());
        break;
      }
    }
  }
  if (fs::is_directory("/etc/deminer/rules.d", ec)) dirs.emplace_back("/etc/deminer/rules.d");
  return dirs;
}

}  // namespace deminer
