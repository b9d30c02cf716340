// The containers scope against real containers through Podman's Docker API:
// one run with the seeds' weak defaults (and worse), one with the seven layers
// of seed 000's recipe, a privileged one, an attacker's stopped miner
// container; then `deminer harden`, whose flags are run for real and whose
// Compose override `docker-compose config` must accept.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;


// Every hardening flag of seed 000's recipe, with a database port on loopback.
std::vector<std::string> SevenLayers(int port, const std::string& network) {
  return {"--read-only",
          "--tmpfs",
          "/tmp:rw,noexec,nosuid,nodev,size=16m",
          "--tmpfs",
          "/var/tmp:rw,noexec,nosuid,nodev,size=16m",
          "--cap-drop",
          "ALL",
          "--security-opt",
          "no-new-privileges",
          "--memory",
          "64m",
          "--cpus",
          "0.5",
          "--pids-limit",
          "64",
          "--user",
          "1000:1000",
          "-p",
          fmt::format("127.0.0.1:{}:5432", port),
          "--network",
          network};
}

class ContainerAuditTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    podman_ = new Podman();
    if (!podman_->ok()) return;
    // An image with no shell, downloader or busybox: /app/sleep is busybox
    // under the name of the one applet the container runs.
    rootfs_ = new TempDir();
    fs::create_directories(*rootfs_ / "rootfs/app");
    fs::create_directories(*rootfs_ / "rootfs/tmp");
    fs::copy_file("/bin/busybox", *rootfs_ / "rootfs/app/sleep");
    lean_image_ = fmt::format("localhost/deminer-it-lean-{}:1", getpid());
    if (!podman_->ImportImage(*rootfs_ / "rootfs", lean_image_)) lean_image_.clear();
  }
  static void TearDownTestSuite() {
    delete podman_;
    delete rootfs_;
    podman_ = nullptr;
    rootfs_ = nullptr;
  }
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "rootful Podman needs root";
    ASSERT_TRUE(podman_->ok()) << podman_->why_not();
    ASSERT_FALSE(lean_image_.empty());
  }
  static std::map<std::string, std::string> Env() {
    auto env = podman_->Env();
    env["DOCKER_HOST"] = "unix://" + podman_->socket();
    return env;
  }
  static nlohmann::json Scan() { return ScanJson({"--only", "containers"}, Env()); }
  static std::string Name(const std::string& what) {
    return fmt::format("audit-{}-{}", what, getpid());
  }
  // Ports per test process, so runs side by side do not collide.
  static int Port(int n) { return 20000 + (getpid() % 5000) * 4 + n; }

  static Podman* podman_;
  static TempDir* rootfs_;
  static std::string lean_image_;
};
Podman* ContainerAuditTest::podman_ = nullptr;
TempDir* ContainerAuditTest::rootfs_ = nullptr;
std::string ContainerAuditTest::lean_image_;

// Checks that reported something about container `name`.
std::multiset<std::string> ChecksAbout(const nlohmann::json& scan, const std::string& name) {
  std::multiset<std::string> out;
  for (const auto& f : scan["findings"]) {
    if (f["container"].is_object() && f["container"]["name"] == name) {
      out.insert(f["check"].get<std::string>());
    }
  }
  return out;
}

TEST_F(ContainerAuditTest, WeakContainerHasEachWeaknessAndTheSevenLayersNone) {
  const std::string weak = Name("weak");
  const std::string hard = Name("hard");
  const std::string priv = Name("priv");
  ASSERT_FALSE(
      podman_
          ->RunDetached(weak,
                        {"--cap-add", "SYS_ADMIN", "--security-opt", "seccomp=unconfined", "--pid",
                         "host", "-v", podman_->socket() + ":/var/run/docker.sock", "-p",
                         fmt::format("{}:5432", Port(0)), "--pids-limit", "-1", "--label",
                         "com.docker.compose.project=shop"},
                        {"sleep", "600"})
          .empty());
  // The seventh layer: a network of its own.
  const std::string net = Name("net");
  ASSERT_EQ(RunCommand({"podman", "network", "create", net}, podman_->Env()).exit_code, 0);
  struct NetGone {
    std::string name;
    ~NetGone() { RunCommand({"podman", "network", "rm", "-f", name}, podman_->Env()); }
  } net_gone{net};
  ASSERT_FALSE(
      podman_->RunDetached(hard, SevenLayers(Port(1), net), {"/app/sleep", "600"}, lean_image_)
          .empty());
  ASSERT_FALSE(
      podman_->RunDetached(priv, {"--privileged", "--network", "none"}, {"sleep", "600"}).empty());

  const nlohmann::json scan = Scan();
  EXPECT_GE(scan["counts"]["containers"].get<int>(), 3);  // every container judged is counted
  const auto weak_checks = ChecksAbout(scan, weak);
  for (const char* check :
       {"container.writable-root", "container.exec-tmp", "container.no-new-privileges",
        "container.unconfined", "container.host-namespace", "container.sensitive-mount",
        "container.root-user", "container.no-limits", "container.exposed-port",
        "container.image-tools", "container.default-network"}) {
    EXPECT_EQ(weak_checks.count(check), 1u) << check << "\n" << scan.dump(1);
  }
  EXPECT_EQ(weak_checks.count("container.capabilities"), 2u);  // SYS_ADMIN added, defaults kept
  EXPECT_EQ(weak_checks.count("container.privileged"), 0u);
  EXPECT_TRUE(ChecksAbout(scan, hard).empty()) << scan.dump(1);
  EXPECT_EQ(ChecksAbout(scan, priv).count("container.privileged"), 1u);

  for (const auto& f : scan["findings"]) {
    if (!f["container"].is_object() || f["container"]["name"] != weak) continue;
    EXPECT_EQ(f["container"]["compose_project"], "shop");
    EXPECT_EQ(f["container"]["runtime"], "podman");
    EXPECT_EQ(f["kind"], "weakness");
    if (f["check"] == "container.exposed-port") {
      EXPECT_EQ(f["evidence"]["service"], "PostgreSQL");
      EXPECT_EQ(f["evidence"]["host_port"], Port(0));
    }
    if (f["check"] == "container.sensitive-mount") {
      EXPECT_EQ(f["severity"], "critical");
    }
    if (f["check"] == "container.no-limits") {
      EXPECT_EQ(f["evidence"]["missing"], nlohmann::json::array({"CPU", "memory", "PIDs"}));
    }
    if (f["check"] == "container.exec-tmp") {
      EXPECT_EQ(f["evidence"]["why"][0], "/tmp is on the writable root file system");
    }
  }
}

// What attackers who reach a Docker API leave behind: their own container
// with a miner as its command. Made, never started.
TEST_F(ContainerAuditTest, AStoppedContainerWhoseCommandIsAMinerIsCompromise) {
  const std::string evil = Name("evil");
  ASSERT_FALSE(podman_
                   ->Create(evil, {"--network", "none"},
                            {"/tmp/javae", "-o", "pool.supportxmr.com:443", "-u", kSeedWallet})
                   .empty());
  const nlohmann::json scan = Scan();
  bool found = false;
  for (const auto& f : FindingsOf(scan, "container.suspicious-command")) {
    if (f["container"]["name"] != evil) continue;
    found = true;
    EXPECT_EQ(f["kind"], "compromise");
    EXPECT_EQ(f["severity"], "critical");
    EXPECT_NE(f["evidence"]["command"].get<std::string>().find("pool.supportxmr.com"),
              std::string::npos);
  }
  EXPECT_TRUE(found) << scan.dump(1);
}

// `deminer harden NAME` prints docker run flags; run them (through podman,
// which takes the same flags) and the new container has no weakness left but
// the image's own busybox, which only a rebuild removes.
TEST_F(ContainerAuditTest, HardenFlagsRecreateTheContainerWithoutItsWeaknesses) {
  const std::string name = Name("reharden");
  ASSERT_FALSE(podman_
                   ->RunDetached(name,
                                 {"--cap-add", "NET_ADMIN", "--ipc", "host", "-p",
                                  fmt::format("{}:6379", Port(2)), "--tmpfs", "/cache:size=1m"},
                                 {"sleep", "600"})
                   .empty());
  const CommandResult harden = RunDeminer({"harden", name}, Env());
  ASSERT_EQ(harden.exit_code, 0) << harden.err;
  EXPECT_NE(harden.out.find(fmt::format("-p 127.0.0.1:{}:6379", Port(2))), std::string::npos)
      << harden.out;
  EXPECT_NE(harden.out.find("# left out: --cap-add NET_ADMIN"), std::string::npos);
  EXPECT_NE(harden.out.find("# left out: --ipc=host"), std::string::npos);
  EXPECT_NE(harden.out.find("--tmpfs /cache:size=1m"), std::string::npos);  // its own, kept

  TempDir dir;
  // podman takes docker's flags; the old container goes first, as the script says.
  std::string script = "docker() { podman \"$@\"; }\n" + harden.out;
  const size_t run = script.find("\ndocker run ");
  ASSERT_NE(run, std::string::npos);
  script.insert(run + 1, fmt::format("podman rm -f -t 0 {} >/dev/null\n", name));
  EXPECT_NE(script.find(fmt::format("docker network create {}-net", name)), std::string::npos);
  struct NetGone {
    std::string name;
    ~NetGone() { RunCommand({"podman", "network", "rm", "-f", name}, podman_->Env()); }
  } net_gone{name + "-net"};
  std::ofstream(dir / "harden.sh") << script;
  const CommandResult ran = RunCommand({"bash", dir / "harden.sh"}, Env());
  ASSERT_EQ(ran.exit_code, 0) << ran.err << "\n" << script;

  const nlohmann::json scan = Scan();
  EXPECT_EQ(ChecksAbout(scan, name), std::multiset<std::string>{"container.image-tools"})
      << scan.dump(1);
}

// An image with a planted miner and cron entry, saved by Podman in both of
// its formats: the files, persistence and containers scopes read the
// image's merged layers and config, and name the image in each finding.
TEST_F(ContainerAuditTest, SavedImageArchivesAreScannedLayersAndConfig) {
  const std::string name = Name("planted");
  const std::string plant =
      "mkdir -p /tmp/.x /etc/cron.d && cp /tmp/javae /tmp/.x/xmrig && "
      "echo '* * * * * root /tmp/.x/xmrig -o pool.supportxmr.com:443' > /etc/cron.d/evil";
  ASSERT_FALSE(podman_->Create(name, {"--network", "none"}, {"sh", "-c", plant}).empty());
  ASSERT_EQ(RunCommand({"podman", "start", "--attach", name}, podman_->Env()).exit_code, 0);
  const std::string image = fmt::format("localhost/deminer-it-planted-{}:1", getpid());
  ASSERT_EQ(
      RunCommand({"podman", "commit", "-q", "--change", "EXPOSE 6379", name, image}, podman_->Env())
          .exit_code,
      0);
  struct ImageGone {
    std::string image;
    std::map<std::string, std::string> env;
    ~ImageGone() { RunCommand({"podman", "rmi", "-f", image}, env); }
  } gone{image, podman_->Env()};
  TempDir dir;
  for (const char* format : {"docker-archive", "oci-archive"}) {
    const std::string tar = dir / (std::string(format) + ".tar");
    ASSERT_EQ(
        RunCommand({"podman", "save", "-q", "--format", format, "-o", tar, image}, podman_->Env())
            .exit_code,
        0);
    const nlohmann::json scan = ScanJson({"--only", "files,persistence,containers", tar});
    const std::string ref = image;
    const auto about_image = [&](const std::string& check) {
      std::vector<nlohmann::json> out;
      for (const auto& f : FindingsOf(scan, check)) {
        if (f["container"].is_object() && f["container"]["runtime"] == "image" &&
            f["container"]["name"].get<std::string>().find("deminer-it-planted") !=
                std::string::npos) {
          out.push_back(f);
        }
      }
      return out;
    };
    const auto programs = about_image("file.exe-in-temp");
    ASSERT_FALSE(programs.empty()) << format << "\n" << scan.dump(1);
    bool miner = false;
    for (const auto& f : programs)
      miner |= f["subject"].get<std::string>().find("/tmp/.x/xmrig") == 0;
    EXPECT_TRUE(miner) << format;
    EXPECT_FALSE(about_image("file.hidden").empty()) << format;
    EXPECT_FALSE(about_image("persist.cron").empty()) << format << "\n" << scan.dump(1);
    EXPECT_FALSE(about_image("container.root-user").empty()) << format;
    EXPECT_FALSE(about_image("container.image-tools").empty()) << format;
    EXPECT_FALSE(about_image("container.exposed-port").empty()) << format;  // EXPOSE 6379
    // Nothing of the image is left in the work dir or shown as the host's.
    for (const auto& f : scan["findings"]) {
      EXPECT_EQ(f["subject"].get<std::string>().find("unpack."), std::string::npos) << f.dump();
    }
  }
}

// The Compose override for the seeds' weak project: docker-compose accepts
// it, and the merged result, scanned again, keeps only what needs an edit of
// the base file (which the override lists with its line).
TEST(ContainerHardenComposeTest, OverrideIsAcceptedByDockerComposeAndClosesWhatItCan) {
  ASSERT_EQ(RunCommand({"docker-compose", "version"}).exit_code, 0)
      << "docker-compose is not installed (scripts/deps.sh installs Debian's)";
  TempDir dir;
  fs::copy_file(
      std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/containers/weak/docker-compose.yml",
      dir / "docker-compose.yml");
  const CommandResult harden = RunDeminer({"harden", dir / "docker-compose.yml"});
  ASSERT_EQ(harden.exit_code, 0) << harden.err;
  std::ofstream(dir / "hardened.yml") << harden.out;
  EXPECT_NE(harden.out.find(":20: ports \"5432:5432\" -> \"127.0.0.1:5432:5432\""),
            std::string::npos)
      << harden.out;

  const CommandResult merged =
      RunCommand({"docker-compose", "--project-directory", dir.path(), "-f",
                  dir / "docker-compose.yml", "-f", dir / "hardened.yml", "config"});
  ASSERT_EQ(merged.exit_code, 0) << merged.err << "\n" << harden.out;
  std::ofstream(dir / "docker-compose.merged.yml") << merged.out;

  const nlohmann::json before = ScanJson({"--only", "containers", dir / "docker-compose.yml"});
  const nlohmann::json after =
      ScanJson({"--only", "containers", dir / "docker-compose.merged.yml"});
  std::multiset<std::string> left;
  for (const auto& f : after["findings"]) left.insert(f["check"].get<std::string>());
  // What only a base-file edit removes: the socket, pid: host, SYS_ADMIN, the
  // public port. And postgres keeps no user of its own (low): its image's
  // entrypoint starts as root to own its data dir, then steps down itself.
  const std::multiset<std::string> edits = {"container.sensitive-mount", "container.host-namespace",
                                            "container.capabilities", "container.exposed-port",
                                            "container.root-user"};
  EXPECT_EQ(left, edits) << after.dump(1);
  EXPECT_GT(before["findings"].size(), after["findings"].size() + 8);
}

}  // namespace
}  // namespace deminer::it
