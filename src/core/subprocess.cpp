#include "core/subprocess.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdint>

extern char** environ;

namespace deminer {

Expected<ProcessResult> RunTool(const std::vector<std::string>& argv, const std::string& input,
                                int timeout_ms) {
  if (argv.empty()) return Fail(Error::InvalidInput("no program"));
  int in[2], out[2], err[2];
  if (pipe2(in, O_CLOEXEC) != 0) return Fail(Error::FromErrno(errno, "pipe"));
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) {
    return Fail(Error::FromErrno(errno, "pipe"));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, in[0], 0);
  posix_spawn_file_actions_adddup2(&actions, out[1], 1);
  posix_spawn_file_actions_adddup2(&actions, err[1], 2);
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = -1;
  const int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(in[0]);
  close(out[1]);
  close(err[1]);
  if (rc != 0) {
    close(in[1]);
    close(out[0]);
    close(err[0]);
    return Fail(Error::FromErrno(rc, argv[0]));
  }
  // Feed and drain together, so that neither side blocks on a full pipe.
  ProcessResult result;
  size_t written = 0;
  int to_child = in[1];
  if (input.empty()) {
    close(to_child);
    to_child = -1;
  }
  constexpr size_t kMaxOutput = size_t{1} << 20;
  int open_outputs = 2;
  const auto old_pipe = signal(SIGPIPE, SIG_IGN);
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  bool given_up = false;
  while (open_outputs > 0 || to_child >= 0) {
    pollfd fds[3] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {to_child, POLLOUT, 0}};
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                          deadline - std::chrono::steady_clock::now())
                          .count();
    // A tool silent for 10 s, or past its time, is given up on (and killed).
    if (left <= 0 || poll(fds, 3, static_cast<int>(std::min<int64_t>(left, 10000))) <= 0) {
      given_up = true;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      char buf[4096];
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      std::string& sink = i == 0 ? result.out : result.err;
      if (n > 0) {
        if (sink.size() < kMaxOutput) sink.append(buf, static_cast<size_t>(n));
      } else {
        close(fds[i].fd);
        (i == 0 ? out[0] : err[0]) = -1;
        --open_outputs;
      }
    }
    if (to_child >= 0 && fds[2].revents != 0) {
      const ssize_t n = write(to_child, input.data() + written, input.size() - written);
      if (n > 0) written += static_cast<size_t>(n);
      if (n <= 0 || written == input.size()) {
        close(to_child);
        to_child = -1;
      }
    }
  }
  signal(SIGPIPE, old_pipe);
  for (int fd : {to_child, out[0], err[0]}) {
    if (fd >= 0) close(fd);
  }
  if (given_up) kill(pid, SIGKILL);
  int status = 0;
  if (waitpid(pid, &status, 0) != pid) return Fail(Error::FromErrno(errno, "waitpid"));
  if (given_up) {
    return Fail(Error::Unavailable(fmt::format("{}: gave no answer in time", argv[0])));
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace deminer
