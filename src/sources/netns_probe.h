// Probes from outside: a network namespace made for the purpose, joined to the
// host by a veth pair the way another host on the LAN is, from which TCP
// connections to the host's listening ports are tried. "The host" is the
// caller's network namespace (under `ip netns exec NS`, that NS). Needs root
// (CAP_SYS_ADMIN, CAP_NET_ADMIN).
//
// The namespace and the veth are set up with iproute2's `ip` (through
// core/subprocess.h), not with rtnetlink by hand: it is a one-off setup of a
// handful of objects, `ip` is on every host that has namespaces, and its
// messages are the ones an administrator knows. Everything is torn down when
// the ProbeNamespace is destroyed (deleting the namespace deletes the veth),
// also on error paths.
//
// Connects are made from a thread that joined the probe namespace with
// setns(CLONE_NEWNET), which is per thread; the rest of the process stays in
// the caller's namespace. Only connects: nothing is sent on an answered
// connection, and it is closed at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace deminer {

struct ProbeTarget {
  int family = 4;       // 4 or 6
  std::string address;  // numeric
  uint16_t port = 0;
};

enum class ProbeOutcome {
  kAnswered,     // the handshake completed: something accepts connections there
  kRefused,      // a TCP reset or an ICMP port unreachable (a `reject` rule, or nothing listening)
  kNoAnswer,     // nothing came back within the timeout: dropped
  kUnreachable,  // an ICMP host/net unreachable or administratively prohibited
  kError,        // the probe itself failed (a socket could not be made, a bad address)
};
// "answered", "refused", "no-answer", "unreachable", "error"
std::string_view ProbeOutcomeName(ProbeOutcome o);

struct ProbeResult {
  ProbeOutcome outcome = ProbeOutcome::kError;
  std::string detail;  // the errno text for refused/unreachable/error
  double ms = 0;       // until the answer (or the timeout)
};

// Tries a TCP connect to each target at once (non-blocking connect, then poll)
// and waits at most `timeout` in all. Results are in the targets' order. Runs
// in the calling thread's network namespace; needs no privilege.
std::vector<ProbeResult> ProbeTcp(const std::vector<ProbeTarget>& targets,
                                  std::chrono::milliseconds timeout);

// The addresses of one probe set-up: the host's end and the probe's end, per family.
struct ProbeAddresses {
  std::string host4, probe4;  // in 198.18.0.0/15 (RFC 2544 benchmarking), a /30
  std::string host6, probe6;  // in a ULA /64; empty when IPv6 could not be set up
};

// The /30 and the /64 for a probe of process `pid`: different pids get
// different ranges, so two probes at once do not collide. Pure.
ProbeAddresses ProbeAddressesFor(int pid);

// Where to connect to reach a socket bound to `bound` (of `family`) from the
// probe namespace: the host end for a wildcard address, the address itself for
// a specific one (routed through the veth). Empty, with `why_not`, for those
// that cannot be reached from outside (loopback, link-local) or when the
// family is not set up. Pure.
struct ProbeDestination {
  std::string address;
  std::string why_not;
};
ProbeDestination ProbeDestinationFor(int family, std::string_view bound,
                                     const ProbeAddresses& addrs);

class ProbeNamespace {
 public:
  // Makes deminer-probe-PID (removing a stale one of that name) and its veth
  // pair, with addresses, links up and default routes. PermissionDenied
  // without root; Unavailable when `ip` is missing or refuses.
  static Expected<std::unique_ptr<ProbeNamespace>> Create();
  ~ProbeNamespace();
  ProbeNamespace(const ProbeNamespace&) = delete;
  ProbeNamespace& operator=(const ProbeNamespace&) = delete;

  const std::string& name() const { return name_; }
  const std::string& host_link() const { return host_link_; }
  const ProbeAddresses& addresses() const { return addrs_; }
  // Why IPv6 is not set up (empty when it is).
  const std::string& ipv6_note() const { return ipv6_note_; }

  // Runs `fn` on a new thread that joined the probe namespace, and waits for it.
  // An error when the thread could not join (then `fn` did not run).
  Expected<void> RunInside(const std::function<void()>& fn) const;

  // ProbeTcp from inside the probe namespace; targets that gave no answer
  // are tried once more (so a drop costs twice the timeout).
  Expected<std::vector<ProbeResult>> Probe(const std::vector<ProbeTarget>& targets,
                                           std::chrono::milliseconds timeout) const;

 private:
  ProbeNamespace() = default;
  void TearDown();
  std::string name_;
  std::string host_link_;
  std::string probe_link_;
  std::string ns_path_;
  ProbeAddresses addrs_;
  std::string ipv6_note_;
  bool made_ = false;
};

}  // namespace deminer
