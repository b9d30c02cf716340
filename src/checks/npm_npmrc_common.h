// The finding head the .npmrc checks share (npm.npmrc-registry,
// npm.npmrc-token): one setting of one project's .npmrc files, pointed at by
// file and line, with the project, file and scope in the evidence.
#pragma once

#include <string>
#include <utility>

#include "checks/check.h"

namespace deminer {

inline Finding NpmrcFinding(const CheckInfo& info, const CheckContext& ctx,
                            const NpmProject& project, const NpmrcSetting& s, Severity severity,
                            std::string subject, const std::string& fingerprint_key) {
  Finding f = NewFinding(info, severity, std::move(subject), fingerprint_key);
  f.container = ctx.facts.ContainerById(project.container_id);
  f.path = s.file;
  f.line = s.line;
  f.evidence["project"] = project.display;
  f.evidence["file"] = s.file;
  f.evidence["scope"] = s.scope;
  return f;
}

}  // namespace deminer
