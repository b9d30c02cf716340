// Where the daemon's alerts go besides its JSON lines: syslog (RFC 5424, as a
// datagram to a unix socket such as /dev/log or to a UDP address), a webhook
// (a Slack-compatible {"text": ...} body with the alert beside it, posted from
// its own thread so a slow receiver never delays detection), and the event
// store (SQLite in the state dir, bounded). Each takes the alert as the JSON
// object the JSON lines hold. Send never throws and never blocks for long;
// a failure is counted and its last message kept.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "core/error.h"

namespace deminer {

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  virtual void Send(const nlohmann::ordered_json& alert) = 0;
  virtual std::string Name() const = 0;
  uint64_t failures() const { return failures_; }
  std::string last_error() const;

 protected:
  void Failed(std::string why);

 private:
  std::atomic<uint64_t> failures_{0};
  mutable std::mutex mu_;
  std::string last_error_;
};

// "unix:/dev/log" or "udp:HOST:PORT" (a numeric address).
Expected<std::unique_ptr<AlertSink>> MakeSyslogSink(const std::string& target);
Expected<std::unique_ptr<AlertSink>> MakeWebhookSink(const std::string& url);
// Opens or creates the SQLite store; keeps the newest `max_rows` alerts.
Expected<std::unique_ptr<AlertSink>> MakeStoreSink(const std::string& path,
                                                   uint64_t max_rows = 100000);

// The RFC 5424 message for an alert (priority from its severity, facility
// security/authorization, structured data with check, severity, fingerprint). Pure.
std::string Rfc5424(const nlohmann::ordered_json& alert, const std::string& hostname, int pid);
// The webhook body: "text" for Slack-compatible receivers, and the alert. Pure.
nlohmann::ordered_json WebhookBody(const nlohmann::ordered_json& alert);

}  // namespace deminer
