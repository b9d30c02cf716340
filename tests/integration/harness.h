// Integration-test harness: real processes, loopback sockets, network
// namespaces and Podman containers, and the deminer binary run as a user runs
// it. Everything a test starts is stopped and removed when its owner object is
// destroyed, also when the test fails.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deminer::it {

// Seed 000's wallet: a real Monero address, in the imitation miners' command lines.
inline constexpr const char* kSeedWallet =
    "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks"
    "2";

// A temp directory under /tmp, removed with its contents.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }
  std::string operator/(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A started program, killed (SIGKILL, then reaped) on destruction.
class Child {
 public:
  // Runs `exe` with `argv` (argv[0] included) and extra environment entries.
  Child(const std::string& exe, const std::vector<std::string>& argv,
        const std::map<std::string, std::string>& env = {});
  ~Child();
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
};

// Copies the harmless imitation miner to `dir/name`, starts it with `argv`
// (argv[0] included) and `env`, and waits until it has set up its sockets and
// children (IMITATION_READY). Null when it did not get ready in time.
std::unique_ptr<Child> StartImitation(const TempDir& dir, const std::string& name,
                                      const std::vector<std::string>& argv,
                                      std::map<std::string, std::string> env = {});

// Waits until `path` exists; false after `timeout`.
bool WaitForFile(const std::string& path,
                 std::chrono::milliseconds timeout = std::chrono::seconds(10));
// Copies the harmless imitation miner (or another tool of the test build) to `dest`.
void CopyTool(const std::string& tool, const std::string& dest);
std::string ToolPath(const std::string& tool);

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};
// Runs a command (argv[0] looked up in PATH) and captures its output.
CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env = {});
// Runs build/deminer with `args`.
CommandResult RunDeminer(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env = {});
// `deminer scan --format json ARGS`, parsed; fails the test on bad JSON.
nlohmann::json ScanJson(const std::vector<std::string>& args = {},
                        const std::map<std::string, std::string>& env = {},
                        int* exit_code = nullptr);

// Findings of one check whose subject contains `needle`.
std::vector<nlohmann::json> FindingsOf(const nlohmann::json& scan, const std::string& check,
                                       const std::string& needle = "");

// The rule directory that describes this CI machine's own infrastructure.
std::string MachineRulesDir();

// Why tests of namespaces with rule sets, listeners and PostgreSQL cannot run
// here ("" when they can): they need root, nft, busybox and ss.
std::string WhyNoNetnsTests();

// A network namespace with loopback up, deleted on destruction.
class NetNs {
 public:
  NetNs();
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;
  const std::string& name() const { return name_; }
  bool ok() const { return ok_; }
  // Waits until the namespace lists TCP listeners on all `ports`; false after 5 s.
  bool WaitListening(const std::vector<uint16_t>& ports) const;
  // A persistent TCP listener on `port` of every address, in the namespace
  // (busybox nc -ll: answers each connection and closes it); null when it
  // did not start listening.
  std::unique_ptr<Child> Listen(uint16_t port) const;

 private:
  std::string name_;
  bool ok_ = false;
};

// A free TCP port on loopback (bound and released; good enough for a test).
uint16_t FreePort();

// A PostgreSQL server of Debian's packages in a temp dir, run as the postgres
// user (so the test needs root), stopped on destruction. By default it listens
// on its temp dir's Unix socket only, with trust auth, and logs every statement.
class Postgres {
 public:
  struct Options {
    std::string listen_addresses;  // "" (Unix socket only), "*", "127.0.0.1"
    uint16_t port = 0;             // 0: a free port
    std::string auth = "trust";    // initdb -A: trust, scram-sha-256 (superuser password "secret")
    std::vector<std::string> settings;  // more "-c name=value" settings
    std::string netns;  // run the server in this named network namespace (ip netns exec)
  };
  Postgres() : Postgres(Options{}) {}
  explicit Postgres(Options options);
  ~Postgres();
  Postgres(const Postgres&) = delete;
  Postgres& operator=(const Postgres&) = delete;

  bool ok() const { return ok_; }
  const std::string& why_not() const { return why_not_; }
  uint16_t port() const { return port_; }
  std::string log() const { return dir_ / "postgresql.log"; }
  std::string data_dir() const { return dir_ / "data"; }
  const TempDir& dir() const { return dir_; }  // also the Unix socket's directory
  // Runs SQL with psql as postgres over the Unix socket; errors are returned, not fatal.
  CommandResult Sql(const std::string& sql) const;
  // Rewrites pg_hba.conf and postgresql.auto.conf settings, then reloads.
  bool Reconfigure(const std::string& pg_hba, const std::vector<std::string>& alter_system);
  // Stops and starts again (for settings a reload does not change: listen_addresses).
  bool Restart();
  // The listen_addresses the next Restart() passes on the command line (which
  // outranks postgresql.conf and ALTER SYSTEM).
  void SetListenAddresses(const std::string& addresses) { options_.listen_addresses = addresses; }
  static std::string BinDir();  // /usr/lib/postgresql/N/bin of the newest N; "" if none

 private:
  static CommandResult AsPostgres(std::vector<std::string> argv);
  bool Start();
  TempDir dir_;
  Options options_;
  std::string bin_;
  uint16_t port_ = 0;
  bool ok_ = false;
  std::string why_not_;
};

// Podman's Docker-compatible API on a temp socket, with a busybox image that
// also holds the imitation miner (see ../shared/containers.md). Containers it
// started are removed and the service stopped on destruction.
class Podman {
 public:
  Podman();
  ~Podman();
  Podman(const Podman&) = delete;
  Podman& operator=(const Podman&) = delete;

  bool ok() const { return ok_; }
  const std::string& why_not() const { return why_not_; }
  const std::string& socket() const { return socket_; }
  const std::string& image() const { return image_; }
  std::map<std::string, std::string> Env() const;  // CONTAINERS_CONF for podman CLI
  // `podman run -d --name NAME ARGS... IMAGE CMD...` (the busybox image unless
  // `image` is given); the container id, or "".
  std::string RunDetached(const std::string& name, const std::vector<std::string>& args,
                          const std::vector<std::string>& cmd, const std::string& image = "");
  // `podman create`: the same, made but not started.
  std::string Create(const std::string& name, const std::vector<std::string>& args,
                     const std::vector<std::string>& cmd, const std::string& image = "");
  // Imports the tree at `rootfs` as image `name` (removed on destruction); false on failure.
  bool ImportImage(const std::string& rootfs, const std::string& name);

 private:
  TempDir dir_;
  std::string socket_;
  std::string image_;
  std::vector<std::string> containers_;
  std::vector<std::string> images_;  // imported besides image_
  std::unique_ptr<Child> service_;
  bool ok_ = false;
  std::string why_not_;
};

// A test suite that shares one Podman service; its tests skip without root
// (rootful Podman) and fail when the service did not start.
class PodmanSuite : public testing::Test {
 protected:
  static void SetUpTestSuite() { podman_ = new Podman(); }
  static void TearDownTestSuite() {
    delete podman_;
    podman_ = nullptr;
  }
  void SetUp() override {
    if (getuid() != 0) GTEST_SKIP() << "rootful Podman needs root";
    ASSERT_TRUE(podman_->ok()) << podman_->why_not();
  }
  static inline Podman* podman_ = nullptr;
};

}  // namespace deminer::it
