// deminer watch, started as an operator starts it: imitation miners run from
// temp dirs and inside a Podman container, a dropper script that keeps
// bringing its payload back, exec blocking and the responses. Every alert is
// read from the daemon's JSON-lines output.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <functional>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

using namespace std::chrono_literals;

// The daemon, with its alerts and status in a temp dir; SIGKILLed on destruction.
class Daemon {
 public:
  explicit Daemon(std::vector<std::string> flags, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {"deminer",       "watch", "--output",     dir_ / "alerts.jsonl",
                                     "--status-file", dir_ / "status.json", "--no-initial-scan"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_ = std::make_unique<Child>(DEMINER_BINARY, argv, env);
    ready_ = WaitForFile(dir_ / "status.json", 20s);
  }
  bool ready() const { return ready_; }
  pid_t pid() const { return child_->pid(); }

  std::vector<nlohmann::json> Alerts() const {
    std::vector<nlohmann::json> out;
    std::ifstream in(dir_ / "alerts.jsonl");
    for (std::string line; std::getline(in, line);) {
      auto j = nlohmann::json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
      if (!j.is_discarded()) out.push_back(std::move(j));
    }
    return out;
  }

  // The first alert that satisfies `want`, waiting up to `timeout`.
  std::optional<nlohmann::json> WaitFor(const std::function<bool(const nlohmann::json&)>& want,
                                        std::chrono::milliseconds timeout = 10s) const {
    const auto end = std::chrono::steady_clock::now() + timeout;
    do {
      for (const auto& a : Alerts()) {
        if (want(a)) return a;
      }
      std::this_thread::sleep_for(20ms);
    } while (std::chrono::steady_clock::now() < end);
    return std::nullopt;
  }

  nlohmann::json Status() const {
    std::ifstream in(dir_ / "status.json");
    return nlohmann::json::parse(in, nullptr, false);
  }

 private:
  TempDir dir_;
  std::unique_ptr<Child> child_;
  bool ready_ = false;
};

const auto Check = [](const std::string& check, const std::string& needle = "") {
  return [=](const nlohmann::json& a) {
    return a.value("check", "") == check &&
           a.value("subject", "").find(needle) != std::string::npos;
  };
};

class WatchTest : public testing::Test {
 protected:
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "deminer watch needs root (netlink, fanotify)";
  }
};

TEST_F(WatchTest, AlertsOnAMinerStartedFromTmpWithinMilliseconds) {
  Daemon d({});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner = StartImitation(dir, "xmrig",
                              {dir / "xmrig", "-o", "stratum+tcp://pool.supportxmr.com:443", "-u",
                               "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98"
                               "uNbr2VBBEt7f2wfn3RVGQBEP3A"});
  ASSERT_TRUE(miner);
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert) << "no proc.miner alert";
  EXPECT_EQ((*alert)["event"], "exec");
  EXPECT_EQ((*alert)["severity"], "critical");
  EXPECT_EQ((*alert)["evidence"]["pid"], miner->pid());
  ASSERT_TRUE((*alert)["latency_ms"].is_number());
  const double latency = (*alert)["latency_ms"];
  std::printf("exec-to-alert latency: %.3f ms\n", latency);
  EXPECT_LT(latency, 100.0);
  // Alerted once: the same fingerprint within the window is counted, not repeated.
  const auto alerts = d.Alerts();
  EXPECT_EQ(std::count_if(alerts.begin(), alerts.end(), Check("proc.miner", "xmrig")), 1);
  // Nothing was done to it: alerts only unless a response is asked for.
  EXPECT_FALSE(alert->contains("response"));
  EXPECT_EQ(kill(miner->pid(), 0), 0);
}

TEST_F(WatchTest, AFileDroppedInATempDirIsJudgedOnClose) {
  Daemon d({});
  ASSERT_TRUE(d.ready());
  // Straight into /tmp, as the seeds' droppers wrote /tmp/dbus_daemon.
  const std::string path = fmt::format("/tmp/dbus_daemon-it-{}", getpid());
  CopyTool("imitation_miner", path);
  const auto alert = d.WaitFor(Check("file.exe-in-temp", path));
  unlink(path.c_str());
  ASSERT_TRUE(alert) << "no alert for " << path;
  EXPECT_EQ((*alert)["event"], "file");
  EXPECT_TRUE((*alert)["evidence"].contains("written_by"));
}

TEST_F(WatchTest, BlockExecDeniesRunningAProgramFromATempDir) {
  Daemon d({"--block-exec"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  CopyTool("imitation_miner", dir / "javae");
  // Through a shell, which says why the exec failed: fanotify's deny is EPERM.
  const CommandResult r = RunCommand(
      {"sh", "-c", dir / "javae" + " -o pool.supportxmr.com:443"}, {{"IMITATION_LIFETIME_S", "1"}});
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_NE(r.err.find("not permitted"), std::string::npos) << r.err;
  const auto alert = d.WaitFor(Check("watch.exec-denied", dir / "javae"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["evidence"]["denied"], true);
  EXPECT_EQ((*alert)["evidence"]["sha256"].get<std::string>().size(), 64u);
  // Programs outside temp dirs still run.
  EXPECT_EQ(RunCommand({"true"}).exit_code, 0);
}

TEST_F(WatchTest, KillEndsACriticalMinerAndSaysSo) {
  Daemon d({"--respond", "kill"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  CopyTool("imitation_miner", dir / "xmrig");
  Child miner(dir / "xmrig", {dir / "xmrig", "-o", "stratum+tcp://pool.supportxmr.com:443",
                              "--donate-level", "1"});
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["response"]["action"], "kill");
  EXPECT_EQ((*alert)["response"]["result"], "done");
  int status = 0;
  ASSERT_EQ(waitpid(miner.pid(), &status, 0), miner.pid());
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(WatchTest, DryRunSaysWhatItWouldDoAndDoesNothing) {
  Daemon d({"--respond", "kill", "--dry-run"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner = StartImitation(dir, "xmrig", {dir / "xmrig", "-o", "pool.supportxmr.com:443",
                                             "--donate-level", "1"});
  ASSERT_TRUE(miner);
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["response"]["result"], "dry run: not done");
  EXPECT_EQ(kill(miner->pid(), 0), 0);
}

TEST_F(WatchTest, ADropperThatKeepsBringingItsPayloadBackIsNamed) {
  Daemon d({"--respond", "kill"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  CopyTool("imitation_miner", dir / "miner.bin");
  // Seed 001's loop: re-create /tmp/dbus_daemon and run it, every 2 s.
  const std::string payload = dir / "dbus_daemon";
  const std::string script = dir / "update.sh";
  {
    std::ofstream out(script);
    out << "#!/bin/sh\nwhile true; do\n  cp " << (dir / "miner.bin") << " " << payload << "\n  "
        << payload << " -o pool.supportxmr.com:443 -u x &\n  sleep 2\ndone\n";
  }
  chmod(script.c_str(), 0755);
  Child dropper("/bin/sh", {"sh", script});
  const auto alert = d.WaitFor(Check("watch.respawn", "dbus_daemon"), 15s);
  ASSERT_TRUE(alert) << "no respawn alert";
  const auto& e = (*alert)["evidence"];
  EXPECT_EQ(e["comebacks"], 2);
  EXPECT_NEAR(e["period_s"].get<double>(), 2.0, 0.6);
  EXPECT_EQ(e["dropper"]["pid"], dropper.pid());
  EXPECT_EQ(e["dropper"]["script"], script);
  EXPECT_NE(e["advice"].get<std::string>().find("restarting the container will not help"),
            std::string::npos);
}

TEST_F(WatchTest, StopsCleanlyOnSigterm) {
  Daemon d({});
  ASSERT_TRUE(d.ready());
  ASSERT_EQ(kill(d.pid(), SIGTERM), 0);
  int status = 0;
  for (int i = 0; i < 100; ++i) {
    if (waitpid(d.pid(), &status, WNOHANG) == d.pid()) break;
    std::this_thread::sleep_for(50ms);
  }
  EXPECT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  const auto s = d.Status();
  EXPECT_EQ(s["sources"]["exec_events"], true);
  EXPECT_LT(s["rss_kb"].get<int>(), 50 * 1024);
}

TEST_F(WatchTest, AMinerInAContainerIsAttributedAndTheContainerPaused) {
  Podman podman;
  ASSERT_TRUE(podman.ok()) << podman.why_not();
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman.socket()}};
  Daemon d({"--respond-container", "pause"}, env);
  ASSERT_TRUE(d.ready());
  const std::string name = fmt::format("deminer-it-watch-{}", getpid());
  const std::string id = podman.RunDetached(
      name, {"--network", "none"}, {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-u", "x"});
  ASSERT_FALSE(id.empty());
  const auto alert = d.WaitFor(
      [&](const nlohmann::json& a) {
        return a.value("check", "") == "proc.miner" && a["container"].is_object() &&
               a["container"]["id"] == id;
      },
      20s);
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["container"]["name"], name);
  EXPECT_EQ((*alert)["container"]["image"], podman.image());
  EXPECT_EQ((*alert)["response"]["action"], "pause");
  EXPECT_EQ((*alert)["response"]["result"], "done");
  const CommandResult state =
      RunCommand({"podman", "inspect", "--format", "{{.State.Status}}", id}, podman.Env());
  EXPECT_EQ(state.out, "paused\n") << state.err;
  // Unpaused, so that the harness can remove it.
  RunCommand({"podman", "unpause", id}, podman.Env());
}

}  // namespace
}  // namespace deminer::it
