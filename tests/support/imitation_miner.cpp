// imitation_miner: a harmless stand-in for a cryptocurrency miner, used only by deminer's
// integration tests. Tests copy it to miner-like names (xmrig, javae, ...) and start it with
// miner-like command lines, but it ignores its arguments entirely and mines nothing. Its only
// behaviour comes from IMITATION_* environment variables, and every address it listens on or
// connects to must be a numeric loopback address (127.0.0.0/8 or ::1); anything else makes it
// print an error and exit with status 3 before it opens any socket. It never resolves names.
//
//   IMITATION_LISTEN=127.0.0.1:PORT   listen there and answer stratum lines with a fake job.
//   IMITATION_CONNECT=127.0.0.1:PORT  connect there (retrying refusals for 5 s), send one stratum
//                                     login line, read replies and keep the connection open.
//   IMITATION_SPAWN=/path arg1 ...    fork and exec that program (split on spaces) as a child.
//                                     The child gets no IMITATION_* variables except those given
//                                     as IMITATION_CHILD_*, renamed to IMITATION_*; it inherits
//                                     IMITATION_LIFETIME_S unless IMITATION_CHILD_LIFETIME_S is
//                                     set.
//   IMITATION_BURN_MS=N               spin one thread on the CPU for N ms from the start.
//   IMITATION_READY=/path/file        after the steps above, write our pid there (tmp + rename).
//   IMITATION_LIFETIME_S=N            exit after N seconds (default 600).
// SIGTERM, SIGINT and SIGHUP make it exit cleanly; a live child is sent SIGTERM on the way out.
// Exit status: 0 normal, 1 a step failed, 2 a malformed variable, 3 a non-loopback address.

#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "loopback.h"

extern char** environ;

namespace deminer::test_support {
namespace {

constexpr char kProgram[] = "imitation_miner";
constexpr auto kConnectRetryFor = std::chrono::seconds(5);
constexpr auto kConnectRetryStep = std::chrono::milliseconds(100);
constexpr std::string_view kEnvPrefix = "IMITATION_";
constexpr std::string_view kChildEnvPrefix = "IMITATION_CHILD_";
constexpr std::string_view kLoginLine =
    "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":{\"login\":\"imitation\","
    "\"pass\":\"x\",\"agent\":\"imitation-miner/1.0\"}}\n";

struct Config {
  std::optional<LoopbackAddress> listen;
  std::optional<LoopbackAddress> connect;
  std::vector<std::string> spawn_argv;
  uint64_t burn_ms = 0;
  std::string ready_path;
  uint64_t lifetime_s = kDefaultLifetimeSeconds;
};

// Reads and checks every variable before anything happens, so a bad address exits with status 3
// before any socket exists.
Config ReadConfig() {
  Config config;
  config.lifetime_s = LifetimeSecondsFromEnv(kProgram);
  if (const auto text = GetEnv("IMITATION_LISTEN")) {
    config.listen = RequireLoopbackEndpoint(kProgram, "IMITATION_LISTEN", *text, false);
  }
  if (const auto text = GetEnv("IMITATION_CONNECT")) {
    config.connect = RequireLoopbackEndpoint(kProgram, "IMITATION_CONNECT", *text, false);
  }
  if (const auto text = GetEnv("IMITATION_SPAWN")) {
    std::string_view rest = *text;
    while (!rest.empty()) {
      const size_t start = rest.find_first_not_of(' ');
      if (start == std::string_view::npos) break;
      rest.remove_prefix(start);
      const size_t end = std::min(rest.find(' '), rest.size());
      config.spawn_argv.emplace_back(rest.substr(0, end));
      rest.remove_prefix(end);
    }
  }
  if (const auto text = GetEnv("IMITATION_BURN_MS")) {
    const std::optional<uint64_t> value = ParseUnsigned(*text);
    if (!value || *value > 3'600'000) {
      std::fprintf(stderr, "%s: bad IMITATION_BURN_MS=\"%.*s\"\n", kProgram,
                   static_cast<int>(text->size()), text->data());
      std::exit(kExitUsage);
    }
    config.burn_ms = *value;
  }
  if (const auto text = GetEnv("IMITATION_READY")) config.ready_path = std::string(*text);
  return config;
}

void Burn(uint64_t burn_ms) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(burn_ms);
  volatile uint64_t sink = 0;
  while (std::chrono::steady_clock::now() < until) {
    for (int i = 0; i < 100'000; ++i) sink = sink * 6364136223846793005ULL + 1442695040888963407ULL;
  }
}

// Connects to a loopback address, retrying refusals for kConnectRetryFor. Returns the socket or
// -1 (errno set).
int ConnectLoopback(const LoopbackAddress& address) {
  const auto give_up = std::chrono::steady_clock::now() + kConnectRetryFor;
  for (;;) {
    if (!IsLoopback(address)) {  // Checked at parse time too; never connect anywhere else.
      errno = EADDRNOTAVAIL;
      return -1;
    }
    const int fd = socket(address.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int result;
    do {
      result = connect(fd, address.Get(), address.length);
    } while (result != 0 && errno == EINTR);
    if (result == 0) return fd;
    const int saved = errno;
    close(fd);
    errno = saved;
    if (saved != ECONNREFUSED || std::chrono::steady_clock::now() >= give_up) return -1;
    std::this_thread::sleep_for(kConnectRetryStep);
  }
}

// Reads and discards the pool's replies; the socket stays open until the process exits.
void DrainReplies(int fd) {
  char buffer[4096];
  for (;;) {
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
  }
}

// The child's environment: ours without IMITATION_*, plus IMITATION_CHILD_X renamed IMITATION_X,
// so a spawned imitation_miner does not repeat our own steps (or spawn forever).
std::vector<std::string> ChildEnvironment(uint64_t lifetime_s) {
  std::vector<std::string> env;
  bool has_lifetime = false;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    const std::string_view text = *entry;
    if (text.starts_with(kChildEnvPrefix)) {
      std::string renamed =
          std::string(kEnvPrefix) + std::string(text.substr(kChildEnvPrefix.size()));
      has_lifetime = has_lifetime || renamed.starts_with("IMITATION_LIFETIME_S=");
      env.push_back(std::move(renamed));
    } else if (!text.starts_with(kEnvPrefix)) {
      env.emplace_back(text);
    }
  }
  if (!has_lifetime) env.push_back("IMITATION_LIFETIME_S=" + std::to_string(lifetime_s));
  return env;
}

// Forks and execs argv[0] with argv. Everything is prepared before fork, so the child only makes
// async-signal-safe calls.
pid_t Spawn(const std::vector<std::string>& argv, uint64_t lifetime_s,
            const sigset_t& original_mask) {
  const std::vector<std::string> env = ChildEnvironment(lifetime_s);
  std::vector<char*> argv_c;
  argv_c.reserve(argv.size() + 1);
  for (const std::string& arg : argv) argv_c.push_back(const_cast<char*>(arg.c_str()));
  argv_c.push_back(nullptr);
  std::vector<char*> env_c;
  env_c.reserve(env.size() + 1);
  for (const std::string& entry : env) env_c.push_back(const_cast<char*>(entry.c_str()));
  env_c.push_back(nullptr);
  const std::string exec_error = std::string(kProgram) + ": cannot exec " + argv[0] + "\n";

  const pid_t pid = fork();
  if (pid == 0) {
    // The child must not inherit our blocked signals, or SIGTERM would not stop it.
    sigprocmask(SIG_SETMASK, &original_mask, nullptr);
    execve(argv_c[0], argv_c.data(), env_c.data());
    [[maybe_unused]] const ssize_t ignored = write(2, exec_error.data(), exec_error.size());
    _exit(127);
  }
  return pid;
}

void ReapChildren(pid_t& child) {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == child) child = -1;
    if (WIFEXITED(status)) {
      std::fprintf(stderr, "%s: child %d exited with %d\n", kProgram, static_cast<int>(pid),
                   WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
      std::fprintf(stderr, "%s: child %d killed by signal %d\n", kProgram, static_cast<int>(pid),
                   WTERMSIG(status));
    }
  }
}

int Run() {
  const Config config = ReadConfig();

  // Block the signals we wait for before any thread starts, so every thread inherits the mask
  // and only sigtimedwait in the main loop sees them.
  sigset_t wait_set;
  sigemptyset(&wait_set);
  sigaddset(&wait_set, SIGTERM);
  sigaddset(&wait_set, SIGINT);
  sigaddset(&wait_set, SIGHUP);
  sigaddset(&wait_set, SIGCHLD);
  sigset_t original_mask;
  pthread_sigmask(SIG_BLOCK, &wait_set, &original_mask);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(config.lifetime_s);

  if (config.burn_ms > 0) std::thread(Burn, config.burn_ms).detach();

  if (config.listen) {
    const int listen_fd = OpenLoopbackListener(*config.listen);
    if (listen_fd < 0) {
      std::fprintf(stderr, "%s: cannot listen on %s: %s\n", kProgram,
                   FormatAddress(*config.listen).c_str(), std::strerror(errno));
      return 1;
    }
    std::thread([listen_fd] { AcceptLoop(kProgram, listen_fd); }).detach();
  }

  if (config.connect) {
    const int fd = ConnectLoopback(*config.connect);
    if (fd < 0) {
      std::fprintf(stderr, "%s: cannot connect to %s: %s\n", kProgram,
                   FormatAddress(*config.connect).c_str(), std::strerror(errno));
      return 1;
    }
    if (!SendAll(fd, kLoginLine)) {
      std::fprintf(stderr, "%s: cannot send login: %s\n", kProgram, std::strerror(errno));
      return 1;
    }
    std::thread(DrainReplies, fd).detach();
  }

  pid_t child = -1;
  if (!config.spawn_argv.empty()) {
    child = Spawn(config.spawn_argv, config.lifetime_s, original_mask);
    if (child < 0) {
      std::fprintf(stderr, "%s: fork: %s\n", kProgram, std::strerror(errno));
      return 1;
    }
  }

  if (!config.ready_path.empty() &&
      !WriteFileAtomically(config.ready_path, std::to_string(getpid()) + "\n")) {
    std::fprintf(stderr, "%s: cannot write %s: %s\n", kProgram, config.ready_path.c_str(),
                 std::strerror(errno));
    if (child > 0) kill(child, SIGTERM);
    return 1;
  }

  // Sleep until a termination signal or the end of the lifetime, reaping children as they exit.
  for (;;) {
    ReapChildren(child);
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    const auto left_ns = std::min<int64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(left).count(), 1'000'000'000);
    const timespec timeout = {static_cast<time_t>(left_ns / 1'000'000'000),
                              static_cast<long>(left_ns % 1'000'000'000)};
    const int sig = sigtimedwait(&wait_set, nullptr, &timeout);
    if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) break;
  }
  if (child > 0) kill(child, SIGTERM);
  std::fflush(nullptr);
  _exit(0);  // Worker threads may still be blocked in accept/recv; skip static destructors.
}

}  // namespace
}  // namespace deminer::test_support

int main() { return deminer::test_support::Run(); }
