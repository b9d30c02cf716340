// file.exe-in-temp: a program (ELF, or an executable script) stored in a temp
// directory, on the host or in a container: where droppers put miners.
#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

extern const Check kFileExeInTemp;

namespace {

// Directories between the temp root and the file: /tmp/x -> 0, /tmp/a/b/x -> 2.
size_t DepthBelowTemp(std::string_view path) {
  size_t skip = path.starts_with("/var/tmp/") || path.starts_with("/dev/shm/") ? 2 : 1;
  if (path.starts_with("/run/user/")) skip = 3;
  const std::vector<std::string_view> parts = Split(path.substr(1), '/');
  return parts.size() > skip + 1 ? parts.size() - skip - 1 : 0;
}

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const FileEntry& e : ctx.facts.files) {
    if (e.type != FileEntry::Type::kFile || !IsTempPath(e.path)) continue;
    Severity sev;
    if (e.content == FileEntry::Content::kElf) {
      sev = e.Executable() ? Severity::kHigh : Severity::kMedium;
    } else if (e.content == FileEntry::Content::kScript && e.Executable()) {
      sev = Severity::kMedium;
    } else {
      continue;
    }
    // Droppers write to the top of a temp dir or into a hidden dir there;
    // deep trees are mostly unpacked archives and build dirs.
    const bool hidden = e.Hidden();
    const size_t depth = DepthBelowTemp(e.path);
    if (depth > 1 && !hidden) sev = static_cast<Severity>(static_cast<int>(sev) - 1);
    Finding f = FileFinding(kFileExeInTemp.info, ctx, e, sev);
    if (hidden) f.evidence["hidden_path"] = true;
    f.evidence["depth_below_temp"] = depth;
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kFileExeInTemp = {
    {"file.exe-in-temp", "Program stored in a temp directory", Severity::kHigh, Kind::kCompromise,
     Scope::kFiles, "T1105",
     "A healthy server does not keep programs in /tmp, /var/tmp or /dev/shm. Keep a copy "
     "(deminer collect), find what wrote it (its times against logs, the processes that run "
     "it), remove it, and mount temp dirs noexec (containers: --tmpfs /tmp:noexec,nosuid).",
     "Every ELF file, and every script with an execute bit, under the temp dirs of the host and "
     "of each running container (its writable layer and tmpfs mounts). High for an executable "
     "ELF at the top of a temp dir or in a hidden dir there; one step lower for a non-executable "
     "ELF, an executable script, or a file deeper than two directories (unpacked archives)."},
    Run};

}  // namespace deminer
