// Redis servers and Docker API TCP endpoints as the databases scope sees them:
// what a live server answers, and what its configuration files say. A source:
// it records, it never judges.
//
// Live Redis servers are asked read-only questions through hiredis (opened at
// run time, like libcurl): PING without AUTH, then, when it answers, CONFIG GET
// of a few settings, INFO server and replication, MODULE LIST. Nothing is ever
// written, and no secret is ever read or kept: requirepass is only known to be
// set (a NOAUTH answer, or the directive's presence in a file).
// The Docker API is asked GET /version, in plain HTTP and over TLS without a
// client certificate (through sources/docker_api's libcurl binding).
// Parsers are pure and fuzzed; calls are bounded by timeouts.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"

namespace deminer {

// One directive of a redis.conf that deminer reads, with its 1-based line.
// requirepass and masterauth keep no value: their args are {"(set)"}.
struct RedisDirective {
  std::string name;  // lower case: "bind", "protected-mode", "dir", ...
  std::vector<std::string> args;
  int line = 0;
};

struct RedisConf {
  std::string path;  // as the scanned system names it ("" for text)
  std::vector<RedisDirective> directives;  // in file order

  // The directive in force (the last one of that name; "slaveof" is read as
  // "replicaof"); null when there is none.
  const RedisDirective* Last(std::string_view name) const;
  std::vector<const RedisDirective*> All(std::string_view name) const;
};

// Parses redis.conf text: bind, protected-mode, requirepass (presence only),
// port, unixsocket, dir, dbfilename, replicaof/slaveof, loadmodule,
// rename-command, include, aclfile, user. Quoting as Redis does it ("..." with
// escapes, '...'). Fails on binary data and on a line Redis would refuse
// (unbalanced quotes), naming the line.
Expected<RedisConf> ParseRedisConf(std::string_view text);

enum class RedisAuth { kUnknown, kOpen, kRequired };
std::string_view RedisAuthName(RedisAuth a);  // "unknown", "open", "required"

struct RedisModule {
  std::string name;
  std::string path;  // from MODULE LIST (Redis 7+) or loadmodule; may be empty
  int line = 0;      // loadmodule's line in the config file, 0 when live
};

// A value of a setting and where it comes from: the live server's CONFIG GET
// (line 0, path empty), or a config file's directive.
struct RedisSetting {
  std::string value;
  std::string path;
  int line = 0;
};

struct RedisServer {
  std::string where;  // "127.0.0.1:6379", a unix socket, or a redis.conf path
  bool live = false;  // a running server (else a config file only)
  int pid = 0;        // the redis-server process, 0 when unknown
  std::optional<ContainerRef> container;
  std::vector<std::string> bound;  // addresses its listening sockets are bound to (live)
  uint16_t port = 0;

  // The probe (live only).
  RedisAuth auth = RedisAuth::kUnknown;
  std::string probe_error;      // why it could not be asked (connection refused, timeout)
  bool config_answered = false;  // CONFIG GET answered
  std::string config_error;      // why not: renamed or disabled ("ERR unknown command")
  std::map<std::string, std::string> config;  // CONFIG GET answers (no secrets)
  std::string version;                        // INFO server redis_version
  std::string config_file;                    // INFO server config_file (as it names it)
  std::string role;                           // INFO replication: "master", "slave"
  std::string master_host;
  uint16_t master_port = 0;
  int64_t connected_slaves = -1;
  std::vector<RedisModule> modules;  // MODULE LIST (live) or loadmodule lines

  // Its config file, parsed: the live server's (from its command line) or the
  // file this entry is about.
  std::optional<RedisConf> conf;

  // The value in force: the live answer when there is one (with the file's
  // path and line when the file says the same), else the config file's
  // directive (args joined by spaces); nullopt when neither says.
  std::optional<RedisSetting> Setting(std::string_view name) const;
  // Where a fix goes: the config file's path when known, else "redis.conf".
  std::string FixFile() const;
  // "redis 127.0.0.1:6379", "redis /etc/redis/redis.conf", with the container's name.
  std::string Subject() const;
  // Whether it is (or, from its file, would be) reachable beyond loopback:
  // live, from its bound addresses; from a file, from bind (none: all addresses).
  bool BeyondLoopback() const;
};

// Whether a bind address (Redis's "-" prefix allowed) is a loopback one
// ("127.x", "::1", "localhost", "-::1").
bool IsLoopbackBind(std::string_view addr);
// Whether a bind address means every interface ("0.0.0.0", "::", "*", "-::*").
bool IsWildcardBind(std::string_view addr);

// Asks a live server at `host`:`port` (or the Unix socket `unix_path` when
// given) the read-only questions above and fills `s`'s probe fields. Never
// fails: what could not be asked is in s.probe_error / s.config_error.
void ProbeRedis(RedisServer& s, const std::string& host, uint16_t port,
                const std::string& unix_path = "", int timeout_ms = 2000);

// Parses an INFO answer ("key:value" lines) into a map. Pure.
std::map<std::string, std::string> ParseRedisInfo(std::string_view text);

// ---- The Docker API on TCP ----

enum class DockerProbe {
  kNotProbed,
  kPlainHttp,        // GET /version answered in plain HTTP: no authentication at all
  kTlsNoClientCert,  // answered over TLS without a client certificate
  kTlsRefused,       // TLS, and the handshake or request without a certificate failed
  kNoAnswer,         // nothing answered (closed, filtered, not an engine)
};
std::string_view DockerProbeName(DockerProbe p);

struct DockerTcpEndpoint {
  std::string where;   // "0.0.0.0:2375", "tcp://host:2376" from daemon.json
  std::string source;  // "socket", "daemon.json", "systemd unit", "DOCKER_HOST"
  std::string host;    // address or name as configured/bound ("0.0.0.0", "127.0.0.1")
  uint16_t port = 0;
  std::string path;  // the config file that declares it, if any
  int line = 0;
  int pid = 0;
  std::string process;  // owner's name ("dockerd", "podman")
  // From daemon.json or the unit's flags: whether TLS and client verification are on.
  std::optional<bool> tls;
  std::optional<bool> tlsverify;
  DockerProbe probe = DockerProbe::kNotProbed;
  std::string server;  // /version's Version (and the engine's name)
  std::string probe_error;
};

// daemon.json: its "hosts" (each with its line) and the TLS keys.
struct DockerDaemonConfig {
  std::vector<std::pair<std::string, int>> hosts;
  std::optional<bool> tls;
  std::optional<bool> tlsverify;
  bool has_tlscert = false;
  bool has_tlscacert = false;
};
Expected<DockerDaemonConfig> ParseDaemonJson(std::string_view text);

// -H/--host tcp:// flags of a systemd unit's ExecStart lines (and drop-ins),
// with their lines, and --tls/--tlsverify. Pure.
struct DockerUnitHosts {
  std::vector<std::pair<std::string, int>> hosts;  // "tcp://0.0.0.0:2375"
  std::optional<bool> tls;
  std::optional<bool> tlsverify;
};
DockerUnitHosts ParseDockerUnit(std::string_view text);

// Splits "tcp://HOST:PORT" (or "HOST:PORT", "[::]:2375") into host and port;
// nullopt for other schemes. A missing port is 2375 (2376 when `tls`).
std::optional<std::pair<std::string, uint16_t>> SplitTcpHost(std::string_view url, bool tls);

// GET /version at host:port, in plain HTTP, then over TLS without a client
// certificate (and without verifying the server); fills probe, server, probe_error.
void ProbeDockerTcp(DockerTcpEndpoint& e, const std::string& connect_host, long timeout_ms = 2000);

}  // namespace deminer
