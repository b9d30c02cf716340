// The databases scope against a real PostgreSQL (Debian's server, initdb in a
// temp dir, a free port): first as seed 004 had it — trust for every address,
// listening on all of them, ssl off, no password on postgres, the attacker's
// C function bound to libc's system and another loading a library lo_export
// wrote to a temp dir, a large object holding an ELF header (created, never
// called) — then fixed, scanned with and without a --dsn; and the offline
// parse of config files given as PATHs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <set>
#include <string>

#include "harness.h"

namespace deminer::it {
namespace {

const char* const kSeedChecks[] = {
    "db.pg-passwordless-login", "db.pg-hba-trust",           "db.pg-listen-all",
    "db.pg-ssl-off",            "db.pg-role-no-password",    "db.pg-c-function",
    "db.pg-untrusted-language", "db.pg-server-program-role", "db.pg-large-object-binary",
};

// An ELF header (64-bit, little-endian, x86-64 executable) and nothing else: not a program.
constexpr const char* kElfHeader = "7f454c4602010100000000000000000002003e0001000000";

std::string Trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

class PostgresAuditTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (geteuid() != 0) GTEST_SKIP() << "needs root (runs PostgreSQL as the postgres user)";
    Postgres::Options options;
    options.listen_addresses.push_back('*');  // (= "*" trips GCC 12 -Wrestrict)
    options.settings = {"track_commit_timestamp=on"};
    pg_ = std::make_unique<Postgres>(options);
    if (!pg_->ok()) GTEST_SKIP() << pg_->why_not();
    subject_ = fmt::format("127.0.0.1:{}", pg_->port());
  }

  // Runs SQL as postgres and fails the test on an error; the output, trimmed.
  std::string Sql(const std::string& sql) {
    const CommandResult r = pg_->Sql(sql);
    EXPECT_EQ(r.exit_code, 0) << sql << "\n" << r.err;
    return Trimmed(r.out);
  }

  // Seed 004's server, as its catalog looked after the attack.
  void MakeSeedServer() {
    ASSERT_TRUE(pg_->Reconfigure("local all all trust\n"
                                 "host all all 0.0.0.0/0 trust\n"
                                 "host all all ::/0 trust\n",
                                 {}));
    // The large object: an ELF header, as lo_import of a miner would start.
    loid_ = Sql(fmt::format("SELECT lo_from_bytea(0, '\\x{}'::bytea)", kElfHeader));
    ASSERT_FALSE(loid_.empty());
    // lo_export wrote it into a temp dir, where the second function loads it from.
    lib_path_ = pg_->dir() / "libexec.so";
    Sql(fmt::format("SELECT lo_export({}, '{}')", loid_, lib_path_));
    // CREATE FUNCTION ... LANGUAGE C loads the library and checks its magic
    // block, so both are made against plpgsql's module and then pointed where
    // the attacker's pointed; deminer reads these catalog rows. Never called.
    for (const char* name : {"sys_eval", "sys_loader"}) {
      Sql(fmt::format("CREATE FUNCTION public.{}(text) RETURNS text AS '$libdir/plpgsql', "
                      "'plpgsql_call_handler' LANGUAGE C STRICT",
                      name));
    }
    Sql("UPDATE pg_proc SET probin = 'libc.so.6', prosrc = 'system' WHERE proname = 'sys_eval'");
    Sql(fmt::format("UPDATE pg_proc SET probin = '{}', prosrc = 'run' WHERE proname = "
                    "'sys_loader'",
                    lib_path_));
    Sql("CREATE LANGUAGE plevil HANDLER plpgsql_call_handler");  // untrusted: no TRUSTED
    Sql("CREATE ROLE app LOGIN");
    Sql("GRANT pg_execute_server_program TO app");
  }

  std::unique_ptr<Postgres> pg_;
  std::string subject_;
  std::string loid_;
  std::string lib_path_;
};

TEST_F(PostgresAuditTest, SeedServerGivesEveryFindingAndTheFixedOneNone) {
  MakeSeedServer();
  if (HasFailure()) return;
  const auto seed = ScanJson({"--only", "databases", "--fail-on", "none"});
  for (const char* check : kSeedChecks) {
    EXPECT_FALSE(FindingsOf(seed, check, subject_).empty()) << check << "\n" << seed.dump(1);
  }

  const auto logins = FindingsOf(seed, "db.pg-passwordless-login", subject_);
  bool tcp_critical = false, unix_high = false;
  for (const auto& f : logins) {
    EXPECT_EQ(f["evidence"]["user"], "postgres");
    if (f["evidence"]["how"] == "tcp" && f["severity"] == "critical") tcp_critical = true;
    if (f["evidence"]["how"] == "unix" && f["severity"] == "high") unix_high = true;
  }
  EXPECT_TRUE(tcp_critical) << seed.dump(1);
  EXPECT_TRUE(unix_high) << seed.dump(1);

  const std::string hba = pg_->data_dir() + "/pg_hba.conf";
  std::set<int> trust_lines;
  for (const auto& f : FindingsOf(seed, "db.pg-hba-trust", subject_)) {
    EXPECT_EQ(f["path"], hba);
    EXPECT_EQ(f["evidence"]["fix_file"], hba);
    trust_lines.insert(f["line"].get<int>());
    if (f["line"] == 2 || f["line"] == 3) {
      EXPECT_EQ(f["severity"], "critical");
    }
    if (f["line"] == 1) {
      EXPECT_EQ(f["severity"], "medium");
    }
  }
  EXPECT_EQ(trust_lines, (std::set<int>{1, 2, 3}));

  const auto listen = FindingsOf(seed, "db.pg-listen-all", subject_);
  ASSERT_EQ(listen.size(), 1u);
  EXPECT_EQ(listen[0]["evidence"]["fix"], "listen_addresses = 'localhost'");

  bool sys_eval = false, loader = false;
  for (const auto& f : FindingsOf(seed, "db.pg-c-function", subject_)) {
    EXPECT_EQ(f["severity"], "critical");
    EXPECT_EQ(f["kind"], "compromise");
    if (f["evidence"]["function"] == "public.sys_eval(text)") {
      sys_eval = true;
      EXPECT_EQ(f["evidence"]["library"], "libc.so.6");
      EXPECT_EQ(f["evidence"]["symbol"], "system");
      EXPECT_EQ(f["evidence"]["fix"], "DROP FUNCTION public.sys_eval(text);");
      EXPECT_EQ(f["evidence"]["fix_file"], "sql");
      EXPECT_TRUE(f["evidence"].contains("created"));  // track_commit_timestamp is on
    }
    if (f["evidence"]["function"] == "public.sys_loader(text)") {
      loader = true;
      EXPECT_EQ(f["evidence"]["library"], lib_path_);
    }
  }
  EXPECT_TRUE(sys_eval && loader) << seed.dump(1);

  const auto lo = FindingsOf(seed, "db.pg-large-object-binary", subject_);
  ASSERT_EQ(lo.size(), 1u);
  EXPECT_EQ(lo[0]["evidence"]["loid"].get<int64_t>(), std::stoll(loid_));
  EXPECT_EQ(lo[0]["evidence"]["kind"], "elf");
  EXPECT_EQ(lo[0]["evidence"]["fix"], fmt::format("SELECT lo_unlink({});", loid_));
  EXPECT_EQ(lo[0]["evidence"]["size"], 24);

  const auto roles = FindingsOf(seed, "db.pg-role-no-password", subject_);
  bool super_high = false;
  for (const auto& f : roles) {
    if (f["evidence"]["role"] == "postgres" && f["severity"] == "high") super_high = true;
  }
  EXPECT_TRUE(super_high) << seed.dump(1);
  const auto program = FindingsOf(seed, "db.pg-server-program-role", subject_);
  ASSERT_EQ(program.size(), 1u);
  EXPECT_EQ(program[0]["evidence"]["fix"], "REVOKE pg_execute_server_program FROM app;");
  const auto lang = FindingsOf(seed, "db.pg-untrusted-language", subject_);
  ASSERT_EQ(lang.size(), 1u);
  EXPECT_EQ(lang[0]["evidence"]["language"], "plevil");
  const auto recent = FindingsOf(seed, "db.pg-recent-objects", subject_);
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0]["evidence"]["c_functions"].size(), 2u);
  for (const auto& f : seed["findings"]) {
    if (f["check"].get<std::string>().starts_with("db.pg-")) {
      EXPECT_TRUE(f["evidence"].contains("fix")) << f.dump();
      EXPECT_TRUE(f["evidence"].contains("fix_file")) << f.dump();
    }
  }

  // The fix, as `deminer harden` prints it.
  Sql("DROP FUNCTION public.sys_eval(text)");
  Sql("DROP FUNCTION public.sys_loader(text)");
  Sql(fmt::format("SELECT lo_unlink({})", loid_));
  Sql("DROP LANGUAGE plevil");
  Sql("REVOKE pg_execute_server_program FROM app");
  const std::string password = "Fx-9q2Lm-unique";
  Sql(fmt::format("ALTER ROLE postgres PASSWORD '{}'", password));
  Sql("ALTER ROLE app PASSWORD 'app-Zr7'");
  ASSERT_TRUE(pg_->Reconfigure("local all all peer\n"
                               "host all all 0.0.0.0/0 scram-sha-256\n"
                               "host all all ::/0 scram-sha-256\n",
                               {"listen_addresses = 'localhost'"}));
  pg_->SetListenAddresses("localhost");
  ASSERT_TRUE(pg_->Restart()) << pg_->why_not();

  const std::string dsn = fmt::format("host=127.0.0.1 port={} user=postgres dbname=postgres password={}",
                                      pg_->port(), password);
  const CommandResult with_dsn = RunDeminer({"scan", "--format", "json", "--rules", MachineRulesDir(),
                                             "--only", "databases", "--fail-on", "none", "--dsn", dsn});
  ASSERT_EQ(with_dsn.exit_code, 0) << with_dsn.err;
  EXPECT_EQ(with_dsn.out.find(password), std::string::npos) << "the --dsn password was printed";
  EXPECT_EQ(with_dsn.err.find(password), std::string::npos) << "the --dsn password was printed";
  const auto fixed = nlohmann::json::parse(with_dsn.out);
  // PGPASSWORD in deminer's environment must not be sent either: with it the
  // "passwordless" login would succeed and be reported.
  const auto fixed_plain =
      ScanJson({"--only", "databases", "--fail-on", "none"}, {{"PGPASSWORD", password}});
  for (const auto* scan : {&fixed, &fixed_plain}) {
    for (const char* check : kSeedChecks) {
      EXPECT_TRUE(FindingsOf(*scan, check, subject_).empty()) << check << "\n" << scan->dump(1);
    }
    // Roles changed by the fix are recent; the dropped functions are gone.
    for (const auto& f : FindingsOf(*scan, "db.pg-recent-objects", subject_)) {
      EXPECT_FALSE(f["evidence"].contains("c_functions")) << f.dump();
    }
  }
  // With the --dsn deminer still looked inside: no gap about logging in or reading.
  bool inspected_gap = false;
  for (const auto& g : fixed["skipped"]) {
    const std::string what = g["what"];
    if (what.find(subject_) != std::string::npos && what.find("settings, roles") != std::string::npos) {
      inspected_gap = true;
    }
  }
  EXPECT_FALSE(inspected_gap) << fixed["skipped"].dump(1);
  // Without it, the refused passwordless login is a gap.
  bool refused_gap = false;
  for (const auto& g : fixed_plain["skipped"]) {
    if (g["what"].get<std::string>().find(subject_) != std::string::npos) refused_gap = true;
  }
  EXPECT_TRUE(refused_gap) << fixed_plain["skipped"].dump(1);
}

TEST(PostgresOfflineTest, ConfigFilesGivenAsPathsGiveFindingsWithPathAndLine) {
  const std::string dir = std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/postgres";
  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none", dir + "/pg_hba.conf",
                              dir + "/postgresql.conf"});
  std::map<int, std::string> hba;
  for (const auto& f : FindingsOf(scan, "db.pg-hba-trust", dir)) {
    EXPECT_EQ(f["path"], dir + "/pg_hba.conf");
    hba[f["line"].get<int>()] = f["severity"];
  }
  EXPECT_EQ(hba, (std::map<int, std::string>{
                     {4, "medium"}, {6, "critical"}, {7, "critical"}, {8, "medium"}}))
      << scan.dump(1);
  const auto listen = FindingsOf(scan, "db.pg-listen-all", dir);
  ASSERT_EQ(listen.size(), 1u) << scan.dump(1);
  EXPECT_EQ(listen[0]["path"], dir + "/postgresql.conf");
  EXPECT_EQ(listen[0]["line"], 5);
  EXPECT_EQ(listen[0]["evidence"]["fix"], "listen_addresses = 'localhost'");
  EXPECT_EQ(listen[0]["evidence"]["fix_file"], dir + "/postgresql.conf");
  const auto ssl = FindingsOf(scan, "db.pg-ssl-off", dir);
  ASSERT_EQ(ssl.size(), 1u);
  EXPECT_TRUE(ssl[0]["evidence"]["fix"].get<std::string>().starts_with("ssl = 'on'  # with ssl_cert_file"));
  // The include directive it does not follow is said, not silently dropped.
  bool noted = false;
  for (const auto& g : scan["skipped"]) {
    if (g["reason"].get<std::string>().find("include_dir") != std::string::npos) noted = true;
  }
  EXPECT_TRUE(noted) << scan["skipped"].dump(1);
}

}  // namespace
}  // namespace deminer::it
