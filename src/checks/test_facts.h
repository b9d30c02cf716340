// Test helper: small hand-built Facts for check tests (no /proc needed).
#pragma once

#include <string>
#include <vector>

#include "checks/check.h"
#include "match/test_rules.h"
#include "sources/facts.h"

namespace deminer {

inline Process MakeProcess(int pid, int ppid, std::vector<std::string> argv, std::string exe = "") {
  Process p;
  p.pid = pid;
  p.ppid = ppid;
  p.state = 'S';
  p.argv = std::move(argv);
  p.exe = exe.empty() && !p.argv.empty() ? p.argv[0] : exe;
  p.comm = p.DisplayName().substr(0, 15);
  p.netns = 4026531833;
  return p;
}

// pid 1 init and pid 700 "node server.js"; tests add their own processes.
inline Facts BaseFacts() {
  Facts f;
  f.host.hostname = "test";
  f.host.clock_ticks = 100;
  f.host.uptime_s = 10000;
  f.host.boot_time = 1700000000;
  f.host.own_pid = 99999;
  f.host.own_netns = 4026531833;
  f.processes.push_back(MakeProcess(1, 0, {"/sbin/init"}, "/usr/lib/systemd/systemd"));
  f.processes.push_back(MakeProcess(700, 1, {"node", "server.js"}, "/usr/local/bin/node"));
  return f;
}

// An established TCP connection from 10.0.0.5:50000.
inline Socket MakeSocket(std::string remote, uint16_t port, uint64_t inode,
                         int state = 1 /* TCP_ESTABLISHED */) {
  Socket s;
  s.local_addr = "10.0.0.5";
  s.local_port = 50000;
  s.remote_addr = std::move(remote);
  s.remote_port = port;
  s.state = state;
  s.inode = inode;
  return s;
}

// A regular file the files scope saw.
inline FileEntry MakeFile(std::string path, FileEntry::Content content, uint32_t mode = 0755) {
  FileEntry e;
  e.path = std::move(path);
  e.area = "temp";
  e.content = content;
  e.mode = mode;
  e.size = 4096;
  e.mtime = e.ctime = 1700000000;
  return e;
}

// A persistence file with its commands, as ReadPersistence would give it.
inline PersistItem MakeItem(PersistKind kind, std::string path,
                            std::vector<PersistCommand> commands, int64_t mtime = 1600000000) {
  PersistItem i;
  i.kind = kind;
  i.path = std::move(path);
  i.commands = std::move(commands);
  i.mtime = i.ctime = mtime;
  i.packaged = true;
  return i;
}

inline std::vector<Finding> RunCheck(const Check& check, Facts& facts,
                                     const RulePack& rules = DefaultRules()) {
  facts.Index();
  std::vector<Finding> out;
  check.run(CheckContext{facts, rules}, out);
  return out;
}

// A live container with the seven layers of seeds 000 and 001 (read-only root,
// noexec /tmp and /var/tmp, cap-drop ALL, no-new-privileges, limits, a user,
// a database port on loopback only): no container check reports it.
inline ContainerConfig HardenedContainer(std::string name = "hard") {
  ContainerConfig c;
  c.source = ConfigSource::kLive;
  c.name = name;
  c.ref.id = "c0ffee" + name;
  c.ref.name = name;
  c.image = "app:1";
  c.read_only_rootfs = true;
  c.mounts.push_back({"tmpfs", "", "/tmp", false, "rw,noexec,nosuid,nodev", 0});
  c.mounts.push_back({"tmpfs", "", "/var/tmp", false, "rw,noexec,nosuid,nodev", 0});
  c.cap_drop = {"ALL"};
  c.no_new_privileges = true;
  c.memory_limit = 64 << 20;
  c.cpu_limit = 0.5;
  c.pids_limit = 64;
  c.user = "1000:1000";
  c.ports.push_back({"127.0.0.1", 5432, 5432, "tcp", true, 0});
  c.tools_known = true;
  c.entrypoint = {"node", "server.js"};
  return c;
}

// Runs `check` over facts holding `configs` only.
inline std::vector<Finding> RunOnConfigs(const Check& check, std::vector<ContainerConfig> configs) {
  Facts facts = BaseFacts();
  facts.container_configs = std::move(configs);
  return RunCheck(check, facts);
}

}  // namespace deminer
