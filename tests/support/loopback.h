// Shared helpers for deminer's two harmless test-support programs, imitation_miner and
// stratum_listener. They parse and check numeric loopback addresses (127.0.0.0/8 or ::1 only;
// host names are never resolved), open loopback listeners, serve the fake stratum job reply and
// write ready files atomically. Nothing in here can reach anything beyond the loopback interface.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

namespace deminer::test_support {

// Exit status of both programs when asked to use anything but a numeric loopback address.
inline constexpr int kExitNotLoopback = 3;
// Exit status for malformed arguments or environment values.
inline constexpr int kExitUsage = 2;
// Default lifetime, so nothing outlives a crashed test for long.
inline constexpr uint64_t kDefaultLifetimeSeconds = 600;
// A stratum line longer than this closes the connection.
inline constexpr size_t kMaxLineBytes = size_t{64} * 1024;
// Longest accepted IMITATION_LIFETIME_S: one week.
inline constexpr uint64_t kMaxLifetimeSeconds = uint64_t{7} * 24 * 3600;
// Clients served at once by AcceptLoop; further ones are closed at once.
inline constexpr int kMaxClients = 256;

struct LoopbackAddress {
  sockaddr_storage storage{};
  socklen_t length = 0;

  const sockaddr* Get() const { return reinterpret_cast<const sockaddr*>(&storage); }
  int Family() const { return storage.ss_family; }
};

// True only for an AF_INET address in 127.0.0.0/8 or the AF_INET6 address ::1.
inline bool IsLoopbackSockaddr(const sockaddr* addr, socklen_t length) {
  if (addr == nullptr) return false;
  if (addr->sa_family == AF_INET && length >= sizeof(sockaddr_in)) {
    sockaddr_in in{};
    std::memcpy(&in, addr, sizeof(in));
    return (ntohl(in.sin_addr.s_addr) >> 24) == 127;
  }
  if (addr->sa_family == AF_INET6 && length >= sizeof(sockaddr_in6)) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, addr, sizeof(in6));
    return IN6_IS_ADDR_LOOPBACK(&in6.sin6_addr) != 0;
  }
  return false;
}

inline bool IsLoopback(const LoopbackAddress& address) {
  return IsLoopbackSockaddr(address.Get(), address.length);
}

// Decimal port 0..65535, digits only.
inline std::optional<uint16_t> ParsePort(std::string_view text) {
  if (text.empty() || text.size() > 5) return std::nullopt;
  unsigned value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<uint16_t>(value);
}

inline uint16_t PortOf(const LoopbackAddress& address) {
  if (address.Family() == AF_INET) {
    return ntohs(reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_port);
  }
  return ntohs(reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_port);
}

// Numeric host ("127.0.0.1", "::1" or "[::1]") and port. Uses inet_pton only, so a host name
// never parses. Returns nullopt for anything that is not a loopback address.
inline std::optional<LoopbackAddress> ParseLoopbackHostPort(std::string_view host,
                                                            std::string_view port_text) {
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  const std::optional<uint16_t> port = ParsePort(port_text);
  if (!port || host.empty() || host.size() >= INET6_ADDRSTRLEN) return std::nullopt;
  const std::string host_z(host);  // inet_pton needs a terminated string.
  LoopbackAddress address;
  sockaddr_in in{};
  sockaddr_in6 in6{};
  if (inet_pton(AF_INET, host_z.c_str(), &in.sin_addr) == 1) {
    in.sin_family = AF_INET;
    in.sin_port = htons(*port);
    std::memcpy(&address.storage, &in, sizeof(in));
    address.length = sizeof(in);
  } else if (inet_pton(AF_INET6, host_z.c_str(), &in6.sin6_addr) == 1) {
    in6.sin6_family = AF_INET6;
    in6.sin6_port = htons(*port);
    std::memcpy(&address.storage, &in6, sizeof(in6));
    address.length = sizeof(in6);
  } else {
    return std::nullopt;
  }
  if (!IsLoopback(address)) return std::nullopt;
  return address;
}

// "127.0.0.1:3333" or "[::1]:3333" (the last ':' splits host from port).
inline std::optional<LoopbackAddress> ParseLoopbackEndpoint(std::string_view endpoint) {
  const size_t colon = endpoint.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  return ParseLoopbackHostPort(endpoint.substr(0, colon), endpoint.substr(colon + 1));
}

// Like ParseLoopbackEndpoint but prints an error and exits with kExitNotLoopback on refusal.
// `what` names the source of the text (an environment variable or argument) for the message.
inline LoopbackAddress RequireLoopbackEndpoint(const char* program, const char* what,
                                               std::string_view endpoint, bool allow_port_zero) {
  std::optional<LoopbackAddress> address = ParseLoopbackEndpoint(endpoint);
  if (!address || (!allow_port_zero && PortOf(*address) == 0)) {
    std::fprintf(stderr,
                 "%s: refusing %s=\"%.*s\": only numeric 127.0.0.0/8 or [::1] addresses with a "
                 "port are allowed\n",
                 program, what, static_cast<int>(endpoint.size()), endpoint.data());
    std::exit(kExitNotLoopback);
  }
  return *address;
}

inline std::string FormatAddress(const LoopbackAddress& address) {
  char host[INET6_ADDRSTRLEN] = {};
  if (address.Family() == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(&address.storage)->sin_addr, host,
              sizeof(host));
    return std::string(host) + ":" + std::to_string(PortOf(address));
  }
  inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(&address.storage)->sin6_addr, host,
            sizeof(host));
  return "[" + std::string(host) + "]:" + std::to_string(PortOf(address));
}

// The fake pool answer to any stratum line. The numeric "id" of the request is echoed when it
// has one, otherwise 1.
inline std::string FakeJobReply(std::string_view request_line) {
  std::string id = "1";
  const size_t key = request_line.find("\"id\"");
  if (key != std::string_view::npos) {
    size_t pos = request_line.find_first_not_of(" \t", key + 4);
    if (pos != std::string_view::npos && request_line[pos] == ':') {
      pos = request_line.find_first_not_of(" \t", pos + 1);
      size_t end = pos;
      while (end < request_line.size() && end - pos < 9 && request_line[end] >= '0' &&
             request_line[end] <= '9') {
        ++end;
      }
      if (pos != std::string_view::npos && end > pos) id = request_line.substr(pos, end - pos);
    }
  }
  return "{\"id\":" + id +
         ",\"jsonrpc\":\"2.0\",\"error\":null,\"result\":{\"id\":\"imitation\",\"job\":{"
         "\"blob\":\"00\",\"job_id\":\"1\",\"target\":\"ffffffff\",\"algo\":\"rx/0\"},"
         "\"status\":\"OK\"}}\n";
}

// Writes all of data; never raises SIGPIPE.
inline bool SendAll(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t sent = send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    data.remove_prefix(static_cast<size_t>(sent));
  }
  return true;
}

// Answers every newline-terminated line from fd with FakeJobReply until the peer goes away,
// then closes fd.
inline void ServeStratumClient(int fd) {
  std::string pending;
  char buffer[4096];
  for (;;) {
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    pending.append(buffer, static_cast<size_t>(got));
    size_t newline;
    bool ok = true;
    while (ok && (newline = pending.find('\n')) != std::string::npos) {
      std::string_view line(pending.data(), newline);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      if (line.find_first_not_of(" \t") != std::string_view::npos) {
        ok = SendAll(fd, FakeJobReply(line));
      }
      pending.erase(0, newline + 1);
    }
    if (!ok || pending.size() > kMaxLineBytes) break;
  }
  close(fd);
}

// Opens a TCP listener (SO_REUSEADDR, close-on-exec) on a loopback address. Returns -1 with
// errno set on failure, and EADDRNOTAVAIL for a non-loopback address.
inline int OpenLoopbackListener(const LoopbackAddress& address) {
  if (!IsLoopback(address)) {
    errno = EADDRNOTAVAIL;
    return -1;
  }
  const int fd = socket(address.Family(), SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  const int one = 1;
  if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
      bind(fd, address.Get(), address.length) != 0 || listen(fd, 64) != 0) {
    const int saved = errno;
    close(fd);
    errno = saved;
    return -1;
  }
  return fd;
}

// The port a listener actually bound (useful after asking for port 0); 0 on failure.
inline uint16_t BoundPort(int fd) {
  LoopbackAddress address;
  address.length = sizeof(address.storage);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&address.storage), &address.length) != 0) {
    return 0;
  }
  return PortOf(address);
}

// Accepts clients forever and serves each on its own detached thread. Returns only when accept
// fails for good.
inline void AcceptLoop(const char* program, int listen_fd) {
  static std::atomic<int> active_clients{0};
  for (;;) {
    const int client = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
        continue;
      }
      std::fprintf(stderr, "%s: accept: %s\n", program, std::strerror(errno));
      return;
    }
    if (active_clients.fetch_add(1) >= kMaxClients) {
      active_clients.fetch_sub(1);
      close(client);
      continue;
    }
    std::thread([client] {
      ServeStratumClient(client);
      active_clients.fetch_sub(1);
    }).detach();
  }
}

// Writes content to path.tmp and renames it over path, so readers never see a partial file.
inline bool WriteFileAtomically(const std::string& path, std::string_view content) {
  const std::string tmp = path + ".tmp";
  const int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  bool ok = true;
  while (ok && !content.empty()) {
    const ssize_t written = write(fd, content.data(), content.size());
    if (written < 0 && errno == EINTR) continue;
    ok = written > 0;
    if (ok) content.remove_prefix(static_cast<size_t>(written));
  }
  ok = (close(fd) == 0) && ok;
  if (ok && rename(tmp.c_str(), path.c_str()) == 0) return true;
  unlink(tmp.c_str());
  return false;
}

// A non-negative decimal integer, digits only.
inline std::optional<uint64_t> ParseUnsigned(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// An environment variable, or nullopt when unset or empty.
inline std::optional<std::string_view> GetEnv(const char* name) {
  const char* value = std::getenv(name);
  if (value == nullptr || *value == '\0') return std::nullopt;
  return std::string_view(value);
}

// IMITATION_LIFETIME_S, kDefaultLifetimeSeconds when unset; exits with kExitUsage when malformed.
inline uint64_t LifetimeSecondsFromEnv(const char* program) {
  const std::optional<std::string_view> text = GetEnv("IMITATION_LIFETIME_S");
  if (!text) return kDefaultLifetimeSeconds;
  const std::optional<uint64_t> value = ParseUnsigned(*text);
  if (!value || *value > kMaxLifetimeSeconds) {
    std::fprintf(stderr, "%s: bad IMITATION_LIFETIME_S=\"%.*s\"\n", program,
                 static_cast<int>(text->size()), text->data());
    std::exit(kExitUsage);
  }
  return *value;
}

}  // namespace deminer::test_support
