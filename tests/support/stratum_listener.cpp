// stratum_listener: a harmless fake stratum "pool" for deminer's integration tests. It listens on
// a numeric loopback address only (127.0.0.0/8 or ::1; anything else exits with status 3), answers
// every JSON line a client sends with a fixed fake login/job reply, mines nothing and contacts
// nothing. It exits on SIGTERM/SIGINT or after IMITATION_LIFETIME_S seconds (default 600).
//
// Usage: stratum_listener 127.0.0.1 PORT [READY_FILE]
//   PORT 0 picks a free port. Once listening, the bound port number is written to READY_FILE
//   (atomically, via READY_FILE.tmp and rename) and printed on stdout.

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <thread>

#include "loopback.h"

namespace deminer::test_support {
namespace {

constexpr char kProgram[] = "stratum_listener";

int Run(int argc, char** argv) {
  if (argc < 3 || argc > 4) {
    std::fprintf(stderr, "usage: %s 127.0.0.1 PORT [READY_FILE]\n", kProgram);
    return kExitUsage;
  }
  const uint64_t lifetime_s = LifetimeSecondsFromEnv(kProgram);
  const std::optional<LoopbackAddress> address = ParseLoopbackHostPort(argv[1], argv[2]);
  if (!address) {
    std::fprintf(stderr,
                 "%s: refusing %s %s: only a numeric 127.0.0.0/8 or ::1 address and a port are "
                 "allowed\n",
                 kProgram, argv[1], argv[2]);
    return kExitNotLoopback;
  }

  // Block the signals we wait for before any thread starts, so every thread inherits the mask
  // and only sigtimedwait below sees them.
  sigset_t wait_set;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGTERM);
  sigaddset(&wait_set, SIGINT);
  sigaddset(&wait_set, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &wait_set, nullptr);

  const int listen_fd = OpenLoopbackListener(*address);
  if (listen_fd < 0) {
    std::fprintf(stderr, "%s: cannot listen on %s: %s\n", kProgram, FormatAddress(*address).c_str(),
                 std::strerror(errno));
    return 1;
  }
  const uint16_t port = BoundPort(listen_fd);
  if (argc == 4 && !WriteFileAtomically(argv[3], std::to_string(port) + "\n")) {
    std::fprintf(stderr, "%s: cannot write %s: %s\n", kProgram, argv[3], std::strerror(errno));
    return 1;
  }
  std::printf("%u\n", static_cast<unsigned>(port));
  std::fflush(stdout);

  std::thread([listen_fd] { AcceptLoop(kProgram, listen_fd); }).detach();

  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(lifetime_s);
  for (;;) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    const auto left_ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    const timespec timeout = {static_cast<time_t>(left_ns / 1'000'000'000),
                              static_cast<long>(left_ns % 1'000'000'000)};
    const int sig = sigtimedwait(&wait_set, nullptr, &timeout);
    if (sig > 0) break;  // SIGTERM, SIGINT or SIGHUP: exit cleanly.
  }
  std::fflush(nullptr);
  _exit(0);  // Client threads may still be blocked in recv; skip static destructors.
}

}  // namespace
}  // namespace deminer::test_support

int main(int argc, char** argv) { return deminer::test_support::Run(argc, argv); }
