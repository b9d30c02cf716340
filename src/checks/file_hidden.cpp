// file.hidden: a hidden file or directory in a temp dir (`/tmp/.svc_370`,
// `/var/tmp/...`), the way droppers hide their working dirs.
#include <fnmatch.h>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kFileHidden;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    if (!IsTempPath(e.path) || !HiddenName(e.Name())) continue;
    // Only the topmost hidden name: the files inside a hidden dir are its evidence.
    const std::string_view parent =
        std::string_view(e.path).substr(0, e.path.size() - e.Name().size());
    bool parent_hidden = false;
    for (std::string_view part : Split(parent, '/')) parent_hidden |= HiddenName(part);
    if (parent_hidden) continue;
    if (RulePack::MatchGlob(ctx.rules.hidden_expected, e.path) != nullptr) continue;
    const bool dots_only = e.Name().find_first_not_of(". ") == std::string_view::npos;
    Finding f =
        FileFinding(kFileHidden.info, ctx, e, dots_only ? Severity::kHigh : Severity::kMedium);
    if (e.type == FileEntry::Type::kDir) {
      size_t files = 0;
      auto programs = nlohmann::ordered_json::array();
      const std::string prefix = e.path + "/";
      for (const FileEntry& in : ctx.facts.files) {
        if (!in.path.starts_with(prefix) || in.container_id != e.container_id) continue;
        if (in.type != FileEntry::Type::kFile) continue;
        ++files;
        if (in.content == FileEntry::Content::kElf && programs.size() < 10) {
          programs.push_back(Printable(in.path, 512));
        }
      }
      f.evidence["files_inside"] = files;
      if (!programs.empty()) f.evidence["programs_inside"] = std::move(programs);
    }
    if (dots_only) f.evidence["name_is_only_dots_or_spaces"] = true;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kFileHidden = {
    {"file.hidden", "Hidden file or directory in a temp directory", Severity::kHigh,
     Kind::kCompromise, Scope::kFiles, "T1564.001",
     "Look inside (deminer reports the programs it holds), keep a copy with deminer collect, "
     "and remove it once the dropper that made it is found. Names such as `.svc_370` and `...` "
     "are how seed 001's dropper hid its files.",
     "Names starting with a dot, or made only of dots and spaces, in the temp dirs of the host "
     "and its containers, except the ones systems make (/tmp/.X11-unix and friends: "
     "hidden_expected in the rule pack). Only the topmost hidden name of a path is reported; a "
     "name of dots and spaces is high, others medium."},
    Run};

}  // namespace deminer
