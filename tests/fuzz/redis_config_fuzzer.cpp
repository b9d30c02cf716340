// Fuzzes the databases scope's parsers of files and answers a scan does not
// trust: redis.conf, Redis INFO text, Docker's daemon.json, dockerd's systemd
// units and DOCKER_HOST-style tcp:// addresses.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/redis.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto conf = deminer::ParseRedisConf(text)) {
    deminer::RedisServer s;
    s.conf = std::move(*conf);
    (void)s.Setting("bind");
    (void)s.BeyondLoopback();
  }
  (void)deminer::ParseRedisInfo(text);
  (void)deminer::ParseDaemonJson(text);
  (void)deminer::ParseDockerUnit(text);
  (void)deminer::SplitTcpHost(text, false);
  return 0;
}
