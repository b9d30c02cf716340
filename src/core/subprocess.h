// Runs a system tool the daemon needs (nft), never anything a scan found:
// argv[0] is an absolute path or looked up in PATH, the input is written to
// its stdin, and its output and exit status come back. Bounded in output.
#pragma once

#include <string>
#include <vector>

#include "core/error.h"

namespace deminer {

struct ProcessResult {
  int exit_code = -1;  // -1: killed by a signal
  std::string out;
  std::string err;
};

// A tool that runs past `timeout_ms`, or is silent for 10 s, is killed and
// is an error.
Expected<ProcessResult> RunTool(const std::vector<std::string>& argv, const std::string& input = "",
                                int timeout_ms = 60000);

}  // namespace deminer
