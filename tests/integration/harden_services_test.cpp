// `deminer harden` for databases and the firewall, with its fixes applied for
// real: the SQL and pg_hba.conf lines it prints for seed 004's server are run
// and written, and a scan afterwards no longer finds what they close; the
// nftables rule set it prints is loaded into a namespace the test made, and
// `deminer verify exposure` from outside sees the served port answer and the
// sensitive one dropped.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <sstream>

#include "harness.h"

namespace deminer::it {
namespace {

// `deminer ARGS` run inside the namespace (its sockets are the ones seen).
CommandResult DeminerIn(const NetNs& ns, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"ip", "netns", "exec", ns.name(), DEMINER_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv);
}

nlohmann::json Json(const CommandResult& r) {
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "no JSON: " << e.what() << "\nstdout: " << r.out << "\nstderr: " << r.err;
    return nlohmann::json::object();
  }
}

size_t Count(const nlohmann::json& scan, const std::string& check) {
  return FindingsOf(scan, check).size();
}

// The sections of a fix sheet: heading ("edit PATH", "SQL, ...") -> its lines.
std::map<std::string, std::vector<std::string>> Sections(const std::string& sheet) {
  std::map<std::string, std::vector<std::string>> out;
  std::string heading;
  std::istringstream in(sheet);
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("# --- ")) {
      heading = line.substr(6);
      continue;
    }
    if (!heading.empty() && !line.empty()) out[heading].push_back(line);
  }
  return out;
}

class HardenServicesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (const std::string why = WhyNoNetnsTests(); !why.empty()) GTEST_SKIP() << why;
  }
};

TEST_F(HardenServicesTest, DatabaseFixesAppliedCloseTheirFindings) {
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  Postgres::Options o;
  o.listen_addresses = "*";
  o.port = 5432;  // inside the test's namespace; the machine's own is untouched
  o.netns = ns.name();
  Postgres pg(o);
  ASSERT_TRUE(pg.ok()) << pg.why_not();
  // Seed 004 as it was: trust from everywhere, the attacker's function bound to
  // libc's system (made against a real module, then pointed at libc in the
  // catalogue, as deminer reads it), and an ELF in a large object. Never called.
  ASSERT_TRUE(pg.Reconfigure("local all all trust\nhost all all 0.0.0.0/0 trust\n"
                             "host all all ::/0 trust\n",
                             {}));
  for (const std::string& sql :
       {std::string("CREATE FUNCTION sys_eval(text) RETURNS text AS '$libdir/plpgsql', "
                    "'plpgsql_call_handler' LANGUAGE C STRICT"),
        std::string("UPDATE pg_proc SET probin = 'libc.so.6', prosrc = 'system' "
                    "WHERE proname = 'sys_eval'"),
        std::string("SELECT lo_from_bytea(0, decode('7f454c4602010100000000000000000003003e00', "
                    "'hex'))")}) {
    const auto r = pg.Sql(sql);
    ASSERT_EQ(r.exit_code, 0) << sql << ": " << r.err;
  }
  const auto before = Json(DeminerIn(ns, {"scan", "--only", "databases", "--format", "json",
                                          "--fail-on", "none"}));
  ASSERT_EQ(Count(before, "db.pg-c-function"), 1u) << before.dump(1);
  ASSERT_EQ(Count(before, "db.pg-large-object-binary"), 1u);
  ASSERT_GE(Count(before, "db.pg-hba-trust"), 2u);

  const auto harden = DeminerIn(ns, {"harden", "databases"});
  ASSERT_EQ(harden.exit_code, 0) << harden.err;
  const auto sections = Sections(harden.out);
  const std::string hba_file = pg.data_dir() + "/pg_hba.conf";
  const auto sql = std::find_if(sections.begin(), sections.end(),
                                [](const auto& s) { return s.first.starts_with("SQL"); });
  ASSERT_NE(sql, sections.end()) << harden.out;
  ASSERT_TRUE(sections.contains("edit " + hba_file)) << harden.out;

  // Run the statements that remove the attacker's objects, as a person would.
  int ran = 0;
  for (const std::string& line : sql->second) {
    if (line.starts_with("DROP FUNCTION") || line.starts_with("SELECT lo_unlink(")) {
      const auto r = pg.Sql(line);
      EXPECT_EQ(r.exit_code, 0) << line << ": " << r.err;
      ++ran;
    }
  }
  EXPECT_EQ(ran, 2) << harden.out;
  EXPECT_EQ(pg.Sql("SELECT count(*) FROM pg_proc WHERE proname = 'sys_eval'").out, "0\n");
  EXPECT_EQ(pg.Sql("SELECT count(*) FROM pg_largeobject_metadata").out, "0\n");

  // Replace each pg_hba.conf line the sheet names with the line it gives.
  std::vector<std::string> hba;
  {
    std::ifstream in(hba_file);
    for (std::string l; std::getline(in, l);) hba.push_back(l);
  }
  std::vector<int> pending;
  int replaced = 0;
  for (const std::string& line : sections.at("edit " + hba_file)) {
    if (line.starts_with("# closes ")) {
      const size_t at = line.rfind("(line ");
      if (at != std::string::npos) pending.push_back(std::stoi(line.substr(at + 6)));
      continue;
    }
    for (const int n : pending) {
      ASSERT_GE(n, 1);
      ASSERT_LE(static_cast<size_t>(n), hba.size());
      hba[static_cast<size_t>(n) - 1] = line;
      ++replaced;
    }
    pending.clear();
  }
  EXPECT_EQ(replaced, 3) << harden.out;
  std::string text;
  for (const std::string& l : hba) text += l + "\n";
  ASSERT_TRUE(pg.Reconfigure(text, {}));

  // deminer can no longer log in (scram everywhere, and no password set): it reads the files.
  const auto after = Json(DeminerIn(ns, {"scan", "--only", "databases", "--format", "json",
                                         "--fail-on", "none"}));
  EXPECT_EQ(Count(after, "db.pg-hba-trust"), 0u) << after.dump(1);
  EXPECT_EQ(Count(after, "db.pg-passwordless-login"), 0u);
}

TEST_F(HardenServicesTest, FirewallRuleSetLoadsAndLetsInOnlyWhatIsServed) {
  NetNs ns;
  ASSERT_TRUE(ns.ok());
  TempDir dir;
  const uint16_t web = 40180, cache = 6379;  // free: the namespace is new
  const auto web_listener = ns.Listen(web), cache_listener = ns.Listen(cache);
  ASSERT_TRUE(web_listener && cache_listener);
  const auto rules = DeminerIn(ns, {"harden", "firewall", "--format", "nft"});
  ASSERT_EQ(rules.exit_code, 0) << rules.err;
  EXPECT_NE(rules.out.find(fmt::format("tcp dport {} accept", web)), std::string::npos)
      << rules.out;
  EXPECT_EQ(rules.out.find(fmt::format("dport {} accept", cache)), std::string::npos);
  EXPECT_NE(rules.out.find("tcp dport @pool_ports drop"), std::string::npos);
  const std::string file = dir / "harden.nft";
  std::ofstream(file) << rules.out;
  const auto check = RunCommand({"ip", "netns", "exec", ns.name(), "nft", "-c", "-f", file});
  ASSERT_EQ(check.exit_code, 0) << check.err << rules.out;
  const auto load = RunCommand({"ip", "netns", "exec", ns.name(), "nft", "-f", file});
  ASSERT_EQ(load.exit_code, 0) << load.err;
  // Loading it twice is fine (it re-creates its own table).
  EXPECT_EQ(RunCommand({"ip", "netns", "exec", ns.name(), "nft", "-f", file}).exit_code, 0);

  const auto verify =
      DeminerIn(ns, {"verify", "exposure", "--format", "json", "--timeout-ms", "500"});
  const auto out = Json(verify);
  std::map<uint16_t, std::set<std::string>> observed, predicted;
  for (const auto& r : out.value("rows", nlohmann::json::array())) {
    if (r["proto"] != "tcp" || r["observed"] == "not-probed") continue;
    observed[r["port"].get<uint16_t>()].insert(r["observed"].get<std::string>());
    if (r["predicted"].is_string()) {
      predicted[r["port"].get<uint16_t>()].insert(r["predicted"].get<std::string>());
    }
  }
  EXPECT_EQ(observed[web], std::set<std::string>{"answered"}) << verify.out;
  EXPECT_EQ(observed[cache], std::set<std::string>{"no-answer"}) << verify.out;
  // deminer's own reading of the rule set it wrote agrees with what answered.
  EXPECT_EQ(predicted[web], std::set<std::string>{"reachable"}) << verify.out;
  EXPECT_EQ(predicted[cache], std::set<std::string>{"filtered"}) << verify.out;
  EXPECT_EQ(out["summary"]["disagree"], 0) << verify.out;
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
}

}  // namespace
}  // namespace deminer::it
