// Integration-test harness: real processes, loopback sockets, network
// namespaces and Podman containers, and the deminer binary run as a user runs
// it. Everything a test starts is stopped and removed when its owner object is
// destroyed, also when the test fails.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace deminer::it {

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

// A network namespace with loopback up, deleted on destruction.
class NetNs {
 public:
  NetNs();
  ~NetNs();
  NetNs(const NetNs&) = delete;
  NetNs& operator=(const NetNs&) = delete;
  const std::string& name() const { return name_; }
  bool ok() const { return ok_; }

 private:
  std::string name_;
  bool ok_ = false;
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

}  // namespace deminer::it
