// What a check is: metadata as data, and one pure function from facts to
// findings. Checks never do I/O; sources already did it. A check is one .cpp
// and its _test.cpp, plus one line in check_list.inc.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "match/rule_pack.h"
#include "sources/facts.h"

namespace deminer {

struct CheckInfo {
  std::string_view id;
  std::string_view title;
  Severity severity;  // the highest severity the check reports
  Kind kind;
  Scope scope;
  std::string_view attack;  // MITRE ATT&CK technique
  std::string_view remediation;
  std::string_view description;  // what it looks at and why, for `deminer checks`
};

struct CheckContext {
  const Facts& facts;
  const RulePack& rules;
};

using CheckFn = void (*)(const CheckContext& ctx, std::vector<Finding>& out);

struct Check {
  CheckInfo info;
  CheckFn run;
};

// Every check, in catalog order (check_list.inc).
const std::vector<const Check*>& Catalog();
const Check* FindCheck(std::string_view id);

// A finding pre-filled from the check's metadata.
Finding NewFinding(const CheckInfo& info, Severity severity, std::string subject,
                   std::string_view fingerprint_key);

// A finding about a process: subject "pid N name", container, and evidence
// (pid, user, exe, command line, ancestry up to pid 1 or the container's init).
// The fingerprint key is the executable, command line and container, not the pid.
Finding ProcessFinding(const CheckInfo& info, const CheckContext& ctx, const Process& p,
                       Severity severity);

// True for processes a check must not judge: deminer itself.
bool IsSelf(const CheckContext& ctx, const Process& p);

// Whether a name list names the process: by argv[0], comm or the executable's name.
bool NamesProcess(const NameList& list, const Process& p);

// A finding about a file: subject its path (and container), path set,
// evidence with size, mode, owner, times, type and digests. Fingerprint key:
// the path, the container and the SHA-256 when known.
Finding FileFinding(const CheckInfo& info, const CheckContext& ctx, const FileEntry& e,
                    Severity severity);

// "2026-11-22T18:00:00Z".
std::string FormatTime(int64_t epoch_seconds);

// Under /tmp, /var/tmp, /dev/shm, /run/shm, /dev/mqueue or a user's /run/user/UID.
bool IsTempPath(std::string_view path);

}  // namespace deminer
