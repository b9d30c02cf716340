// `deminer verify exposure` against a "host" that is a network namespace the
// test makes: an nftables rule set that drops one port and accepts the rest,
// two busybox listeners and a PostgreSQL with trust auth listening on every
// address, all inside it. deminer runs inside it too (ip netns exec), so its
// probe namespace and veth hang off the test's namespace, never off the
// machine's own. The verdicts must match what the probe sees, the login
// without a password must succeed while 5432 is open and be impossible once
// it is dropped, and nothing of the probe may be left behind.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

constexpr uint16_t kPgPort = 5432;  // inside the test's namespace; the machine's own is untouched

struct Verified {
  int exit_code = -1;
  nlohmann::json out;
  std::string err;
};

Verified VerifyInside(const NetNs& ns, const std::vector<uint16_t>& ports) {
  std::vector<std::string> argv = {"ip",           "netns",        "exec",     ns.name(),
                                   DEMINER_BINARY, "verify",       "exposure", "--format",
                                   "json",         "--timeout-ms", "1000"};
  for (const uint16_t p : ports) {
    argv.push_back("--port");
    argv.push_back(std::to_string(p));
  }
  const CommandResult r = RunCommand(argv);
  Verified v{r.exit_code, nlohmann::json::object(), r.err};
  try {
    v.out = nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "verify printed no JSON: " << e.what() << "\nstdout: " << r.out
                  << "\nstderr: " << r.err;
  }
  return v;
}

// The probed TCP rows of `port` (one per address family bound).
std::vector<nlohmann::json> RowsOf(const nlohmann::json& out, uint16_t port) {
  std::vector<nlohmann::json> rows;
  if (!out.contains("rows")) return rows;
  for (const auto& r : out["rows"]) {
    if (r["proto"] == "tcp" && r["port"] == port && r["observed"] != "not-probed") {
      rows.push_back(r);
    }
  }
  return rows;
}

bool LoadRules(const NetNs& ns, const TempDir& dir, const std::string& ruleset) {
  const std::string file = dir / "rules.nft";
  std::ofstream(file, std::ios::trunc) << ruleset;
  const auto r = RunCommand({"ip", "netns", "exec", ns.name(), "nft", "-f", file});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return r.exit_code == 0;
}

std::string DropRules(const std::vector<uint16_t>& ports) {
  std::string drops;
  for (const uint16_t p : ports) drops += fmt::format("    tcp dport {} drop\n", p);
  return "flush ruleset\n"
         "table inet filter {\n"
         "  chain input {\n"
         "    type filter hook input priority 0; policy accept;\n" +
         drops +
         "  }\n"
         "}\n";
}

// No probe namespace, and no veth end in the test's namespace, outlives a run.
void ExpectNothingLeft(const NetNs& ns) {
  const auto list = RunCommand({"ip", "netns", "list"});
  EXPECT_EQ(list.out.find("deminer-probe-"), std::string::npos) << list.out;
  const auto links = RunCommand({"ip", "-n", ns.name(), "-o", "link", "show"});
  EXPECT_EQ(links.out.find("dmp"), std::string::npos) << links.out;
}

class ExposureVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = WhyNoNetnsTests(); !why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(ExposureVerifyTest, ProbeSeesWhatTheRulesDropAndThePasswordlessLogin) {
  NetNs ns;
  ASSERT_TRUE(ns.ok()) << "ip netns add failed";
  TempDir dir;
  const uint16_t p1 = 40101, p2 = 40102;  // free: the namespace is new
  ASSERT_TRUE(LoadRules(ns, dir, DropRules({p1})));
  const auto l1 = ns.Listen(p1), l2 = ns.Listen(p2);
  ASSERT_TRUE(l1 && l2);
  Postgres::Options pg_options;
  pg_options.listen_addresses = "*";
  pg_options.port = kPgPort;
  pg_options.netns = ns.name();
  Postgres pg(pg_options);
  if (!pg.ok()) GTEST_SKIP() << pg.why_not();
  // As seed 004 had it: trust, from every address.
  ASSERT_TRUE(
      pg.Reconfigure("local all all trust\n"
                     "host all all 0.0.0.0/0 trust\n"
                     "host all all ::/0 trust\n",
                     {}));
  ASSERT_TRUE(ns.WaitListening({kPgPort}));

  // Every listening port, as the exposure table of the namespace has them.
  const Verified open = VerifyInside(ns, {});
  ASSERT_NE(open.exit_code, 2) << open.err;
  ExpectNothingLeft(ns);
  EXPECT_EQ(open.out["probe"]["namespace"].get<std::string>().rfind("deminer-probe-", 0), 0u);

  const auto r1 = RowsOf(open.out, p1), r2 = RowsOf(open.out, p2), rpg = RowsOf(open.out, kPgPort);
  ASSERT_FALSE(r1.empty()) << open.out.dump(2);
  ASSERT_FALSE(r2.empty()) << open.out.dump(2);
  ASSERT_FALSE(rpg.empty()) << open.out.dump(2);
  for (const auto& r : r1) {
    EXPECT_EQ(r["observed"], "no-answer") << r.dump();
    EXPECT_EQ(r["predicted"], "filtered") << r.dump();
    EXPECT_EQ(r["agree"], true) << r.dump();
  }
  for (const auto& r : r2) {
    EXPECT_EQ(r["observed"], "answered") << r.dump();
    EXPECT_EQ(r["predicted"], "reachable") << r.dump();
    EXPECT_EQ(r["agree"], true) << r.dump();
  }
  for (const auto& r : rpg) {  // 0.0.0.0 and ::
    EXPECT_EQ(r["observed"], "answered") << r.dump();
    EXPECT_EQ(r["predicted"], "reachable-sensitive") << r.dump();
    EXPECT_EQ(r["service"], "postgresql") << r.dump();
    EXPECT_EQ(r["agree"], true) << r.dump();
    ASSERT_TRUE(r["login"].is_object()) << r.dump();
    EXPECT_EQ(r["login"]["user"], "postgres");
    EXPECT_EQ(r["login"]["succeeded"], true) << r.dump();
  }
  EXPECT_EQ(open.exit_code, 1) << "a sensitive port answered and let a login in";
  EXPECT_EQ(open.out["summary"]["disagree"], 0) << open.out.dump(2);
  EXPECT_GE(open.out["summary"]["sensitive_answered"], 1);
  EXPECT_GE(open.out["summary"]["pg_logins_succeeded"], 1);

  // --port: only those, and one nothing listens on is tried all the same.
  const uint16_t nothing = 40109;
  const Verified some = VerifyInside(ns, {p2, nothing});
  ASSERT_NE(some.exit_code, 2) << some.err;
  ExpectNothingLeft(ns);
  EXPECT_TRUE(RowsOf(some.out, p1).empty());
  ASSERT_FALSE(RowsOf(some.out, p2).empty());
  const auto none = RowsOf(some.out, nothing);
  ASSERT_FALSE(none.empty()) << some.out.dump(2);
  for (const auto& r : none) {
    EXPECT_EQ(r["observed"], "refused") << r.dump();
    EXPECT_TRUE(r["predicted"].is_null()) << r.dump();
    EXPECT_TRUE(r["agree"].is_null()) << r.dump();
  }
  EXPECT_EQ(some.exit_code, 0) << some.out.dump(2);

  // Then 5432 is dropped too: no answer, so no login is even possible.
  ASSERT_TRUE(LoadRules(ns, dir, DropRules({p1, kPgPort})));
  const Verified closed = VerifyInside(ns, {});
  ASSERT_NE(closed.exit_code, 2) << closed.err;
  ExpectNothingLeft(ns);
  const auto c2 = RowsOf(closed.out, p2), cpg = RowsOf(closed.out, kPgPort);
  ASSERT_FALSE(c2.empty());
  ASSERT_FALSE(cpg.empty());
  for (const auto& r : c2) EXPECT_EQ(r["observed"], "answered") << r.dump();
  for (const auto& r : cpg) {
    EXPECT_EQ(r["observed"], "no-answer") << r.dump();
    EXPECT_TRUE(r["login"].is_null()) << r.dump();
    EXPECT_EQ(r["predicted"], "filtered") << r.dump();
    EXPECT_EQ(r["agree"], true) << r.dump();
  }
  EXPECT_EQ(closed.out["summary"]["pg_logins_succeeded"], 0);
  EXPECT_EQ(closed.out["summary"]["disagree"], 0) << closed.out.dump(2);
  EXPECT_EQ(closed.exit_code, 0) << closed.out.dump(2);
}

// The text report: the aligned table and the closing verdict.
TEST_F(ExposureVerifyTest, TextReportHasTheTableAndTheVerdict) {
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  const uint16_t port = 40103;
  const auto listener = ns.Listen(port);
  ASSERT_TRUE(listener);
  const auto r = RunCommand({"ip", "netns", "exec", ns.name(), DEMINER_BINARY, "verify", "exposure",
                             "--port", std::to_string(port)});
  ASSERT_NE(r.exit_code, 2) << r.err;
  EXPECT_NE(r.out.find("PROTO"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("OBSERVED"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(fmt::format(":{}", port)), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("answered"), std::string::npos) << r.out;
  ExpectNothingLeft(ns);
}

// Without root: a clear message and exit 2, and nothing made.
TEST_F(ExposureVerifyTest, WithoutRootSaysSoAndExitsTwo) {
  TempDir bin;
  RunCommand({"cp", std::string(DEMINER_BINARY), bin / "deminer"});
  RunCommand({"chmod", "-R", "a+rX", bin.path()});
  const auto r = RunCommand({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             bin / "deminer", "verify", "exposure"});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("needs root"), std::string::npos) << r.err;
  EXPECT_EQ(RunCommand({"ip", "netns", "list"}).out.find("deminer-probe-"), std::string::npos);
}

}  // namespace
}  // namespace deminer::it
