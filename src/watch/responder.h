// What the watch daemon does beyond an alert, when a policy asks: suspend
// or kill the process, quarantine its file, block its remote address, pause,
// stop or disconnect its container. Every action comes back as a JSON record
// of what it acted on and how it went; the allow-list and --dry-run hold any
// of them back. Thread-safe: the daemon's threads share one.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "sources/facts.h"
#include "watch/nft_block.h"
#include "watch/policy.h"

namespace deminer {

struct ResponderOptions {
  std::vector<Policy> policies;
  std::vector<std::string> allow;  // executables, process or container names, paths, addresses
  bool dry_run = false;
  std::string state_dir;  // the quarantine lives in STATE/quarantine
  unsigned block_timeout_s = 24 * 3600;
  int self_pid = 0;
  uint64_t own_mntns = 0;
  // A pid inside a container (to reach its files through /proc/PID/root), or 0.
  std::function<int(const std::string& container_id)> container_pid;
};

class Responder {
 public:
  explicit Responder(ResponderOptions options);

  // The actions the first matching policy asks for, done (or held back), as
  // an array of records; null when none applies. `p`: the finding's process
  // as read at the event, or null (then it is read by the finding's pid).
  nlohmann::ordered_json Respond(const Finding& f, const Process* p);

  uint64_t done() const { return done_; }  // actions carried out

 private:
  bool HeldBack(nlohmann::ordered_json& r, std::initializer_list<std::string_view> names) const;
  nlohmann::ordered_json RespondProcess(const Process& p, Response action);
  nlohmann::ordered_json RespondQuarantine(const Finding& f, const Process* p);
  nlohmann::ordered_json RespondBlock(const std::string& remote);
  nlohmann::ordered_json RespondContainer(const ContainerRef& c, const std::string& action);

  const std::vector<Policy> policies_;
  const std::vector<std::string> allow_;
  const bool dry_run_;
  const std::string state_dir_;
  const unsigned block_timeout_s_;
  const int self_pid_;
  const uint64_t own_mntns_;
  const std::function<int(const std::string&)> container_pid_;

  mutable std::mutex mu_;
  NftBlocker blocker_;                      // mu_
  std::set<std::string> acted_containers_;  // mu_: paused or stopped once is enough
  std::atomic<uint64_t> done_{0};
};

}  // namespace deminer
