// Redis servers and Docker API TCP endpoints as the databases scope sees them:
// what a live server answers, and what its configuration files say. A source:
// it records, it never judges. (Scaffolding: the redis helper fills this in.)
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace deminer {

struct RedisServer {
  std::string where;  // "127.0.0.1:6379", a unix socket, or a redis.conf path
};

struct DockerTcpEndpoint {
  std::string where;  // "0.0.0.0:2375", "tcp://host:2376" from daemon.json
};

}  // namespace deminer
