#include "watch/response.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sources/proc_reader.h"

namespace deminer {
namespace {

Process Proc(int pid, std::string exe, std::string comm = "x") {
  Process p;
  p.pid = pid;
  p.exe = std::move(exe);
  p.comm = std::move(comm);
  p.argv = {p.exe};
  return p;
}

TEST(ResponseTest, NeverActsOnInitKernelThreadsItselfOrTheAllowList) {
  EXPECT_NE(WhyNotAct(Proc(1, "/sbin/init"), 500, {}), "");
  Process kthread = Proc(2, "");
  kthread.kernel_thread = true;
  EXPECT_NE(WhyNotAct(kthread, 500, {}), "");
  EXPECT_NE(WhyNotAct(Proc(500, "/usr/bin/deminer"), 500, {}), "");
  EXPECT_NE(WhyNotAct(Proc(42, "/opt/agent/bin/agent"), 500, {"/opt/agent/bin/agent"}), "");
  EXPECT_NE(WhyNotAct(Proc(42, "/usr/bin/node", "node"), 500, {"node"}), "");
  EXPECT_EQ(WhyNotAct(Proc(42, "/tmp/xmrig"), 500, {"node", ""}), "");
}

TEST(ResponseTest, ParsesItsNames) {
  for (Response r : {Response::kAlert, Response::kSuspend, Response::kKill}) {
    EXPECT_EQ(ParseResponse(ResponseName(r)), r);
  }
  EXPECT_FALSE(ParseResponse("nuke"));
}

TEST(ResponseTest, SignalsTheProcessReadAndNotAReusedPid) {
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    pause();
    _exit(0);
  }
  std::optional<Process> p = ReadOneProcess("/proc", child, 0);
  ASSERT_TRUE(p);
  Process other = *p;
  other.start_ticks += 1;  // as if the pid now belonged to a later process
  EXPECT_FALSE(SignalProcess(other, SIGKILL));
  EXPECT_TRUE(SignalProcess(*p, SIGKILL));
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

}  // namespace
}  // namespace deminer
