// file.name-ioc: a file whose path matches a filename IOC (Loki's
// filename-iocs.txt) or whose name is a known miner's.
#include "checks/check.h"

namespace deminer {

extern const Check kFileNameIoc;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    if (e.area == "system" || e.type == FileEntry::Type::kDir) continue;
    auto matched = nlohmann::ordered_json::array();
    Severity sev = Severity::kInfo;
    for (const size_t i : ctx.rules.MatchFilename(e.path)) {
      const FilenameIoc& ioc = ctx.rules.filename_iocs[i];
      sev = std::max(sev, ioc.score >= 80   ? Severity::kHigh
                          : ioc.score >= 50 ? Severity::kMedium
                                            : Severity::kLow);
      matched.push_back({{"regex", ioc.regex}, {"score", ioc.score}, {"source", ioc.source}});
    }
    // A miner's name counts for programs only: a "xmrig.md" in docs is not one.
    const bool program = e.content == FileEntry::Content::kElf || e.Executable();
    if (program && e.type == FileEntry::Type::kFile) {
      if (const std::string* src = ctx.rules.miner_names.Match(e.Name())) {
        sev = std::max(sev, Severity::kHigh);
        matched.push_back({{"miner_name", std::string(e.Name())}, {"source", *src}});
      }
    }
    if (matched.empty()) continue;
    Finding f = FileFinding(kFileNameIoc.info, ctx, e, sev);
    f.evidence["matched"] = std::move(matched);
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kFileNameIoc = {
    {"file.name-ioc", "File named like a known miner or dropper", Severity::kHigh,
     Kind::kCompromise, Scope::kFiles, "T1036",
     "Check what the file is (its YARA and hash results are in the same report), keep a copy "
     "and remove it.",
     "Paths of the files walked (temp dirs, container layers, PATHs) against the filename IOCs "
     "of the rule pack (regular expressions with a score, as Loki's filename-iocs.txt; 80+ is "
     "high), and names of executable files against the miner names list."},
    Run};

}  // namespace deminer
