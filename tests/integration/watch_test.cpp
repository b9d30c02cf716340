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
#include <sstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

using namespace std::chrono_literals;

// The daemon, with its alerts and status in a temp dir; SIGKILLed on destruction.
class Daemon {
 public:
  explicit Daemon(std::vector<std::string> flags, std::map<std::string, std::string> env = {}) {
    std::vector<std::string> argv = {"deminer",          "watch",
                                     "--output",         dir_ / "alerts.jsonl",
                                     "--status-file",    dir_ / "status.json",
                                     "--state-dir",      state(),
                                     "--no-initial-scan"};
    argv.insert(argv.end(), flags.begin(), flags.end());
    child_ = std::make_unique<Child>(DEMINER_BINARY, argv, env);
    ready_ = WaitForFile(dir_ / "status.json", 20s);
  }
  bool ready() const { return ready_; }
  pid_t pid() const { return child_->pid(); }
  std::string state() const { return dir_ / "state"; }
  std::string path(const std::string& name) const { return dir_ / name; }

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

// A harmless imitation miner run as `dir`/xmrig with a pool and XMRig's donate option.
std::unique_ptr<Child> StartMiner(const TempDir& dir) {
  CopyTool("imitation_miner", dir / "xmrig");
  return std::make_unique<Child>(
      dir / "xmrig",
      std::vector<std::string>{dir / "xmrig", "-o", "stratum+tcp://pool.supportxmr.com:443",
                               "--donate-level", "1"});
}

// Runs the imitation miner as seed 000's /tmp/javae in a container named
// `name` on `network`, and waits for the daemon's proc.miner alert about it.
std::optional<nlohmann::json> MinerInContainer(Podman& podman, const Daemon& d,
                                               const std::string& name, const std::string& network,
                                               std::string& id) {
  id = podman.RunDetached(name, {"--network", network},
                          {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-u", "x"});
  if (id.empty()) return std::nullopt;
  return d.WaitFor(
      [&](const nlohmann::json& a) {
        return a.value("check", "") == "proc.miner" && a["container"].is_object() &&
               a["container"]["id"] == id;
      },
      20s);
}

class WatchTest : public testing::Test {
 protected:
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "deminer watch needs root (netlink, fanotify)";
  }
  TempDir dir_;
};

TEST_F(WatchTest, AlertsOnAMinerStartedFromTmpWithinMilliseconds) {
  Daemon d({});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner =
      StartImitation(dir, "xmrig",
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

TEST_F(WatchTest, WithoutFanotifyInotifyStillSeesTheDrop) {
  Daemon d({}, {{"DEMINER_WATCH_FILE_EVENTS", "inotify"}});
  ASSERT_TRUE(d.ready());
  TempDir dir;  // made after the daemon started: marked as inotify reports it
  std::this_thread::sleep_for(200ms);
  CopyTool("imitation_miner", dir / "kdevtmpfsi");
  const auto alert = d.WaitFor(Check("file.exe-in-temp", dir / "kdevtmpfsi"));
  ASSERT_TRUE(alert) << "no alert for the drop";
  EXPECT_FALSE((*alert)["evidence"].contains("written_by")) << "inotify does not say who";
}

TEST_F(WatchTest, BlockExecDeniesRunningAProgramFromATempDir) {
  Daemon d({"--block-exec"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  CopyTool("imitation_miner", dir / "javae");
  // Through a shell, which says why the exec failed: fanotify's deny is EPERM.
  const CommandResult r = RunCommand({"sh", "-c", dir / "javae" + " -o pool.supportxmr.com:443"},
                                     {{"IMITATION_LIFETIME_S", "1"}});
  EXPECT_EQ(r.exit_code, 126);
  EXPECT_NE(r.err.find("not permitted"), std::string::npos) << r.err;
  const auto alert = d.WaitFor(Check("watch.exec-denied", dir / "javae"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["evidence"]["denied"], true);
  EXPECT_EQ((*alert)["evidence"]["sha256"].get<std::string>().size(), 64u);
  // Programs outside temp dirs still run.
  EXPECT_EQ(RunCommand({"true"}).exit_code, 0);
}

TEST_F(WatchTest, BlockExecDeniesAFileWhoseHashIsAnIocAnywhere) {
  // Outside the temp dirs, where only the hash can tell.
  const std::string dir = fmt::format("/var/lib/deminer-it-{}", getpid());
  ASSERT_EQ(RunCommand({"mkdir", "-p", dir}).exit_code, 0);
  std::ofstream(dir + "/worker") << "#!/bin/sh\necho imitation payload $$\n";
  std::ofstream(dir + "/tool") << "#!/bin/sh\necho an ordinary tool\n";
  chmod((dir + "/worker").c_str(), 0755);
  chmod((dir + "/tool").c_str(), 0755);
  const CommandResult sum = RunCommand({"sha256sum", dir + "/worker"});
  ASSERT_EQ(sum.exit_code, 0);
  TempDir rules;
  std::ofstream(rules / "hash-iocs.txt") << sum.out.substr(0, 64) << ";watch_test payload\n";
  Daemon d({"--block-exec", "--rules", rules.path()});
  ASSERT_TRUE(d.ready());
  const CommandResult worker = RunCommand({"sh", "-c", dir + "/worker"});
  const CommandResult tool = RunCommand({"sh", "-c", dir + "/tool"});
  RunCommand({"rm", "-rf", dir});
  EXPECT_EQ(worker.exit_code, 126) << worker.out;
  EXPECT_NE(worker.err.find("not permitted"), std::string::npos) << worker.err;
  EXPECT_EQ(tool.exit_code, 0) << "another file of the same dir runs: " << tool.err;
  EXPECT_EQ(tool.out, "an ordinary tool\n");
  const auto alert = d.WaitFor(Check("watch.exec-denied", dir + "/worker"));
  ASSERT_TRUE(alert);
  EXPECT_NE((*alert)["evidence"]["why"].get<std::string>().find("watch_test payload"),
            std::string::npos);
  EXPECT_EQ(d.Status()["sources"]["exec_blocking_hash_iocs"], true);
}

TEST_F(WatchTest, KillEndsACriticalMinerAndSaysSo) {
  Daemon d({"--respond", "kill"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner = StartMiner(dir);
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["response"][0]["action"], "kill");
  EXPECT_EQ((*alert)["response"][0]["result"], "done");
  int status = 0;
  ASSERT_EQ(waitpid(miner->pid(), &status, 0), miner->pid());
  EXPECT_TRUE(WIFSIGNALED(status));
  EXPECT_EQ(WTERMSIG(status), SIGKILL);
}

TEST_F(WatchTest, DryRunSaysWhatItWouldDoAndDoesNothing) {
  Daemon d({"--respond", "kill", "--dry-run"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner = StartImitation(
      dir, "xmrig", {dir / "xmrig", "-o", "pool.supportxmr.com:443", "--donate-level", "1"});
  ASSERT_TRUE(miner);
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["response"][0]["result"], "dry run: not done");
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

TEST_F(WatchTest, QuarantineTakesTheMinersFileAwayAndRestoreBringsItBack) {
  Daemon d({"--respond", "kill", "--quarantine"});
  ASSERT_TRUE(d.ready());
  TempDir dir;
  auto miner = StartMiner(dir);
  const auto alert = d.WaitFor(Check("proc.miner", dir / "xmrig"));
  ASSERT_TRUE(alert);
  const auto& r = (*alert)["response"];
  ASSERT_EQ(r.size(), 2u) << r.dump();
  EXPECT_EQ(r[0]["action"], "kill");
  EXPECT_EQ(r[1]["action"], "quarantine");
  EXPECT_EQ(r[1]["result"], "done");
  EXPECT_EQ(access((dir / "xmrig").c_str(), F_OK), -1) << "the file is gone from where it ran";

  const CommandResult listed =
      RunDeminer({"quarantine", "list", "--state-dir", d.state(), "--format", "json"});
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  const auto entries = nlohmann::json::parse(listed.out);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0]["path"], dir / "xmrig");
  EXPECT_EQ(entries[0]["sha256"], r[1]["sha256"]);
  const CommandResult restored =
      RunDeminer({"quarantine", "restore", entries[0]["id"], "--state-dir", d.state()});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_EQ(access((dir / "xmrig").c_str(), X_OK), 0) << "back, executable as it was";
}

TEST_F(WatchTest, BlockRemoteDropsTrafficToThePoolInAnNftablesSet) {
  if (RunCommand({"nft", "--version"}).exit_code != 0) GTEST_SKIP() << "nft not installed";
  // A pool in a network namespace made for the test, behind a veth pair.
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  const std::string host_if = fmt::format("dmw{}", getpid() % 100000);
  const std::string pool = fmt::format("10.{}.{}.2", 100 + getpid() % 100, getpid() % 250);
  const std::string local = pool.substr(0, pool.size() - 1) + "1";
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{
           {"ip", "link", "add", host_if, "type", "veth", "peer", "name", "eth0", "netns",
            ns.name()},
           {"ip", "addr", "add", local + "/30", "dev", host_if},
           {"ip", "link", "set", host_if, "up"},
           {"ip", "-n", ns.name(), "addr", "add", pool + "/30", "dev", "eth0"},
           {"ip", "-n", ns.name(), "link", "set", "eth0", "up"}}) {
    const CommandResult r = RunCommand(cmd);
    ASSERT_EQ(r.exit_code, 0) << cmd[0] << " " << cmd[1] << ": " << r.err;
  }
  // busybox nc ends a connection when its stdin ends: a sleep keeps it open.
  Child listener("/usr/bin/ip", {"ip", "netns", "exec", ns.name(), "sh", "-c",
                                 "sleep 60 | busybox nc -l -p 3333 >/dev/null"});
  // Every connection to a pool port, blocked (the catch-all floor is critical;
  // a pool port from a process that does not look like a miner is medium).
  const std::string config = dir_ / "watch.yaml";
  std::ofstream(config) << R"(policies:
  - {check: net.pool-connection, at: medium, block: true}
)";
  // The daemon's own table, fresh, so that its counters start at 0.
  RunCommand({"nft", "delete", "table", "inet", "deminer"});
  Daemon d({"--config", config});
  ASSERT_TRUE(d.ready());
  std::this_thread::sleep_for(300ms);
  Child client("/bin/sh", {"sh", "-c", "sleep 60 | busybox nc " + pool + " 3333 >/dev/null"});
  const auto alert = d.WaitFor(Check("net.pool-connection", pool), 15s);
  // And traffic to the pool is dropped: a new connection's SYN meets the rule.
  const CommandResult again = RunCommand({"busybox", "nc", "-w", "1", pool, "3333"});
  const CommandResult chain = RunCommand({"nft", "list", "chain", "inet", "deminer", "output"});
  RunCommand({"ip", "link", "del", host_if});
  ASSERT_TRUE(alert);
  EXPECT_NE(again.exit_code, 0);
  EXPECT_EQ(chain.out.find("@blocked4 counter packets 0 "), std::string::npos) << chain.out;
  EXPECT_NE(chain.out.find("@blocked4 counter packets"), std::string::npos) << chain.out;
  const auto& r = (*alert)["response"];
  ASSERT_EQ(r.size(), 1u) << r.dump();
  EXPECT_EQ(r[0]["action"], "block");
  EXPECT_EQ(r[0]["address"], pool);
  EXPECT_EQ(r[0]["result"], "done") << r.dump();
  const CommandResult set = RunCommand({"nft", "list", "set", "inet", "deminer", "blocked4"});
  RunCommand({"nft", "delete", "table", "inet", "deminer"});
  EXPECT_NE(set.out.find(pool), std::string::npos) << set.out << set.err;
}

TEST_F(WatchTest, SighupReopensTheOutputAndReloadsTheRules) {
  TempDir rules;
  // A rule the daemon does not have at start: a miner name of this test's own.
  Daemon d({"--rules", rules.path()});
  ASSERT_TRUE(d.ready());
  std::ofstream(rules / "names.yaml") << R"(miner_names:
  - source: "watch_test"
    entries: ["deminer-it-reload"]
)";
  ASSERT_EQ(rename(d.path("alerts.jsonl").c_str(), d.path("rotated.jsonl").c_str()), 0);
  ASSERT_EQ(kill(d.pid(), SIGHUP), 0);
  std::this_thread::sleep_for(500ms);
  TempDir dir;
  auto miner = StartImitation(dir, "deminer-it-reload", {dir / "deminer-it-reload"});
  ASSERT_TRUE(miner);
  const auto alert = d.WaitFor(Check("proc.miner", "deminer-it-reload"));
  EXPECT_TRUE(alert) << "the reloaded rules name it, in the new output file";
}

TEST(WatchUnitFileTest, TheSystemdUnitVerifies) {
  if (RunCommand({"systemd-analyze", "--version"}).exit_code != 0) {
    GTEST_SKIP() << "systemd-analyze not installed";
  }
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/packaging/deminer-watch.service");
  std::stringstream buf;
  buf << in.rdbuf();
  std::string unit = buf.str();
  const std::string shipped = "/usr/local/bin/deminer";
  ASSERT_NE(unit.find(shipped), std::string::npos);
  unit.replace(unit.find(shipped), shipped.size(), DEMINER_BINARY);
  TempDir dir;
  std::ofstream(dir / "deminer-watch.service") << unit;
  const CommandResult r = RunCommand({"systemd-analyze", "verify", dir / "deminer-watch.service"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "") << "every directive understood";
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
  std::string id;
  const auto alert = MinerInContainer(podman, d, name, "none", id);
  ASSERT_TRUE(alert);
  EXPECT_EQ((*alert)["container"]["name"], name);
  EXPECT_EQ((*alert)["container"]["image"], podman.image());
  EXPECT_EQ((*alert)["response"][0]["action"], "pause");
  EXPECT_EQ((*alert)["response"][0]["result"], "done");
  const CommandResult state =
      RunCommand({"podman", "inspect", "--format", "{{.State.Status}}", id}, podman.Env());
  EXPECT_EQ(state.out, "paused\n") << state.err;
  // Unpaused, so that the harness can remove it.
  RunCommand({"podman", "unpause", id}, podman.Env());
}

TEST_F(WatchTest, SustainedCpuOfAProcessAndOfItsContainer) {
  Podman podman;
  ASSERT_TRUE(podman.ok()) << podman.why_not();
  const std::string config = dir_ / "watch.yaml";
  std::ofstream(config) << "intervals: {processes: 2}\n";  // two busy intervals: 4 s
  Daemon d({"--config", config}, {{"DOCKER_HOST", "unix://" + podman.socket()}});
  ASSERT_TRUE(d.ready());
  // A quiet name and command line: only its CPU gives it away.
  const std::string name = fmt::format("deminer-it-cpu-{}", getpid());
  const std::string id = podman.RunDetached(
      name, {"--network", "none", "-e", "IMITATION_BURN_MS=30000"}, {"/tmp/javae", "--serve"});
  ASSERT_FALSE(id.empty());
  const auto of_container = [&](const nlohmann::json& a) {
    return a.value("check", "") == "watch.sustained-cpu" && a["container"].is_object() &&
           a["container"]["id"] == id;
  };
  const auto process = d.WaitFor(
      [&](const nlohmann::json& a) { return of_container(a) && a["evidence"].contains("pid"); },
      20s);
  const auto container = d.WaitFor(
      [&](const nlohmann::json& a) {
        return of_container(a) && a["subject"].get<std::string>().starts_with("container ");
      },
      5s);
  ASSERT_TRUE(process);
  ASSERT_TRUE(container);
  EXPECT_GE((*process)["evidence"]["cores"].get<double>(), 0.8);
  EXPECT_EQ((*container)["container"]["name"], name);
  EXPECT_GE((*container)["evidence"]["busy_for_s"].get<double>(), 4.0);
}

TEST_F(WatchTest, DisconnectCutsTheContainersNetworksAndKeepsItRunning) {
  Podman podman;
  ASSERT_TRUE(podman.ok()) << podman.why_not();
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman.socket()}};
  Daemon d({"--respond-container", "disconnect"}, env);
  ASSERT_TRUE(d.ready());
  const std::string name = fmt::format("deminer-it-disconnect-{}", getpid());
  std::string id;
  const auto alert = MinerInContainer(podman, d, name, "podman", id);
  ASSERT_TRUE(alert);
  const auto& r = (*alert)["response"][0];
  EXPECT_EQ(r["action"], "disconnect");
  EXPECT_EQ(r["result"], "done") << r.dump();
  EXPECT_EQ(r["networks"], nlohmann::json::array({"podman"}));
  const CommandResult state = RunCommand(
      {"podman", "inspect", "--format", "{{.State.Status}} {{len .NetworkSettings.Networks}}", id},
      podman.Env());
  EXPECT_EQ(state.out, "running 0\n") << state.err;
}

}  // namespace
}  // namespace deminer::it
