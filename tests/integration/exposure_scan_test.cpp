// The exposure scope end to end: a "host" that is a network namespace the
// test makes, with an nftables rule set that drops one port and accepts the
// rest, listeners on every address and on loopback, and a listener on Redis's
// port; deminer runs inside it (ip netns exec) and its exposure table and
// findings must say which port other hosts can reach. Then seed 004's ufw,
// installed and never enabled (offline, under --root), and a rule set saved
// on disk that the live namespace does not hold (flushed). Nothing touches the
// machine's own network namespace: rules are loaded only into the test's.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

constexpr uint16_t kDropped = 18001;  // dropped by the rule set
constexpr uint16_t kOpen = 18002;     // accepted by policy
constexpr uint16_t kLocal = 18003;    // bound to 127.0.0.1
constexpr uint16_t kRedis = 6379;     // sensitive, accepted

void Write(const std::string& path, const std::string& text) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
}

bool CanRun() {
  return geteuid() == 0 && access("/usr/sbin/nft", X_OK) == 0 &&
         access("/usr/bin/busybox", X_OK) == 0;
}

nlohmann::json ScanInside(const NetNs& ns, const std::string& shell_prefix = "") {
  std::string cmd = fmt::format("{}exec {} scan --only exposure --format json --fail-on none",
                                shell_prefix, DEMINER_BINARY);
  const CommandResult r = RunCommand({"ip", "netns", "exec", ns.name(), "sh", "-c", cmd});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "deminer printed no JSON: " << e.what() << "\nstdout: " << r.out
                  << "\nstderr: " << r.err;
    return nlohmann::json::object();
  }
}

// The exposure rows of `port` in this namespace (busybox binds [::], dual-stack).
std::vector<nlohmann::json> Rows(const nlohmann::json& scan, uint16_t port) {
  std::vector<nlohmann::json> out;
  if (!scan.contains("exposure")) return out;
  for (const auto& r : scan["exposure"]) {
    if (r["port"] == port && r["proto"] == "tcp") out.push_back(r);
  }
  return out;
}

TEST(ExposureScanTest, VerdictsFollowTheRulesInForce) {
  if (!CanRun()) GTEST_SKIP() << "needs root, nft and busybox";
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  Write(dir / "rules.nft", fmt::format("table inet filter {{\n"
                                       "  chain input {{\n"
                                       "    type filter hook input priority 0; policy accept;\n"
                                       "    tcp dport {} drop\n"
                                       "  }}\n"
                                       "}}\n",
                                       kDropped));
  const CommandResult load =
      RunCommand({"ip", "netns", "exec", ns.name(), "nft", "-f", dir / "rules.nft"});
  ASSERT_EQ(load.exit_code, 0) << load.err;

  std::vector<std::unique_ptr<Child>> children;
  for (uint16_t p : {kDropped, kOpen, kRedis}) {
    children.push_back(std::make_unique<Child>(
        "/usr/sbin/ip", std::vector<std::string>{"ip", "netns", "exec", ns.name(), "busybox", "nc",
                                                 "-l", "-p", std::to_string(p)}));
  }
  children.push_back(std::make_unique<Child>(
      "/usr/sbin/ip",
      std::vector<std::string>{"ip", "netns", "exec", ns.name(), ToolPath("stratum_listener"),
                               "127.0.0.1", std::to_string(kLocal)}));
  ASSERT_TRUE(ns.WaitListening({kDropped, kOpen, kRedis, kLocal}));

  const nlohmann::json scan = ScanInside(ns);

  // Findings: Redis is reachable and sensitive; the dropped port is not reported.
  const auto redis = FindingsOf(scan, "exposure.sensitive-reachable", fmt::format(":{}", kRedis));
  ASSERT_EQ(redis.size(), 1u) << scan.dump(1);
  EXPECT_EQ(redis[0]["severity"], "high");
  EXPECT_EQ(redis[0]["evidence"]["service"], "redis");
  EXPECT_EQ(redis[0]["evidence"]["fix_file"], "nftables");
  EXPECT_EQ(
      redis[0]["evidence"]["fix"],
      fmt::format("nft insert rule inet filter input iifname != \"lo\" tcp dport {} drop", kRedis));
  EXPECT_TRUE(
      FindingsOf(scan, "exposure.sensitive-reachable", fmt::format(":{}", kDropped)).empty());
  // A rule set is in force: not "no firewall"; nothing saved was flushed.
  EXPECT_TRUE(FindingsOf(scan, "exposure.no-firewall").empty());

  // The exposure table (rendered by the report).
  ASSERT_TRUE(scan.contains("exposure")) << "no exposure table in the JSON report";
  const auto dropped = Rows(scan, kDropped);
  ASSERT_EQ(dropped.size(), 1u) << scan["exposure"].dump(1);
  EXPECT_EQ(dropped[0]["verdict"], "filtered");
  EXPECT_NE(
      dropped[0]["reason"].get<std::string>().find(fmt::format("tcp dport {} drop", kDropped)),
      std::string::npos)
      << dropped[0]["reason"];
  EXPECT_EQ(dropped[0]["process"], "busybox");
  const auto open = Rows(scan, kOpen);
  ASSERT_EQ(open.size(), 1u);
  EXPECT_EQ(open[0]["verdict"], "reachable");
  EXPECT_EQ(open[0]["reason"], "nftables inet filter input: policy accept");
  const auto local = Rows(scan, kLocal);
  ASSERT_EQ(local.size(), 1u);
  EXPECT_EQ(local[0]["verdict"], "local");
  EXPECT_EQ(local[0]["address"], "127.0.0.1");
  const auto sensitive = Rows(scan, kRedis);
  ASSERT_EQ(sensitive.size(), 1u);
  EXPECT_EQ(sensitive[0]["verdict"], "reachable-sensitive");
  EXPECT_EQ(sensitive[0]["sensitive"], true);
}

TEST(ExposureScanTest, EmptyRulesetInTheNamespaceIsNoFirewall) {
  if (!CanRun()) GTEST_SKIP() << "needs root, nft and busybox";
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  Child nc("/usr/sbin/ip",
           {"ip", "netns", "exec", ns.name(), "busybox", "nc", "-l", "-p", std::to_string(kOpen)});
  ASSERT_TRUE(ns.WaitListening({kOpen}));
  const nlohmann::json scan = ScanInside(ns);
  const auto none = FindingsOf(scan, "exposure.no-firewall");
  ASSERT_EQ(none.size(), 1u) << scan.dump(1);
  EXPECT_EQ(none[0]["severity"], "medium");
}

TEST(ExposureScanTest, SavedRulesetNotLoadedIsFlushed) {
  if (!CanRun()) GTEST_SKIP() << "needs root, nft and busybox";
  if (!fs::exists("/etc/nftables.conf")) GTEST_SKIP() << "no /etc/nftables.conf to bind over";
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  Write(dir / "nftables.conf",
        "#!/usr/sbin/nft -f\nflush ruleset\ntable inet filter {\n"
        "  chain input {\n    type filter hook input priority 0; policy drop;\n"
        "    iifname lo accept\n    tcp dport 22 accept\n  }\n}\n");
  // `ip netns exec` runs the command in its own mount namespace (/ made a
  // slave), so this bind mount never reaches the machine's /etc.
  const nlohmann::json scan =
      ScanInside(ns, fmt::format("mount --bind {} /etc/nftables.conf && ", dir / "nftables.conf"));
  const auto flushed = FindingsOf(scan, "exposure.ruleset-flushed");
  ASSERT_EQ(flushed.size(), 1u) << scan.dump(1);
  EXPECT_EQ(flushed[0]["severity"], "high");
  EXPECT_EQ(flushed[0]["subject"], "/etc/nftables.conf: 2 rule(s) saved, none in force");
  EXPECT_TRUE(flushed[0]["evidence"]["fix"].get<std::string>().starts_with(
      "nft -c -f /etc/nftables.conf && nft -f /etc/nftables.conf"));
  // The machine's own file is untouched.
  std::ifstream host("/etc/nftables.conf");
  std::stringstream text;
  text << host.rdbuf();
  EXPECT_EQ(text.str().find("tcp dport 22 accept"), std::string::npos);
}

TEST(ExposureScanTest, Seed004UfwInstalledNeverEnabled) {
  TempDir root;
  Write(root / "usr/sbin/ufw", "#!/usr/bin/python3\n");
  Write(root / "etc/ufw/ufw.conf", "# /etc/ufw/ufw.conf\nENABLED=no\nLOGLEVEL=low\n");
  Write(root / "etc/ufw/user.rules",
        "*filter\n:ufw-user-input - [0:0]\n"
        "-A ufw-user-input -p tcp --dport 22 -j ACCEPT\n"
        "-A ufw-user-input -p tcp --dport 5432 -s 127.0.0.1 -j ACCEPT\nCOMMIT\n");
  int exit_code = -1;
  const nlohmann::json scan =
      ScanJson({"--root", root.path(), "--only", "exposure", "--fail-on", "none"}, {}, &exit_code);
  EXPECT_EQ(exit_code, 0);
  const auto ufw = FindingsOf(scan, "exposure.ufw-inactive");
  ASSERT_EQ(ufw.size(), 1u) << scan.dump(1);
  EXPECT_EQ(ufw[0]["subject"], "ufw installed but not enabled");
  EXPECT_EQ(ufw[0]["evidence"]["user_rules"], 2);
  EXPECT_EQ(ufw[0]["evidence"]["fix"], "ufw allow 22/tcp && ufw enable");
  // Offline: the rules in force are a gap, not a guess.
  bool gap = false;
  for (const auto& s : scan["skipped"]) {
    gap = gap || s.dump().find("packet filter rules in force") != std::string::npos;
  }
  EXPECT_TRUE(gap) << scan.dump(1);
}

}  // namespace
}  // namespace deminer::it
