// Fuzzes the readers of what an intruder may have written: cron tables, unit
// files, shell and list files, pm2's JSON dump, authorized_keys, passwd and
// mountinfo, YARA string declarations (for the pre-filter) and digest rules,
// and the judgement of each command found, against the default rules.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "checks/command_risk.h"
#include "match/yara_rules.h"
#include "sources/file_walker.h"
#include "sources/persistence.h"
#include "sources/proc_parse.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const deminer::RulePack rules = [] {
    auto r = deminer::RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    if (!r) __builtin_trap();
    return std::move(*r);
  }();
  using namespace deminer;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  for (const bool system : {true, false}) {
    for (const PersistCommand& c : ParseCrontab(text, system)) (void)AssessCommand(c.text, rules);
  }
  for (const PersistCommand& c : ParseUnitExec(text)) (void)AssessCommand(c.text, rules);
  (void)ParseScriptLines(text);
  (void)ParseLdPreloadAssignments(text);
  (void)ParsePm2Dump(text);
  (void)ParsePasswd(text);
  (void)ParseAuthorizedKey(text);
  for (const MountEntry& m : ParseMountInfo(text)) (void)m.SuperOption("upperdir");
  std::string interpreter;
  (void)ClassifyContent(text, &interpreter);
  (void)HostOf(text);
  (void)PrefilterPatterns(text);  // user YARA files are input too
  (void)DigestRules(text);
  return 0;
}
