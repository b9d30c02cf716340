#include "sources/docker_api.h"

#include <curl/curl.h>
#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>

#include "core/dynamic_lib.h"
#include "core/strings.h"
#include "core/workers.h"

namespace deminer {
namespace {

bool IsSocket(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISSOCK(st.st_mode);
}

// Bodies past this are an error (or, for GetPrefix, cut).
constexpr uint64_t kMaxBody = uint64_t{64} << 20;

// A body kept up to `max` bytes; past it the transfer stops and `cut` is set.
struct CappedBody {
  std::string* body;
  uint64_t max;
  bool cut = false;
};

size_t AppendCapped(char* data, size_t size, size_t n, void* user) {
  auto* capped = static_cast<CappedBody*>(user);
  const size_t room = static_cast<size_t>(capped->max - capped->body->size());
  if (size * n > room) {
    capped->body->append(data, room);
    capped->cut = true;
    return 0;  // aborts the transfer
  }
  capped->body->append(data, size * n);
  return size * n;
}

// Keeps the value of the Server header.
size_t ServerHeader(char* data, size_t size, size_t n, void* user) {
  const std::string_view line(data, size * n);
  if (line.size() > 7 && ToLower(line.substr(0, 7)) == "server:") {
    *static_cast<std::string*>(user) = std::string(Trim(line.substr(7)));
  }
  return size * n;
}

// libcurl is opened on first use, not linked: it pulls in some thirty shared
// libraries (GnuTLS, Kerberos, LDAP...) whose loading and constructors cost
// ~7 ms at every start, a tenth of the whole scan budget, on hosts that may
// have no container API at all.
struct CurlLib {
  CURLcode (*global_init)(long);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL*, CURLoption, ...);
  CURLcode (*easy_perform)(CURL*);
  CURLcode (*easy_getinfo)(CURL*, CURLINFO, ...);
  void (*easy_cleanup)(CURL*);
  void (*easy_reset)(CURL*);
  const char* (*easy_strerror)(CURLcode);
  curl_slist* (*slist_append)(curl_slist*, const char*);
  void (*slist_free_all)(curl_slist*);
  std::string error;  // why it could not be loaded; empty when loaded

  static const CurlLib& Get() {
    static const CurlLib lib = Load();
    return lib;
  }

 private:
  static CurlLib Load() {
    CurlLib l{};
    DynamicLib so("libcurl.so.4");
    so.Sym("curl_global_init", l.global_init);
    so.Sym("curl_easy_init", l.easy_init);
    so.Sym("curl_easy_setopt", l.easy_setopt);
    so.Sym("curl_easy_perform", l.easy_perform);
    so.Sym("curl_easy_getinfo", l.easy_getinfo);
    so.Sym("curl_easy_cleanup", l.easy_cleanup);
    so.Sym("curl_easy_reset", l.easy_reset);
    so.Sym("curl_easy_strerror", l.easy_strerror);
    so.Sym("curl_slist_append", l.slist_append);
    so.Sym("curl_slist_free_all", l.slist_free_all);
    l.error = so.error();
    if (l.error.empty() && l.global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
      l.error = "curl_global_init failed";
    }
    return l;  // the handle stays open for the life of the process
  }
};

struct CurlDeleter {
  void operator()(CURL* c) const { CurlLib::Get().easy_cleanup(c); }
};

}  // namespace

std::vector<std::string> FindDockerSockets(const std::string& root) {
  const std::string base = root == "/" ? "" : root;
  std::vector<std::string> candidates;
  if (const char* host = std::getenv("DOCKER_HOST"); host && StartsWith(host, "unix://")) {
    candidates.emplace_back(host + 7);
  }
  candidates.push_back(base + "/var/run/docker.sock");
  candidates.push_back(base + "/run/podman/podman.sock");
  if (const char* xdg = std::getenv("XDG_RUNTIME_DIR"); xdg && *xdg) {
    candidates.push_back(std::string(xdg) + "/docker.sock");
    candidates.push_back(std::string(xdg) + "/podman/podman.sock");
  }
  // Rootless engines of every user (a root scan does not have their XDG dirs).
  std::error_code ec;
  for (const auto& user : std::filesystem::directory_iterator(base + "/run/user", ec)) {
    candidates.push_back(user.path().string() + "/docker.sock");
    candidates.push_back(user.path().string() + "/podman/podman.sock");
  }
  std::vector<std::string> out;
  for (const std::string& c : candidates) {
    if (IsSocket(c) && std::find(out.begin(), out.end(), c) == out.end()) out.push_back(c);
  }
  return out;
}

Expected<std::string> DockerApi::Get(const std::string& path) const {
  return Request("GET", path, "");
}

std::string DemuxDockerLogs(std::string_view body) {
  auto framed_at = [&](size_t i) {
    return i + 8 <= body.size() && static_cast<unsigned char>(body[i]) <= 2 && body[i + 1] == 0 &&
           body[i + 2] == 0 && body[i + 3] == 0;
  };
  if (!framed_at(0)) return std::string(body);
  std::string out;
  size_t i = 0;
  while (framed_at(i)) {
    uint32_t size = 0;
    for (size_t k = 4; k < 8; ++k) size = (size << 8) | static_cast<unsigned char>(body[i + k]);
    const size_t take = std::min<size_t>(size, body.size() - i - 8);
    out.append(body.substr(i + 8, take));
    i += 8 + take;
  }
  // What follows is not a frame: kept as it came, unless it is only the start
  // of a header the transfer cut.
  if (i < body.size() && body.size() - i >= 8) out.append(body.substr(i));
  return out;
}

Expected<std::string> DockerApi::GetPrefix(const std::string& path, uint64_t max_bytes,
                                           bool& cut) const {
  return Request("GET", path, "", nullptr, max_bytes, &cut);
}

Expected<std::string> DockerApi::Post(const std::string& path, const std::string& json) const {
  return Request("POST", path, json);
}

Expected<std::string> DockerApi::Request(const char* method, const std::string& path,
                                         const std::string& json, std::string* server,
                                         uint64_t max_bytes, bool* cut) const {
  const CurlLib& lib = CurlLib::Get();
  if (!lib.error.empty()) return Fail(Error::Unavailable(lib.error));
  // One handle per thread, reset between requests: it keeps its connection
  // to the engine open, so inspecting 200 containers is not 200 connects.
  thread_local std::unique_ptr<CURL, CurlDeleter> curl;
  if (curl) {
    lib.easy_reset(curl.get());
  } else {
    curl.reset(lib.easy_init());
    if (!curl) return Fail(Error::Internal("curl_easy_init failed"));
  }
  std::string body;
  const std::string url = "http://localhost" + path;
  CURL* c = curl.get();
  lib.easy_setopt(c, CURLOPT_UNIX_SOCKET_PATH, socket_.c_str());
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms_);
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  CappedBody capped{&body, max_bytes};
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendCapped);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &capped);
  if (server != nullptr) {
    lib.easy_setopt(c, CURLOPT_HEADERFUNCTION, ServerHeader);
    lib.easy_setopt(c, CURLOPT_HEADERDATA, server);
  }
  curl_slist* headers = nullptr;
  if (std::string_view(method) == "POST") {
    lib.easy_setopt(c, CURLOPT_POST, 1L);
    lib.easy_setopt(c, CURLOPT_POSTFIELDS, json.c_str());
    lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(json.size()));
    if (!json.empty()) {
      headers = lib.slist_append(nullptr, "Content-Type: application/json");
      lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    }
  }
  // Only the unix socket: never follow a redirect to a network host.
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  const CURLcode rc = lib.easy_perform(c);
  if (headers != nullptr) lib.slist_free_all(headers);
  // GetPrefix keeps what arrived when the size or the time bound stopped it.
  const bool kept = cut != nullptr && ((rc == CURLE_WRITE_ERROR && capped.cut) ||
                                       (rc == CURLE_OPERATION_TIMEDOUT && !body.empty()));
  if (cut != nullptr) *cut = capped.cut || (kept && rc == CURLE_OPERATION_TIMEDOUT);
  if (rc != CURLE_OK && !kept) {
    return Fail(Error::Unavailable(
        fmt::format("Docker API {} {} {}: {}", socket_, method, path, lib.easy_strerror(rc))));
  }
  long status = 0;
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    return Fail(Error::Unavailable(
        fmt::format("Docker API {} {} {}: HTTP {}", socket_, method, path, status)));
  }
  return body;
}

namespace {

// libcurl, loaded, for an http:// or https:// URL; an error for any other URL.
Expected<const CurlLib*> CurlForUrl(const std::string& url) {
  if (!url.starts_with("http://") && !url.starts_with("https://")) {
    return Fail(Error::InvalidInput(url + ": not an http:// or https:// URL"));
  }
  const CurlLib& lib = CurlLib::Get();
  if (!lib.error.empty()) return Fail(Error::Unavailable(lib.error));
  return &lib;
}

// The transfer's outcome as a value: curl's error, or an HTTP status other
// than 2xx, is Unavailable, named "VERB URL".
Expected<void> TransferOk(const CurlLib& lib, CURL* c, CURLcode rc, std::string_view verb,
                          const std::string& url) {
  if (rc != CURLE_OK) {
    return Fail(Error::Unavailable(fmt::format("{} {}: {}", verb, url, lib.easy_strerror(rc))));
  }
  long status = 0;
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status < 200 || status >= 300) {
    return Fail(Error::Unavailable(fmt::format("{} {}: HTTP {}", verb, url, status)));
  }
  return {};
}

}  // namespace

Expected<std::string> HttpPost(const std::string& url, const std::string& content_type,
                               const std::string& body, long timeout_ms) {
  auto loaded = CurlForUrl(url);
  if (!loaded) return Fail(loaded.error());
  const CurlLib& lib = **loaded;
  std::unique_ptr<CURL, CurlDeleter> curl(lib.easy_init());
  if (!curl) return Fail(Error::Internal("curl_easy_init failed"));
  const std::string header = "Content-Type: " + content_type;
  curl_slist* headers = lib.slist_append(nullptr, header.c_str());
  std::string response;
  CURL* c = curl.get();
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_HTTPHEADER, headers);
  lib.easy_setopt(c, CURLOPT_POST, 1L);
  lib.easy_setopt(c, CURLOPT_POSTFIELDS, body.c_str());
  lib.easy_setopt(c, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  CappedBody capped{&response, kMaxBody};
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendCapped);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &capped);
  const CURLcode rc = lib.easy_perform(c);
  lib.slist_free_all(headers);
  if (auto ok = TransferOk(lib, c, rc, "POST", url); !ok) return Fail(ok.error());
  return response;
}

Expected<HttpAnswer> HttpGetUnverified(const std::string& url, long timeout_ms) {
  auto loaded = CurlForUrl(url);
  if (!loaded) return Fail(loaded.error());
  const CurlLib& lib = **loaded;
  std::unique_ptr<CURL, CurlDeleter> curl(lib.easy_init());
  if (!curl) return Fail(Error::Internal("curl_easy_init failed"));
  HttpAnswer answer;
  CURL* c = curl.get();
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
  lib.easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
  lib.easy_setopt(c, CURLOPT_NOPROXY, "*");
  lib.easy_setopt(c, CURLOPT_MAXFILESIZE, 1L << 20);
  CappedBody capped{&answer.body, kMaxBody};
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendCapped);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &capped);
  const CURLcode rc = lib.easy_perform(c);
  if (rc != CURLE_OK) {
    return Fail(Error::Unavailable(fmt::format("GET {}: {}", url, lib.easy_strerror(rc))));
  }
  lib.easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  if (answer.body.size() > (size_t{1} << 20)) answer.body.resize(size_t{1} << 20);
  return answer;
}

namespace {}  // namespace

Expected<std::string> HttpGet(const std::string& url, uint64_t max_bytes, long timeout_ms) {
  auto loaded = CurlForUrl(url);
  if (!loaded) return Fail(loaded.error());
  const CurlLib& lib = **loaded;
  // One handle per thread, reset between requests: it keeps its connection to
  // the registry open (and its TLS session), so a thousand tarballs are not a
  // thousand handshakes.
  thread_local std::unique_ptr<CURL, CurlDeleter> curl;
  if (curl) {
    lib.easy_reset(curl.get());
  } else {
    curl.reset(lib.easy_init());
    if (!curl) return Fail(Error::Internal("curl_easy_init failed"));
  }
  std::string body;
  CappedBody bounded{&body, max_bytes};
  CURL* c = curl.get();
  lib.easy_setopt(c, CURLOPT_URL, url.c_str());
  lib.easy_setopt(c, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib.easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, std::min(timeout_ms, 15000L));
  lib.easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  lib.easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
  lib.easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
  lib.easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
  lib.easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  lib.easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(max_bytes));
  lib.easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
  lib.easy_setopt(c, CURLOPT_USERAGENT, "deminer");
  lib.easy_setopt(c, CURLOPT_WRITEFUNCTION, AppendCapped);
  lib.easy_setopt(c, CURLOPT_WRITEDATA, &bounded);
  const CURLcode rc = lib.easy_perform(c);
  if (bounded.cut || rc == CURLE_FILESIZE_EXCEEDED) {
    return Fail(Error::Unavailable(fmt::format("GET {}: larger than {} bytes", url, max_bytes)));
  }
  if (auto ok = TransferOk(lib, c, rc, "GET", url); !ok) return Fail(ok.error());
  return body;
}

std::map<std::string, ContainerRef> ListAllContainers(const std::string& root,
                                                      std::vector<Gap>* gaps, long timeout_ms) {
  std::map<std::string, ContainerRef> out;
  for (const std::string& sock : FindDockerSockets(root)) {
    auto listed = DockerApi(sock, timeout_ms).ListContainers();
    if (!listed) {
      if (gaps != nullptr) {
        gaps->push_back({"container names from " + sock, listed.error().message(),
                         "access to the Docker or Podman socket"});
      }
      continue;
    }
    for (auto& [id, ref] : *listed) out.emplace(id, std::move(ref));
  }
  return out;
}

Expected<std::map<std::string, ContainerRef>> ParseContainerList(const std::string& body) {
  std::map<std::string, ContainerRef> out;
  try {
    const nlohmann::json j = nlohmann::json::parse(body);
    if (!j.is_array()) return Fail(Error::InvalidInput("containers/json: not an array"));
    for (const auto& c : j) {
      if (!c.is_object() || !c.contains("Id") || !c["Id"].is_string()) continue;
      ContainerRef ref;
      ref.id = c["Id"].get<std::string>();
      if (c.contains("Names") && c["Names"].is_array() && !c["Names"].empty() &&
          c["Names"][0].is_string()) {
        ref.name = c["Names"][0].get<std::string>();
        if (StartsWith(ref.name, "/")) ref.name.erase(0, 1);
      }
      if (c.contains("Image") && c["Image"].is_string()) ref.image = c["Image"].get<std::string>();
      if (c.contains("Labels") && c["Labels"].is_object()) {
        const auto& labels = c["Labels"];
        const auto it = labels.find("com.docker.compose.project");
        if (it != labels.end() && it->is_string()) ref.compose_project = it->get<std::string>();
      }
      out.emplace(ref.id, std::move(ref));
    }
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::InvalidInput(fmt::format("containers/json: {}", e.what())));
  }
  return out;
}

Expected<std::map<std::string, ContainerRef>> DockerApi::ListContainers() const {
  // Unversioned: the engine answers at its own API version. Docker 29 refuses
  // clients that pin a version below 1.44; Podman's compat API accepts both.
  auto body = Get("/containers/json");
  if (!body) return Fail(body.error());
  return ParseContainerList(*body);
}

Expected<std::vector<ContainerConfig>> DockerApi::InspectAll(std::vector<Gap>& gaps,
                                                             unsigned threads) const {
  // Podman's compatible API names itself in the Server header ("Libpod/4.3.1");
  // a socket's path does not tell (Podman serves /var/run/docker.sock too), and
  // its /version costs a third of a second.
  std::string server;
  auto body = Request("GET", "/containers/json?all=1", "", &server);
  if (!body) return Fail(body.error());
  auto listed = ParseContainerList(*body);
  if (!listed) return Fail(listed.error());
  std::vector<std::string> ids;
  for (const auto& [id, ref] : *listed) ids.push_back(id);
  const std::string runtime = server.starts_with("Libpod") ? "podman" : "docker";
  std::vector<std::optional<ContainerConfig>> configs(ids.size());
  std::atomic<size_t> next{0};
  std::mutex gaps_mutex;
  RunOnThreads(std::min<unsigned>(std::max(1u, threads), static_cast<unsigned>(ids.size())), [&] {
    for (size_t i = next++; i < ids.size(); i = next++) {
      auto inspect = Get("/containers/" + ids[i] + "/json");
      Expected<std::vector<ContainerConfig>> parsed =
          inspect ? ParseInspect(*inspect, "", ConfigSource::kLive) : Fail(inspect.error());
      if (!parsed || parsed->empty()) {
        // 404: removed since the list; not a gap.
        if (!parsed && parsed.error().message().ends_with("HTTP 404")) continue;
        const std::lock_guard lock(gaps_mutex);
        gaps.push_back({"inspect of container " + ids[i].substr(0, 12),
                        parsed ? "empty inspect" : parsed.error().message(),
                        "access to the Docker or Podman socket"});
        continue;
      }
      ContainerConfig& c = parsed->front();
      c.ref.runtime = runtime;
      configs[i] = std::move(c);
    }
  });
  std::vector<ContainerConfig> out;
  for (auto& c : configs) {
    if (c) out.push_back(std::move(*c));
  }
  return out;
}

}  // namespace deminer
