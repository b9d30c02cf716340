// db.docker-api-tcp: the Docker (or Podman) API on TCP without TLS, or with
// TLS but no client certificate required. Whoever reaches it can start a
// privileged container that mounts the host: the commonest way miners are
// dropped on container hosts.
#include <fmt/format.h>

#include "checks/check.h"

namespace deminer {

extern const Check kDbDockerApiTcp;

namespace {

void Run(const CheckContext& ctx, std::vector<Finding>& out) {
  for (const DockerTcpEndpoint& e : ctx.facts.docker_tcp) {
    const bool answered = e.probe == DockerProbe::kPlainHttp || e.probe == DockerProbe::kTlsNoClientCert;
    bool plain = false, tls_unverified = false;
    if (answered) {
      plain = e.probe == DockerProbe::kPlainHttp;
      tls_unverified = e.probe == DockerProbe::kTlsNoClientCert;
    } else if (e.probe == DockerProbe::kTlsRefused) {
      continue;  // it demanded a certificate
    } else if (!e.path.empty()) {
      // Not probed or not answering: judge what the configuration says.
      if (e.tlsverify.value_or(false)) continue;
      tls_unverified = e.tls.value_or(false);
      plain = !tls_unverified;
    } else {
      continue;  // a socket on 2375/2376 that is not an engine
    }
    const bool beyond_loopback = !IsLoopbackBind(e.host);
    const Severity sev =
        tls_unverified || beyond_loopback ? Severity::kCritical : Severity::kHigh;
    const std::string what =
        plain ? "Docker API on TCP without TLS" : "Docker API on TCP with TLS without client verification";
    const std::string subject = fmt::format("docker api {}: {}", e.where,
                                            plain ? "no TLS, no authentication"
                                                  : "TLS without client verification");
    Finding f = NewFinding(kDbDockerApiTcp.info, sev, subject,
                           fmt::format("{}\n{}\n{}", e.host, e.port, plain ? "plain" : "tls"));
    f.title = what;
    auto& ev = f.evidence;
    ev["endpoint"] = e.where;
    ev["source"] = e.source;
    if (!e.process.empty()) ev["process"] = e.process;
    if (e.pid != 0) ev["pid"] = e.pid;
    ev["probe"] = std::string(DockerProbeName(e.probe));
    if (!e.server.empty()) ev["server"] = e.server;
    if (!e.probe_error.empty()) ev["probe_error"] = e.probe_error;
    ev["reach"] = beyond_loopback ? "beyond loopback" : "loopback only";
    if (e.tls) ev["tls"] = *e.tls;
    if (e.tlsverify) ev["tlsverify"] = *e.tlsverify;
    ev["verdict"] = plain ? "answers GET /version in plain HTTP: anyone who connects controls the engine"
                          : "answers GET /version over TLS without a client certificate: TLS "
                            "without client verification";
    f.path = e.path;
    f.line = e.line;
    const bool podman = e.process == "podman";
    const bool unit = e.source == "systemd unit";
    if (plain) {
      ev["fix"] = podman ? "podman system service unix:///run/podman/podman.sock"
                  : unit ? "ExecStart=/usr/bin/dockerd -H fd:// --containerd=/run/containerd/containerd.sock"
                         : fmt::format("remove \"tcp://{}\" from \"hosts\" (docker.service's "
                                       "-H fd:// already serves the Unix socket: listing "
                                       "unix:// there too stops dockerd from starting)",
                                       e.where);
      ev["fix_file"] = podman ? "podman.service" : unit ? e.path : "/etc/docker/daemon.json";
      f.remediation = fmt::format(
          "Serve the API on its Unix socket only: {}. If remote clients need it, use TLS with "
          "client certificates (`\"tlsverify\": true` with tlscacert, tlscert, tlskey) or SSH "
          "(DOCKER_HOST=ssh://). Then look for containers you did not start.",
          podman ? "run `podman system service` on a unix:// socket"
          : unit ? fmt::format("remove the -H tcp:// flag from ExecStart in {}", e.path)
                 : "remove the tcp:// entry from \"hosts\" in /etc/docker/daemon.json");
    } else {
      ev["fix"] = R"("tlsverify": true)";
      ev["fix_file"] = unit ? e.path : "/etc/docker/daemon.json";
      f.remediation =
          "Require client certificates: set `\"tlsverify\": true` and `\"tlscacert\"` (the CA "
          "that signs your clients' certificates) in /etc/docker/daemon.json, or --tlsverify "
          "--tlscacert on dockerd's command line, and restart the engine.";
    }
    out.push_back(std::move(f));
  }
}

}  // namespace

const Check kDbDockerApiTcp = {
    {"db.docker-api-tcp", "Docker API on TCP without TLS client verification", Severity::kCritical,
     Kind::kWeakness, Scope::kDatabases, "T1610",
     "Serve the Docker API on its Unix socket only, or require TLS client certificates "
     "(tlsverify).",
     "Endpoints from the engines' listening sockets (dockerd, podman, ports 2375/2376), "
     "daemon.json hosts and tls keys, dockerd's -H tcp:// in systemd units, and DOCKER_HOST. "
     "Live ones are asked GET /version in plain HTTP, then over TLS without a client "
     "certificate: an answer means no authentication. Critical beyond loopback or with TLS "
     "but no client verification, high on loopback."},
    Run};

}  // namespace deminer
