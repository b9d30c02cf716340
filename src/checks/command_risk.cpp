#include "checks/command_risk.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <set>

#include "checks/check.h"
#include "core/strings.h"
#include "match/miner_cmdline.h"

namespace deminer {

std::string HostOf(std::string_view word) {
  const std::string host = UrlHost(word);
  const bool hostlike =  // IPv6 literals are not in the seed IOCs
      host.find('.') != std::string::npos && !host.starts_with('.') &&
      std::all_of(host.begin(), host.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-';
      });
  return hostlike ? host : std::string();
}

nlohmann::ordered_json CommandRisk::ToJson() const {
  auto arr = nlohmann::ordered_json::array();
  for (const CommandReason& r : reasons) {
    nlohmann::ordered_json j = {{"what", r.what}, {"why", r.why}};
    if (!r.value.empty()) j["value"] = r.value;
    if (!r.source.empty()) j["source"] = r.source;
    arr.push_back(std::move(j));
  }
  return arr;
}

namespace {

// Words of a shell command, with quotes and shell punctuation taken off.
std::vector<std::string> Words(std::string_view command) {
  std::vector<std::string> out;
  std::string cur;
  for (const char c : command) {
    if (std::string_view(" \t;&|()`'\"<>").find(c) != std::string_view::npos) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

void Add(CommandRisk& risk, CommandReason r) {
  risk.severity = std::max(risk.severity, r.severity);
  risk.reasons.push_back(std::move(r));
}

}  // namespace

CommandRisk AssessCommand(std::string_view command, const RulePack& rules) {
  CommandRisk risk;
  for (const size_t i : rules.MatchShell(command)) {
    const ShellPattern& p = rules.shell_patterns[i];
    Add(risk, {p.id, p.why, "", p.source, p.severity});
  }
  const std::vector<std::string> words = Words(command);
  const MinerVerdict miner = AnalyzeMiner(words, "", "", rules);
  if (miner.severity > Severity::kInfo) {
    std::vector<std::string> hints;
    for (const MinerHint& h : miner.hints) hints.push_back(h.what + " " + h.value);
    Add(risk, {"miner command line", Join(hints, ", "), "", "", miner.severity});
  }
  std::set<std::string> seen;
  for (const std::string& w : words) {
    std::string_view word = w;
    if (const size_t eq = word.find('='); eq != std::string_view::npos) word.remove_prefix(eq + 1);
    if (word.empty() || !seen.insert(std::string(word)).second) continue;
    if (const std::string host = HostOf(word); !host.empty()) {
      if (const std::string* src = rules.MatchC2(host, 0)) {
        Add(risk, {"C2 host", "names a known attacker host", host, *src, Severity::kCritical});
      } else if (const std::string* pool = rules.MatchPoolDomain(host)) {
        Add(risk, {"pool domain", "names a mining pool", host, *pool, Severity::kCritical});
      }
    }
    if (word.starts_with('/')) {
      const std::vector<size_t> iocs = rules.MatchFilename(word);
      if (!iocs.empty()) {
        const FilenameIoc& ioc = rules.filename_iocs[iocs.front()];
        Add(risk, {"file name IOC", "names a file known from intrusions", std::string(word),
                   ioc.source, ioc.score >= 75 ? Severity::kCritical : Severity::kHigh});
      }
    }
    if (word.find('/') != std::string_view::npos || &w == &words.front()) {
      if (const std::string* src = rules.miner_names.Match(Basename(word))) {
        Add(risk, {"miner name", "runs a program named like a miner", std::string(word), *src,
                   Severity::kHigh});
      }
    }
  }
  return risk;
}

Finding PersistFinding(const CheckInfo& info, const CheckContext& ctx, const PersistItem& item,
                       const PersistCommand* cmd, Severity severity) {
  std::string where =
      cmd != nullptr && cmd->line > 0 ? fmt::format("{}:{}", item.path, cmd->line) : item.path;
  const std::optional<ContainerRef> container = ctx.facts.ContainerById(item.container_id);
  if (container) {
    where += " in container " +
             (container->Shown());
  }
  Finding f = NewFinding(info, severity, std::move(where),
                         fmt::format("{}\n{}\n{}", item.path, item.container_id,
                                     cmd != nullptr ? cmd->text : std::string()));
  f.container = container;
  f.path = item.path;
  if (cmd != nullptr) f.line = cmd->line;
  f.evidence["file"] = item.path;
  f.evidence["mechanism"] = PersistKindName(item.kind);
  if (!item.user.empty()) f.evidence["owner"] = item.user;
  if (cmd != nullptr) {
    if (!cmd->key.empty()) f.evidence["entry"] = cmd->key;
    if (!cmd->user.empty()) f.evidence["runs_as"] = cmd->user;
    f.evidence["text"] = Printable(cmd->text, 500);
  }
  f.evidence["modified"] = FormatTime(item.mtime);
  return f;
}

}  // namespace deminer
