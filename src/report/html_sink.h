// The pure parts of the HTML report (html_sink.cpp), apart so they can be
// unit-tested: escaping of strings from the scanned host, the one-word
// verdict, and the timeline of what happened when. No I/O, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/finding.h"

namespace deminer {

// Text safe in HTML element content and in double- or single-quoted attribute
// values: & < > " ' escaped, bytes that are not UTF-8 and control characters
// (but tab and newline) replaced by U+FFFD. Every string that comes from the
// scanned host goes through this: a process may be named "<script>".
std::string HtmlEscape(std::string_view s);

// "compromised" when a compromise-kind finding is at high or above, "weak" when
// there are weaknesses (low or above) but no such compromise, "clean" otherwise;
// the reason is one line for a person.
struct Verdict {
  std::string word;
  std::string reason;
};
Verdict JudgeFindings(const std::vector<Finding>& findings);

// A moment the findings' evidence names: a process start, a file's
// modification, the first and last matching log line, an object's creation.
// Events at the same time about the same thing are one event with every
// finding that names it.
struct TimelineEvent {
  int64_t time = 0;                     // epoch seconds
  std::string what;                     // "process started", "file modified", ...
  std::string detail;                   // "pid 812 /tmp/javae -o ...", a path, a log
  std::vector<size_t> findings;         // indexes into the findings given
  Severity severity = Severity::kInfo;  // the most severe of them
};
// Oldest first; ties keep the findings' order.
std::vector<TimelineEvent> BuildTimeline(const std::vector<Finding>& findings);

}  // namespace deminer
