// deminer's entry point: parses the command line and dispatches. Nothing else.
#include <CLI/CLI.hpp>
#include <iostream>

#include "app/commands.h"

namespace {

int Main(int argc, char** argv) {
  using namespace deminer;
  CLI::App app{"deminer: find, stop and explain cryptojacking on Linux servers"};
  app.require_subcommand(1);

  ScanArgs scan;
  CLI::App* scan_cmd = app.add_subcommand(
      "scan", "Hunt miners, pool connections, dropped files and persistence on this host");
  scan_cmd->add_option("paths", scan.paths,
                       "Directories or files to scan too: walked by the files scope (hashes, YARA, "
                       "droppers) and read as logs by the logs scope; - reads a log from stdin");
  scan_cmd
      ->add_option("--only", scan.only,
                   "Scopes to scan, comma separated: processes, network, files, persistence, "
                   "logs, containers, databases, exposure, npm")
      ->delimiter(',')
      ->allow_extra_args(false);
  scan_cmd->add_option("--root", scan.root,
                       "File system root to scan: a mounted disk, an exported container or an "
                       "unpacked image (files and persistence; its proc/ for processes)");
  scan_cmd
      ->add_option("--rules", scan.rules,
                   "Extra rule directory (YAML lists, Loki IOC files, YARA) or YARA file")
      ->allow_extra_args(false);  // one value a flag, so a PATH after it stays a PATH
  scan_cmd
      ->add_option("--max-file-size", scan.max_file_mib,
                   "Match file contents up to this many MiB (larger files are only hashed)")
      ->check(CLI::Range(1u, 4096u));
  scan_cmd->add_flag("--no-default-rules", scan.no_default_rules, "Load only the --rules dirs");
  scan_cmd->add_option("--since", scan.since,
                       "Logs: skip lines before this time (2026-11-22T21:00:00Z, 2026-11-22, or "
                       "a span back: 30m, 24h, 7d)");
  scan_cmd->add_option("--until", scan.until, "Logs: skip lines after this time");
  scan_cmd->add_flag("--follow", scan.follow,
                     "Logs: after the scan, keep reading what the logs gain and write each new "
                     "finding as it comes (with --only logs --format jsonl; stop with Ctrl-C)");
  scan_cmd
      ->add_option("--dsn", scan.dsns,
                   "Databases: also check this PostgreSQL server (libpq conninfo or "
                   "postgresql:// URI; a password in it is used, never printed)")
      ->allow_extra_args(false);
  scan_cmd
      ->add_option("--advisories", scan.advisories,
                   "npm: also match OSV advisories from this file, directory or zip "
                   "(repeatable; OSV publishes per-ecosystem archives)")
      ->allow_extra_args(false);
  scan_cmd
      ->add_option("--verify-registry", scan.verify_registry,
                   "npm: compare every installed package of this project with its registry "
                   "tarball (npm's cache first): integrity, and files modified, added or removed "
                   "(repeatable; fetches from the registry)")
      ->allow_extra_args(false);
  scan_cmd->add_option("--registry", scan.registry,
                       "npm: the registry to fetch tarballs from when neither the lockfile nor "
                       "npm's config names one");
  scan_cmd->add_option("--registry-jobs", scan.registry_jobs, "npm: tarballs fetched at once")
      ->check(CLI::Range(1u, 64u));
  scan_cmd
      ->add_option("--format", scan.format,
                   "text, json, jsonl, sarif or html (one self-contained page, no network)")
      ->check(CLI::IsMember({"text", "json", "jsonl", "sarif", "html"}));
  scan_cmd->add_option("-o,--output", scan.output, "Write the report to FILE");
  scan_cmd
      ->add_option("--fail-on", scan.fail_on,
                   "Exit 1 on findings at or above: critical, high, medium, low, info, none")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "none"}));
  scan_cmd->add_option("--color", scan.color, "auto, always or never")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  scan_cmd->add_flag("--resolve", scan.resolve,
                     "Resolve pool domains to match connections by address (DNS traffic)");
  scan_cmd->add_option("--threads", scan.threads,
                       "Worker threads (default: one per core, plus one)");

  WatchArgs watch;
  CLI::App* watch_cmd = app.add_subcommand(
      "watch", "Daemon: catch the miner's exec, drop and pool connection as they happen");
  watch_cmd->add_option("--config", watch.config, "YAML policy file (flags override it)");
  watch_cmd->add_option("--output", watch.output,
                        "Write alerts as JSON lines to FILE (- : stdout)");
  watch_cmd
      ->add_option("--respond", watch.respond,
                   "What to do to the process of a critical finding: alert, suspend (SIGSTOP, "
                   "evidence stays in memory) or kill")
      ->check(CLI::IsMember({"alert", "suspend", "kill"}));
  watch_cmd
      ->add_option("--respond-container", watch.respond_container,
                   "What to do to the container of a critical finding: none, pause, stop or "
                   "disconnect (from its networks; the process and its memory stay)")
      ->check(CLI::IsMember({"none", "pause", "stop", "disconnect"}));
  watch_cmd->add_flag("--quarantine", watch.quarantine,
                      "Move the file of a critical finding (or the process's executable) into "
                      "the quarantine (deminer quarantine list|restore)");
  watch_cmd->add_flag("--block-remote", watch.block_remote,
                      "Add the remote address of a critical connection to an nftables set");
  watch_cmd->add_option("--state-dir", watch.state_dir,
                        "Quarantine and event store (default /var/lib/deminer)");
  watch_cmd->add_option("--syslog", watch.syslog,
                        "Also send alerts to syslog: unix:/dev/log or udp:HOST:PORT");
  watch_cmd->add_option("--webhook", watch.webhook,
                        "Also POST alerts (Slack-compatible) to this URL");
  watch_cmd->add_flag("--no-store", watch.no_store, "Do not keep alerts in STATE/events.db");
  watch_cmd->add_flag("--block-exec", watch.block_exec,
                      "Deny running programs from temp dirs (fanotify), host and containers");
  watch_cmd->add_flag("--dry-run", watch.dry_run, "Say what a response would do; do nothing");
  watch_cmd
      ->add_option("--allow", watch.allow,
                   "An executable path, process name or container name never acted on (repeatable)")
      ->allow_extra_args(false);
  watch_cmd->add_option("--status-file", watch.status_file,
                        "Rewrite a JSON health file here every 5 s");
  watch_cmd->add_flag("--no-initial-scan", watch.no_initial_scan, "Skip the full scan at start");
  watch_cmd->add_option("--rules", watch.rules, "Extra rule directory")->allow_extra_args(false);
  watch_cmd->add_flag("--no-default-rules", watch.no_default_rules, "Load only the --rules dirs");

  std::string quarantine_action, quarantine_id, quarantine_state = "/var/lib/deminer",
                                                quarantine_format = "text";
  CLI::App* quarantine_cmd =
      app.add_subcommand("quarantine", "List or restore what watch moved into the quarantine");
  quarantine_cmd->add_option("action", quarantine_action, "list or restore")
      ->required()
      ->check(CLI::IsMember({"list", "restore"}));
  quarantine_cmd->add_option("id", quarantine_id, "The entry to restore (from list)");
  quarantine_cmd->add_option("--state-dir", quarantine_state, "The daemon's state dir");
  quarantine_cmd->add_option("--format", quarantine_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));

  HardenArgs harden;
  CLI::App* harden_cmd = app.add_subcommand(
      "harden",
      "Print the fix (never applied): a Compose override or docker run flags for containers; "
      "pg_hba.conf, postgresql.conf and redis.conf lines and SQL for databases; an nftables "
      "rule set or ufw commands for the firewall");
  harden_cmd->add_option("target", harden.targets,
                         "Compose file, docker inspect JSON, container name or id; pg_hba.conf, "
                         "postgresql.conf or redis.conf; or containers, databases, firewall "
                         "(default: all three for this host)");
  harden_cmd
      ->add_option("--format", harden.format,
                   "auto (override for Compose files, flags for containers, nft for the "
                   "firewall), compose, run, nft or ufw")
      ->check(CLI::IsMember({"auto", "compose", "run", "nft", "ufw"}));
  harden_cmd->add_option("--dsn", harden.dsns, "Databases: also this PostgreSQL server")
      ->allow_extra_args(false);
  harden_cmd->add_option("--rules", harden.rules, "Extra rule directory (pool ports, IOCs)")
      ->allow_extra_args(false);

  VerifyArgs verify;
  CLI::App* verify_cmd =
      app.add_subcommand("verify", "Prove from outside what the rules predict (needs root)");
  verify_cmd->require_subcommand(1);
  CLI::App* verify_exposure_cmd = verify_cmd->add_subcommand(
      "exposure",
      "Connect to this host's listening TCP ports from outside, beside what the packet filter "
      "rules predict, and try a PostgreSQL login without a password");
  verify_exposure_cmd->footer(
      "From a network namespace made for the purpose (deminer-probe-PID, joined to this host's "
      "network namespace by a veth pair in 198.18.0.0/15 and a ULA /64, all removed afterwards) "
      "it connects to every listening TCP port the way another host would. It only connects, "
      "and tries one PostgreSQL login without a password where PostgreSQL answers; only to this "
      "host's own ports, only through its own namespace. The probe comes in on its own interface "
      "from its own address: rules that match an interface or a source range see another client "
      "than the LAN's. Loopback sockets are not reachable from outside by construction; UDP is "
      "not probed.\n\nExit codes: 0 every observation as predicted and nothing sensitive "
      "answered; 1 a port predicted filtered answered, a sensitive port answered, a PostgreSQL "
      "login without a password succeeded, or another observation disagreed; 2 error (also "
      "without root).");
  verify_exposure_cmd
      ->add_option("--port", verify.ports,
                   "Probe only this port (repeatable; tried even when nothing is seen listening)")
      ->allow_extra_args(false);
  verify_exposure_cmd
      ->add_option("--timeout-ms", verify.timeout_ms,
                   "How long to wait for an answer (all ports are tried at once)")
      ->check(CLI::Range(50, 60000));
  verify_exposure_cmd->add_option("--format", verify.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  verify_exposure_cmd->add_option("--pg-user", verify.pg_user,
                                  "The user of the PostgreSQL login without a password");

  DiffArgs diff;
  CLI::App* diff_cmd = app.add_subcommand(
      "diff", "What a suspect build, tree, image or node_modules has that a clean one does not");
  diff_cmd->add_option("clean", diff.clean, "The clean directory, image tarball or node_modules")
      ->required();
  diff_cmd->add_option("suspect", diff.suspect, "The suspect one, of the same kind")->required();
  diff_cmd->add_option("--format", diff.format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  diff_cmd->add_option("-o,--output", diff.output, "Write the report to FILE");
  diff_cmd->add_option("--rules", diff.rules, "Extra rule directory")->allow_extra_args(false);
  diff_cmd->add_flag("--no-default-rules", diff.no_default_rules, "Load only the --rules dirs");
  diff_cmd
      ->add_option("--fail-on", diff.fail_on,
                   "Exit 1 when a change is suspicious at or above: critical, high, medium, "
                   "low, info or none")
      ->check(CLI::IsMember({"critical", "high", "medium", "low", "info", "none"}));

  CollectArgs collect;
  CLI::App* collect_cmd = app.add_subcommand(
      "collect",
      "Scan, then seal the evidence in one tar.zst with a manifest of SHA-256s (or --verify one)");
  collect_cmd->add_option("paths", collect.paths,
                          "Directories or files the scan reads too (as scan's PATHs)");
  collect_cmd->add_option("-o,--output", collect.output,
                          "The bundle (default: deminer-evidence-HOST-TIME.tar.zst here); "
                          "FILE.sha256 is written beside it");
  CLI::Option* collect_verify = collect_cmd->add_option(
      "--verify", collect.verify,
      "Check a bundle: every entry against the manifest, the manifest against "
      "--manifest-sha256, the file against FILE.sha256");
  collect_cmd->add_option("--manifest-sha256", collect.manifest_sha256,
                          "With --verify: the manifest hash printed when the bundle was made");
  collect_cmd
      ->add_option("--only", collect.only,
                   "Scopes the scan covers, comma separated (as scan --only); the bundle's "
                   "parts follow them")
      ->delimiter(',')
      ->allow_extra_args(false);
  collect_cmd->add_option("--root", collect.root, "File system root to scan (as scan --root)");
  collect_cmd->add_option("--rules", collect.rules, "Extra rule directory")
      ->allow_extra_args(false);
  collect_cmd->add_flag("--no-default-rules", collect.no_default_rules,
                        "Load only the --rules dirs");
  collect_cmd
      ->add_option("--max-bytes", collect.max_bytes,
                   "Bound on all entries before compression (1G, 500M, ...); past it, entries "
                   "are gaps")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  collect_cmd
      ->add_option("--max-file-bytes", collect.max_file_bytes,
                   "Bound on one entry (a copied file, a container export); longer ones are cut "
                   "and the cut noted")
      ->transform(CLI::AsSizeValue(false))
      ->capture_default_str();
  collect_cmd
      ->add_option("--max-time", collect.max_seconds,
                   "Seconds from the start: the scan has half of them, then parts not "
                   "begun by the bound are gaps and the bundle is sealed")
      ->check(CLI::Range(1u, 86400u))
      ->capture_default_str();
  collect_cmd
      ->add_option("--tail-lines", collect.tail_lines,
                   "Lines kept of each system and container log")
      ->check(CLI::Range(1u, 1000000u))
      ->capture_default_str();
  collect_cmd->add_flag("--no-redact", collect.no_redact,
                        "Keep environment secrets and tokens in command lines as found");
  // --verify checks a bundle; what makes one does not go with it.
  for (const char* making :
       {"paths", "--output", "--only", "--root", "--rules", "--no-default-rules", "--max-bytes",
        "--max-file-bytes", "--max-time", "--tail-lines", "--no-redact"}) {
    collect_verify->excludes(collect_cmd->get_option(making));
  }
  collect_cmd->get_option("--manifest-sha256")->needs(collect_verify);

  std::string checks_format = "text";
  CLI::App* checks_cmd = app.add_subcommand("checks", "List every check");
  checks_cmd->add_option("--format", checks_format, "text or json");

  std::vector<std::string> version_rules;
  bool version_no_default = false;
  CLI::App* version_cmd = app.add_subcommand("version", "Print the version and the rule pack's");
  version_cmd->add_option("--rules", version_rules, "Extra rule directory");
  version_cmd->add_flag("--no-default-rules", version_no_default, "Load only the --rules dirs");

  CLI::App* rules_cmd = app.add_subcommand("rules", "Work with the rule pack");
  rules_cmd->require_subcommand(1);
  std::vector<std::string> patterns_rules;
  bool patterns_no_default = false;
  bool portable = false;
  CLI::App* patterns_cmd = rules_cmd->add_subcommand(
      "log-patterns", "Print the log rules' patterns one a line (for grep -E -f, rg -f)");
  patterns_cmd->add_option("--rules", patterns_rules, "Extra rule directory");
  patterns_cmd->add_flag("--no-default-rules", patterns_no_default, "Load only the --rules dirs");
  patterns_cmd->add_flag("--portable", portable,
                         "Only the case-sensitive patterns grep -E and rg read as deminer does");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? kExitClean : kExitError;
  }
  if (*scan_cmd) return RunScanCommand(scan);
  if (*watch_cmd) return RunWatchCommand(watch);
  if (*quarantine_cmd) {
    if (quarantine_action == "restore" && quarantine_id.empty()) {
      std::cerr << "deminer: quarantine restore needs the entry's id (deminer quarantine list)\n";
      return kExitError;
    }
    return RunQuarantineCommand(quarantine_action, quarantine_id, quarantine_state,
                                quarantine_format);
  }
  if (*harden_cmd) return RunHardenCommand(harden);
  if (*verify_exposure_cmd) return RunVerifyExposureCommand(verify);
  if (*diff_cmd) return RunDiffCommand(diff);
  if (*collect_cmd) return RunCollectCommand(collect);
  if (*checks_cmd) return RunChecksCommand(checks_format);
  if (*version_cmd) return RunVersionCommand(version_rules, version_no_default);
  if (*patterns_cmd) return RunLogPatternsCommand(patterns_rules, patterns_no_default, portable);
  return kExitError;
}

}  // namespace

int main(int argc, char** argv) {
  // Errors are values inside deminer; anything thrown is a bug or an
  // allocation failure, and still ends with the documented exit code.
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "deminer: internal error: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "deminer: internal error\n";
  }
  return deminer::kExitError;
}
