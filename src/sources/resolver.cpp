#include "sources/resolver.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <sys/socket.h>

#include <array>
#include <atomic>
#include <mutex>

#include "core/workers.h"

namespace deminer {

std::map<std::string, std::string> ResolveAll(const std::vector<std::string>& names,
                                              std::vector<std::string>& failed, unsigned parallel) {
  std::map<std::string, std::string> out;
  std::mutex mu;
  std::atomic<size_t> next{0};
  const auto work = [&] {
    for (size_t i = next++; i < names.size(); i = next++) {
      addrinfo hints{};
      hints.ai_family = AF_UNSPEC;
      hints.ai_socktype = SOCK_STREAM;
      addrinfo* res = nullptr;
      const int rc = getaddrinfo(names[i].c_str(), nullptr, &hints, &res);
      std::lock_guard lock(mu);
      if (rc != 0) {
        failed.push_back(names[i]);
        continue;
      }
      for (const addrinfo* a = res; a != nullptr; a = a->ai_next) {
        std::array<char, INET6_ADDRSTRLEN> buf{};
        const void* src =
            a->ai_family == AF_INET
                ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(a->ai_addr)->sin_addr)
                : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(a->ai_addr)->sin6_addr);
        if (inet_ntop(a->ai_family, src, buf.data(), static_cast<socklen_t>(buf.size()))) {
          out.emplace(buf.data(), names[i]);
        }
      }
      freeaddrinfo(res);
    }
  };
  RunOnThreads(std::max(1u, parallel), work);
  return out;
}

}  // namespace deminer
