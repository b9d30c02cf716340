// A client for the Docker Engine API over its unix socket (Docker's, or
// Podman's Docker-compatible service), through libcurl (opened with dlopen on
// first use), the webhook POST of the watch daemon, and the tarball downloads
// of --verify-registry (HttpGet). This is the only file that includes
// <curl/curl.h>. Calls are bounded by a timeout; the scan only reads; the
// watch daemon POSTs the container actions an operator asked for.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "sources/container_config.h"

namespace deminer {

// Candidate sockets in the order a Docker client would try them: DOCKER_HOST
// (unix:// only), /var/run/docker.sock, /run/podman/podman.sock, then rootless
// engines: $XDG_RUNTIME_DIR/{docker.sock,podman/podman.sock} and the same under
// every /run/user/UID. Only existing sockets are returned.
std::vector<std::string> FindDockerSockets(const std::string& root = "/");

class DockerApi {
 public:
  explicit DockerApi(std::string socket_path, long timeout_ms = 3000)
      : socket_(std::move(socket_path)), timeout_ms_(timeout_ms) {}

  // GET `path` (e.g. "/containers/json"); the body on HTTP 2xx.
  Expected<std::string> Get(const std::string& path) const;

  // GET `path`, keeping at most `max_bytes` of the body (a container's
  // export, its logs): `cut` says whether the transfer was stopped there.
  Expected<std::string> GetPrefix(const std::string& path, uint64_t max_bytes, bool& cut) const;

  // POST `path` with a JSON body, or none (the watch daemon's container
  // actions: /containers/ID/pause, /stop, /networks/NET/disconnect); the
  // response body on 2xx.
  Expected<std::string> Post(const std::string& path, const std::string& json = "") const;

  // Running containers by full id.
  Expected<std::map<std::string, ContainerRef>> ListContainers() const;

  // Every container of the engine, running or stopped, as configs (one inspect
  // each, `threads` at a time). A container removed between the list and its
  // inspect is skipped; another failed inspect is a gap.
  Expected<std::vector<ContainerConfig>> InspectAll(std::vector<Gap>& gaps,
                                                    unsigned threads = 4) const;

  const std::string& socket_path() const { return socket_; }

 private:
  // `server`, when given, gets the response's Server header ("Libpod/4.3.1").
  // Bodies over `max_bytes` are an error unless `cut` is given (then kept cut).
  Expected<std::string> Request(const char* method, const std::string& path,
                                const std::string& json, std::string* server = nullptr,
                                uint64_t max_bytes = uint64_t{64} << 20, bool* cut = nullptr) const;
  std::string socket_;
  long timeout_ms_;
};

// POSTs `body` to an http:// or https:// URL (the watch daemon's webhook),
// bounded by `timeout_ms`; the response body on 2xx. Redirects are not followed.
Expected<std::string> HttpPost(const std::string& url, const std::string& content_type,
                               const std::string& body, long timeout_ms = 5000);

// GET of an http:// or https:// URL for the Docker API TCP probe (sources/redis.cpp),
// bounded by `timeout_ms`, no redirects. Over https it sends no client
// certificate and does not verify the server (the question is whether the
// engine demands a certificate, not who it is). The HTTP status and body (up
// to 1 MiB); an error when nothing answered in HTTP.
struct HttpAnswer {
  long status = 0;
  std::string body;
};
Expected<HttpAnswer> HttpGetUnverified(const std::string& url, long timeout_ms = 2000);

// GET of an http:// or https:// URL with the server verified (the registry
// tarballs of --verify-registry): redirects are followed, at most 5, and only
// to https:// URLs; the proxy settings of the environment apply. The body on
// HTTP 2xx; Unavailable when nothing answered, on another status, or when the
// body exceeds `max_bytes` (the transfer is stopped there). Thread-safe.
Expected<std::string> HttpGet(const std::string& url, uint64_t max_bytes, long timeout_ms = 60000);

// Running containers of every engine FindDockerSockets finds, by full id.
// An engine that does not answer is a gap in `gaps` (when given).
std::map<std::string, ContainerRef> ListAllContainers(const std::string& root,
                                                      std::vector<Gap>* gaps,
                                                      long timeout_ms = 3000);

// The text of a GET /containers/ID/logs body. Without a TTY the engine
// multiplexes stdout and stderr in frames (an 8-byte header: stream 0-2, three
// zero bytes, the size big-endian); their payloads are joined in order. A body
// that is not framed (a TTY's) is returned as it is; a cut last frame keeps
// what arrived. Pure; exposed for tests and fuzzing.
std::string DemuxDockerLogs(std::string_view body);

// Parses the body of GET /containers/json. Pure; exposed for tests and fuzzing.
Expected<std::map<std::string, ContainerRef>> ParseContainerList(const std::string& body);

}  // namespace deminer
