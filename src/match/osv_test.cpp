#include "match/osv.h"

#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "core/test_dir.h"
#include "match/rule_pack.h"
#include "match/test_rules.h"

namespace deminer {
namespace {

const std::string kShared = std::string(DEMINER_SHARED_DIR) + "/osv";

std::set<std::string> Ids(const std::vector<AdvisoryMatch>& ms) {
  std::set<std::string> out;
  for (const AdvisoryMatch& m : ms) out.insert(m.advisory->id);
  return out;
}

const AdvisoryDb& SharedDb() {
  static const AdvisoryDb db = [] {
    AdvisoryDb d;
    std::vector<Gap> problems;
    auto r = d.Load(kShared, problems);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    for (const Gap& g : problems) ADD_FAILURE() << g.what << ": " << g.reason;
    return d;
  }();
  return db;
}

// --- the real data set (../shared/osv) ---

TEST(OsvRealDataTest, LoadsEveryRecordAndTheConsolidatedList) {
  const AdvisoryDb& db = SharedDb();
  // 29 MAL files + 5 hand-written + 1 list.
  EXPECT_EQ(db.size(), 35u);
  EXPECT_GE(db.package_count(), 10647u);
}

struct Case {
  std::string name;
  std::string version;
  std::set<std::string> ids;  // expected, after de-duplication
};

TEST(OsvRealDataTest, TrickyCasesOfTheReadme) {
  const std::string list = "malicious-npm-consolidated";
  const std::vector<Case> cases = {
      // ngx-bootstrap: two introduced/last_affected pairs in one range, plus
      // a versions list naming 18.1.4 outside them (OSV's union).
      {"ngx-bootstrap", "18.1.4", {"MAL-2025-47197"}},
      {"ngx-bootstrap", "19.0.3", {"MAL-2025-47197"}},
      {"ngx-bootstrap", "19.0.4", {"MAL-2025-47197"}},
      {"ngx-bootstrap", "20.0.5", {"MAL-2025-47197"}},
      {"ngx-bootstrap", "20.0.6", {"MAL-2025-47197"}},
      {"ngx-bootstrap", "19.0.5", {}},
      {"ngx-bootstrap", "20.0.7", {}},
      {"ngx-bootstrap", "18.1.3", {}},
      // posthog-node: unsorted versions list.
      {"posthog-node", "4.18.1", {"MAL-2025-190925"}},
      {"posthog-node", "5.13.3", {"MAL-2025-190925"}},
      {"posthog-node", "5.11.4", {}},
      // @asyncapi/specs: a prerelease is its own version.
      {"@asyncapi/specs", "6.11.2-alpha.1", {"MAL-2025-190643"}},
      {"@asyncapi/specs", "6.11.2-alpha.2", {}},
      {"@asyncapi/specs", "6.8.3", {"MAL-2025-190643"}},
      // tinycolor: introduced 0 with no end is every version, strictly; the
      // transient MAL-0000 file is folded into the canonical record.
      {"@ctrl/tinycolor", "4.1.1", {"MAL-2025-47141"}},
      {"@ctrl/tinycolor", "3.4.0", {"MAL-2025-47141"}},
      {"@ctrl/deluge", "1.0.0", {"MAL-2025-47131"}},
      // chalk: the canonical record and two transients with "id": "".
      {"chalk", "5.6.1", {"MAL-2025-46969"}},
      {"chalk", "5.6.0", {}},
      {"debug", "4.4.2", {"MAL-2025-46974"}},
      // next: GHSA-9qr9 (RSC) and GHSA-f82v (middleware, up to 15.2.3).
      {"next", "15.0.4", {"GHSA-9qr9-h5gf-34mp", "GHSA-f82v-jwr5-mffw"}},
      {"next", "15.0.5", {"GHSA-f82v-jwr5-mffw"}},
      {"next", "15.3.0", {"GHSA-9qr9-h5gf-34mp"}},
      {"next", "15.3.6", {}},
      {"next", "14.3.0-canary.80", {"GHSA-9qr9-h5gf-34mp"}},
      {"next", "14.3.0-canary.76", {}},
      {"next", "15.2.0-canary.5", {"GHSA-f82v-jwr5-mffw"}},
      {"next", "16.0.7", {}},
      {"next", "12.3.4", {"GHSA-f82v-jwr5-mffw"}},
      {"react-server-dom-webpack", "19.1.1", {"GHSA-fv66-9v8q-g76r"}},
      {"react-server-dom-webpack", "19.1.2", {}},
      // lodash: fixed at 4.17.20, not 4.17.19.
      {"lodash", "4.17.19", {"GHSA-p6mc-m468-83gw"}},
      {"lodash", "4.17.20", {}},
      {"lodash", "0.1.0", {"GHSA-p6mc-m468-83gw"}},
      {"lodash-es", "4.17.15", {"GHSA-p6mc-m468-83gw"}},
      // minimist: two ranges.
      {"minimist", "0.2.3", {"GHSA-xvch-5gv4-984h"}},
      {"minimist", "0.2.4", {}},
      {"minimist", "1.2.5", {"GHSA-xvch-5gv4-984h"}},
      {"minimist", "1.2.6", {}},
      // @solana/web3.js: fixed event.
      {"@solana/web3.js", "1.95.7", {"MAL-2024-11183"}},
      {"@solana/web3.js", "1.95.8", {}},
      // @aa-techops-ui/ping-authentication: introduced 0 and a list.
      {"@aa-techops-ui/ping-authentication", "0.0.1", {"MAL-2025-192745"}},
      // The consolidated list alone: a listed version, and an every-version entry.
      {"@accordproject/concerto-linter", "3.24.1", {list}},
      {"@accordproject/concerto-linter", "3.24.0", {}},
      // Not semver: only every-version entries can match.
      {"twilio-npm", "github:x/y", {"MAL-2025-37375"}},
      {"lodash", "github:lodash/lodash#abc", {}},
      {"no-such-package-here", "1.0.0", {}},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Ids(SharedDb().Match(c.name, c.version)), c.ids) << c.name << "@" << c.version;
  }
}

TEST(OsvRealDataTest, MatchSaysWhatFixesAndWhetherEveryVersionIsCovered) {
  const auto next = SharedDb().Match("next", "15.0.4");
  const auto rsc = std::find_if(next.begin(), next.end(), [](const AdvisoryMatch& m) {
    return m.advisory->id == "GHSA-9qr9-h5gf-34mp";
  });
  ASSERT_NE(rsc, next.end());
  EXPECT_EQ(rsc->fixed, std::vector<std::string>{"15.0.5"});
  EXPECT_FALSE(rsc->every_version);
  EXPECT_EQ(AdvisorySeverity(*rsc->advisory), Severity::kCritical);
  EXPECT_NE(
      std::find(rsc->advisory->aliases.begin(), rsc->advisory->aliases.end(), "CVE-2025-66478"),
      rsc->advisory->aliases.end());
  EXPECT_EQ(rsc->affected->notes.size(), 2u);  // note_14_3_canary, note_canaries

  const auto canary = SharedDb().Match("next", "14.3.0-canary.80");
  ASSERT_EQ(canary.size(), 1u);
  EXPECT_EQ(canary[0].fixed, std::vector<std::string>{"14.3.0"});

  const auto minimist = SharedDb().Match("minimist", "1.2.5");
  ASSERT_EQ(minimist.size(), 1u);
  EXPECT_EQ(minimist[0].fixed, std::vector<std::string>{"1.2.6"});

  const auto tiny = SharedDb().Match("@ctrl/tinycolor", "3.4.0");
  ASSERT_EQ(tiny.size(), 1u);
  EXPECT_TRUE(tiny[0].every_version);
  EXPECT_TRUE(tiny[0].advisory->malicious);
  EXPECT_FALSE(tiny[0].advisory->transient);

  const auto ngx = SharedDb().Match("ngx-bootstrap", "19.0.3");
  ASSERT_EQ(ngx.size(), 1u);
  EXPECT_EQ(ngx[0].last_affected, "19.0.4");
  EXPECT_FALSE(ngx[0].every_version);

  const auto lodash = SharedDb().Match("lodash", "4.17.19");
  ASSERT_EQ(lodash.size(), 1u);
  EXPECT_EQ(AdvisorySeverity(*lodash[0].advisory), Severity::kHigh);
}

TEST(OsvRealDataTest, TransientsFallBackToTheirAliasOrFileName) {
  AdvisoryDb db;
  std::vector<Gap> problems;
  ASSERT_TRUE(db.Load(kShared + "/malicious/@ctrl__tinycolor/"
                                "MAL-0000-google-open-source-security-324615ccd53bf9d6.json",
                      problems));
  ASSERT_TRUE(
      db.Load(kShared + "/malicious/chalk/MAL-0000-ghsa-malware-51098385745159b5.json", problems));
  EXPECT_TRUE(problems.empty());
  const auto tiny = db.Match("@ctrl/tinycolor", "4.1.2");
  ASSERT_EQ(tiny.size(), 1u);
  EXPECT_EQ(tiny[0].advisory->id, "MAL-0000-google-open-source-security-324615ccd53bf9d6");
  EXPECT_TRUE(tiny[0].advisory->transient);
  EXPECT_TRUE(tiny[0].advisory->malicious);
  const auto chalk = db.Match("chalk", "5.6.1");
  ASSERT_EQ(chalk.size(), 1u);
  EXPECT_EQ(chalk[0].advisory->id, "GHSA-2v46-p5h4-248w");
  EXPECT_TRUE(chalk[0].advisory->malicious);
}

TEST(OsvRealDataTest, BuiltInPackHasTheCriticalSetButNotTheEveryVersionRecords) {
  const RulePack& rules = DefaultRules();
  ASSERT_TRUE(rules.advisories);
  EXPECT_EQ(rules.advisories->size(), 17u);
  EXPECT_EQ(Ids(rules.advisories->Match("next", "15.1.0")),
            (std::set<std::string>{"GHSA-9qr9-h5gf-34mp", "GHSA-f82v-jwr5-mffw"}));
  EXPECT_EQ(Ids(rules.advisories->Match("react-server-dom-turbopack", "19.2.0")),
            std::set<std::string>{"GHSA-fv66-9v8q-g76r"});
  for (const auto& [name, version] :
       std::vector<std::pair<std::string, std::string>>{{"chalk", "5.6.1"},
                                                        {"debug", "4.4.2"},
                                                        {"ansi-styles", "6.2.2"},
                                                        {"strip-ansi", "7.1.1"},
                                                        {"supports-color", "10.2.1"},
                                                        {"color-convert", "3.1.1"},
                                                        {"ansi-regex", "6.2.1"},
                                                        {"wrap-ansi", "9.0.1"},
                                                        {"color-name", "2.0.1"},
                                                        {"is-arrayish", "0.3.3"},
                                                        {"simple-swizzle", "0.2.3"},
                                                        {"error-ex", "1.3.3"}}) {
    const auto m = rules.advisories->Match(name, version);
    ASSERT_EQ(m.size(), 1u) << name;
    EXPECT_TRUE(m[0].advisory->id.starts_with("MAL-2025-")) << name;
  }
  EXPECT_TRUE(rules.advisories->Match("@ctrl/tinycolor", "4.1.1").empty());
  EXPECT_TRUE(rules.advisories->Match("chalk", "5.6.0").empty());
  for (const Gap& g : rules.problems)
    EXPECT_EQ(g.what.find("advisories"), std::string::npos) << g.what;
}

TEST(OsvRealDataTest, AddAdvisoriesExtendsThePackAndDeduplicatesById) {
  RulePack rules = DefaultRules();
  const auto before = rules.advisories;
  ASSERT_TRUE(AddAdvisories(rules, kShared));
  EXPECT_EQ(before->size(), 17u);  // the shared original is untouched
  EXPECT_EQ(rules.advisories->size(), 17u + 35u);
  // chalk@5.6.1: built-in and user copies of MAL-2025-46969, two transients,
  // and the consolidated list: one advisory.
  EXPECT_EQ(Ids(rules.advisories->Match("chalk", "5.6.1")),
            std::set<std::string>{"MAL-2025-46969"});
  EXPECT_FALSE(AddAdvisories(rules, kShared + "/no-such-dir"));
}

// --- inline records ---

AdvisoryDb FromJson(const std::string& text, std::vector<Gap>* problems_out = nullptr) {
  AdvisoryDb db;
  std::vector<Gap> problems;
  db.LoadJson(text, "test/GHSA-test.json", problems);
  if (problems_out) *problems_out = problems;
  return db;
}

std::string Record(const std::string& affected, const std::string& extra = "") {
  return R"({"id": "GHSA-test", "summary": "s", )" + extra + R"("affected": [)" + affected + "]}";
}

TEST(OsvParseTest, RangeEventsFollowTheOsvEvaluation) {
  struct RangeCase {
    std::string events;
    std::string version;
    bool affected;
  };
  const std::vector<RangeCase> cases = {
      {R"({"introduced": "1.0.0"}, {"fixed": "1.2.0"})", "1.1.9", true},
      {R"({"introduced": "1.0.0"}, {"fixed": "1.2.0"})", "1.2.0", false},
      {R"({"introduced": "1.0.0"}, {"fixed": "1.2.0"})", "0.9.9", false},
      {R"({"introduced": "1.0.0"}, {"fixed": "1.2.0"})", "1.2.0-rc.1", true},
      {R"({"introduced": "1.0.0"}, {"last_affected": "1.2.0"})", "1.2.0", true},
      {R"({"introduced": "1.0.0"}, {"last_affected": "1.2.0"})", "1.2.1", false},
      {R"({"introduced": "0"})", "0.0.0", true},
      {R"({"introduced": "0"}, {"limit": "2.0.0"})", "2.0.0", false},
      {R"({"introduced": "0"}, {"limit": "2.0.0"})", "1.9.9", true},
      {R"({"introduced": "0"}, {"limit": "*"})", "99.0.0", true},
      // unsorted pairs, as in ngx-bootstrap
      {R"({"introduced": "3.0.0"}, {"fixed": "3.1.0"}, {"introduced": "1.0.0"}, {"fixed": "1.1.0"})",
       "1.0.5", true},
      {R"({"introduced": "3.0.0"}, {"fixed": "3.1.0"}, {"introduced": "1.0.0"}, {"fixed": "1.1.0"})",
       "2.0.0", false},
      {R"({"introduced": "3.0.0"}, {"fixed": "3.1.0"}, {"introduced": "1.0.0"}, {"fixed": "1.1.0"})",
       "3.0.1", true},
      // unknown events are ignored
      {R"({"introduced": "1.0.0"}, {"bogus": "1.0.1"})", "1.5.0", true},
  };
  for (const std::string type : {"SEMVER", "ECOSYSTEM"}) {
    for (const RangeCase& c : cases) {
      const AdvisoryDb db = FromJson(Record(R"({"package": {"ecosystem": "npm", "name": "p"},
          "ranges": [{"type": ")" + type + R"(", "events": [)" +
                                            c.events + "]}]}"));
      EXPECT_EQ(!db.Match("p", c.version).empty(), c.affected)
          << type << " " << c.events << " @" << c.version;
    }
  }
}

TEST(OsvParseTest, SuggestsTheFixOfTheIntervalTheVersionIsIn) {
  const AdvisoryDb db = FromJson(Record(R"({"package": {"ecosystem": "npm", "name": "p"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"last_affected": "1.5.0"},
                                               {"introduced": "2.0.0"}, {"fixed": "2.1.0"}]}]})"));
  const auto m1 = db.Match("p", "1.5.0");
  ASSERT_EQ(m1.size(), 1u);
  EXPECT_EQ(m1[0].last_affected, "1.5.0");
  EXPECT_TRUE(m1[0].fixed.empty());
  const auto m2 = db.Match("p", "2.0.1");
  ASSERT_EQ(m2.size(), 1u);
  EXPECT_EQ(m2[0].fixed, std::vector<std::string>{"2.1.0"});
}

TEST(OsvParseTest, SkipsWithdrawnRecordsOtherEcosystemsAndGitRanges) {
  EXPECT_EQ(
      FromJson(Record(R"({"package": {"ecosystem": "npm", "name": "p"}, "versions": ["1.0.0"]})",
                      R"("withdrawn": "2025-01-01T00:00:00Z", )"))
          .size(),
      0u);
  EXPECT_EQ(
      FromJson(Record(R"({"package": {"ecosystem": "PyPI", "name": "p"}, "versions": ["1.0.0"]})"))
          .size(),
      0u);
  const AdvisoryDb git = FromJson(Record(R"({"package": {"ecosystem": "npm", "name": "p"},
      "ranges": [{"type": "GIT", "events": [{"introduced": "0"}]}], "versions": ["1.0.0"]})"));
  EXPECT_EQ(git.Match("p", "1.0.0").size(), 1u);
  EXPECT_TRUE(git.Match("p", "2.0.0").empty());
}

TEST(OsvParseTest, ReadsSeverityAliasesReferencesAndNotes) {
  const AdvisoryDb db = FromJson(R"({"id": "GHSA-x", "aliases": ["CVE-1"], "summary": "sum",
      "severity": [{"type": "CVSS_V3", "score": "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N"}],
      "references": [{"type": "WEB", "url": "https://example.org/a"}],
      "database_specific": {"note": "read me", "cwe_ids": []},
      "affected": [{"package": {"ecosystem": "npm", "name": "p"}, "versions": ["1.0.0"]}]})");
  const auto m = db.Match("p", "1.0.0");
  ASSERT_EQ(m.size(), 1u);
  const Advisory& a = *m[0].advisory;
  EXPECT_EQ(a.aliases, std::vector<std::string>{"CVE-1"});
  EXPECT_EQ(a.references, std::vector<std::string>{"https://example.org/a"});
  EXPECT_EQ(a.notes, std::vector<std::string>{"read me"});
  EXPECT_FALSE(a.malicious);
  // No database_specific.severity: the CVSS 3.1 base score, 5.3, is medium.
  EXPECT_EQ(AdvisorySeverity(a), Severity::kMedium);
}

TEST(OsvParseTest, SeverityComesFromTheDatabaseThenCvss) {
  const auto sev = [](const std::string& ds, const std::string& cvss) {
    Advisory a;
    a.severity = ds;
    a.cvss = cvss;
    return AdvisorySeverity(a);
  };
  EXPECT_EQ(sev("CRITICAL", ""), Severity::kCritical);
  EXPECT_EQ(sev("HIGH", ""), Severity::kHigh);
  EXPECT_EQ(sev("MODERATE", ""), Severity::kMedium);
  EXPECT_EQ(sev("LOW", ""), Severity::kLow);
  EXPECT_EQ(sev("", "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H"), Severity::kCritical);  // 10.0
  EXPECT_EQ(sev("", "CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:N/I:H/A:H"), Severity::kHigh);      // 7.4
  EXPECT_EQ(sev("", "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:L/I:N/A:N"), Severity::kLow);       // 1.8
  EXPECT_EQ(sev("", "garbage"), Severity::kMedium);
  Advisory mal;
  mal.malicious = true;
  mal.severity = "LOW";
  EXPECT_EQ(AdvisorySeverity(mal), Severity::kCritical);
}

TEST(OsvParseTest, ConsolidatedListIsDetectedByShape) {
  const AdvisoryDb db =
      FromJson(R"({"evil": {"versions": []}, "bad": {"versions": ["1.0.1", "2.0.0"]},
      "@s/x": {"versions": ["0.0.1-beta.1"]}, "junk": 5})");
  EXPECT_EQ(db.size(), 1u);
  EXPECT_EQ(db.package_count(), 3u);
  const auto evil = db.Match("evil", "9.9.9");
  ASSERT_EQ(evil.size(), 1u);
  EXPECT_TRUE(evil[0].every_version);
  EXPECT_TRUE(evil[0].advisory->malicious);
  EXPECT_TRUE(evil[0].advisory->from_list);
  EXPECT_EQ(db.Match("bad", "2.0.0").size(), 1u);
  EXPECT_TRUE(db.Match("bad", "1.0.0").empty());
  EXPECT_EQ(db.Match("@s/x", "0.0.1-beta.1").size(), 1u);
  EXPECT_TRUE(db.Match("junk", "1.0.0").empty());
}

TEST(OsvParseTest, AnArrayOfRecordsLoadsEachRecord) {
  const AdvisoryDb db = FromJson(
      "[" + Record(R"({"package": {"ecosystem": "npm", "name": "a"}, "versions": ["1.0.0"]})") +
      "," +
      R"({"id": "MAL-1", "affected": [{"package": {"ecosystem": "npm", "name": "b"}, "versions": ["2.0.0"]}]})" +
      "]");
  EXPECT_EQ(db.size(), 2u);
  ASSERT_EQ(db.Match("b", "2.0.0").size(), 1u);
  EXPECT_TRUE(db.Match("b", "2.0.0")[0].advisory->malicious);
}

TEST(OsvParseTest, GarbageBecomesProblemsNeverACrash) {
  const std::vector<std::string> garbage = {
      "",
      "{",
      "null",
      "42",
      "\"text\"",
      "[1, 2, 3]",
      R"({"id": 5, "affected": 7})",
      R"({"id": "X", "affected": [{"package": "npm"}]})",
      R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": 3}, "versions": [1]}]})",
      R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "p"},
          "ranges": [{"type": "SEMVER", "events": [{"introduced": "not-a-version"}]}]}]})",
      R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "p"},
          "ranges": [{"type": "SEMVER", "events": "nope"}, 5, {"events": [[]]}]}]})",
      R"({"id": "X", "severity": [{"type": "CVSS_V3", "score": 9}], "aliases": "CVE",
          "references": [5, {"url": 6}], "database_specific": [],
          "affected": [{"package": {"ecosystem": "npm", "name": "p"}, "versions": ["1.0.0"]}]})",
      std::string(100000, '[') + std::string(100000, ']'),
      std::string("{\"id\": \"\0\"}", 11),
      "\xff\xfe{}",
  };
  for (const std::string& g : garbage) {
    std::vector<Gap> problems;
    const AdvisoryDb db = FromJson(g, &problems);
    EXPECT_TRUE(db.Match("p", "1.0.0").size() <= 1u) << g.substr(0, 40);
    for (const Gap& p : problems) EXPECT_EQ(p.what.rfind("test/GHSA-test.json", 0), 0u) << p.what;
  }
  std::vector<Gap> problems;
  (void)FromJson("{", &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].reason.rfind("not valid JSON", 0), 0u);
  (void)FromJson(R"({"id": "X", "affected": [{"package": {"ecosystem": "npm", "name": "p"},
      "ranges": [{"type": "SEMVER", "events": [{"introduced": "x.y"}]}]}]})",
                 &problems);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_NE(problems[0].reason.find("'x.y' is not a SemVer version"), std::string::npos);
}

void WriteFile(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

TEST(OsvLoadTest, DirectoryWithABadFileLoadsTheRestAndNamesTheBadOne) {
  TestDir dir;
  std::filesystem::create_directories(dir / "a/b");
  WriteFile(dir / "a/b/GHSA-1.json",
            Record(R"({"package": {"ecosystem": "npm", "name": "p"}, "versions": ["1.0.0"]})"));
  WriteFile(dir / "a/broken.json", "{\"id\": ");
  WriteFile(dir / "README.md", "not json, not read");
  AdvisoryDb db;
  std::vector<Gap> problems;
  ASSERT_TRUE(db.Load(dir.path(), problems));
  EXPECT_EQ(db.size(), 1u);
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].what, dir / "a/broken.json");
  std::vector<Gap> none;
  EXPECT_FALSE(db.Load(dir / "missing", none));
}

void WriteZip(const std::string& path,
              const std::vector<std::pair<std::string, std::string>>& files) {
  archive* a = archive_write_new();
  archive_write_set_format_zip(a);
  ASSERT_EQ(archive_write_open_filename(a, path.c_str()), ARCHIVE_OK);
  for (const auto& [name, text] : files) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, name.c_str());
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, static_cast<la_int64_t>(text.size()));
    archive_write_header(a, e);
    archive_write_data(a, text.data(), text.size());
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

TEST(OsvLoadTest, ZipOfOsvFilesLikeOsvsAllZip) {
  TestDir dir;
  WriteZip(dir / "all.zip",
           {{"GHSA-1.json",
             Record(R"({"package": {"ecosystem": "npm", "name": "p"}, "versions": ["1.0.0"]})")},
            {"MAL-2.json",
             R"({"id": "MAL-2", "affected": [{"package": {"ecosystem": "npm", "name": "q"},
                 "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]}]})"},
            {"bad.json", "]["}});
  AdvisoryDb db;
  std::vector<Gap> problems;
  ASSERT_TRUE(db.Load(dir / "all.zip", problems));
  EXPECT_EQ(db.size(), 2u);
  EXPECT_EQ(db.Match("p", "1.0.0").size(), 1u);
  ASSERT_EQ(db.Match("q", "3.0.0").size(), 1u);
  EXPECT_EQ(db.Match("q", "3.0.0")[0].advisory->source, dir / "all.zip:MAL-2.json");
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_EQ(problems[0].what, dir / "all.zip:bad.json");

  // A truncated archive and a file that only claims to be a zip.
  std::string bytes(std::filesystem::file_size(dir / "all.zip"), '\0');
  std::ifstream(dir / "all.zip", std::ios::binary)
      .read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  WriteFile(dir / "cut.zip", bytes.substr(0, bytes.size() / 2));
  WriteFile(dir / "fake.zip", std::string("PK\x03\x04garbage", 11));
  for (const std::string name : {"cut.zip", "fake.zip"}) {
    AdvisoryDb d;
    std::vector<Gap> p;
    EXPECT_TRUE(d.Load(dir / name, p)) << name;
    EXPECT_FALSE(p.empty()) << name;
  }
}

}  // namespace
}  // namespace deminer
