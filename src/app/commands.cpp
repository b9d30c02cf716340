#include "app/commands.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "checks/check.h"
#include "checks/log_collect.h"
#include "checks/scanner.h"
#include "core/strings.h"
#include "match/log_matcher.h"
#include "report/sink.h"
#include "sources/log_reader.h"
#include "sources/proc_reader.h"
#include "watch/quarantine.h"
#include "watch/watch_config.h"
#include "watch/watcher.h"

#ifndef DEMINER_VERSION
#define DEMINER_VERSION "0.0.0"
#endif

namespace deminer {

Expected<RulePack> LoadRules(const std::vector<std::string>& extra, bool no_default) {
  std::vector<std::string> dirs;
  if (!no_default) {
    dirs = DefaultRuleDirs();
    if (dirs.empty()) {
      return Fail(
          Error::NotFound("the default rule pack was not found beside the binary (rules/) or in "
                          "../share/deminer/rules; reinstall, or pass --rules DIR"));
    }
  }
  dirs.insert(dirs.end(), extra.begin(), extra.end());
  return RulePack::Load(dirs);
}

namespace {

void PrintError(const Error& e) { std::cerr << "deminer: " << e.message() << "\n"; }

}  // namespace

namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

// scan --follow: after the first pass, reads what the logs gain every half
// second and writes each new finding at once, until SIGINT or SIGTERM (exit
// 0) or the output closes (exit 2). Gaps go to stderr as they happen.
int FollowLogs(const ScanOptions& options, const RulePack& rules, Sink& sink, std::ostream& out) {
  struct sigaction sa {};
  sa.sa_handler = OnStopSignal;
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  std::set<std::string> said;  // gaps already written
  while (g_stop == 0) {
    for (int i = 0; i < 10 && g_stop == 0; ++i) usleep(50000);
    if (g_stop != 0) break;
    const Facts facts = CollectFacts(options, rules);
    for (const Gap& g : facts.gaps) {
      if (said.insert(g.what + g.reason).second) {
        std::cerr << "deminer: skipped " << g.what << ": " << g.reason << "\n";
      }
    }
    for (const Finding& f : RunChecks(facts, rules, options.scopes)) sink.Emit(f);
    out.flush();
    if (!out) return kExitError;
  }
  return kExitClean;
}

}  // namespace

bool ParseFailOn(const std::string& value, std::optional<Severity>& fail_on) {
  fail_on.reset();
  if (value == "none") return true;
  fail_on = ParseSeverity(value);
  if (!fail_on) std::cerr << "deminer: --fail-on takes critical, high, medium, low, info or none\n";
  return fail_on.has_value();
}

std::ostream* OpenOutput(const std::string& path, std::ofstream& file) {
  if (path.empty()) return &std::cout;
  file.open(path, std::ios::out | std::ios::trunc);
  if (!file) {
    std::cerr << "deminer: cannot write " << path << "\n";
    return nullptr;
  }
  return &file;
}

bool ParseScopes(const std::vector<std::string>& only, std::set<Scope>& scopes) {
  if (only.empty()) return true;
  scopes.clear();
  for (const std::string& s : only) {
    for (std::string_view part : Split(s, ',')) {
      part = Trim(part);
      if (part.empty()) continue;
      const auto scope = ParseScope(part);
      if (!scope) {
        std::string known;
        for (const Scope k : kAllScopes) known += fmt::format(" {}", ScopeName(k));
        std::cerr << fmt::format("deminer: unknown scope '{}'; this version scans:{}\n", part,
                                 known);
        return false;
      }
      scopes.insert(*scope);
    }
  }
  return true;
}

int RunScanCommand(const ScanArgs& args) {
  ScanOptions options;
  if (!ParseScopes(args.only, options.scopes)) return kExitError;
  const auto format = ParseFormat(args.format);
  if (!format) {
    std::cerr << "deminer: unknown format '" << args.format
              << "' (text, json, jsonl, sarif, html)\n";
    return kExitError;
  }
  std::optional<Severity> fail_on;
  if (!ParseFailOn(args.fail_on, fail_on)) return kExitError;
  options.root = args.root.empty() ? "/" : args.root;
  if (struct stat st{}; stat(options.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::cerr << "deminer: --root " << options.root << " is not a directory\n";
    return kExitError;
  }
  options.resolve = args.resolve;
  options.threads = args.threads;
  options.max_content_bytes = uint64_t{args.max_file_mib} << 20;
  for (const std::string& p : args.paths) {
    if (p == "-" && !options.scopes.contains(Scope::kLogs)) {
      std::cerr << "deminer: - (stdin) is read by the logs scope, which --only leaves out\n";
      return kExitError;
    }
    if (struct stat st{}; p != "-" && lstat(p.c_str(), &st) != 0) {
      std::cerr << "deminer: " << p << ": " << std::strerror(errno) << "\n";
      return kExitError;
    }
    options.paths.push_back(p);
  }
  if (!options.paths.empty() && !options.scopes.contains(Scope::kFiles) &&
      !options.scopes.contains(Scope::kLogs) && !options.scopes.contains(Scope::kContainers) &&
      !options.scopes.contains(Scope::kDatabases) && !options.scopes.contains(Scope::kNpm)) {
    std::cerr << "deminer: PATHs are scanned by the files, logs, containers, databases and npm "
                 "scopes, which --only leaves out\n";
    return kExitError;
  }
  if ((!args.verify_registry.empty() || !args.advisories.empty()) &&
      !options.scopes.contains(Scope::kNpm)) {
    std::cerr << "deminer: --verify-registry and --advisories belong to the npm scope, which "
                 "--only leaves out\n";
    return kExitError;
  }
  for (const std::string& p : args.verify_registry) {
    if (struct stat st{}; stat(p.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
      std::cerr << "deminer: --verify-registry " << p << ": not a project directory\n";
      return kExitError;
    }
  }
  options.verify_registry = args.verify_registry;
  options.registry = args.registry;
  options.registry_jobs = args.registry_jobs;
  options.dsns = args.dsns;
  if (!options.dsns.empty() && !options.scopes.contains(Scope::kDatabases)) {
    std::cerr << "deminer: --dsn is checked by the databases scope, which --only leaves out\n";
    return kExitError;
  }
  const int64_t now = std::time(nullptr);
  for (const auto& [text, bound, flag] : {std::tuple{&args.since, &options.since, "--since"},
                                          std::tuple{&args.until, &options.until, "--until"}}) {
    if (text->empty()) continue;
    const auto t = ParseTimeBound(*text, now);
    if (!t) {
      std::cerr << fmt::format(
          "deminer: {} takes a time (2026-11-22T21:00:00Z), a date (2026-11-22) or a span back "
          "(30m, 24h, 7d), not '{}'\n",
          flag, *text);
      return kExitError;
    }
    *bound = *t;
  }

  auto rules = LoadRules(args.rules, args.no_default_rules);
  if (!rules) {
    PrintError(rules.error());
    return kExitError;
  }
  for (const std::string& a : args.advisories) {
    if (auto added = AddAdvisories(*rules, a); !added) {
      PrintError(added.error());
      return kExitError;
    }
  }
  if (options.resolve) {
    std::cerr << "deminer: --resolve: looking up " << rules->pool_domains.size()
              << " pool domains with the system resolver\n";
  }

  LogFollow follow;
  if (args.follow) {
    if (options.scopes != std::set<Scope>{Scope::kLogs} || *format != Format::kJsonl) {
      std::cerr << "deminer: --follow writes log findings as they come: use it with --only logs "
                   "--format jsonl\n";
      return kExitError;
    }
    for (const std::string& p : options.paths) {
      if (p == "-") {
        std::cerr << "deminer: --follow reads files as they grow; stdin is read to its end "
                     "without it\n";
        return kExitError;
      }
    }
    options.follow = &follow;
  }

  const ScanResult result = RunScan(options, *rules);

  std::ofstream file;
  std::ostream* out = OpenOutput(args.output, file);
  if (!out) return kExitError;
  SinkOptions sink_options;
  sink_options.color =
      args.color == "always" || (args.color == "auto" && args.output.empty() &&
                                 isatty(STDOUT_FILENO) && std::getenv("NO_COLOR") == nullptr);
  const RunInfo run{DEMINER_VERSION, rules->name + " " + rules->version, &result};
  auto sink = MakeSink(*format, *out, sink_options);
  Render(*sink, run);
  out->flush();
  if (!*out) {
    std::cerr << "deminer: writing the report failed\n";
    return kExitError;
  }
  if (args.follow) return FollowLogs(options, *rules, *sink, *out);
  if (fail_on) {
    for (const Finding& f : result.findings) {
      if (f.severity >= *fail_on) return kExitFindings;
    }
  }
  return kExitClean;
}

int RunWatchCommand(const WatchArgs& args) {
  WatchConfig config;
  if (!args.config.empty()) {
    auto text = ReadSmallFile(args.config);
    if (!text) {
      std::cerr << "deminer: " << text.error().message() << "\n";
      return kExitError;
    }
    auto parsed = ParseWatchConfig(*text, args.config, config);
    if (!parsed) {
      std::cerr << "deminer: " << parsed.error().message() << "\n";
      return kExitError;
    }
    config = std::move(*parsed);
  }
  WatchOptions& o = config.options;
  Policy& d = config.defaults;
  if (!args.output.empty()) o.output = args.output;
  if (!args.respond.empty()) d.process = *ParseResponse(args.respond);  // CLI checked it
  if (!args.respond_container.empty()) {
    d.container = args.respond_container == "none" ? "" : args.respond_container;
  }
  if (args.quarantine) d.quarantine = true;
  if (args.block_remote) d.block = true;
  if (!args.state_dir.empty()) o.state_dir = args.state_dir;
  if (!args.syslog.empty()) o.syslog = args.syslog;
  if (!args.webhook.empty()) o.webhook = args.webhook;
  if (args.no_store) o.store = false;
  if (args.block_exec) o.block_exec = true;
  if (args.dry_run) o.dry_run = true;
  if (args.no_initial_scan) o.initial_scan = false;
  if (!args.status_file.empty()) o.status_file = args.status_file;
  o.allow.insert(o.allow.end(), args.allow.begin(), args.allow.end());
  config.rules.insert(config.rules.end(), args.rules.begin(), args.rules.end());
  const WatchOptions options = config.Final();
  const RuleLoader load = [&] { return LoadRules(config.rules, args.no_default_rules); };
  if (auto r = RunWatch(options, load, std::cerr); !r) {
    std::cerr << "deminer: " << r.error().message() << "\n";
    return kExitError;
  }
  return kExitClean;
}

int RunQuarantineCommand(const std::string& action, const std::string& id,
                         const std::string& state_dir, const std::string& format) {
  if (action == "list") {
    const auto entries = ListQuarantine(state_dir);
    if (format == "json") {
      nlohmann::json out = nlohmann::json::array();
      for (const QuarantineEntry& e : entries) out.push_back(QuarantineJson(e));
      std::cout << out.dump(2) << "\n";
      return kExitClean;
    }
    if (entries.empty()) std::cout << "nothing in quarantine (" << state_dir << ")\n";
    for (const QuarantineEntry& e : entries) {
      std::cout << fmt::format(
          "{}  {}{}  sha256 {}  {} bytes  {}\n", e.id, e.shown,
          e.container.empty() ? "" : " (container " + e.container.substr(0, 12) + ")", e.sha256,
          e.size, e.reason);
    }
    return kExitClean;
  }
  auto restored = RestoreQuarantined(state_dir, id);
  if (!restored) {
    std::cerr << "deminer: " << restored.error().message() << "\n";
    return kExitError;
  }
  std::cout << fmt::format("restored {} (sha256 {}){}\n", restored->path, restored->sha256,
                           restored->attr_flags != 0 ? ", attributes set again" : "");
  return kExitClean;
}

int RunChecksCommand(const std::string& format) {
  // The catalog's checks, then the watch daemon's own findings.
  std::vector<const CheckInfo*> infos;
  for (const Check* c : Catalog()) infos.push_back(&c->info);
  for (const CheckInfo* i : WatchCheckInfos()) infos.push_back(i);
  if (format == "json") {
    auto arr = nlohmann::ordered_json::array();
    for (const CheckInfo* i : infos) {
      arr.push_back({{"id", i->id},
                     {"title", i->title},
                     {"severity", SeverityName(i->severity)},
                     {"kind", KindName(i->kind)},
                     {"scope", ScopeName(i->scope)},
                     {"attack", i->attack},
                     {"description", i->description},
                     {"remediation", i->remediation}});
    }
    std::cout << arr.dump(2) << "\n";
    return kExitClean;
  }
  if (format != "text") {
    std::cerr << "deminer: checks --format takes text or json\n";
    return kExitError;
  }
  size_t width = 2;
  for (const CheckInfo* i : infos) width = std::max(width, i->id.size());
  std::cout << fmt::format("{:<{}} {:<9} {:<10} {:<11} {:<10} {}\n", "ID", width, "SEVERITY",
                           "KIND", "SCOPE", "ATT&CK", "TITLE");
  for (const CheckInfo* i : infos) {
    std::cout << fmt::format("{:<{}} {:<9} {:<10} {:<11} {:<10} {}\n", i->id, width,
                             SeverityName(i->severity), KindName(i->kind), ScopeName(i->scope),
                             i->attack, i->title);
  }
  std::cout << fmt::format(
      "\n{} checks ({} of them found by `deminer watch` only). `deminer checks --format json` "
      "adds what each looks at and the fix.\n",
      infos.size(), WatchCheckInfos().size());
  return kExitClean;
}

int RunVersionCommand(const std::vector<std::string>& rules, bool no_default_rules) {
  std::cout << "deminer " << DEMINER_VERSION << "\n";
  auto pack = LoadRules(rules, no_default_rules);
  if (!pack) {
    std::cout << "rules: not loaded (" << pack.error().message() << ")\n";
    return kExitError;
  }
  std::cout << "rules: " << pack->name << " " << pack->version << " from " << Join(pack->dirs, ", ")
            << "\n";
  return kExitClean;
}

int RunLogPatternsCommand(const std::vector<std::string>& rules, bool no_default_rules,
                          bool portable) {
  auto pack = LoadRules(rules, no_default_rules);
  if (!pack) {
    PrintError(pack.error());
    return kExitError;
  }
  size_t all = 0;
  for (const LogRule& r : pack->log_rules) all += r.patterns.size();
  if (portable) {
    const std::vector<std::string> out = PortableLogPatterns(pack->log_rules);
    for (const std::string& p : out) std::cout << p << "\n";
    std::cerr << fmt::format("deminer: {} of {} log patterns are portable to grep -E and rg\n",
                             out.size(), all);
  } else {
    for (const LogRule& r : pack->log_rules) {
      for (const std::string& p : r.patterns) std::cout << (r.caseless ? "(?i)" : "") << p << "\n";
    }
  }
  std::cout.flush();
  return std::cout ? 0 : kExitError;
}

}  // namespace deminer
