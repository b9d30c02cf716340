// The databases scope against real Redis servers and a real Docker-compatible
// API, all on loopback ports the tests start: an open redis-server whose dump
// dir is a cron directory (nothing is ever written there), a locked one, a
// weak redis.conf read by PATH, a --root tree with daemon.json and a dockerd
// unit, Podman's API on TCP, and a TLS front to it that asks for no client
// certificate.
#include <arpa/inet.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

bool PortAnswers(uint16_t port) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  close(fd);
  return ok;
}

bool WaitForPort(uint16_t port, std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (PortAnswers(port)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

// A redis-server on a free loopback port with `extra` config lines; it never
// saves (save "", no AOF) and is killed, not shut down, so it writes nothing.
class RedisUnderTest {
 public:
  explicit RedisUnderTest(const std::string& extra) : port_(FreePort()) {
    std::ofstream(dir_ / "redis.conf") << fmt::format(
        "port {}\nbind 127.0.0.1\ndaemonize no\nlogfile \"\"\nsave \"\"\nappendonly no\n{}",
        port_, extra);
    server_ = std::make_unique<Child>("/usr/bin/redis-server",
                                      std::vector<std::string>{"redis-server", dir_ / "redis.conf"});
    ok_ = WaitForPort(port_);
  }
  bool ok() const { return ok_; }
  uint16_t port() const { return port_; }
  const TempDir& dir() const { return dir_; }
  std::string where() const { return fmt::format("redis 127.0.0.1:{}", port_); }

 private:
  TempDir dir_;
  uint16_t port_;
  std::unique_ptr<Child> server_;
  bool ok_ = false;
};

bool HaveRedis() { return fs::exists("/usr/bin/redis-server"); }

TEST(RedisAuditTest, OpenServerDumpingIntoCronIsReported) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server is not installed (scripts/deps.sh)";
  TempDir data;
  const std::string cron = data / "etc/cron.d";
  fs::create_directories(cron);
  RedisUnderTest redis(fmt::format("protected-mode no\ndir {}\ndbfilename dump.rdb\n", cron));
  ASSERT_TRUE(redis.ok()) << "redis-server did not listen";

  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none"});
  const auto no_auth = FindingsOf(scan, "db.redis-no-auth", redis.where());
  ASSERT_EQ(no_auth.size(), 1u) << scan.dump(2);
  EXPECT_EQ(no_auth[0]["severity"], "medium");  // loopback only
  EXPECT_EQ(no_auth[0]["evidence"]["auth"], "open");
  EXPECT_EQ(no_auth[0]["evidence"]["fix"], "requirepass <a long random secret>");
  EXPECT_EQ(no_auth[0]["evidence"]["fix_file"], redis.dir() / "redis.conf");

  const auto mode = FindingsOf(scan, "db.redis-protected-mode", redis.where());
  ASSERT_EQ(mode.size(), 1u) << scan.dump(2);
  EXPECT_EQ(mode[0]["severity"], "medium");
  EXPECT_EQ(mode[0]["evidence"]["fix"], "protected-mode yes");

  const auto dump = FindingsOf(scan, "db.redis-persistence-path", redis.where());
  ASSERT_EQ(dump.size(), 1u) << scan.dump(2);
  EXPECT_EQ(dump[0]["severity"], "critical");
  EXPECT_EQ(dump[0]["kind"], "compromise");
  EXPECT_EQ(dump[0]["evidence"]["dir"], cron);

  // Bound to 127.0.0.1 only: not bound to all addresses.
  EXPECT_TRUE(FindingsOf(scan, "db.redis-bind-all", redis.where()).empty());
  // Read-only: the probe wrote nothing into the "cron" directory.
  EXPECT_TRUE(fs::is_empty(cron));
}

TEST(RedisAuditTest, LockedServerIsQuiet) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server is not installed (scripts/deps.sh)";
  TempDir data;
  RedisUnderTest redis(fmt::format(
      "protected-mode yes\nrequirepass not-a-real-secret-for-tests\ndir {}\n", data.path()));
  ASSERT_TRUE(redis.ok()) << "redis-server did not listen";
  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none"});
  for (const char* check : {"db.redis-no-auth", "db.redis-protected-mode",
                            "db.redis-persistence-path", "db.redis-bind-all",
                            "db.redis-replication-module"}) {
    EXPECT_TRUE(FindingsOf(scan, check, redis.where()).empty()) << check << "\n" << scan.dump(2);
  }
  // The secret appears nowhere in the report.
  EXPECT_EQ(scan.dump().find("not-a-real-secret-for-tests"), std::string::npos);
}

// A server on a Unix socket only (port 0) is found from the sockets its
// process owns, and probed through it.
TEST(RedisAuditTest, UnixSocketOnlyServerIsFound) {
  if (!HaveRedis()) GTEST_SKIP() << "redis-server is not installed (scripts/deps.sh)";
  TempDir dir;
  const std::string sock = dir / "redis.sock";
  std::ofstream(dir / "redis.conf") << fmt::format(
      "port 0\nunixsocket {}\ndaemonize no\nlogfile \"\"\nsave \"\"\nappendonly no\ndir {}\n",
      sock, dir.path());
  Child server("/usr/bin/redis-server", {"redis-server", dir / "redis.conf"});
  ASSERT_TRUE(WaitForFile(sock)) << "redis-server made no socket";
  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none"});
  const auto open = FindingsOf(scan, "db.redis-no-auth", "redis " + sock);
  ASSERT_EQ(open.size(), 1u) << scan.dump(2);
  EXPECT_EQ(open[0]["severity"], "medium");  // no TCP at all
  EXPECT_TRUE(FindingsOf(scan, "db.redis-bind-all", sock).empty());
}

TEST(RedisAuditTest, WeakConfigFileByPathHasLines) {
  const std::string conf = std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/redis/redis-weak.conf";
  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none", conf});
  const auto line_of = [&](const char* check, const std::string& needle = "") {
    const auto found = FindingsOf(scan, check, needle);
    EXPECT_FALSE(found.empty()) << check << "\n" << scan.dump(2);
    if (found.empty()) return -1;
    EXPECT_EQ(found[0]["path"], conf) << check;
    return found[0].value("line", 0);
  };
  EXPECT_EQ(line_of("db.redis-no-auth", conf), 0);  // no requirepass line at all
  EXPECT_EQ(line_of("db.redis-protected-mode", conf), 4);
  EXPECT_EQ(line_of("db.redis-bind-all", conf), 0);  // no bind line: every interface
  EXPECT_EQ(line_of("db.redis-persistence-path", conf), 6);
  EXPECT_EQ(line_of("db.redis-replication-module", "203.0.113.7"), 8);
  EXPECT_EQ(line_of("db.redis-replication-module", "/tmp/exp.so"), 9);
  const auto critical = FindingsOf(scan, "db.redis-no-auth", conf);
  ASSERT_FALSE(critical.empty());
  EXPECT_EQ(critical[0]["severity"], "critical");  // every interface, protected mode off
  EXPECT_EQ(critical[0]["evidence"]["fix_file"], conf);
}

TEST(RedisAuditTest, OfflineRootReadsDaemonJsonAndUnits) {
  const std::string root = std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/redis/root";
  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none", "--root", root});
  // The root's redis.conf has a password, loopback bind and protected mode.
  for (const char* check : {"db.redis-no-auth", "db.redis-protected-mode", "db.redis-bind-all",
                            "db.redis-persistence-path"}) {
    EXPECT_TRUE(FindingsOf(scan, check).empty()) << check << "\n" << scan.dump(2);
  }
  const auto tls = FindingsOf(scan, "db.docker-api-tcp", "0.0.0.0:2376");
  ASSERT_EQ(tls.size(), 1u) << scan.dump(2);
  EXPECT_EQ(tls[0]["severity"], "critical");
  EXPECT_NE(tls[0]["subject"].get<std::string>().find("TLS without client verification"),
            std::string::npos);
  EXPECT_EQ(tls[0]["path"], "/etc/docker/daemon.json");
  EXPECT_EQ(tls[0]["line"], 3);
  EXPECT_EQ(tls[0]["evidence"]["fix"], R"("tlsverify": true)");
  const auto plain = FindingsOf(scan, "db.docker-api-tcp", "0.0.0.0:2375");
  ASSERT_EQ(plain.size(), 1u) << scan.dump(2);
  EXPECT_EQ(plain[0]["severity"], "critical");
  EXPECT_EQ(plain[0]["path"], "/etc/systemd/system/docker.service.d/override.conf");
  EXPECT_EQ(plain[0]["line"], 3);
}

// Podman's Docker-compatible API on a loopback TCP port, and a TLS front to
// it (socat) that does not ask for a client certificate.
TEST(RedisAuditTest, DockerApiOnTcpPlainAndTlsWithoutClientVerification) {
  if (getuid() != 0) GTEST_SKIP() << "rootful Podman needs root";
  if (RunCommand({"podman", "--version"}).exit_code != 0) GTEST_SKIP() << "podman is missing";
  if (RunCommand({"socat", "-V"}).exit_code != 0) GTEST_SKIP() << "socat is missing";
  TempDir dir;
  std::ofstream(dir / "containers.conf")
      << "[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = \"cgroupfs\"\n"
         "runtime = \"runc\"\n";
  const std::map<std::string, std::string> env = {{"CONTAINERS_CONF", dir / "containers.conf"}};
  const uint16_t api_port = FreePort();
  Child podman("/usr/bin/podman",
               {"podman", "system", "service", "--time=0", fmt::format("tcp:127.0.0.1:{}", api_port)},
               env);
  ASSERT_TRUE(WaitForPort(api_port)) << "podman system service did not listen";

  const CommandResult cert =
      RunCommand({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
                  dir / "key.pem", "-out", dir / "cert.pem", "-days", "1", "-subj", "/CN=localhost"});
  ASSERT_EQ(cert.exit_code, 0) << cert.err;
  const uint16_t tls_port = FreePort();
  Child socat("/usr/bin/socat",
              {"socat",
               fmt::format("OPENSSL-LISTEN:{},bind=127.0.0.1,cert={},key={},verify=0,fork,reuseaddr",
                           tls_port, dir / "cert.pem", dir / "key.pem"),
               fmt::format("TCP:127.0.0.1:{}", api_port)});
  ASSERT_TRUE(WaitForPort(tls_port)) << "socat did not listen";

  const auto scan = ScanJson({"--only", "databases", "--fail-on", "none"},
                             {{"DOCKER_HOST", fmt::format("tcp://127.0.0.1:{}", tls_port)}});
  const auto plain = FindingsOf(scan, "db.docker-api-tcp", fmt::format("127.0.0.1:{}", api_port));
  ASSERT_EQ(plain.size(), 1u) << scan.dump(2);
  EXPECT_EQ(plain[0]["severity"], "high");  // loopback
  EXPECT_EQ(plain[0]["evidence"]["probe"], "plain-http");
  EXPECT_EQ(plain[0]["evidence"]["process"], "podman");
  EXPECT_NE(plain[0]["subject"].get<std::string>().find("no TLS"), std::string::npos);

  const auto tls = FindingsOf(scan, "db.docker-api-tcp", fmt::format("127.0.0.1:{}", tls_port));
  ASSERT_EQ(tls.size(), 1u) << scan.dump(2);
  EXPECT_EQ(tls[0]["severity"], "critical");
  EXPECT_EQ(tls[0]["evidence"]["probe"], "tls-without-client-certificate");
  EXPECT_NE(tls[0]["subject"].get<std::string>().find("TLS without client verification"),
            std::string::npos);
  EXPECT_EQ(tls[0]["evidence"]["fix"], R"("tlsverify": true)");
  EXPECT_EQ(tls[0]["evidence"]["fix_file"], "/etc/docker/daemon.json");
}

}  // namespace
}  // namespace deminer::it
