// container.exposed-port: a database, cache or admin port published on every
// address of the host. Docker's published ports go through its own NAT chains,
// before ufw and the INPUT chain: a firewall that "blocks" 5432 does not block
// it (seed 004's PostgreSQL had no firewall at all).
#include <fmt/format.h>

#include "checks/container_common.h"

namespace deminer {

extern const Check kContainerExposedPort;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const ContainerConfig& c : ctx.facts.container_configs) {
    for (const ConfigPort& p : c.ports) {
      std::string_view service = SensitiveService(p.container_port);
      if (service.empty()) service = SensitiveService(p.host_port);
      if (service.empty()) continue;
      if (!c.runtime_settings) {
        // An image or Dockerfile only declares it (EXPOSE): how it is
        // published is the run's choice, but `-P` publishes it on every address.
        out.push_back(ConfigFinding(
            kContainerExposedPort.info, c, Severity::kLow, "ports",
            fmt::format("declares {} port {}/{} (EXPOSE)", service, p.container_port, p.proto),
            {"publish it as \"127.0.0.1:PORT:PORT\", never with -P",
             "publish it with -p 127.0.0.1:PORT:PORT, never -P",
             "no hostPort; reach it through a ClusterIP Service"},
            p.line, fmt::format("{}/{}", p.container_port, p.proto)));
        continue;
      }
      if (!p.published || !OnAllAddresses(p.host_ip)) continue;
      const std::string host_port = p.host_port != 0 ? std::to_string(p.host_port) : "random";
      Finding f = ConfigFinding(
          kContainerExposedPort.info, c, Severity::kHigh, "ports",
          fmt::format("{} port {}/{} published on all addresses (host port {})", service,
                      p.container_port, p.proto, host_port),
          {"ports: [\"127.0.0.1:PORT:PORT\"], or no ports at all and a shared network with the "
           "app",
           "-p 127.0.0.1:PORT:PORT, or no -p and a user-defined network shared with the app",
           "no hostPort; reach it through a ClusterIP Service"},
          p.line, fmt::format("{}/{}", p.container_port, p.proto));
      f.evidence["service"] = service;
      f.evidence["container_port"] = p.container_port;
      f.evidence["host_port"] = p.host_port;
      f.evidence["host_ip"] = p.host_ip.empty() ? "0.0.0.0" : p.host_ip;
      out.push_back(std::move(f));
    }
  }
}

}  // namespace

const Check kContainerExposedPort = {
    {"container.exposed-port", "Database or admin port published on all addresses", Severity::kHigh,
     Kind::kWeakness, Scope::kContainers, "T1190",
     "Publish it on 127.0.0.1 or not at all. Docker's published ports bypass ufw and the INPUT "
     "chain; filter them in the DOCKER-USER chain if they must be public.",
     "Published ports (PortBindings, Compose ports, Kubernetes hostPort) on every address whose "
     "container or host port is a database, cache, engine or cluster API or admin panel: "
     "PostgreSQL, MySQL, Redis, MongoDB, Elasticsearch, memcached, the Docker API, etcd, the "
     "kubelet and others (high). Such ports an image or Dockerfile declares with EXPOSE are "
     "low: `docker run -P` publishes them on every address."},
    Run};

}  // namespace deminer
