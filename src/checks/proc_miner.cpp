// proc.miner: a cryptocurrency miner, by its name and its command line.
#include <fmt/format.h>

#include "checks/check.h"
#include "match/miner_cmdline.h"

namespace deminer {

extern const Check kProcMiner;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || IsSelf(ctx, p)) continue;
    const MinerVerdict v = AnalyzeMiner(p.argv, p.exe, p.comm, ctx.rules);
    if (v.severity == Severity::kInfo) continue;
    Finding f = ProcessFinding(kProcMiner.info, ctx, p, v.severity);
    auto hints = nlohmann::ordered_json::array();
    for (const MinerHint& h : v.hints) {
      hints.push_back(
          {{"hint", h.what}, {"value", h.value}, {"weight", h.weight}, {"source", h.source}});
    }
    f.evidence["score"] = v.score;
    f.evidence["hints"] = std::move(hints);
    if (!v.pools.empty()) {
      auto pools = nlohmann::ordered_json::array();
      for (const PoolEndpoint& e : v.pools) pools.push_back(fmt::format("{}:{}", e.host, e.port));
      f.evidence["pools"] = std::move(pools);
    }
    if (!v.wallets.empty()) f.evidence["wallets"] = v.wallets;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kProcMiner = {
    {"proc.miner", "Cryptocurrency miner running", Severity::kCritical, Kind::kCompromise,
     Scope::kProcesses, "T1496",
     "Suspend the process (kill -STOP) to keep its memory as evidence, collect it "
     "(deminer collect), then kill it and find what started it: the ancestry shows the parent. "
     "If it runs in a container, replace the container from a clean image; the dropper is "
     "usually in the app or its dependencies, so deleting the binary alone will not last.",
     "Scores the process name, executable and command line: miner names and seed IOCs, stratum "
     "URLs, -o with a pool domain or pool port, -u with a checksum-valid Monero address, "
     "XMRig-specific options. A pool plus a wallet is critical; one weak hint alone is not "
     "reported above low."},
    Run};

}  // namespace deminer
