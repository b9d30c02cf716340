// Fuzzes the OSV advisory loader (records, arrays of records and the
// consolidated {"name": {"versions": [...]}} list: --advisories takes files a
// scan does not control) and the SemVer parser and precedence, then matches
// the loaded set so range evaluation runs on whatever the input made.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "match/osv.h"
#include "match/semver.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // SemVer: the first line as a version, the second compared with it.
  const size_t nl = text.find('\n');
  const std::string_view first = text.substr(0, nl);
  const std::string_view second = nl == std::string_view::npos ? "" : text.substr(nl + 1, 300);
  const auto a = deminer::SemVer::Parse(first);
  const auto b = deminer::SemVer::Parse(second.substr(0, second.find('\n')));
  if (a) {
    (void)a->ToString();
    if (deminer::SemVer::Compare(*a, *a) != 0) __builtin_trap();
    // A parsed version prints to text that parses to the same version.
    const auto again = deminer::SemVer::Parse(a->ToString());
    if (!again || deminer::SemVer::Compare(*a, *again) != 0) __builtin_trap();
  }
  if (a && b && deminer::SemVer::Compare(*a, *b) != -deminer::SemVer::Compare(*b, *a)) {
    __builtin_trap();
  }

  deminer::AdvisoryDb db;
  std::vector<deminer::Gap> problems;
  db.LoadJson(text, "fuzz/MAL-0000-fuzz.json", problems);
  for (const char* name : {"p", "next", "evil", ""}) {
    for (const char* version : {"1.0.0", "0.0.0", "15.0.4", "1.0.0-rc.1", "github:x/y"}) {
      for (const deminer::AdvisoryMatch& m : db.Match(name, version)) {
        (void)deminer::AdvisorySeverity(*m.advisory);
      }
    }
    if (a) (void)db.Match(name, first);
  }
  return 0;
}
