// The finding model: what a check reports, and what a scan records as skipped.
// A Finding is plain data; sinks render it and the store keys it by fingerprint.
// Thread safety: values, no shared state.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deminer {

enum class Severity { kInfo = 0, kLow, kMedium, kHigh, kCritical };
inline constexpr int kSeverityCount = 5;

// compromise: evidence that an intrusion happened; weakness: a setting that lets one in.
enum class Kind { kCompromise, kWeakness };

// What a scan covers. Each check belongs to exactly one scope.
enum class Scope {
  kProcesses,
  kNetwork,
  kFiles,
  kPersistence,
  kLogs,
  kContainers,
  kDatabases,
  kExposure,
  kNpm
};
inline constexpr Scope kAllScopes[] = {Scope::kProcesses,   Scope::kNetwork,  Scope::kFiles,
                                       Scope::kPersistence, Scope::kLogs,     Scope::kContainers,
                                       Scope::kDatabases,   Scope::kExposure, Scope::kNpm};

std::string_view SeverityName(Severity s);  // "critical", "high", ...
std::optional<Severity> ParseSeverity(std::string_view s);
std::string_view KindName(Kind k);
std::string_view ScopeName(Scope s);
std::optional<Scope> ParseScope(std::string_view s);

struct ContainerRef {
  std::string id;    // full id as the runtime knows it
  std::string name;  // empty when no container API answered
  std::string image;
  std::string runtime;          // "docker", "podman", "containerd", "cri-o", "kubernetes"
  std::string compose_project;  // com.docker.compose.project label, if any

  // The name, or the short id when the engine gave none: how reports name it.
  std::string Shown() const { return name.empty() ? id.substr(0, 12) : name; }
};

struct Finding {
  std::string check;  // check id, e.g. "proc.miner"
  Severity severity = Severity::kInfo;
  Kind kind = Kind::kCompromise;
  std::string title;
  std::string subject;  // what it is about, for a person: "pid 812 /tmp/javae"
  nlohmann::ordered_json evidence = nlohmann::ordered_json::object();
  std::optional<ContainerRef> container;
  std::string attack;       // MITRE ATT&CK technique id
  std::string remediation;  // what to do about it
  // Stable across scans: derived from the check id and a key the check chooses
  // (never a pid), so baselines and de-duplication work between runs.
  std::string fingerprint;
  // Where the finding points in a file system, when it does (SARIF location).
  std::string path;
  int line = 0;  // 1-based line in `path` the finding is about; 0 when none
};

// A part of the scan that could not be done, and why; reported, never fatal.
struct Gap {
  std::string what;    // "sockets in netns 4026532181"
  std::string reason;  // "setns: Operation not permitted"
  std::string needs;   // "root or CAP_SYS_ADMIN", may be empty

  // What a time bound (deminer collect --max-time) left unread.
  static Gap TimeBound(std::string what) {
    return {std::move(what), "not read: the time bound was reached", std::string(kMoreTime)};
  }
  bool ByTimeBound() const { return needs == kMoreTime; }
  static constexpr std::string_view kMoreTime = "a longer --max-time";
};

// sha256 over the check id and the key, hex, first 32 characters.
std::string Fingerprint(std::string_view check, std::string_view key);

}  // namespace deminer
