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

inline std::vector<Finding> RunCheck(const Check& check, Facts& facts) {
  facts.Index();
  std::vector<Finding> out;
  check.run(CheckContext{facts, DefaultRules()}, out);
  return out;
}

}  // namespace deminer
