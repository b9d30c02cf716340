#include "watch/responder.h"

#include <fmt/format.h>
#include <signal.h>

#include <algorithm>
#include <optional>

#include "core/strings.h"
#include "sources/docker_api.h"
#include "sources/proc_reader.h"
#include "watch/quarantine.h"
#include "watch/response.h"

namespace deminer {
namespace {

// The pid a finding is about: its own, or its socket owner's.
std::optional<int> FindingPid(const Finding& f) {
  for (const auto* e :
       {&f.evidence, f.evidence.contains("process") ? &f.evidence["process"] : nullptr}) {
    if (e == nullptr || !e->is_object()) continue;
    const auto pid = e->find("pid");
    if (pid != e->end() && pid->is_number_integer()) return pid->get<int>();
  }
  return std::nullopt;
}

// Disconnects the container from every network it is on (docker network
// disconnect): the process and its memory stay, its traffic stops.
Expected<std::string> DisconnectNetworks(const DockerApi& api, const std::string& id,
                                         nlohmann::ordered_json& r) {
  auto inspected = api.Get(fmt::format("/containers/{}/json", id));
  if (!inspected) return inspected;
  const auto j = nlohmann::json::parse(*inspected, nullptr, false);
  if (j.is_discarded() || !j.contains("NetworkSettings") || !j["NetworkSettings"].is_object()) {
    return Fail(Error::InvalidInput("container inspect: no NetworkSettings"));
  }
  const auto& networks = j["NetworkSettings"].value("Networks", nlohmann::json::object());
  auto names = nlohmann::ordered_json::array();
  for (auto it = networks.begin(); it != networks.end(); ++it) {
    if (it.key() == "none" || it.key() == "host") continue;
    const nlohmann::json body = {{"Container", id}, {"Force", true}};
    if (auto done = api.Post(fmt::format("/networks/{}/disconnect", it.key()), body.dump());
        !done) {
      return done;
    }
    names.push_back(it.key());
  }
  r["networks"] = std::move(names);
  return std::string();
}

}  // namespace

Responder::Responder(ResponderOptions o)
    : policies_(std::move(o.policies)),
      allow_(std::move(o.allow)),
      dry_run_(o.dry_run),
      state_dir_(std::move(o.state_dir)),
      block_timeout_s_(o.block_timeout_s),
      self_pid_(o.self_pid),
      own_mntns_(o.own_mntns),
      container_pid_(std::move(o.container_pid)) {}

bool Responder::HeldBack(nlohmann::ordered_json& r,
                         std::initializer_list<std::string_view> names) const {
  for (std::string_view n : names) {
    if (!n.empty() && std::find(allow_.begin(), allow_.end(), n) != allow_.end()) {
      r["result"] = fmt::format("refused: in the allow-list ({})", n);
      return true;
    }
  }
  if (dry_run_) {
    r["result"] = "dry run: not done";
    return true;
  }
  return false;
}

// Pauses, stops or disconnects the finding's container, unless the allow-list names it.
// Respond calls it only for findings with a container.
nlohmann::ordered_json Responder::RespondContainer(const ContainerRef& c,
                                                   const std::string& action) {
  nlohmann::ordered_json r{{"action", action},
                           {"container", c.Shown()}};
  if (HeldBack(r, {c.name, c.id})) return r;
  {
    std::lock_guard lock(mu_);
    if (!acted_containers_.insert(c.id + "/" + action).second) {
      r["result"] = "already done";
      return r;
    }
  }
  std::string last_error = "no Docker API socket found";
  for (const std::string& sock : FindDockerSockets("/")) {
    const DockerApi api(sock, 10000);
    auto done = action == "disconnect" ? DisconnectNetworks(api, c.id, r)
                                       : api.Post(fmt::format("/containers/{}/{}", c.id, action));
    if (done) {
      r["result"] = "done";
      ++done_;
      return r;
    }
    last_error = done.error().message();
  }
  r["result"] = "failed: " + last_error;
  return r;
}

nlohmann::ordered_json Responder::Respond(const Finding& f, const Process* p) {
  const Policy* policy = PolicyFor(policies_, f);
  if (policy == nullptr || !policy->Acts()) return nullptr;
  nlohmann::ordered_json done = nlohmann::ordered_json::array();
  std::optional<Process> read;
  if (p == nullptr) {
    if (const std::optional<int> pid = FindingPid(f)) {
      read = ReadOneProcess("/proc", *pid, own_mntns_);
      if (read) p = &*read;
    }
  }
  if (policy->process != Response::kAlert) {
    if (p != nullptr) {
      done.push_back(RespondProcess(*p, policy->process));
    } else if (FindingPid(f)) {
      done.push_back({{"action", ResponseName(policy->process)}, {"result", "process gone"}});
    }
  }
  if (policy->quarantine && !f.path.empty()) done.push_back(RespondQuarantine(f, p));
  if (policy->block) {
    if (const auto remote = f.evidence.find("remote");
        remote != f.evidence.end() && remote->is_string()) {
      done.push_back(RespondBlock(remote->get<std::string>()));
    }
  }
  if (!policy->container.empty() && f.container && !f.container->id.empty()) {
    done.push_back(RespondContainer(*f.container, policy->container));
  }
  if (done.empty()) return nullptr;
  return done;
}

nlohmann::ordered_json Responder::RespondProcess(const Process& p, Response action) {
  nlohmann::ordered_json r;
  r["action"] = ResponseName(action);
  r["pid"] = p.pid;
  r["exe"] = Printable(p.exe);
  if (const std::string why = WhyNotAct(p, self_pid_, allow_); !why.empty()) {
    r["result"] = "refused: " + why;
    return r;
  }
  if (HeldBack(r, {})) return r;
  const int sig = action == Response::kKill ? SIGKILL : SIGSTOP;
  if (auto signalled = SignalProcess(p, sig); signalled) {
    r["result"] = "done";
    ++done_;
  } else {
    r["result"] = "failed: " + signalled.error().message();
  }
  return r;
}

// Moves the finding's file (a process's executable) into the quarantine.
nlohmann::ordered_json Responder::RespondQuarantine(const Finding& f, const Process* p) {
  nlohmann::ordered_json r{{"action", "quarantine"}, {"path", Printable(f.path)}};
  std::string host_path = f.path;
  const std::string container = f.container ? f.container->id : "";
  if (!container.empty()) {
    int via = p != nullptr ? p->pid : 0;
    if (via == 0 && container_pid_) via = container_pid_(container);
    if (via == 0) {
      r["result"] = "failed: no process of the container to reach its files through";
      return r;
    }
    host_path = fmt::format("/proc/{}/root{}", via, f.path);
  }
  if (HeldBack(r, {f.path})) return r;
  auto q = Quarantine(state_dir_, host_path, f.path, container, f.check + " " + f.subject);
  if (!q) {
    r["result"] = "failed: " + q.error().message();
    return r;
  }
  ++done_;
  r["result"] = "done";
  r["id"] = q->id;
  r["sha256"] = q->sha256;
  if (q->attr_flags != 0) r["attributes_cleared"] = q->attr_flags;
  return r;
}

// Adds the remote address of a connection finding ("1.2.3.4:3333",
// "[2001:db8::1]:443") to the daemon's nftables set.
nlohmann::ordered_json Responder::RespondBlock(const std::string& remote) {
  std::string address = remote;
  if (address.starts_with('[')) {
    address = address.substr(1, address.find(']') - 1);
  } else if (const size_t colon = address.rfind(':'); colon != std::string::npos) {
    address.resize(colon);
  }
  nlohmann::ordered_json r{{"action", "block"}, {"address", address}};
  if (HeldBack(r, {address})) return r;
  std::lock_guard lock(mu_);
  if (auto b = blocker_.Block(address, block_timeout_s_); b) {
    r["result"] = "done";
    r["nft"] =
        fmt::format("inet deminer blocked{} for {} s", BlockableFamily(address), block_timeout_s_);
    ++done_;
  } else {
    r["result"] = "failed: " + b.error().message();
  }
  return r;
}

}  // namespace deminer
