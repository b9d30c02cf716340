#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {

extern const Check kNpmRegistryMismatch;

namespace {

NpmProject VerifiedProject() {
  NpmProject p;
  p.dir = "/srv/app";
  p.display = "/srv/app";
  p.lockfile = "/srv/app/package-lock.json";
  p.kind = LockfileKind::kPackageLock;
  p.verified = true;
  NpmPackage pkg;
  pkg.name = "left-pad";
  pkg.version = "1.3.0";
  pkg.path = "node_modules/left-pad";
  pkg.integrity = "sha512-AAAA";
  pkg.line = 42;
  p.packages.push_back(pkg);
  RegistryCheck r;
  r.name = "left-pad";
  r.version = "1.3.0";
  r.path = "node_modules/left-pad";
  r.integrity = "sha512-AAAA";
  r.actual = "sha512-BBBB";
  r.tarball = "cache";
  r.integrity_mismatch = true;
  p.registry.push_back(r);
  return p;
}

TEST(NpmRegistryMismatchCheckTest, ReportsMismatchWithLockfileLine) {
  Facts facts = BaseFacts();
  facts.npm_projects.push_back(VerifiedProject());
  const auto out = RunCheck(kNpmRegistryMismatch, facts);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_EQ(out[0].subject, "left-pad@1.3.0 in /srv/app");
  EXPECT_EQ(out[0].evidence["lockfile_integrity"], "sha512-AAAA");
  EXPECT_EQ(out[0].evidence["actual"], "sha512-BBBB");
  EXPECT_EQ(out[0].evidence["tarball"], "cache");
  EXPECT_EQ(out[0].path, "/srv/app/package-lock.json");
  EXPECT_EQ(out[0].line, 42);
  EXPECT_FALSE(out[0].fingerprint.empty());
}

TEST(NpmRegistryMismatchCheckTest, QuietWhenDigestsMatchOrNotVerified) {
  Facts facts = BaseFacts();
  NpmProject ok = VerifiedProject();
  ok.registry[0].integrity_mismatch = false;
  ok.registry[0].actual = ok.registry[0].integrity;
  facts.npm_projects.push_back(ok);
  NpmProject unavailable = VerifiedProject();
  unavailable.registry[0].integrity_mismatch = false;
  unavailable.registry[0].unavailable = true;
  unavailable.registry[0].error = "GET ...: HTTP 404";
  facts.npm_projects.push_back(unavailable);
  NpmProject not_run = VerifiedProject();
  not_run.verified = false;
  facts.npm_projects.push_back(not_run);
  EXPECT_TRUE(RunCheck(kNpmRegistryMismatch, facts).empty());
}

TEST(NpmRegistryMismatchCheckTest, FingerprintStableAndPerPackage) {
  Facts a = BaseFacts();
  a.npm_projects.push_back(VerifiedProject());
  Facts b = BaseFacts();
  NpmProject other = VerifiedProject();
  other.registry[0].name = other.packages[0].name = "right-pad";
  b.npm_projects.push_back(other);
  const auto fa = RunCheck(kNpmRegistryMismatch, a);
  const auto fa2 = RunCheck(kNpmRegistryMismatch, a);
  const auto fb = RunCheck(kNpmRegistryMismatch, b);
  ASSERT_EQ(fa.size(), 1u);
  ASSERT_EQ(fb.size(), 1u);
  EXPECT_EQ(fa[0].fingerprint, fa2[0].fingerprint);
  EXPECT_NE(fa[0].fingerprint, fb[0].fingerprint);
}

}  // namespace
}  // namespace deminer
