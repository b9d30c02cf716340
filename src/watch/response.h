// What the watch daemon may do to a process it judged, and the guard that
// keeps it from doing it to the wrong one. Actions are only taken when the
// operator asked for them (--respond, a policy); by default deminer alerts.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "sources/facts.h"

namespace deminer {

enum class Response { kAlert, kSuspend, kKill };

std::optional<Response> ParseResponse(std::string_view s);
std::string_view ResponseName(Response r);

// Why the daemon must not act on `p`, or "" when it may: PID 1, a kernel
// thread, deminer itself or its parent chain's head, or a process the
// allow-list names (by executable path or by name).
std::string WhyNotAct(const Process& p, int self_pid, const std::vector<std::string>& allow);

// Signals `p` through a pidfd, after checking that its pid still belongs to
// the process that was read (same start time), so a reused pid is never hit.
Expected<void> SignalProcess(const Process& p, int signal, const std::string& proc_root = "/proc");

}  // namespace deminer
