#include "watch/response.h"

#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "sources/proc_parse.h"
#include "sources/proc_reader.h"

namespace deminer {

std::optional<Response> ParseResponse(std::string_view s) {
  if (s == "alert") return Response::kAlert;
  if (s == "suspend") return Response::kSuspend;
  if (s == "kill") return Response::kKill;
  return std::nullopt;
}

std::string_view ResponseName(Response r) {
  switch (r) {
    case Response::kAlert:
      return "alert";
    case Response::kSuspend:
      return "suspend";
    case Response::kKill:
      return "kill";
  }
  return "alert";
}

std::string WhyNotAct(const Process& p, int self_pid, const std::vector<std::string>& allow) {
  if (p.pid <= 1) return "pid 1 (init) is never acted on";
  if (p.kernel_thread) return "a kernel thread is never acted on";
  if (p.pid == self_pid) return "deminer itself";
  const std::string name = p.DisplayName();
  for (const std::string& a : allow) {
    if (a.empty()) continue;
    if (a == p.exe || a == name || a == p.comm) return "in the allow-list (" + a + ")";
  }
  return "";
}

Expected<void> SignalProcess(const Process& p, int signal, const std::string& proc_root) {
  const int pidfd = static_cast<int>(syscall(SYS_pidfd_open, p.pid, 0));
  if (pidfd < 0) return Fail(Error::FromErrno(errno, "pidfd_open " + std::to_string(p.pid)));
  // The pidfd pins the process; its start time tells whether it is the one judged.
  auto stat = ReadSmallFile(proc_root + "/" + std::to_string(p.pid) + "/stat", 4096);
  const Expected<StatFields> now =
      stat ? ParseStat(*stat) : Expected<StatFields>(Fail(stat.error()));
  if (!now || now->start_ticks != p.start_ticks) {
    close(pidfd);
    return Fail(Error::NotFound("pid " + std::to_string(p.pid) + " is gone or was reused"));
  }
  const long r = syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0);
  const int err = errno;
  close(pidfd);
  if (r != 0) return Fail(Error::FromErrno(err, "signal pid " + std::to_string(p.pid)));
  return {};
}

}  // namespace deminer
