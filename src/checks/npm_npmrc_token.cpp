// npm.npmrc-token: a registry credential written literally in an .npmrc. In
// the project's file it is most likely committed with the code; in the
// user's it is readable by whatever runs as that user (an install script).
// The value never reaches a finding: the parser already replaced it.
#include <fmt/format.h>

#include "checks/npm_npmrc_common.h"
#include "core/strings.h"

namespace deminer {

extern const Check kNpmNpmrcToken;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const NpmProject& project : ctx.facts.npm_projects) {
    for (const NpmrcSetting& s : project.npmrc) {
      if (!s.secret) continue;
      const Severity sev = s.scope == "project" ? Severity::kHigh : Severity::kMedium;
      Finding f =
          NpmrcFinding(kNpmNpmrcToken.info, ctx, project, s, sev,
                       fmt::format("{} written in {} ({})", Printable(s.key, 256), s.file, s.scope),
                       fmt::format("{}\n{}\n{}", s.file, s.key, project.container_id));
      f.evidence["key"] = Printable(s.key, 256);
      f.evidence["value"] = "<redacted>";
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kNpmNpmrcToken = {
    {"npm.npmrc-token", "A registry token is written in an .npmrc", Severity::kHigh,
     Kind::kWeakness, Scope::kNpm, "T1552.001",
     "Revoke the token, remove it from the file (and git history), and read it from an environment "
     "variable: //host/:_authToken=${NPM_TOKEN}.",
     "_authToken, _auth and _password with a literal value in an .npmrc: high in the project's own "
     "(committed) file, medium in the user's or global one."},
    Run};

}  // namespace deminer
