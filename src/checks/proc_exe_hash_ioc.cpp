// proc.exe-hash-ioc: a running program whose file hash is a known IOC.
#include "checks/check.h"

namespace deminer {

extern const Check kProcExeHashIoc;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  if (ctx.rules.hashes.empty()) return;
  for (const Process& p : ctx.facts.processes) {
    if (IsSelf(ctx, p)) continue;
    for (const auto& [algo, digest] : {std::pair<const char*, const std::string&>{"md5", p.exe_md5},
                                       {"sha1", p.exe_sha1},
                                       {"sha256", p.exe_sha256}}) {
      if (digest.empty()) continue;
      const auto it = ctx.rules.hashes.find(digest);
      if (it == ctx.rules.hashes.end()) continue;
      Finding f = ProcessFinding(kProcExeHashIoc.info, ctx, p, Severity::kCritical);
      f.evidence[algo] = digest;
      f.evidence["ioc"] = it->second;
      out.push_back(std::move(f));
      break;
    }
  }
}

}  // namespace

const Check kProcExeHashIoc = {
    {"proc.exe-hash-ioc", "Running program matches a known malware hash", Severity::kCritical,
     Kind::kCompromise, Scope::kProcesses, "T1496",
     "This exact file was seen in an intrusion. Suspend the process, collect evidence "
     "(deminer collect keeps a copy even if the file was deleted), then remove it and look for "
     "how it arrived and how it restarts.",
     "MD5, SHA-1 and SHA-256 of the executables of running processes that live outside the "
     "system's program directories (or were deleted, or run from memory), read through "
     "/proc/PID/exe, against the hash IOCs of the rule pack and of Loki-style hash-iocs.txt "
     "files. Only computed when hash IOCs are loaded."},
    Run};

}  // namespace deminer
