// deminer collect [-o FILE] and deminer collect --verify FILE: the command
// line around report/evidence_collect (what goes in) and report/evidence_bundle
// (how it is sealed and checked).
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <iostream>

#include "app/commands.h"
#include "core/strings.h"
#include "report/evidence_collect.h"

#ifndef DEMINER_VERSION
#define DEMINER_VERSION "0.0.0"
#endif

namespace deminer {

namespace {

int VerifyCommand(const CollectArgs& args) {
  auto verdict = VerifyBundle(args.verify, args.manifest_sha256);
  if (!verdict) {
    std::cerr << "deminer: " << verdict.error().message() << "\n";
    return kExitError;
  }
  std::cout << fmt::format("bundle   {}\nSHA-256  {}\nmanifest {}\nentries  {} checked\n",
                           Printable(args.verify), verdict->bundle_sha256, verdict->manifest_sha256,
                           verdict->entries_checked);
  if (args.manifest_sha256.empty()) {
    std::cout << "note: without --manifest-sha256 the manifest is checked against the entries "
                 "only; compare its hash above with the one printed when the bundle was made\n";
  }
  if (verdict->ok()) {
    std::cout << "intact\n";
    return kExitClean;
  }
  // Entry names come from the bundle: printed as text, never as escapes.
  for (const std::string& p : verdict->problems) std::cout << "ALTERED: " << Printable(p) << "\n";
  return kExitFindings;
}

std::string DefaultOutput() {
  char host[256] = "host";
  gethostname(host, sizeof host - 1);
  const std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char stamp[32];
  std::strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
  return fmt::format("deminer-evidence-{}-{}.tar.zst", BundlePath(host), stamp);
}

}  // namespace

int RunCollectCommand(const CollectArgs& args) {
  if (!args.verify.empty()) return VerifyCommand(args);
  CollectOptions options;
  if (!ParseScopes(args.only, options.scan.scopes)) return kExitError;
  options.scan.root = args.root.empty() ? "/" : args.root;
  if (struct stat st{}; stat(options.scan.root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    std::cerr << "deminer: --root " << options.scan.root << " is not a directory\n";
    return kExitError;
  }
  for (const std::string& p : args.paths) {
    if (struct stat st{}; lstat(p.c_str(), &st) != 0) {
      std::cerr << "deminer: " << p << ": " << std::strerror(errno) << "\n";
      return kExitError;
    }
  }
  options.scan.paths = args.paths;
  options.limits.max_total_bytes = args.max_bytes;
  options.limits.max_file_bytes = std::min(args.max_file_bytes, args.max_bytes);
  options.time_limit = std::chrono::seconds(args.max_seconds);
  options.redact = !args.no_redact;
  options.log_tail_lines = args.tail_lines;
  options.tool_version = DEMINER_VERSION;
  auto rules = LoadRules(args.rules, args.no_default_rules);
  if (!rules) {
    std::cerr << "deminer: " << rules.error().message() << "\n";
    return kExitError;
  }
  options.rules_version = rules->name + " " + rules->version;
  const std::string output = args.output.empty() ? DefaultOutput() : args.output;
  if (geteuid() != 0) {
    std::cerr << "deminer: note: not root; other users' processes, maps and files will be gaps\n";
  }
  auto result = CollectEvidence(output, options, *rules);
  if (!result) {
    std::cerr << "deminer: " << result.error().message() << "\n";
    return kExitError;
  }
  std::cout << fmt::format(
      "evidence {}\n         {} entries, {:.1f} MiB before compression; {} findings, {} flagged "
      "processes, {} flagged files, {} containers\n",
      output, result->entries, static_cast<double>(result->bytes) / (1 << 20), result->findings,
      result->flagged_processes, result->flagged_files, result->containers);
  if (!result->gaps.empty()) {
    std::cout << fmt::format("gaps     {} (listed in the manifest)\n", result->gaps.size());
    size_t shown = 0;
    for (const Gap& g : result->gaps) {
      if (++shown > 5) {
        std::cout << "         ...\n";
        break;
      }
      std::cout << "         " << Printable(g.what, 120) << ": " << Printable(g.reason, 200)
                << "\n";
    }
  }
  if (!options.redact) std::cout << "warning  --no-redact: secrets are in the bundle as found\n";
  std::cout << fmt::format(
      "manifest SHA-256 {}\n         write it down; check the bundle later with\n"
      "         deminer collect --verify {} --manifest-sha256 {}\n",
      result->manifest_sha256, output, result->manifest_sha256);
  return kExitClean;
}

}  // namespace deminer
