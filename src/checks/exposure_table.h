// The exposure table: every listening socket of the host and its containers,
// with who owns it and a verdict on who can reach it, by the addresses it is
// bound to and the packet filter rules in force (Facts::firewall). Pure: built
// from facts, used by the exposure checks, the report and `deminer verify exposure`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "sources/facts.h"

namespace deminer {

enum class Reach {
  kLocal,               // bound to loopback (or a Unix socket): this host only
  kFiltered,            // bound to a reachable address, and the rules drop it
  kReachable,           // other hosts can connect, by the rules in force
  kReachableSensitive,  // the same, and it is a database, cache, engine API or admin panel
  kUnknown,             // the rules could not be read or judged
};
std::string_view ReachName(Reach r);  // "local", "filtered", "reachable", "reachable-sensitive", "unknown"

struct ExposureRow {
  Proto proto = Proto::kTcp;
  int family = 4;
  std::string address;  // as bound: "0.0.0.0", "::", "127.0.0.1", "10.0.0.5"
  uint16_t port = 0;
  int pid = 0;          // an owner, 0 when unknown
  std::string process;  // its display name
  std::optional<ContainerRef> container;  // the container of the owner or of a published port
  std::string service;                    // "postgresql", "redis", "docker-api", "ssh", ""
  bool sensitive = false;
  Reach verdict = Reach::kUnknown;
  std::string reason;  // why: "bound to 127.0.0.1", "nft inet filter input: tcp dport 5432 drop"
  uint64_t netns = 0;  // the socket's network namespace inode (0: none, a published port)
  // kReachable*: when only some sources are accepted, which ("10.0.0.0/8 (nftables ...)").
  std::vector<std::string> only_from;
  // Published by a container engine through DNAT: the forward chains judge it,
  // the INPUT chain and ufw do not. "docker" or "podman" ("" for another DNAT).
  bool published = false;
  std::string engine;
  std::string published_to;  // "172.17.0.2:5432"
  // What the input-hook rules alone would say of a published port (for
  // exposure.docker-bypass): true when they drop or restrict it.
  bool input_filters = false;
  // For a socket on every address: IPv4 and IPv6 judged apart (exposure.ipv6-open).
  std::optional<Reach> v4, v6;
};

// One row per listening TCP socket and bound UDP socket (de-duplicated by
// address, port and family), sorted by port.
std::vector<ExposureRow> BuildExposureTable(const Facts& facts);

// The service a listener is, by its process ("postgres", "redis-server",
// "dockerd"...) or else its port: a short lower-case name ("postgresql",
// "docker-api"), and whether it is one that should not face the network.
// SSH is named but not sensitive: it is the port meant to face the network.
struct ServiceGuess {
  std::string name;
  bool sensitive = false;
};
ServiceGuess GuessService(uint16_t port, std::string_view process);


}  // namespace deminer
