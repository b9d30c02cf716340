#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kNetReverseShell;
namespace {

TEST(NetReverseShellCheckTest, FlagsShellOnTcpButNotOnUnixSocket) {
  Facts facts = BaseFacts();
  Process shell = MakeProcess(900, 700, {"/bin/sh", "-i"});
  shell.stdio_socket = 11;
  Process sshd_child = MakeProcess(901, 1, {"-bash"}, "/usr/bin/bash");
  sshd_child.stdio_socket = 12;  // a unix socket: not in the inet table
  Process server = MakeProcess(902, 1, {"/usr/bin/python3", "app.py"});
  server.stdio_socket = 11;
  facts.processes.insert(facts.processes.end(), {shell, sshd_child, server});
  facts.sockets = {MakeSocket("203.0.113.4", 4449, 11)};
  const auto out = RunCheck(kNetReverseShell, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].subject, "pid 900 /bin/sh");
  EXPECT_EQ(out[0].evidence["socket"], "tcp 10.0.0.5:50000 -> 203.0.113.4:4449");
  EXPECT_EQ(out[0].evidence["ancestry"][0]["cmdline"], "node server.js");
}

}  // namespace
}  // namespace deminer
