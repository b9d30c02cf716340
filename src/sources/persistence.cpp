#include "sources/persistence.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <ctime>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_set>

#include "core/strings.h"
#include "sources/root_fs.h"

namespace deminer {

std::string_view PersistKindName(PersistKind k) {
  switch (k) {
    case PersistKind::kSystemdUnit:
      return "systemd unit";
    case PersistKind::kCron:
      return "cron";
    case PersistKind::kAtJob:
      return "at job";
    case PersistKind::kRcLocal:
      return "rc.local";
    case PersistKind::kInitScript:
      return "init script";
    case PersistKind::kLdPreload:
      return "ld.so.preload";
    case PersistKind::kEnvironment:
      return "environment file";
    case PersistKind::kShellStartup:
      return "shell startup file";
    case PersistKind::kAuthorizedKeys:
      return "authorized_keys";
    case PersistKind::kSudoers:
      return "sudoers";
    case PersistKind::kPm2:
      return "pm2 process list";
  }
  return "file";
}

namespace {

// Lines with their 1-based numbers.
template <typename Fn>
void ForEachLine(std::string_view text, Fn&& fn) {
  int n = 0;
  for (std::string_view line : Split(text, '\n')) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    fn(n, line);
  }
}

bool Comment(std::string_view line) {
  line = Trim(line);
  return line.empty() || line.starts_with('#');
}

// Splits off the first whitespace-separated word.
std::string_view NextWord(std::string_view& s) {
  s = Trim(s);
  const size_t end = s.find_first_of(" \t");
  const std::string_view word = s.substr(0, end);
  s = end == std::string_view::npos ? std::string_view() : Trim(s.substr(end));
  return word;
}

}  // namespace

std::vector<PasswdUser> ParsePasswd(std::string_view text) {
  std::vector<PasswdUser> out;
  ForEachLine(text, [&](int, std::string_view line) {
    if (Comment(line)) return;
    const std::vector<std::string_view> f = Split(line, ':');
    if (f.size() < 7) return;
    const auto uid = ParseUint(f[2]);
    if (!uid || *uid > UINT32_MAX) return;
    out.push_back(
        {std::string(f[0]), static_cast<uint32_t>(*uid), std::string(f[5]), std::string(f[6])});
  });
  return out;
}

std::vector<PersistCommand> ParseCrontab(std::string_view text, bool system_table) {
  std::vector<PersistCommand> out;
  ForEachLine(text, [&](int n, std::string_view line) {
    if (Comment(line)) return;
    std::string_view rest = Trim(line);
    // Environment settings ("SHELL=/bin/sh", "PATH = ...") are not jobs.
    const size_t eq = rest.find('=');
    const size_t space = rest.find_first_of(" \t");
    if (eq != std::string_view::npos && (space == std::string_view::npos || eq < space ||
                                         Trim(rest.substr(space)).starts_with('='))) {
      return;
    }
    PersistCommand c;
    c.line = n;
    if (rest.starts_with('@')) {
      c.key = std::string(NextWord(rest));
    } else {
      std::string schedule;
      for (int i = 0; i < 5 && !rest.empty(); ++i) {
        if (!schedule.empty()) schedule += ' ';
        schedule += NextWord(rest);
      }
      c.key = std::move(schedule);
    }
    if (system_table) c.user = std::string(NextWord(rest));
    c.text = std::string(rest);
    if (!c.text.empty()) out.push_back(std::move(c));
  });
  return out;
}

std::vector<PersistCommand> ParseUnitExec(std::string_view text) {
  std::vector<PersistCommand> out;
  std::string pending;
  int pending_line = 0;
  std::string key;
  ForEachLine(text, [&](int n, std::string_view line) {
    line = Trim(line);
    if (!pending.empty()) {
      // A continuation of the previous Exec line.
      const bool more = line.ends_with('\\');
      pending += ' ';
      pending += more ? line.substr(0, line.size() - 1) : line;
      if (!more) {
        out.push_back({pending_line, key, "", std::string(Trim(pending))});
        pending.clear();
      }
      return;
    }
    if (line.empty() || line.starts_with('#') || line.starts_with(';')) return;
    const size_t eq = line.find('=');
    if (eq == std::string_view::npos) return;
    const std::string_view k = Trim(line.substr(0, eq));
    std::string_view value = Trim(line.substr(eq + 1));
    if (k == "User") {
      out.push_back({n, "User", std::string(value), std::string(value)});
      return;
    }
    if (!k.starts_with("Exec") || k == "ExecSearchPath") return;
    // Prefixes that change how the command runs, not what it is.
    while (!value.empty() &&
           std::string_view("@-:+!").find(value.front()) != std::string_view::npos) {
      value.remove_prefix(1);
    }
    if (value.empty()) return;
    if (value.ends_with('\\')) {
      pending = std::string(value.substr(0, value.size() - 1));
      pending_line = n;
      key = std::string(k);
      return;
    }
    out.push_back({n, std::string(k), "", std::string(value)});
  });
  if (!pending.empty()) out.push_back({pending_line, key, "", std::string(Trim(pending))});
  return out;
}

std::vector<PersistCommand> ParseScriptLines(std::string_view text) {
  std::vector<PersistCommand> out;
  ForEachLine(text, [&](int n, std::string_view line) {
    if (Comment(line)) return;
    out.push_back({n, "", "", std::string(Trim(line))});
  });
  return out;
}

std::vector<PersistCommand> ParseLdPreloadAssignments(std::string_view text) {
  std::vector<PersistCommand> out;
  ForEachLine(text, [&](int n, std::string_view line) {
    if (Comment(line)) return;
    const size_t at = line.find("LD_PRELOAD");
    if (at == std::string_view::npos) return;
    std::string_view rest = line.substr(at + 10);
    rest = Trim(rest);
    if (!rest.starts_with('=')) return;
    rest = Trim(rest.substr(1));
    if (rest.size() >= 2 && (rest.front() == '"' || rest.front() == '\'')) {
      const size_t close = rest.find(rest.front(), 1);
      rest = rest.substr(1, close == std::string_view::npos ? std::string_view::npos : close - 1);
    }
    if (!rest.empty()) out.push_back({n, "LD_PRELOAD", "", std::string(rest)});
  });
  return out;
}

std::vector<PersistCommand> ParsePm2Dump(std::string_view json) {
  std::vector<PersistCommand> out;
  const auto doc = nlohmann::json::parse(json, nullptr, false);
  if (doc.is_discarded() || !doc.is_array()) return out;
  const auto str = [](const nlohmann::json& o, const char* k) -> std::string {
    const auto it = o.find(k);
    return it != o.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  for (const auto& app : doc) {
    if (!app.is_object()) continue;
    std::vector<std::string> parts;
    const std::string interpreter = str(app, "exec_interpreter");
    if (!interpreter.empty() && interpreter != "none") parts.push_back(interpreter);
    parts.push_back(str(app, "pm_exec_path"));
    if (const auto it = app.find("args"); it != app.end()) {
      if (it->is_array()) {
        for (const auto& a : *it) {
          if (a.is_string()) parts.push_back(a.get<std::string>());
        }
      } else if (it->is_string()) {
        parts.push_back(it->get<std::string>());
      }
    }
    const std::string cmd = Join(parts);
    if (Trim(cmd).empty()) continue;
    out.push_back({0, str(app, "name"), str(app, "username"), std::string(Trim(cmd))});
  }
  return out;
}

std::optional<AuthorizedKey> ParseAuthorizedKey(std::string_view line) {
  line = Trim(line);
  if (line.empty() || line.starts_with('#')) return std::nullopt;
  const auto is_type = [](std::string_view w) {
    return w.starts_with("ssh-") || w.starts_with("ecdsa-") || w.starts_with("sk-");
  };
  AuthorizedKey k;
  std::string_view rest = line;
  if (!is_type(rest.substr(0, rest.find_first_of(" \t")))) {
    // Options come first; they may hold quoted spaces.
    bool quoted = false;
    size_t i = 0;
    for (; i < rest.size(); ++i) {
      if (rest[i] == '\\' && i + 1 < rest.size()) {
        ++i;
      } else if (rest[i] == '"') {
        quoted = !quoted;
      } else if (!quoted && (rest[i] == ' ' || rest[i] == '\t')) {
        break;
      }
    }
    k.options = std::string(rest.substr(0, i));
    rest = i < rest.size() ? rest.substr(i) : std::string_view();
  }
  k.type = std::string(NextWord(rest));
  k.key = std::string(NextWord(rest));
  k.comment = std::string(Trim(rest));
  if (k.type.empty() || k.key.empty()) return std::nullopt;
  return k;
}

namespace {

constexpr size_t kMaxFileBytes = size_t{1} << 20;

class Reader {
 public:
  Reader(const RootFs& fs, PersistenceSweep& out) : fs_(fs), out_(out) {}

  // Reads one file into an item; false when it does not exist.
  bool Add(PersistKind kind, const std::string& path, const std::string& user,
           std::vector<PersistCommand> (*parse)(std::string_view)) {
    auto st = fs_.Lstat(path);
    if (!st) return false;
    PersistItem item;
    item.kind = kind;
    item.path = path;
    item.user = user;
    item.uid = st->st_uid;
    item.mode = st->st_mode & 07777;
    item.mtime = st->st_mtim.tv_sec;
    item.ctime = st->st_ctim.tv_sec;
    if (S_ISLNK(st->st_mode)) {
      // Enabled units and init scripts are often links; where one points is
      // what matters (a link into /tmp is a unit an attacker controls).
      if (auto target = fs_.ReadLink(path)) item.commands.push_back({0, "symlink", "", *target});
      out_.items.push_back(std::move(item));
      return true;
    }
    if (!S_ISREG(st->st_mode)) return false;
    auto text = fs_.Read(path, kMaxFileBytes);
    if (!text) {
      out_.gaps.push_back(
          {std::string(PersistKindName(kind)) + " " + path, text.error().message(), "root"});
      return true;
    }
    item.commands = parse(*text);
    out_.items.push_back(std::move(item));
    return true;
  }

  // Every regular file (and symlink) in a directory, optionally recursing into
  // subdirectories (systemd's *.d drop-ins and *.wants links).
  void AddDir(PersistKind kind, const std::string& dir, const std::string& user,
              std::vector<PersistCommand> (*parse)(std::string_view), int depth = 0,
              bool (*want)(std::string_view) = nullptr) {
    auto entries = fs_.List(dir);
    if (!entries) {
      if (entries.error().code() != ErrorCode::kNotFound) {
        out_.gaps.push_back({std::string(PersistKindName(kind)) + "s in " + dir,
                             entries.error().message(), "root"});
      }
      return;
    }
    for (const RootFs::DirEntry& e : *entries) {
      const std::string path = (dir == "/" ? "" : dir) + "/" + e.name;
      if (e.dir) {
        if (depth > 0) AddDir(kind, path, user, parse, depth - 1, want);
        continue;
      }
      if (want != nullptr && !want(e.name)) continue;
      Add(kind, path, user, parse);
    }
  }

 private:
  const RootFs& fs_;
  PersistenceSweep& out_;
};

std::vector<PersistCommand> ParseSystemCrontab(std::string_view t) { return ParseCrontab(t, true); }
std::vector<PersistCommand> ParseUserCrontab(std::string_view t) { return ParseCrontab(t, false); }

std::vector<PersistCommand> ParseKeys(std::string_view text) {
  std::vector<PersistCommand> out;
  ForEachLine(text, [&](int n, std::string_view line) {
    if (Comment(line)) return;
    out.push_back({n, "key", "", std::string(Trim(line))});
  });
  return out;
}

// Environment files and shell startup files: LD_PRELOAD assignments are kept
// under their own key, beside the lines themselves.
std::vector<PersistCommand> ParseStartup(std::string_view text) {
  std::vector<PersistCommand> out = ParseScriptLines(text);
  for (PersistCommand& c : ParseLdPreloadAssignments(text)) out.push_back(std::move(c));
  return out;
}

bool UnitFile(std::string_view name) {
  constexpr std::string_view kTypes[] = {".service", ".timer", ".socket", ".path",
                                         ".mount",   ".conf",  ".target"};
  return std::any_of(std::begin(kTypes), std::end(kTypes),
                     [&](std::string_view t) { return name.ends_with(t); });
}

bool NotBackup(std::string_view name) {
  return !name.ends_with('~') && !name.ends_with(".dpkg-old") && !name.ends_with(".dpkg-dist") &&
         name != "README" && name != ".placeholder";
}

// Which of `paths` a dpkg package installed, from /var/lib/dpkg/info/*.list.
void MarkPackaged(const RootFs& fs, std::vector<PersistItem*>& items) {
  if (items.empty()) return;
  auto lists = fs.List("/var/lib/dpkg/info");
  if (!lists) return;  // not a Debian system: leave unknown
  // dpkg may list a file under /lib while it is read as /usr/lib (merged /usr).
  const auto alias = [](const std::string& p) -> std::string {
    for (const char* top : {"/lib/", "/bin/", "/sbin/", "/lib64/"}) {
      if (p.starts_with(top)) return "/usr" + p;
      if (p.starts_with(std::string("/usr") + top)) return p.substr(4);
    }
    return p;
  };
  std::unordered_set<std::string> wanted;
  for (const PersistItem* i : items) {
    wanted.insert(i->path);
    wanted.insert(alias(i->path));
  }
  std::unordered_set<std::string> owned;
  for (const RootFs::DirEntry& e : *lists) {
    if (!e.name.ends_with(".list")) continue;
    auto text = fs.Read("/var/lib/dpkg/info/" + e.name, size_t{16} << 20);
    if (!text) continue;
    for (std::string_view line : Split(*text, '\n')) {
      if (wanted.contains(std::string(line))) owned.insert(std::string(line));
    }
  }
  for (PersistItem* i : items)
    i->packaged = owned.contains(i->path) || owned.contains(alias(i->path));
}

}  // namespace

PersistenceSweep ReadPersistence(const std::string& root) {
  PersistenceSweep out;
  out.now = std::time(nullptr);
  auto fs = RootFs::Open(root);
  if (!fs) {
    out.gaps.push_back({"persistence under " + root, fs.error().message(), ""});
    return out;
  }
  Reader r(*fs, out);

  // systemd: system and user unit dirs, generators' output, drop-ins, wants links.
  // On merged-/usr systems /lib is a link to usr/lib: read those units once.
  const auto lib = fs->Lstat("/lib");
  const bool merged_usr = lib && S_ISLNK(lib->st_mode);
  for (const char* dir :
       {"/etc/systemd/system", "/etc/systemd/user", "/run/systemd/system", "/run/systemd/user",
        "/run/systemd/transient", "/run/systemd/generator", "/run/systemd/generator.early",
        "/run/systemd/generator.late", "/usr/local/lib/systemd/system", "/usr/lib/systemd/system",
        "/usr/lib/systemd/user", "/lib/systemd/system", "/etc/systemd/system.control"}) {
    if (merged_usr && std::string_view(dir).starts_with("/lib/")) continue;
    r.AddDir(PersistKind::kSystemdUnit, dir, "", ParseUnitExec, 2, UnitFile);
  }
  // cron and at.
  r.Add(PersistKind::kCron, "/etc/crontab", "", ParseSystemCrontab);
  r.Add(PersistKind::kCron, "/etc/anacrontab", "", ParseUserCrontab);
  r.AddDir(PersistKind::kCron, "/etc/cron.d", "", ParseSystemCrontab, 0, NotBackup);
  for (const char* dir :
       {"/etc/cron.hourly", "/etc/cron.daily", "/etc/cron.weekly", "/etc/cron.monthly"}) {
    r.AddDir(PersistKind::kCron, dir, "", ParseScriptLines, 0, NotBackup);
  }
  for (const char* spool :
       {"/var/spool/cron/crontabs", "/var/spool/cron/tabs", "/var/spool/cron"}) {
    auto entries = fs->List(spool);
    if (!entries) continue;
    for (const RootFs::DirEntry& e : *entries) {
      if (e.dir) continue;
      r.Add(PersistKind::kCron, std::string(spool) + "/" + e.name, e.name, ParseUserCrontab);
    }
  }
  for (const char* dir : {"/var/spool/cron/atjobs", "/var/spool/at"}) {
    r.AddDir(PersistKind::kAtJob, dir, "", ParseScriptLines, 0,
             [](std::string_view n) { return !n.starts_with('.'); });
  }
  // Boot scripts.
  r.Add(PersistKind::kRcLocal, "/etc/rc.local", "", ParseScriptLines);
  r.Add(PersistKind::kRcLocal, "/etc/rc.d/rc.local", "", ParseScriptLines);
  r.AddDir(PersistKind::kInitScript, "/etc/init.d", "", ParseScriptLines, 0, NotBackup);
  // Preload hooks and environment.
  r.Add(PersistKind::kLdPreload, "/etc/ld.so.preload", "", ParseScriptLines);
  r.Add(PersistKind::kEnvironment, "/etc/environment", "", ParseStartup);
  r.Add(PersistKind::kEnvironment, "/etc/security/pam_env.conf", "", ParseStartup);
  for (const char* f :
       {"/etc/profile", "/etc/bash.bashrc", "/etc/bashrc", "/etc/zsh/zshenv", "/etc/zsh/zshrc"}) {
    r.Add(PersistKind::kShellStartup, f, "", ParseStartup);
  }
  r.AddDir(PersistKind::kShellStartup, "/etc/profile.d", "", ParseStartup, 0, NotBackup);
  // Privilege.
  r.Add(PersistKind::kSudoers, "/etc/sudoers", "", ParseScriptLines);
  r.AddDir(PersistKind::kSudoers, "/etc/sudoers.d", "", ParseScriptLines, 0, NotBackup);

  // Every user's startup files, keys and pm2 list, from /etc/passwd (plus /root).
  std::vector<PasswdUser> users;
  if (auto passwd = fs->Read("/etc/passwd")) users = ParsePasswd(*passwd);
  if (std::none_of(users.begin(), users.end(), [](const PasswdUser& u) { return u.uid == 0; })) {
    users.push_back({"root", 0, "/root", "/bin/sh"});
  }
  std::set<std::string> homes;
  for (const PasswdUser& u : users) {
    if (u.home.empty() || u.home == "/" || u.home == "/nonexistent" || u.home == "/dev/null" ||
        !homes.insert(u.home).second) {
      continue;
    }
    for (const char* f : {"/.bashrc", "/.profile", "/.bash_profile", "/.bash_login",
                          "/.bash_logout", "/.zshrc", "/.zprofile"}) {
      r.Add(PersistKind::kShellStartup, u.home + f, u.name, ParseStartup);
    }
    for (const char* f : {"/.ssh/authorized_keys", "/.ssh/authorized_keys2"}) {
      r.Add(PersistKind::kAuthorizedKeys, u.home + f, u.name, ParseKeys);
    }
    r.Add(PersistKind::kPm2, u.home + "/.pm2/dump.pm2", u.name, ParsePm2Dump);
    r.AddDir(PersistKind::kSystemdUnit, u.home + "/.config/systemd/user", u.name, ParseUnitExec, 2,
             UnitFile);
  }

  std::vector<PersistItem*> recent;
  for (PersistItem& i : out.items) {
    if (std::max(i.mtime, i.ctime) >= out.now - kRecentSeconds) recent.push_back(&i);
  }
  MarkPackaged(*fs, recent);
  return out;
}

}  // namespace deminer
