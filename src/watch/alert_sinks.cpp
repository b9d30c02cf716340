#include "watch/alert_sinks.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <sqlite3.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <thread>

#include "sources/docker_api.h"

namespace deminer {
namespace {

std::string Str(const nlohmann::ordered_json& j, const char* key) {
  const auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// RFC 5424 PARAM-VALUE: '"', '\' and ']' escaped.
std::string SdValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '"' || c == '\\' || c == ']') out += '\\';
    out += c;
  }
  return out;
}

class SyslogSink final : public AlertSink {
 public:
  SyslogSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {
    char host[256] = {};
    gethostname(host, sizeof host - 1);
    host_ = host[0] != '\0' ? host : "-";
  }
  ~SyslogSink() override { close(fd_); }
  void Send(const nlohmann::ordered_json& alert) override {
    const std::string msg = Rfc5424(alert, host_, getpid());
    if (send(fd_, msg.data(), msg.size(), MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
      Failed(fmt::format("syslog {}: {}", name_, std::strerror(errno)));
    }
  }
  std::string Name() const override { return "syslog " + name_; }

 private:
  int fd_;
  std::string name_;
  std::string host_;
};

class WebhookSink final : public AlertSink {
 public:
  explicit WebhookSink(std::string url) : url_(std::move(url)), worker_([this] { Run(); }) {}
  ~WebhookSink() override {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_one();
    worker_.join();
  }
  void Send(const nlohmann::ordered_json& alert) override {
    {
      std::lock_guard lock(mu_);
      if (queue_.size() >= 1000) {  // bounded: a dead receiver does not grow the daemon
        Failed("webhook queue full: alert dropped");
        return;
      }
      queue_.push_back(WebhookBody(alert).dump(-1, ' ', false,
                                               nlohmann::ordered_json::error_handler_t::replace));
    }
    cv_.notify_one();
  }
  std::string Name() const override { return "webhook"; }

 private:
  void Run() {
    std::unique_lock lock(mu_);
    while (true) {
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, nothing left to send
      std::string body = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      if (auto r = HttpPost(url_, "application/json", body); !r) Failed(r.error().message());
      lock.lock();
    }
  }
  std::string url_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stop_ = false;
  std::thread worker_;
};

struct SqliteCloser {
  void operator()(sqlite3* db) const { sqlite3_close(db); }
};
struct StmtCloser {
  void operator()(sqlite3_stmt* s) const { sqlite3_finalize(s); }
};

class StoreSink final : public AlertSink {
 public:
  StoreSink(sqlite3* db, sqlite3_stmt* insert, std::string path, uint64_t max_rows)
      : db_(db), insert_(insert), path_(std::move(path)), max_rows_(max_rows) {}
  void Send(const nlohmann::ordered_json& alert) override {
    std::lock_guard lock(mu_);
    sqlite3_stmt* s = insert_.get();
    sqlite3_reset(s);
    const std::string fields[] = {
        Str(alert, "time"),
        Str(alert, "event"),
        Str(alert, "check"),
        Str(alert, "severity"),
        Str(alert, "fingerprint"),
        Str(alert, "subject"),
        alert.contains("container") && alert["container"].is_object()
            ? Str(alert["container"], "id")
            : std::string(),
        alert.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace)};
    for (int i = 0; i < 8; ++i) {
      sqlite3_bind_text(s, i + 1, fields[i].c_str(), static_cast<int>(fields[i].size()),
                        SQLITE_TRANSIENT);
    }
    if (sqlite3_step(s) != SQLITE_DONE) {
      Failed(fmt::format("{}: {}", path_, sqlite3_errmsg(db_.get())));
      return;
    }
    // Bounded: the oldest go first, checked every 1,000 alerts.
    if (++since_trim_ >= 1000) {
      since_trim_ = 0;
      const std::string trim = fmt::format(
          "DELETE FROM alerts WHERE id <= (SELECT MAX(id) FROM alerts) - {}", max_rows_);
      sqlite3_exec(db_.get(), trim.c_str(), nullptr, nullptr, nullptr);
    }
  }
  std::string Name() const override { return "store " + path_; }

 private:
  std::mutex mu_;
  std::unique_ptr<sqlite3, SqliteCloser> db_;
  std::unique_ptr<sqlite3_stmt, StmtCloser> insert_;
  std::string path_;
  uint64_t max_rows_;
  uint64_t since_trim_ = 0;
};

}  // namespace

std::string AlertSink::last_error() const {
  std::lock_guard lock(mu_);
  return last_error_;
}

void AlertSink::Failed(std::string why) {
  ++failures_;
  std::lock_guard lock(mu_);
  last_error_ = std::move(why);
}

std::string Rfc5424(const nlohmann::ordered_json& alert, const std::string& hostname, int pid) {
  // Facility 10 (security/authorization); severity from the finding's.
  const std::string sev = Str(alert, "severity");
  const int level = sev == "critical" ? 2
                    : sev == "high"   ? 3
                    : sev == "medium" ? 4
                    : sev == "low"    ? 5
                                      : 6;
  const std::string time = Str(alert, "time");
  std::string msg = fmt::format(
      "<{}>1 {} {} deminer {} {} [deminer@32473 check=\"{}\" severity=\"{}\" fingerprint=\"{}\" "
      "event=\"{}\"]",
      10 * 8 + level, time.empty() ? "-" : time, hostname.empty() ? "-" : hostname, pid,
      Str(alert, "event").empty() ? "-" : Str(alert, "event"), SdValue(Str(alert, "check")),
      SdValue(sev), SdValue(Str(alert, "fingerprint")), SdValue(Str(alert, "event")));
  msg += fmt::format(" {}: {}", Str(alert, "title"), Str(alert, "subject"));
  if (alert.contains("container") && alert["container"].is_object()) {
    const std::string name = Str(alert["container"], "name");
    msg += fmt::format(" (container {})", name.empty() ? Str(alert["container"], "id") : name);
  }
  for (char& c : msg) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return msg;
}

nlohmann::ordered_json WebhookBody(const nlohmann::ordered_json& alert) {
  std::string text = fmt::format("deminer {}: {} — {}", Str(alert, "severity"), Str(alert, "title"),
                                 Str(alert, "subject"));
  if (alert.contains("container") && alert["container"].is_object()) {
    const std::string name = Str(alert["container"], "name");
    text += fmt::format(" (container {})", name.empty() ? Str(alert["container"], "id") : name);
  }
  if (alert.contains("response") && alert["response"].is_array()) {
    for (const auto& r : alert["response"]) {
      if (r.is_object()) text += fmt::format(" [{}: {}]", Str(r, "action"), Str(r, "result"));
    }
  }
  return {{"text", text}, {"deminer", alert}};
}

Expected<std::unique_ptr<AlertSink>> MakeSyslogSink(const std::string& target) {
  if (target.starts_with("unix:")) {
    const std::string path = target.substr(5);
    sockaddr_un addr{};
    if (path.empty() || path.size() >= sizeof addr.sun_path) {
      return Fail(Error::InvalidInput("syslog: bad socket path " + path));
    }
    const int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(Error::FromErrno(errno, "syslog socket"));
    addr.sun_family = AF_UNIX;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      const int err = errno;
      close(fd);
      return Fail(Error::FromErrno(err, "syslog " + path));
    }
    return std::unique_ptr<AlertSink>(std::make_unique<SyslogSink>(fd, path));
  }
  if (target.starts_with("udp:")) {
    const std::string rest = target.substr(4);
    const size_t colon = rest.rfind(':');
    if (colon == std::string::npos) return Fail(Error::InvalidInput("syslog: udp:HOST:PORT"));
    std::string host = rest.substr(0, colon);
    if (host.starts_with('[') && host.ends_with(']')) host = host.substr(1, host.size() - 2);
    const int port = std::atoi(rest.c_str() + colon + 1);
    sockaddr_storage ss{};
    socklen_t len = 0;
    auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
      v4->sin_family = AF_INET;
      v4->sin_port = htons(static_cast<uint16_t>(port));
      len = sizeof *v4;
    } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
      v6->sin6_family = AF_INET6;
      v6->sin6_port = htons(static_cast<uint16_t>(port));
      len = sizeof *v6;
    } else {
      return Fail(Error::InvalidInput("syslog: a numeric address is needed, not " + host));
    }
    if (port <= 0 || port > 65535) return Fail(Error::InvalidInput("syslog: bad port"));
    const int fd = socket(ss.ss_family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return Fail(Error::FromErrno(errno, "syslog socket"));
    if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) {
      const int err = errno;
      close(fd);
      return Fail(Error::FromErrno(err, "syslog " + rest));
    }
    return std::unique_ptr<AlertSink>(std::make_unique<SyslogSink>(fd, rest));
  }
  return Fail(Error::InvalidInput("syslog: expected unix:PATH or udp:HOST:PORT, not " + target));
}

Expected<std::unique_ptr<AlertSink>> MakeWebhookSink(const std::string& url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Fail(Error::InvalidInput("webhook: not an http:// or https:// URL: " + url));
  }
  return std::unique_ptr<AlertSink>(std::make_unique<WebhookSink>(url));
}

Expected<std::unique_ptr<AlertSink>> MakeStoreSink(const std::string& path, uint64_t max_rows) {
  sqlite3* raw = nullptr;
  const int rc =
      sqlite3_open_v2(path.c_str(), &raw,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  std::unique_ptr<sqlite3, SqliteCloser> db(raw);
  if (rc != SQLITE_OK) {
    return Fail(Error::Io(fmt::format("{}: {}", path, raw ? sqlite3_errmsg(raw) : "cannot open")));
  }
  const char* schema =
      "PRAGMA journal_mode=WAL;"
      "CREATE TABLE IF NOT EXISTS alerts(id INTEGER PRIMARY KEY, time TEXT, event TEXT, "
      "check_id TEXT, severity TEXT, fingerprint TEXT, subject TEXT, container TEXT, json TEXT);"
      "CREATE INDEX IF NOT EXISTS alerts_fingerprint ON alerts(fingerprint);"
      "CREATE INDEX IF NOT EXISTS alerts_time ON alerts(time);";
  char* err = nullptr;
  if (sqlite3_exec(db.get(), schema, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string why = err ? err : "schema";
    sqlite3_free(err);
    return Fail(Error::Io(fmt::format("{}: {}", path, why)));
  }
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db.get(),
                         "INSERT INTO alerts(time, event, check_id, severity, fingerprint, "
                         "subject, container, json) VALUES(?,?,?,?,?,?,?,?)",
                         -1, &stmt, nullptr) != SQLITE_OK) {
    return Fail(Error::Io(fmt::format("{}: {}", path, sqlite3_errmsg(db.get()))));
  }
  return std::unique_ptr<AlertSink>(
      std::make_unique<StoreSink>(db.release(), stmt, path, max_rows));
}

}  // namespace deminer
