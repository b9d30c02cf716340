#include "watch/alert_sinks.h"

#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <thread>

#include "core/test_dir.h"

namespace deminer {
namespace {

nlohmann::ordered_json Alert() {
  return {{"time", "2026-11-23T00:40:00.123Z"},
          {"event", "exec"},
          {"check", "proc.miner"},
          {"severity", "critical"},
          {"title", "Cryptocurrency miner running"},
          {"subject", "pid 812 /tmp/javae"},
          {"fingerprint", "ab\"c]d"},
          {"container", {{"id", "0123456789ab"}, {"name", "web"}}},
          {"response", nlohmann::ordered_json::array({{{"action", "kill"}, {"result", "done"}}})}};
}

TEST(AlertSinksTest, Rfc5424MessageHasPriorityHeaderAndEscapedStructuredData) {
  const std::string m = Rfc5424(Alert(), "web-01", 4242);
  EXPECT_EQ(m.rfind("<82>1 2026-11-23T00:40:00.123Z web-01 deminer 4242 exec [deminer@32473 ", 0),
            0u)
      << m;
  EXPECT_NE(m.find(R"(fingerprint="ab\"c\]d")"), std::string::npos) << m;
  EXPECT_NE(m.find("Cryptocurrency miner running: pid 812 /tmp/javae (container web)"),
            std::string::npos);
  nlohmann::ordered_json low = Alert();
  low["severity"] = "low";
  low["subject"] = "two\nlines";
  const std::string l = Rfc5424(low, "h", 1);
  EXPECT_EQ(l.rfind("<85>1 ", 0), 0u);
  EXPECT_EQ(l.find('\n'), std::string::npos);
}

TEST(AlertSinksTest, WebhookBodyIsSlackCompatible) {
  const auto b = WebhookBody(Alert());
  EXPECT_EQ(b["text"],
            "deminer critical: Cryptocurrency miner running — pid 812 /tmp/javae (container web) "
            "[kill: done]");
  EXPECT_EQ(b["deminer"]["check"], "proc.miner");
}

class AlertSinksFileTest : public testing::Test {
 protected:
  TestDir dir_{"/var/tmp/deminer-sinks-test"};
};

TEST_F(AlertSinksFileTest, SyslogSendsOneDatagramAnAlert) {
  const std::string path = dir_ / "log";
  const int fd = socket(AF_UNIX, SOCK_DGRAM, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::strncpy(addr.sun_path, path.c_str(), sizeof addr.sun_path - 1);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  auto sink = MakeSyslogSink("unix:" + path);
  ASSERT_TRUE(sink) << sink.error().message();
  (*sink)->Send(Alert());
  char buf[4096];
  const ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
  close(fd);
  ASSERT_GT(n, 0);
  EXPECT_EQ(std::string(buf, 6), "<82>1 ");
  EXPECT_EQ((*sink)->failures(), 0u);
  EXPECT_FALSE(MakeSyslogSink("tcp:1.2.3.4:514"));
  EXPECT_FALSE(MakeSyslogSink("udp:logs.example:514")) << "no name lookups";
  EXPECT_FALSE(MakeSyslogSink("unix:" + (dir_ / "nobody-listens")));
}

TEST_F(AlertSinksFileTest, TheStoreKeepsTheNewestAlerts) {
  const std::string db = dir_ / "events.db";
  {
    auto sink = MakeStoreSink(db, 5);
    ASSERT_TRUE(sink) << sink.error().message();
    for (int i = 0; i < 1200; ++i) (*sink)->Send(Alert());
    EXPECT_EQ((*sink)->failures(), 0u);
  }
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db.c_str(), &h), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(h, "SELECT COUNT(*), MIN(check_id) FROM alerts", -1, &s, nullptr),
            SQLITE_OK);
  ASSERT_EQ(sqlite3_step(s), SQLITE_ROW);
  EXPECT_EQ(sqlite3_column_int(s, 0), 205) << "trimmed to 5 at the 1,000th, 200 since";
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(s, 1)), "proc.miner");
  sqlite3_finalize(s);
  sqlite3_close(h);
}

TEST(AlertSinksTest, WebhookPostsTheBodyToALoopbackReceiver) {
  const int listener = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(listen(listener, 1), 0);
  std::string request;
  std::thread receiver([&] {
    const int c = accept(listener, nullptr, nullptr);
    char buf[8192];
    for (ssize_t n; (n = recv(c, buf, sizeof buf, 0)) > 0;) {
      request.append(buf, static_cast<size_t>(n));
      if (request.find("\"deminer\"") != std::string::npos && request.ends_with("}")) break;
    }
    const char reply[] = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok";
    send(c, reply, sizeof reply - 1, 0);
    close(c);
  });
  {
    auto sink =
        MakeWebhookSink("http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/hook");
    ASSERT_TRUE(sink);
    (*sink)->Send(Alert());
  }  // the destructor sends what is queued, then stops
  receiver.join();
  close(listener);
  EXPECT_EQ(request.rfind("POST /hook HTTP/1.1", 0), 0u) << request;
  EXPECT_NE(request.find("Content-Type: application/json"), std::string::npos);
  EXPECT_NE(request.find("\"text\":\"deminer critical: Cryptocurrency miner running"),
            std::string::npos)
      << request;
  EXPECT_FALSE(MakeWebhookSink("file:///etc/passwd"));
}

}  // namespace
}  // namespace deminer
