// The npm scope's collectors: I/O that fills Facts for the npm checks. Called
// by CollectFacts in this order when the npm scope is on.
#pragma once

#include "checks/scanner.h"

namespace deminer {

// Finds projects (lockfiles, package.json, node_modules) in the PATHs and, on a
// live host, in the working dirs of running Node.js processes (host and
// containers, through /proc/PID/root), and reads each: lockfile graph,
// install scripts, .npmrc. Fills facts.npm_projects. (checks/npm_collect.cpp)
void CollectNpmProjects(const ScanOptions& options, Facts& facts);

// Scores the JavaScript of the projects' node_modules, build output (.next,
// standalone) and bundle dirs among the PATHs with the JS heuristics; files at
// or above the threshold go to facts.js_files. (checks/js_collect.cpp)
void CollectJsCode(const ScanOptions& options, const RulePack& rules, Facts& facts);

// --verify-registry: compares each installed package of the projects under
// options.verify_registry with its registry tarball (npm's cache first).
// Fills NpmProject::registry. (checks/npm_verify_collect.cpp)
void VerifyNpmRegistry(const ScanOptions& options, Facts& facts);

}  // namespace deminer
