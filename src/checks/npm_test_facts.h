// Test helper for the npm checks: a project built by hand (no npm needed).
#pragma once

#include <string>
#include <vector>

#include "checks/test_facts.h"

namespace deminer {

inline NpmPackage MakePackage(std::string name, std::string version,
                              std::vector<std::string> via = {}, int line = 10) {
  NpmPackage p;
  p.name = std::move(name);
  p.version = std::move(version);
  p.path = "node_modules/" + p.name;
  p.integrity = "sha512-AAAA";
  p.resolved =
      "https://mirror.corp.test/" + p.name + "/-/" + p.name + "-" + p.version + ".tgz";
  p.via = via.empty() ? std::vector<std::string>{p.name + "@" + p.version} : std::move(via);
  p.line = line;
  return p;
}

inline NpmScript MakeScript(const NpmPackage& p, std::string event, std::string command) {
  NpmScript s;
  s.package = p.name + "@" + p.version;
  s.path = "/srv/app/" + p.path + "/package.json";
  s.event = std::move(event);
  s.command = std::move(command);
  s.line = 5;
  return s;
}

inline NpmrcSetting MakeSetting(std::string scope, std::string key, std::string value,
                                bool secret = false) {
  NpmrcSetting s;
  s.scope = std::move(scope);
  s.file = s.scope == "project" ? "/srv/app/.npmrc" : "/home/u/.npmrc";
  s.line = 1;
  s.key = std::move(key);
  s.value = std::move(value);
  s.secret = secret;
  return s;
}

inline NpmProject MakeProject(std::vector<NpmPackage> packages = {}) {
  NpmProject p;
  p.dir = "/srv/app";
  p.display = "/srv/app";
  p.lockfile = "/srv/app/package-lock.json";
  p.kind = LockfileKind::kPackageLock;
  p.lockfile_version = 3;
  p.name = "app";
  p.node_modules = "/srv/app/node_modules";
  p.packages = std::move(packages);
  return p;
}

inline std::vector<Finding> RunOnProject(const Check& check, NpmProject project,
                                         const RulePack& rules = DefaultRules()) {
  Facts facts = BaseFacts();
  facts.npm_projects.push_back(std::move(project));
  return RunCheck(check, facts, rules);
}

}  // namespace deminer
