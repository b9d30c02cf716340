// The host's packet filter as it is: the nftables ruleset (`nft -j list
// ruleset`, which also holds the tables iptables-nft made), the iptables and
// ip6tables rule sets of the legacy back end (`iptables-legacy-save`), ufw's
// state, the ports Docker and Podman publish through their NAT chains, and the
// rule sets saved on disk. The source records; it never judges. The pure
// evaluator at the end answers one question a check asks: would a new
// connection from another host to this port get through the rules in force?
//
// Both parsers are pure and take untrusted text (command output); they return
// an error value on garbage. Rules are simplified to the matches that decide
// who can reach a listening port; anything else is kept as an "unknown" match
// so the evaluator says "unknown" instead of guessing.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/error.h"
#include "core/finding.h"

namespace deminer {

enum class FwField {
  kIif,        // iifname / iif / -i
  kOif,        // oifname / oif / -o
  kSaddr,      // ip/ip6 saddr, -s
  kDaddr,      // ip/ip6 daddr, -d
  kL4proto,    // meta l4proto, ip protocol, ip6 nexthdr, -p
  kNfproto,    // meta nfproto (ipv4/ipv6); also implied by `ip ...` in an inet table
  kDport,      // tcp/udp dport, --dport, --dports
  kCtState,    // ct state, -m state/conntrack --(ct)state
  kLocalDest,  // fib daddr type local, -m addrtype --dst-type LOCAL
  kUnknown,    // anything else: the evaluator cannot tell whether it matches
};

struct FwMatch {
  FwField field = FwField::kUnknown;
  bool negate = false;
  int family = 0;                   // kSaddr/kDaddr/kNfproto: 4 or 6; 0 when not tied to one
  std::string proto;                // kDport: "tcp" or "udp" ("" for multiport without -p)
  std::vector<std::string> values;  // interface names, "10.0.0.0/8", "tcp", "new"...
  std::vector<std::pair<uint16_t, uint16_t>> ports;  // kDport: inclusive ranges
  std::string text;                                  // as a person reads it: "tcp dport 5432"
};

enum class FwVerdict { kNone, kAccept, kDrop, kReject, kJump, kGoto, kReturn, kUnknown };

struct FwRule {
  std::string handle;  // nft: "handle 12"; iptables-save: "line 12"
  std::vector<FwMatch> matches;
  FwVerdict verdict = FwVerdict::kNone;  // kNone: continue (counter, log, dnat...)
  std::string target;                    // kJump/kGoto: the chain
  std::string dnat_to;                   // "172.17.0.2:5432" when the rule DNATs
  std::string text;                      // short rendering for reasons
};

struct FwChain {
  std::string name;
  bool base = false;  // attached to a hook
  std::string type;   // "filter", "nat", "route"
  std::string hook;   // "input", "forward", "prerouting"...
  int priority = 0;
  std::string policy;  // base chains: "accept" or "drop"
  std::vector<FwRule> rules;
};

struct FwTable {
  std::string family;   // "ip", "ip6", "inet", "arp", "bridge", "netdev"
  std::string name;     // "filter", "nat", "netavark"...
  std::string backend;  // "nftables", "iptables-nft", "iptables-legacy"
  std::vector<FwChain> chains;

  const FwChain* Find(std::string_view chain) const;
};

struct FwRuleset {
  std::vector<FwTable> tables;
  size_t RuleCount() const;
};

// `nft -j list ruleset` output. Sets are resolved into the rules that use them;
// verdict maps on ct state and tcp/udp dport become one rule per entry.
Expected<FwRuleset> ParseNftJson(std::string_view text);

// `iptables-save` / `ip6tables-save` output (either back end). `family` is 4 or
// 6: the tables become "ip" or "ip6" tables of `backend`.
Expected<FwRuleset> ParseIptablesSave(std::string_view text, int family,
                                      std::string_view backend = "iptables-legacy");

// A port a container engine publishes through DNAT in a nat table.
struct PublishedPort {
  std::string engine;   // "docker", "podman" or "" (a DNAT rule of someone else)
  std::string proto;    // "tcp" or "udp"
  std::string host_ip;  // "" for every address of the host, else the -d / ip daddr
  uint16_t host_port = 0;
  int family = 4;
  std::string to_addr;  // the container's address
  uint16_t to_port = 0;
  std::string where;  // "iptables-legacy ip nat DOCKER line 12"
};

// DNAT rules of `rs` (nat chains), as published ports.
std::vector<PublishedPort> FindPublishedPorts(const FwRuleset& rs);

struct UfwState {
  bool installed = false;  // /usr/sbin/ufw under the root
  bool conf_read = false;  // /etc/ufw/ufw.conf could be read
  bool enabled = false;    // ENABLED=yes
  size_t user_rules = 0;   // rules in /etc/ufw/user.rules and user6.rules
};

// A rule set saved on disk, loaded at boot by nftables.service,
// netfilter-persistent or ufw.
struct SavedRuleset {
  std::string path;  // "/etc/nftables.conf"
  std::string kind;  // "nftables", "iptables", "ufw"
  size_t rules = 0;  // rule lines in it
  // The tables it fills, "inet filter"; iptables files: "ip filter" / "ip6 filter".
  std::vector<std::string> tables;
};

// "family name" of each `table` block of an nftables file ("table filter" is "ip filter").
std::vector<std::string> SavedNftTables(std::string_view text);

struct FirewallState {
  bool read = false;  // false when nothing could be read (offline --root, no root)
  bool nft_read = false;
  FwRuleset
      nft;  // nftables, iptables-nft tables included (from iptables-nft-save where it has them)
  bool legacy_read = false;
  FwRuleset legacy;  // iptables-legacy, both families; empty when no legacy rules exist
  UfwState ufw;
  std::vector<PublishedPort> published;  // of both back ends
  std::vector<SavedRuleset> saved;       // files that exist
};

// Rule lines of an nftables file (lines inside chain blocks other than
// type/policy declarations and comments); of an iptables-save or ufw rules
// file (-A lines).
size_t CountSavedNftRules(std::string_view text);
size_t CountSavedIptablesRules(std::string_view text);

// Reads the live rule sets (only when root is "/": they belong to this
// network namespace) and the files under root. Gaps for what it could not read.
FirewallState ReadFirewall(const std::string& root, std::vector<Gap>& gaps);

// ---- Evaluation (pure) ----

// A new connection from another host (not on lo, from any address) to a port.
struct FwPacket {
  int family = 4;
  std::string proto = "tcp";
  uint16_t port = 0;
  std::string daddr;       // the bound address; "" when bound to all (any address of the host)
  bool forwarded = false;  // to a container behind DNAT: walks forward chains, oif is its bridge
};

enum class FwPass {
  kAccept,   // other hosts get through
  kSome,     // only from some sources (FwOutcome::sources)
  kDrop,     // dropped or rejected
  kUnknown,  // a rule the evaluator does not understand could decide it
};
std::string_view FwPassName(FwPass p);

struct FwOutcome {
  FwPass pass = FwPass::kUnknown;
  std::string reason;                // "nftables inet filter input handle 14: tcp dport 5432 drop"
  std::vector<std::string> sources;  // kSome: the sources allowed ("10.0.0.0/8", "iif eth1")
  bool filtered_any = false;         // some hook chain of this packet had rules
};

// The packet through the input (or, when forwarded, the forward) hook chains of
// one rule set: every base filter chain of the families that see it, in
// priority order, jumps followed to a bounded depth. Each base chain must accept.
FwOutcome EvaluateRuleset(const FwRuleset& rs, const FwPacket& packet);

// Through both back ends: the packet must pass the nftables chains and the
// legacy ones. The reason names the deciding rule.
FwOutcome EvaluateFirewall(const FirewallState& fw, const FwPacket& packet);

// Whether a chain named DOCKER-USER holds any rule besides a lone `return`.
bool DockerUserFilters(const FirewallState& fw);

}  // namespace deminer
