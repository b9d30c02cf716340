// Which response applies to a finding: the first policy whose check pattern
// and severity floor match it. Policies come from the config file, in its
// order; the command-line flags make the last, catch-all one. Pure.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"
#include "watch/response.h"

namespace deminer {

struct Policy {
  std::string check;                  // "" any check; "proc.*" a prefix; else exact
  Severity at = Severity::kCritical;  // findings at or above
  Response process = Response::kAlert;
  bool quarantine = false;  // move the finding's file (or the process's executable) away
  bool block = false;       // add the remote address to the daemon's nftables set
  std::string container;    // "", "pause", "stop" or "disconnect"

  // Whether anything beyond an alert is done.
  bool Acts() const {
    return process != Response::kAlert || quarantine || block || !container.empty();
  }
};

// The policy for `f`, or null when none matches (alert only).
const Policy* PolicyFor(const std::vector<Policy>& policies, const Finding& f);

bool CheckMatches(std::string_view pattern, std::string_view check);

}  // namespace deminer
