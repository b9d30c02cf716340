// file.hash-ioc: a file whose MD5, SHA-1 or SHA-256 is a known sample's.
#include "checks/check.h"

namespace deminer {

extern const Check kFileHashIoc;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  if (ctx.rules.hashes.empty()) return;
  for (const FileEntry& e : ctx.facts.files) {
    for (const std::string* h : {&e.hashes.md5, &e.hashes.sha1, &e.hashes.sha256}) {
      if (h->empty()) continue;
      const auto it = ctx.rules.hashes.find(*h);
      if (it == ctx.rules.hashes.end()) continue;
      Finding f = FileFinding(kFileHashIoc.info, ctx, e, Severity::kCritical);
      f.evidence["ioc_hash"] = *h;
      f.evidence["ioc"] = it->second;
      out.push_back(std::move(f));
      break;
    }
  }
}

}  // namespace

const Check kFileHashIoc = {
    {"file.hash-ioc", "File is a known miner or dropper sample", Severity::kCritical,
     Kind::kCompromise, Scope::kFiles, "T1496",
     "This exact file was found in an intrusion. Keep a copy (deminer collect), stop whatever "
     "runs it, remove it and its persistence, and treat the host as compromised.",
     "MD5, SHA-1 and SHA-256 of every file walked (computed in the same read as the YARA "
     "scan; MD5 and SHA-1 only when such IOCs are loaded) against the hash IOCs of the rule "
     "pack and Loki hash-iocs.txt files: the seeds' dbus_daemon, hunter_go, master_go.bf."},
    Run};

}  // namespace deminer
