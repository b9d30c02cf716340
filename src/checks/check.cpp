#include "checks/check.h"

#include <fmt/chrono.h>
#include <fmt/format.h>

#include <algorithm>

#include "core/strings.h"

namespace deminer {

#define DEMINER_CHECK(symbol) extern const Check symbol;  // NOLINT(bugprone-macro-parentheses)
#include "checks/check_list.inc"
#undef DEMINER_CHECK

const std::vector<const Check*>& Catalog() {
  static const std::vector<const Check*> kAll = {
#define DEMINER_CHECK(symbol) &(symbol),
#include "checks/check_list.inc"
#undef DEMINER_CHECK
  };
  return kAll;
}

const Check* FindCheck(std::string_view id) {
  for (const Check* c : Catalog()) {
    if (c->info.id == id) return c;
  }
  return nullptr;
}

Finding NewFinding(const CheckInfo& info, Severity severity, std::string subject,
                   std::string_view fingerprint_key) {
  Finding f;
  f.check = std::string(info.id);
  f.severity = severity;
  f.kind = info.kind;
  f.title = std::string(info.title);
  f.subject = std::move(subject);
  f.attack = std::string(info.attack);
  f.remediation = std::string(info.remediation);
  f.fingerprint = Fingerprint(info.id, fingerprint_key);
  return f;
}

Finding ProcessFinding(const CheckInfo& info, const CheckContext& ctx, const Process& p,
                       Severity severity) {
  const std::string name = p.exe.empty() ? p.DisplayName() : p.exe;
  const auto container = ctx.facts.ContainerOf(p);
  const std::string key =
      fmt::format("{}\n{}\n{}", name, p.CommandLine(), container ? container->id : std::string());
  Finding f =
      NewFinding(info, severity, fmt::format("pid {} {}", p.pid, Printable(name, 256)), key);
  f.container = container;
  f.path = p.exe;
  auto& e = f.evidence;
  e["pid"] = p.pid;
  e["uid"] = p.uid;
  e["exe"] =
      p.exe.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(Printable(p.exe));
  if (p.exe_deleted) e["exe_deleted"] = true;
  e["cmdline"] = Printable(p.CommandLine());
  const auto& host = ctx.facts.host;
  if (host.boot_time != 0) {
    e["started_at"] = FormatTime(static_cast<int64_t>(
        host.boot_time + p.start_ticks / static_cast<uint64_t>(host.clock_ticks)));
  }
  auto chain = nlohmann::ordered_json::array();
  for (const Process* a : ctx.facts.Ancestry(p)) {
    chain.push_back({{"pid", a->pid},
                     {"exe", Printable(a->exe.empty() ? a->DisplayName() : a->exe)},
                     {"cmdline", Printable(a->CommandLine(), 512)}});
  }
  e["ancestry"] = std::move(chain);
  return f;
}

std::string FormatTime(int64_t epoch_seconds) {
  // gmtime_r, not fmt::gmtime (which throws): a file's time is whatever
  // `touch -d @N` set, years out of range included.
  const auto t = static_cast<std::time_t>(epoch_seconds);
  std::tm tm{};
  if (gmtime_r(&t, &tm) == nullptr || tm.tm_year > 9999 - 1900 || tm.tm_year < -1900) {
    return fmt::format("@{}", epoch_seconds);
  }
  return fmt::format("{:%Y-%m-%dT%H:%M:%SZ}", tm);
}

Finding FileFinding(const CheckInfo& info, const CheckContext& ctx, const FileEntry& e,
                    Severity severity) {
  std::optional<ContainerRef> container = ctx.facts.ContainerById(e.container_id);
  const std::string shown = Printable(e.path, 1024);
  std::string subject = shown;
  if (container) {
    subject += fmt::format(" in container {}", container->Shown());
  }
  Finding f = NewFinding(
      info, severity, std::move(subject),
      fmt::format("{}\n{}\n{}", e.path, container ? container->id : "", e.hashes.sha256));
  f.container = std::move(container);
  f.path = e.path;
  auto& ev = f.evidence;
  ev["path"] = shown;
  constexpr std::string_view kTypes[] = {"file", "directory", "symlink", "other"};
  ev["type"] = kTypes[static_cast<size_t>(e.type)];
  if (e.type == FileEntry::Type::kFile) {
    constexpr std::string_view kContent[] = {"unread", "empty", "ELF", "script", "data"};
    ev["content"] = kContent[static_cast<size_t>(e.content)];
    if (!e.interpreter.empty()) ev["interpreter"] = Printable(e.interpreter, 256);
    ev["size"] = e.size;
  }
  if (!e.link_target.empty()) ev["link_target"] = Printable(e.link_target, 1024);
  ev["mode"] = fmt::format("{:04o}", e.mode);
  ev["uid"] = e.uid;
  ev["modified"] = FormatTime(e.mtime);
  ev["changed"] = FormatTime(e.ctime);
  if (e.Immutable()) ev["immutable"] = true;
  if (e.AppendOnly()) ev["append_only"] = true;
  if (!e.hashes.md5.empty()) ev["md5"] = e.hashes.md5;
  if (!e.hashes.sha1.empty()) ev["sha1"] = e.hashes.sha1;
  if (!e.hashes.sha256.empty()) ev["sha256"] = e.hashes.sha256;
  if (e.area != "temp" && e.area != "system") ev["area"] = e.area;
  return f;
}

bool IsSelf(const CheckContext& ctx, const Process& p) { return p.pid == ctx.facts.host.own_pid; }

bool NamesProcess(const NameList& list, const Process& p) {
  return list.Match(p.DisplayName()) || list.Match(p.comm) || list.Match(Basename(p.exe));
}

bool IsTempPath(std::string_view path) {
  constexpr std::string_view kDirs[] = {"/tmp/",     "/var/tmp/",    "/dev/shm/",
                                        "/run/shm/", "/dev/mqueue/", "/run/user/"};
  return std::any_of(std::begin(kDirs), std::end(kDirs),
                     [&](std::string_view d) { return path.starts_with(d); });
}

}  // namespace deminer
