// OSV advisories for npm: loaded from the rule pack's advisories/ dir (the
// built-in set), and from files, directories or zip archives given with
// --advisories; matched against package versions with OSV's semver ranges.
//
// Inputs: OSV JSON records (one per file, or a JSON array of them), and the
// consolidated malicious-package list {"name": {"versions": [...]}} (an empty
// list means every version), told apart by shape. Only ecosystem "npm" is
// kept; SEMVER and ECOSYSTEM ranges are evaluated alike (npm's ecosystem order
// is SemVer); GIT ranges are ignored. Withdrawn records are skipped. A record
// whose id is "" (upstream's transient MAL-0000 ingest files) takes its id
// from its first alias or its file name, and is dropped from a match when a
// canonical MAL record covers the same package version.
//
// Matching follows the OSV schema's evaluation strictly: events of a range
// are sorted, `introduced` opens, `fixed` closes at, `last_affected` closes
// after, and `limit` bounds; a `versions` list is a union with the ranges. A
// range that is only `introduced: 0` covers every version; such matches say so
// (AdvisoryMatch::every_version).
//
// Loading is bounded (file, entry and archive sizes). A file that cannot be
// read or parsed becomes a Gap naming it; loading goes on. A loaded
// AdvisoryDb is immutable and safe to share between threads; copies share
// the records.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "match/semver.h"

namespace simdjson::dom {
class parser;
}  // namespace simdjson::dom

namespace deminer {

class RulePack;

struct OsvEvent {
  enum class Type : uint8_t { kIntroduced, kFixed, kLastAffected, kLimit };
  Type type = Type::kIntroduced;
  bool zero = false;  // introduced "0" (below every version) or limit "*" (above all)
  SemVer version;     // unset when zero
  std::string text;   // as the record wrote it
};

// One range: its events sorted by version ("0" first).
struct OsvRange {
  std::vector<OsvEvent> events;
  bool every_version = false;  // only introduced 0: no fixed, last_affected or limit
};

struct OsvVersion {
  std::string text;
  std::optional<SemVer> version;  // unset when the text is not SemVer
};

// One affected[] entry (or one package of the consolidated list).
struct OsvAffected {
  std::string package;
  std::vector<OsvRange> ranges;
  std::vector<OsvVersion> versions;
  bool every_version = false;      // consolidated list with no versions
  std::vector<std::string> notes;  // affected[].database_specific note* strings
};

struct Advisory {
  std::string id;          // "GHSA-9qr9-h5gf-34mp", "MAL-2025-46969", or the fallback
  bool malicious = false;  // MAL- id, or the consolidated malicious list
  bool transient = false;  // the record's id was "": an upstream ingest file
  bool from_list = false;  // an entry of the consolidated list (no OSV record)
  std::vector<std::string> aliases;
  std::vector<std::string> related;
  std::string summary;
  std::string details;  // bounded
  // database_specific.severity as written, upper-case ("CRITICAL", "MODERATE"); may be empty.
  std::string severity;
  std::string cvss;  // first CVSS vector of severity[] ("CVSS:3.1/AV:N/..."); may be empty
  std::vector<std::string> references;  // URLs
  std::vector<std::string> notes;       // database_specific note* strings
  std::string published;
  std::string modified;
  std::string source;  // the file (or "ARCHIVE:MEMBER") it was read from
  std::vector<OsvAffected> affected;
};

// The severity the advisory gives: database_specific.severity (CRITICAL,
// HIGH, MODERATE/MEDIUM, LOW), else the CVSS v3 base score's band, else
// medium. MAL records are critical.
Severity AdvisorySeverity(const Advisory& a);

struct AdvisoryMatch {
  const Advisory* advisory = nullptr;
  const OsvAffected* affected = nullptr;
  // The versions that end the range the version fell in: `fixed` events
  // above it ("15.0.5"); empty when the advisory names none.
  std::vector<std::string> fixed;
  std::string last_affected;   // the range's last_affected above the version, if any
  bool every_version = false;  // matched by a range/list that covers every version
  bool by_list = false;        // matched by the versions list (not by a range)
};

class AdvisoryDb {
 public:
  // Caps: a JSON file (or zip member), a zip archive, and the records kept.
  static constexpr uint64_t kMaxFileBytes = 64ULL << 20;
  static constexpr uint64_t kMaxArchiveBytes = 4ULL << 30;  // total uncompressed
  static constexpr size_t kMaxRecords = 2'000'000;

  // Adds a file, a directory (recursively: *.json, *.zip) or a zip of OSV
  // files. Fails only when `path` itself cannot be opened; bad files inside
  // become problems.
  Expected<void> Load(const std::string& path, std::vector<Gap>& problems);
  // Adds the records of one JSON text; `source` names it in problems and in
  // Advisory::source (its file stem is the fallback id of a record with "").
  void LoadJson(std::string_view text, const std::string& source, std::vector<Gap>& problems);

  // The advisories affecting name@version, transients already de-duplicated
  // against canonical MAL records, in load order.
  std::vector<AdvisoryMatch> Match(std::string_view name, std::string_view version) const;

  size_t size() const { return advisories_.size(); }
  size_t package_count() const { return index_.size(); }

 private:
  void Add(std::shared_ptr<const Advisory> a, std::vector<Gap>& problems);
  void LoadJson(simdjson::dom::parser& parser, std::string_view text, const std::string& source,
                std::vector<Gap>& problems);
  void LoadFile(simdjson::dom::parser& parser, const std::string& path, std::vector<Gap>& problems);
  void LoadZip(simdjson::dom::parser& parser, const std::string& path, std::vector<Gap>& problems);

  struct Ref {
    uint32_t advisory;
    uint32_t affected;
  };
  std::vector<std::shared_ptr<const Advisory>> advisories_;
  std::unordered_map<std::string, std::vector<Ref>> index_;
  bool capped_ = false;  // kMaxRecords reached (reported once)
};

// Adds the advisories at `path` (an OSV JSON file, a directory of them, or a
// zip of them) to the rule pack's set; bad files inside go to rules.problems.
// Fails when `path` does not exist or cannot be read at all.
Expected<void> AddAdvisories(RulePack& rules, const std::string& path);

}  // namespace deminer
