// `deminer verify exposure`: what the rules predict (the exposure table of
// scope exposure) beside what actually answers a client outside this host,
// seen from a network namespace made for the purpose (sources/netns_probe.h).
// Only connects (and one PostgreSQL login attempt without a password), only to
// this host's own listening ports, only from its own probe namespace.
#include <fmt/format.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "app/commands.h"
#include "checks/exposure_table.h"
#include "checks/scanner.h"
#include "core/strings.h"
#include "report/sink.h"
#include "sources/netns_probe.h"
#include "sources/postgres.h"

namespace deminer {
namespace {

constexpr std::string_view kLoopbackWhy = "not reachable from outside by construction";

struct VerifyRow {
  explicit VerifyRow(ExposureRow r) : row(std::move(r)) {}
  ExposureRow row;       // the prediction (verdict kUnknown for a --port nothing listens on)
  bool in_table = true;  // false: a --port the exposure table has no row for
  // Where it was probed: one address, or for a dual-stack "::" socket with no
  // IPv4 row of its own, the host's IPv6 and IPv4 ends.
  std::vector<ProbeTarget> targets;
  std::vector<ProbeResult> results;   // of targets
  std::string not_probed;             // why not, when not probed
  std::optional<ProbeResult> result;  // the most open of results: what the row observed
  ProbeTarget answered_at;            // the target of `result` (the one that answered)
  std::optional<bool> agree;          // none: nothing to compare (not probed, no prediction)
  std::optional<PgLoginResult> login;
};

// Blocks the signals that end a run (Ctrl-C, kill, a closed terminal) while the
// probe namespace and its veth exist, so that they are always torn down; a
// signal that came meanwhile is delivered when the set-up is gone.
class DeferStopSignals {
 public:
  DeferStopSignals() {
    sigset_t set;
    sigemptyset(&set);
    for (const int s : {SIGINT, SIGTERM, SIGHUP, SIGQUIT}) sigaddset(&set, s);
    pthread_sigmask(SIG_BLOCK, &set, &old_);
  }
  ~DeferStopSignals() { pthread_sigmask(SIG_SETMASK, &old_, nullptr); }
  DeferStopSignals(const DeferStopSignals&) = delete;
  DeferStopSignals& operator=(const DeferStopSignals&) = delete;

 private:
  sigset_t old_;
};

// Ranks outcomes by how open they show the port: a row probed on two
// addresses observed the more open.
int Openness(ProbeOutcome o) {
  switch (o) {
    case ProbeOutcome::kAnswered:
      return 4;
    case ProbeOutcome::kRefused:
      return 3;
    case ProbeOutcome::kUnreachable:
      return 2;
    case ProbeOutcome::kNoAnswer:
      return 1;
    case ProbeOutcome::kError:
      return 0;
  }
  return 0;
}

bool IsPostgres(const VerifyRow& v) {
  return v.row.proto == Proto::kTcp && (v.row.service == "postgresql" || v.row.port == 5432);
}

bool Answered(const VerifyRow& v) {
  return v.result && v.result->outcome == ProbeOutcome::kAnswered;
}

// A listening socket of the row in the caller's network namespace, or none
// seen at all (a port published by NAT rules): probe it. Sockets of other
// namespaces (containers) are reached through their published ports instead.
bool ListensHere(const ExposureRow& row, const Facts& facts) {
  const uint64_t own = facts.host.own_netns;
  if (row.netns != 0 && own != 0) return row.netns == own;
  bool seen = false;
  for (const Socket& s : facts.sockets) {
    if (s.proto != row.proto || s.local_port != row.port || !s.Listening()) continue;
    seen = true;
    if (s.netns == 0 || facts.host.own_netns == 0 || s.netns == facts.host.own_netns) return true;
  }
  return !seen;
}

std::optional<bool> Agrees(Reach predicted, const ProbeResult& r) {
  if (r.outcome == ProbeOutcome::kError) return std::nullopt;
  const bool answered = r.outcome == ProbeOutcome::kAnswered;
  switch (predicted) {
    case Reach::kLocal:
    case Reach::kFiltered:
      return !answered;
    case Reach::kReachable:
    case Reach::kReachableSensitive:
      return answered;
    case Reach::kUnknown:
      return std::nullopt;
  }
  return std::nullopt;
}

// What the rules predicted for one probe: a socket on every address may have
// IPv4 and IPv6 judged apart.
Reach PredictedFor(const ExposureRow& row, int family) {
  if (family == 4 && row.v4) return *row.v4;
  if (family == 6 && row.v6) return *row.v6;
  return row.verdict;
}

// Every probe of the row agrees with its prediction; none when nothing compares.
std::optional<bool> Agreement(const VerifyRow& v) {
  if (!v.in_table) return std::nullopt;
  std::optional<bool> all;
  for (size_t k = 0; k < v.results.size() && k < v.targets.size(); ++k) {
    const auto a = Agrees(PredictedFor(v.row, v.targets[k].family), v.results[k]);
    if (!a) continue;
    all = all.value_or(true) && *a;
  }
  return all;
}

std::string ObservedName(const VerifyRow& v) {
  if (!v.result) return "not-probed";
  return std::string(ProbeOutcomeName(v.result->outcome));
}

std::string ObservedText(const VerifyRow& v) {
  if (!v.result) {
    return v.not_probed.find(kLoopbackWhy) != std::string::npos ? "not probed (loopback)"
                                                                : "not probed";
  }
  if (v.result->outcome == ProbeOutcome::kNoAnswer) return "no answer (dropped)";
  return std::string(ProbeOutcomeName(v.result->outcome));
}

std::string AddressPort(int family, const std::string& address, uint16_t port) {
  return (family == 6 ? "[" + address + "]" : address) + ":" + std::to_string(port);
}

std::string ContainerName(const ExposureRow& row) {
  if (!row.container) return "-";
  return row.container->Shown();
}

struct Summary {
  size_t probed = 0, answered = 0, refused = 0, no_answer = 0, unreachable = 0, errors = 0;
  size_t not_probed = 0, agree = 0, disagree = 0, filtered_answered = 0, sensitive_answered = 0;
  size_t logins_tried = 0, logins_succeeded = 0;
  int exit_code = kExitClean;
};

Summary Summarize(const std::vector<VerifyRow>& rows) {
  Summary s;
  for (const VerifyRow& v : rows) {
    if (!v.result) {
      ++s.not_probed;
      continue;
    }
    ++s.probed;
    switch (v.result->outcome) {
      case ProbeOutcome::kAnswered:
        ++s.answered;
        break;
      case ProbeOutcome::kRefused:
        ++s.refused;
        break;
      case ProbeOutcome::kNoAnswer:
        ++s.no_answer;
        break;
      case ProbeOutcome::kUnreachable:
        ++s.unreachable;
        break;
      case ProbeOutcome::kError:
        ++s.errors;
        break;
    }
    if (v.agree) ++(*v.agree ? s.agree : s.disagree);
    for (size_t k = 0; k < v.results.size() && k < v.targets.size(); ++k) {
      if (v.in_table && v.results[k].outcome == ProbeOutcome::kAnswered &&
          PredictedFor(v.row, v.targets[k].family) == Reach::kFiltered) {
        ++s.filtered_answered;
        break;
      }
    }
    if (Answered(v) && v.row.sensitive) ++s.sensitive_answered;
    if (v.login) {
      ++s.logins_tried;
      if (v.login->connected) ++s.logins_succeeded;
    }
  }
  if (s.disagree + s.sensitive_answered + s.logins_succeeded > 0) s.exit_code = kExitFindings;
  return s;
}

nlohmann::ordered_json RowJson(const VerifyRow& v, const std::string& pg_user) {
  nlohmann::ordered_json j;
  const nlohmann::ordered_json base = ExposureRowToJson(v.row);
  for (const auto& [key, value] : base.items()) {
    if (key == "verdict") {
      j["predicted"] = v.in_table ? value : nlohmann::ordered_json(nullptr);
    } else {
      j[key] = value;
    }
  }
  j["observed"] = ObservedName(v);
  j["detail"] = v.result ? v.result->detail : v.not_probed;
  auto probes = nlohmann::ordered_json::array();
  for (size_t k = 0; k < v.targets.size() && k < v.results.size(); ++k) {
    probes.push_back({{"address", v.targets[k].address},
                      {"family", v.targets[k].family},
                      {"observed", ProbeOutcomeName(v.results[k].outcome)},
                      {"detail", v.results[k].detail},
                      {"ms", std::round(v.results[k].ms * 10) / 10}});
  }
  j["probes"] = std::move(probes);
  j["agree"] = v.agree ? nlohmann::ordered_json(*v.agree) : nlohmann::ordered_json(nullptr);
  if (v.login) {
    j["login"] = {{"user", pg_user},
                  {"succeeded", v.login->connected},
                  {"error", v.login->error},
                  {"server_version", v.login->server_version}};
  } else {
    j["login"] = nullptr;
  }
  return j;
}

void PrintJson(const std::vector<VerifyRow>& rows, const Summary& s, const ProbeNamespace& ns,
               const VerifyArgs& args, const std::vector<Gap>& gaps) {
  nlohmann::ordered_json j;
  auto arr = nlohmann::ordered_json::array();
  for (const VerifyRow& v : rows) arr.push_back(RowJson(v, args.pg_user));
  j["rows"] = std::move(arr);
  j["summary"] = {{"rows", rows.size()},
                  {"probed", s.probed},
                  {"answered", s.answered},
                  {"refused", s.refused},
                  {"no_answer", s.no_answer},
                  {"unreachable", s.unreachable},
                  {"errors", s.errors},
                  {"not_probed", s.not_probed},
                  {"agree", s.agree},
                  {"disagree", s.disagree},
                  {"filtered_answered", s.filtered_answered},
                  {"sensitive_answered", s.sensitive_answered},
                  {"pg_logins_tried", s.logins_tried},
                  {"pg_logins_succeeded", s.logins_succeeded},
                  {"exit_code", s.exit_code}};
  const ProbeAddresses& a = ns.addresses();
  const auto or_null = [](const std::string& x) {
    return x.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(x);
  };
  j["probe"] = {{"namespace", ns.name()},
                {"host_link", ns.host_link()},
                {"host_address", a.host4},
                {"probe_address", a.probe4},
                {"host_address6", or_null(a.host6)},
                {"probe_address6", or_null(a.probe6)},
                {"ipv6_note", or_null(ns.ipv6_note())},
                {"timeout_ms", args.timeout_ms}};
  auto skipped = nlohmann::ordered_json::array();
  for (const Gap& g : gaps) {
    skipped.push_back({{"what", g.what}, {"reason", g.reason}, {"needs", g.needs}});
  }
  j["skipped"] = std::move(skipped);
  std::cout << j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
}

void PrintText(const std::vector<VerifyRow>& rows, const Summary& s, const ProbeNamespace& ns,
               const VerifyArgs& args, const std::vector<Gap>& gaps) {
  const ProbeAddresses& a = ns.addresses();
  std::cout << fmt::format(
      "deminer verify exposure: connecting from namespace {} ({}{}) to this host's end {}{} "
      "of a veth pair, {} ms timeout\n\n",
      ns.name(), a.probe4, a.probe6.empty() ? "" : ", " + a.probe6, a.host4,
      a.host6.empty() ? "" : " and " + a.host6, args.timeout_ms);
  std::vector<std::vector<std::string>> table = {{"PROTO", "ADDRESS:PORT", "PROCESS", "CONTAINER",
                                                  "SERVICE", "PREDICTED", "OBSERVED", "AGREE?"}};
  for (const VerifyRow& v : rows) {
    std::string owner = v.row.process.empty() ? "-" : Printable(v.row.process, 40);
    if (v.row.pid != 0) owner += fmt::format(" ({})", v.row.pid);
    table.push_back({v.row.proto == Proto::kTcp ? "tcp" : "udp",
                     Printable(AddressPort(v.row.family, v.row.address, v.row.port), 60), owner,
                     Printable(ContainerName(v.row), 40),
                     v.row.service.empty() ? "-" : Printable(v.row.service, 30),
                     v.in_table ? std::string(ReachName(v.row.verdict)) : "-", ObservedText(v),
                     v.agree ? (*v.agree ? "yes" : "NO") : "-"});
  }
  std::vector<size_t> width(table[0].size(), 0);
  for (const auto& line : table) {
    for (size_t c = 0; c < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
  }
  for (const auto& line : table) {
    std::string out = "  ";
    for (size_t c = 0; c < line.size(); ++c) {
      std::string cell = line[c];
      if (c + 1 < line.size()) cell.resize(width[c] + 2, ' ');
      out += cell;
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    std::cout << out << "\n";
  }
  if (rows.empty()) std::cout << "  (no listening socket to verify)\n";

  std::vector<std::string> notes;
  std::map<std::string, size_t> not_probed;  // reason -> sockets
  for (const VerifyRow& v : rows) {
    const std::string where = fmt::format("{} {}", v.row.proto == Proto::kTcp ? "tcp" : "udp",
                                          AddressPort(v.row.family, v.row.address, v.row.port));
    if (!v.result) {
      ++not_probed[v.not_probed];
      continue;
    }
    if (v.agree && !*v.agree) {
      notes.push_back(fmt::format("{}: the rules predicted {} ({}), but the probe saw {}{}",
                                  Printable(where), ReachName(v.row.verdict),
                                  Printable(v.row.reason, 200), ObservedText(v),
                                  v.result->detail.empty() ? "" : ": " + v.result->detail));
    } else if (v.result->outcome == ProbeOutcome::kError) {
      notes.push_back(fmt::format("{}: the probe failed: {}", Printable(where), v.result->detail));
    }
    if (Answered(v) && v.row.sensitive) {
      notes.push_back(fmt::format("{}: a sensitive service ({}) answers other hosts",
                                  Printable(where), Printable(v.row.service, 30)));
    }
    if (v.login) {
      if (v.login->connected) {
        notes.push_back(fmt::format(
            "{}: PostgreSQL let {} log in WITHOUT A PASSWORD from the probe namespace{}",
            Printable(where), Printable(args.pg_user, 60),
            v.login->server_version.empty() ? "" : " (server " + v.login->server_version + ")"));
      } else {
        notes.push_back(fmt::format("{}: PostgreSQL login as {} without a password refused: {}",
                                    Printable(where), Printable(args.pg_user, 60),
                                    Printable(v.login->error, 300)));
      }
    }
  }
  for (const auto& [why, n] : not_probed) {
    notes.push_back(fmt::format("{} socket{} not probed: {}", n, n == 1 ? "" : "s", why));
  }
  if (!ns.ipv6_note().empty()) notes.push_back("IPv6 not probed: " + ns.ipv6_note());
  if (!notes.empty()) {
    std::cout << "\n";
    for (const std::string& n : notes) std::cout << "  - " << n << "\n";
  }
  if (!gaps.empty()) {
    std::cout << "\nSkipped (the verification went on without these):\n";
    for (const Gap& g : gaps) {
      std::cout << "  - " << Printable(g.what) << ": " << Printable(g.reason);
      if (!g.needs.empty()) std::cout << " (needs " << g.needs << ")";
      std::cout << "\n";
    }
  }
  std::cout << fmt::format(
      "\n{} socket{}, {} probed: {} answered, {} refused, {} no answer, {} unreachable; {} agree "
      "with the rules, {} disagree; {} sensitive answered; {} passwordless PostgreSQL login{}\n",
      rows.size(), rows.size() == 1 ? "" : "s", s.probed, s.answered, s.refused, s.no_answer,
      s.unreachable, s.agree, s.disagree, s.sensitive_answered, s.logins_succeeded,
      s.logins_succeeded == 1 ? "" : "s");
  std::cout << (s.exit_code == kExitClean ? "As predicted, and nothing sensitive answers.\n"
                                          : "NOT as it should be: see above.\n");
}

}  // namespace

int RunVerifyExposureCommand(const VerifyArgs& args) {
  if (args.format != "text" && args.format != "json") {
    std::cerr << "deminer: --format takes text or json\n";
    return kExitError;
  }
  if (geteuid() != 0) {
    std::cerr << "deminer: verify exposure needs root: it makes a network namespace and a veth "
                 "pair to connect from (CAP_SYS_ADMIN, CAP_NET_ADMIN)\n";
    return kExitError;
  }
  ScanOptions options;
  options.scopes = {Scope::kExposure};
  const RulePack no_rules;  // the exposure table needs no rules
  Facts facts = CollectFacts(options, no_rules);
  const std::vector<ExposureRow> table = BuildExposureTable(facts);

  std::vector<VerifyRow> rows;
  const std::set<uint16_t> only(args.ports.begin(), args.ports.end());
  std::set<uint16_t> have;
  for (const ExposureRow& r : table) {
    if (!only.empty() && !only.contains(r.port)) continue;
    rows.emplace_back(r);
    have.insert(r.port);
  }

  DeferStopSignals defer;
  auto ns = ProbeNamespace::Create();
  if (!ns) {
    std::cerr << "deminer: verify exposure: " << ns.error().message() << "\n";
    return kExitError;
  }
  const ProbeAddresses& addrs = (*ns)->addresses();
  // A --port the table has no row for is tried at the host's end anyway: a
  // port published by NAT rules answers without a socket of its own here.
  for (const uint16_t port : only) {
    if (have.contains(port)) continue;
    for (const int family : {4, 6}) {
      if (family == 6 && addrs.host6.empty()) continue;
      ExposureRow r;
      r.family = family;
      r.address = family == 4 ? "0.0.0.0" : "::";
      r.port = port;
      r.reason = "no listening socket seen on this port";
      const ServiceGuess svc = GuessService(port, "");
      r.service = svc.name;
      r.sensitive = svc.sensitive;
      VerifyRow v(std::move(r));
      v.in_table = false;
      rows.push_back(std::move(v));
    }
  }

  // Ports that have an IPv4 wildcard row of their own.
  std::set<uint16_t> v4_wildcard;
  for (const VerifyRow& v : rows) {
    if (v.row.proto == Proto::kTcp && v.row.family == 4 && v.row.address == "0.0.0.0") {
      v4_wildcard.insert(v.row.port);
    }
  }
  std::vector<ProbeTarget> targets;
  std::vector<std::pair<size_t, size_t>> probed;  // (row, its target) of each target
  for (size_t i = 0; i < rows.size(); ++i) {
    VerifyRow& v = rows[i];
    if (v.row.proto != Proto::kTcp) {
      v.not_probed = "UDP: no reliable answer to a probe";
      continue;
    }
    if (v.in_table && !ListensHere(v.row, facts)) {
      v.not_probed =
          "listens in another network namespace (a container's ports are probed where "
          "they are published on this host)";
      continue;
    }
    const ProbeDestination d = ProbeDestinationFor(v.row.family, v.row.address, addrs);
    // A "::" socket takes IPv4 too unless it is IPv6-only, which the socket
    // table does not tell: its IPv4 side is probed as well (also when IPv6
    // could not be set up), when no IPv4 socket of the port has a row of its own.
    const bool dual = v.row.family == 6 && (v.row.address == "::" || v.row.address.empty()) &&
                      !v4_wildcard.contains(v.row.port);
    if (!d.address.empty()) {
      v.targets.push_back(
          {d.address.find(':') != std::string::npos ? 6 : 4, d.address, v.row.port});
    }
    if (dual) v.targets.push_back({4, addrs.host4, v.row.port});
    if (v.targets.empty()) {
      v.not_probed = d.why_not;
      continue;
    }
    for (size_t k = 0; k < v.targets.size(); ++k) {
      targets.push_back(v.targets[k]);
      probed.emplace_back(i, k);
    }
  }
  const auto timeout = std::chrono::milliseconds(args.timeout_ms);
  auto results = (*ns)->Probe(targets, timeout);
  if (!results) {
    std::cerr << "deminer: verify exposure: " << results.error().message() << "\n";
    return kExitError;
  }
  for (size_t k = 0; k < probed.size(); ++k) {
    VerifyRow& v = rows[probed[k].first];
    v.results.resize(v.targets.size());
    v.results[probed[k].second] = (*results)[k];
  }
  for (VerifyRow& v : rows) {
    for (size_t k = 0; k < v.results.size(); ++k) {
      if (!v.result || Openness(v.results[k].outcome) > Openness(v.result->outcome)) {
        v.result = v.results[k];
        v.answered_at = v.targets[k];
      }
    }
    if (v.results.size() > 1 && v.result) {
      std::string detail;
      for (size_t k = 0; k < v.results.size(); ++k) {
        detail += fmt::format("{}{} {}", detail.empty() ? "" : "; ", v.targets[k].address,
                              ProbeOutcomeName(v.results[k].outcome));
      }
      v.result->detail = detail;
    }
  }

  // Seed 004's lesson: a PostgreSQL that answers from outside is asked for a
  // login without a password, from outside too.
  const int login_timeout_s = std::max(3, (args.timeout_ms + 999) / 1000);
  for (VerifyRow& v : rows) {
    if (!IsPostgres(v) || !Answered(v)) continue;
    PgLoginResult login;
    auto ran = (*ns)->RunInside([&] {
      login = TryPasswordlessLogin(v.answered_at.address, v.answered_at.port, args.pg_user,
                                   "postgres", login_timeout_s);
    });
    if (!ran) login.error = ran.error().message();
    v.login = std::move(login);
  }
  for (VerifyRow& v : rows) v.agree = Agreement(v);
  const Summary summary = Summarize(rows);

  if (args.format == "json") {
    PrintJson(rows, summary, **ns, args, facts.gaps);
  } else {
    PrintText(rows, summary, **ns, args, facts.gaps);
  }
  std::cout.flush();
  ns->reset();  // tear down before the deferred signals are let through
  return summary.exit_code;
}

}  // namespace deminer
