#include "sources/redis.h"

#include <fmt/format.h>
#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <algorithm>
#include <memory>
#include <nlohmann/json.hpp>

#include "core/dynamic_lib.h"
#include "core/strings.h"
#include "sources/docker_api.h"

namespace deminer {
namespace {

// ---- redis.conf ----

// Redis's own tokenizer (sdssplitargs): whitespace-separated, "..." with
// backslash escapes, '...' with \' only; a closing quote must end the token.
Expected<std::vector<std::string>> SplitArgs(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  const auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
  while (true) {
    while (i < line.size() && space(line[i])) ++i;
    if (i >= line.size()) return out;
    std::string tok;
    bool dq = false, sq = false;
    while (true) {
      if (dq) {
        if (i >= line.size()) return Fail(Error::InvalidInput("unbalanced quotes"));
        const char c = line[i];
        if (c == '\\' && i + 3 < line.size() && line[i + 1] == 'x' && hex(line[i + 2]) >= 0 &&
            hex(line[i + 3]) >= 0) {
          tok += static_cast<char>(hex(line[i + 2]) * 16 + hex(line[i + 3]));
          i += 4;
          continue;
        }
        if (c == '\\' && i + 1 < line.size()) {
          const char n = line[i + 1];
          tok += n == 'n' ? '\n' : n == 'r' ? '\r' : n == 't' ? '\t' : n == 'b' ? '\b'
                 : n == 'a' ? '\a'
                            : n;
          i += 2;
          continue;
        }
        if (c == '"') {
          if (i + 1 < line.size() && !space(line[i + 1])) {
            return Fail(Error::InvalidInput("closing quote must be followed by a space"));
          }
          ++i;
          break;
        }
        tok += c;
        ++i;
      } else if (sq) {
        if (i >= line.size()) return Fail(Error::InvalidInput("unbalanced quotes"));
        const char c = line[i];
        if (c == '\\' && i + 1 < line.size() && line[i + 1] == '\'') {
          tok += '\'';
          i += 2;
          continue;
        }
        if (c == '\'') {
          if (i + 1 < line.size() && !space(line[i + 1])) {
            return Fail(Error::InvalidInput("closing quote must be followed by a space"));
          }
          ++i;
          break;
        }
        tok += c;
        ++i;
      } else {
        if (i >= line.size() || space(line[i])) break;
        const char c = line[i];
        if (c == '"' && tok.empty()) {
          dq = true;
        } else if (c == '\'' && tok.empty()) {
          sq = true;
        } else {
          tok += c;
        }
        ++i;
      }
    }
    out.push_back(std::move(tok));
  }
}

constexpr std::string_view kReadDirectives[] = {
    "bind",        "protected-mode", "requirepass", "port",    "unixsocket",
    "dir",         "dbfilename",     "replicaof",   "slaveof", "loadmodule",
    "rename-command", "include",     "aclfile",     "user",    "masterauth"};

// ---- hiredis, opened at run time ----

struct HiredisLib {
  redisContext* (*connect_tcp)(const char*, int, const struct timeval);
  redisContext* (*connect_unix)(const char*, const struct timeval);
  int (*set_timeout)(redisContext*, const struct timeval);
  void* (*command_argv)(redisContext*, int, const char**, const size_t*);
  void (*free_reply)(void*);
  void (*free_context)(redisContext*);
  std::string error;

  static const HiredisLib& Get() {
    static const HiredisLib lib = Load();
    return lib;
  }

 private:
  static HiredisLib Load() {
    HiredisLib l{};
    DynamicLib so("libhiredis.so.0.14");
    so.Sym("redisConnectWithTimeout", l.connect_tcp);
    so.Sym("redisConnectUnixWithTimeout", l.connect_unix);
    so.Sym("redisSetTimeout", l.set_timeout);
    so.Sym("redisCommandArgv", l.command_argv);
    so.Sym("freeReplyObject", l.free_reply);
    so.Sym("redisFree", l.free_context);
    l.error = so.error();
    return l;
  }
};

struct ContextDeleter {
  void operator()(redisContext* c) const { HiredisLib::Get().free_context(c); }
};
struct ReplyDeleter {
  void operator()(redisReply* r) const { HiredisLib::Get().free_reply(r); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

std::string ReplyText(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return "";
  return Printable(std::string_view(r->str, std::min<size_t>(r->len, 4096)), 4096);
}

// One read-only command; null when the connection failed (error in `err`).
ReplyPtr Command(redisContext* c, std::initializer_list<std::string_view> args, std::string& err) {
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (std::string_view a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  void* reply = HiredisLib::Get().command_argv(c, static_cast<int>(argv.size()), argv.data(),
                                               lens.data());
  if (reply == nullptr) {
    err = c->errstr[0] != '\0' ? c->errstr : "no reply";
    return nullptr;
  }
  return ReplyPtr(static_cast<redisReply*>(reply));
}

std::string HostPort(const std::string& host, uint16_t port) {
  return host.find(':') != std::string::npos ? fmt::format("[{}]:{}", host, port)
                                             : fmt::format("{}:{}", host, port);
}

bool IsTrue(const nlohmann::json& v) { return v.is_boolean() && v.get<bool>(); }

}  // namespace

const RedisDirective* RedisConf::Last(std::string_view name) const {
  const RedisDirective* last = nullptr;
  for (const RedisDirective& d : directives) {
    if (d.name == name) last = &d;
  }
  return last;
}

std::vector<const RedisDirective*> RedisConf::All(std::string_view name) const {
  std::vector<const RedisDirective*> out;
  for (const RedisDirective& d : directives) {
    if (d.name == name) out.push_back(&d);
  }
  return out;
}

Expected<RedisConf> ParseRedisConf(std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return Fail(Error::InvalidInput("not a redis.conf: binary data"));
  }
  RedisConf conf;
  int line_no = 0;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.front() == '#') continue;
    auto args = SplitArgs(line);
    if (!args) {
      return Fail(Error::InvalidInput(fmt::format("line {}: {}", line_no, args.error().message())));
    }
    if (args->empty()) continue;
    std::string name = ToLower((*args)[0]);
    if (std::find(std::begin(kReadDirectives), std::end(kReadDirectives), name) ==
        std::end(kReadDirectives)) {
      continue;
    }
    RedisDirective d;
    d.line = line_no;
    if (name == "slaveof") name = "replicaof";
    d.name = std::move(name);
    if (d.name == "requirepass" || d.name == "masterauth") {
      d.args = {"(set)"};  // never keep a secret
    } else if (d.name == "user") {
      // Keep the user name and its on/off/nopass flags; drop passwords and hashes.
      for (size_t i = 1; i < args->size(); ++i) {
        const std::string& a = (*args)[i];
        if (i == 1 || a == "on" || a == "off" || a == "nopass" || a == "resetpass") {
          d.args.push_back(a);
        }
      }
    } else {
      d.args.assign(args->begin() + 1, args->end());
    }
    conf.directives.push_back(std::move(d));
  }
  return conf;
}

std::string_view RedisAuthName(RedisAuth a) {
  switch (a) {
    case RedisAuth::kOpen:
      return "open";
    case RedisAuth::kRequired:
      return "required";
    case RedisAuth::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::optional<RedisSetting> RedisServer::Setting(std::string_view name) const {
  if (const auto it = config.find(std::string(name)); it != config.end()) {
    // The live value, placed at the file's line when the file says the same.
    if (conf) {
      if (const RedisDirective* d = conf->Last(name); d && Join(d->args) == it->second) {
        return RedisSetting{it->second, conf->path, d->line};
      }
    }
    return RedisSetting{it->second, "", 0};
  }
  if (conf) {
    if (const RedisDirective* d = conf->Last(name)) {
      return RedisSetting{Join(d->args), conf->path, d->line};
    }
  }
  return std::nullopt;
}

std::string RedisServer::FixFile() const {
  return conf && !conf->path.empty() ? conf->path : "redis.conf";
}

std::string RedisServer::Subject() const {
  std::string s = "redis " + where;
  if (container) {
    s += fmt::format(" (container {})",
                     container->Shown());
  }
  return s;
}

bool RedisServer::BeyondLoopback() const {
  if (live && port == 0) return false;  // a Unix socket only
  if (live && !bound.empty()) {
    return std::any_of(bound.begin(), bound.end(),
                       [](const std::string& a) { return !IsLoopbackBind(a); });
  }
  const auto bind = Setting("bind");
  if (!bind) return true;  // no bind line: every interface
  for (std::string_view a : Split(bind->value, ' ')) {
    if (!a.empty() && !IsLoopbackBind(a)) return true;
  }
  return false;
}

bool IsLoopbackBind(std::string_view addr) {
  if (addr.starts_with('-')) addr.remove_prefix(1);  // "-::1": optional address
  return IsLoopbackAddress(addr);
}

bool IsWildcardBind(std::string_view addr) {
  if (addr.starts_with('-')) addr.remove_prefix(1);
  return addr == "0.0.0.0" || addr == "::" || addr == "*" || addr == "::*" || addr == "[::]";
}

std::map<std::string, std::string> ParseRedisInfo(std::string_view text) {
  std::map<std::string, std::string> out;
  for (std::string_view line : Split(text, '\n')) {
    line = Trim(line);
    if (line.empty() || line.front() == '#') continue;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) continue;
    if (out.size() >= 512) break;
    out.emplace(std::string(line.substr(0, colon)), Printable(line.substr(colon + 1), 1024));
  }
  return out;
}

void ProbeRedis(RedisServer& s, const std::string& host, uint16_t port,
                const std::string& unix_path, int timeout_ms) {
  const HiredisLib& lib = HiredisLib::Get();
  if (!lib.error.empty()) {
    s.probe_error = lib.error;
    return;
  }
  const struct timeval tv = {timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  std::unique_ptr<redisContext, ContextDeleter> ctx(
      unix_path.empty() ? lib.connect_tcp(host.c_str(), port, tv)
                        : lib.connect_unix(unix_path.c_str(), tv));
  if (!ctx) {
    s.probe_error = "cannot allocate a hiredis context";
    return;
  }
  if (ctx->err != 0) {
    s.probe_error = fmt::format("connect {}: {}", unix_path.empty() ? HostPort(host, port) : unix_path,
                                ctx->errstr);
    return;
  }
  lib.set_timeout(ctx.get(), tv);
  redisContext* c = ctx.get();
  std::string err;
  ReplyPtr ping = Command(c, {"PING"}, err);
  if (!ping) {
    s.probe_error = "PING: " + err;
    return;
  }
  const std::string answer = ReplyText(ping.get());
  if (ping->type == REDIS_REPLY_STATUS && ToLower(answer) == "pong") {
    s.auth = RedisAuth::kOpen;
  } else if (ping->type == REDIS_REPLY_ERROR && answer.starts_with("NOAUTH")) {
    s.auth = RedisAuth::kRequired;
    return;
  } else {
    s.probe_error = "PING: " + answer;  // DENIED (protected mode), a renamed PING...
    return;
  }
  // Open: read what it is set to. CONFIG GET takes one pattern before Redis 7.
  for (std::string_view name : {"protected-mode", "bind", "dir", "dbfilename", "port", "unixsocket"}) {
    ReplyPtr r = Command(c, {"CONFIG", "GET", name}, err);
    if (!r) {
      s.config_error = "CONFIG GET: " + err;
      return;
    }
    if (r->type == REDIS_REPLY_ERROR) {
      s.config_error = ReplyText(r.get());  // renamed or disabled
      break;
    }
    s.config_answered = true;
    if (r->type == REDIS_REPLY_ARRAY && r->elements == 2) {
      s.config.emplace(std::string(name), ReplyText(r->element[1]));
    }
  }
  for (std::string_view section : {"server", "replication"}) {
    ReplyPtr r = Command(c, {"INFO", section}, err);
    if (!r) return;
    if (r->type != REDIS_REPLY_STRING) continue;
    const auto info = ParseRedisInfo(std::string_view(r->str, r->len));
    const auto get = [&](const char* k) {
      const auto it = info.find(k);
      return it != info.end() ? it->second : std::string();
    };
    if (section == "server") {
      s.version = get("redis_version");
      s.config_file = get("config_file");
    } else {
      s.role = get("role");
      s.master_host = get("master_host");
      s.master_port = static_cast<uint16_t>(ParseUint(get("master_port")).value_or(0));
      if (auto n = ParseUint(get("connected_slaves"))) s.connected_slaves = static_cast<int64_t>(*n);
    }
  }
  ReplyPtr mods = Command(c, {"MODULE", "LIST"}, err);
  if (!mods || mods->type != REDIS_REPLY_ARRAY) return;
  for (size_t i = 0; i < mods->elements && i < 64; ++i) {
    const redisReply* m = mods->element[i];
    if (m->type != REDIS_REPLY_ARRAY) continue;
    RedisModule mod;
    for (size_t k = 0; k + 1 < m->elements; k += 2) {
      const std::string key = ReplyText(m->element[k]);
      if (key == "name") mod.name = ReplyText(m->element[k + 1]);
      if (key == "path") mod.path = ReplyText(m->element[k + 1]);
    }
    s.modules.push_back(std::move(mod));
  }
}

// ---- Docker ----

std::string_view DockerProbeName(DockerProbe p) {
  switch (p) {
    case DockerProbe::kNotProbed:
      return "not-probed";
    case DockerProbe::kPlainHttp:
      return "plain-http";
    case DockerProbe::kTlsNoClientCert:
      return "tls-without-client-certificate";
    case DockerProbe::kTlsRefused:
      return "tls-refused-without-certificate";
    case DockerProbe::kNoAnswer:
      return "no-answer";
  }
  return "not-probed";
}

Expected<DockerDaemonConfig> ParseDaemonJson(std::string_view text) {
  DockerDaemonConfig out;
  try {
    const nlohmann::json j = nlohmann::json::parse(text);
    if (!j.is_object()) return Fail(Error::InvalidInput("daemon.json: not an object"));
    // The line of the "hosts" key, for the finding and the fix.
    int hosts_line = 0;
    if (const size_t at = text.find("\"hosts\""); at != std::string_view::npos) {
      hosts_line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
    }
    if (const auto it = j.find("hosts"); it != j.end()) {
      if (it->is_array()) {
        for (const auto& h : *it) {
          if (h.is_string()) out.hosts.emplace_back(h.get<std::string>(), hosts_line);
        }
      } else if (it->is_string()) {
        out.hosts.emplace_back(it->get<std::string>(), hosts_line);
      }
    }
    if (const auto it = j.find("tls"); it != j.end() && it->is_boolean()) out.tls = IsTrue(*it);
    if (const auto it = j.find("tlsverify"); it != j.end() && it->is_boolean()) {
      out.tlsverify = IsTrue(*it);
    }
    out.has_tlscert = j.contains("tlscert");
    out.has_tlscacert = j.contains("tlscacert");
  } catch (const nlohmann::json::exception& e) {
    return Fail(Error::InvalidInput(fmt::format("daemon.json: {}", e.what())));
  }
  return out;
}

DockerUnitHosts ParseDockerUnit(std::string_view text) {
  DockerUnitHosts out;
  int line_no = 0;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    const std::string_view line = Trim(raw);
    if (!line.starts_with("ExecStart=")) continue;
    auto args = SplitArgs(line.substr(10));
    if (!args) continue;
    for (size_t i = 0; i < args->size(); ++i) {
      const std::string& a = (*args)[i];
      std::string value;
      if ((a == "-H" || a == "--host") && i + 1 < args->size()) {
        value = (*args)[++i];
      } else if (a.starts_with("-H=") || a.starts_with("--host=")) {
        value = a.substr(a.find('=') + 1);
      } else if (a.starts_with("-H") && a.size() > 2 && a[2] != '-') {
        value = a.substr(2);
      } else if (a == "--tlsverify" || a == "--tlsverify=true") {
        out.tlsverify = true;
      } else if (a == "--tlsverify=false") {
        out.tlsverify = false;
      } else if (a == "--tls" || a == "--tls=true") {
        out.tls = true;
      } else if (a == "--tls=false") {
        out.tls = false;
      }
      if (value.starts_with("tcp://")) out.hosts.emplace_back(value, line_no);
    }
  }
  return out;
}

std::optional<std::pair<std::string, uint16_t>> SplitTcpHost(std::string_view url, bool tls) {
  if (url.starts_with("tcp://")) {
    url.remove_prefix(6);
  } else if (url.find("://") != std::string_view::npos) {
    return std::nullopt;
  }
  if (const size_t slash = url.find('/'); slash != std::string_view::npos) url = url.substr(0, slash);
  std::string host;
  std::string_view port_text;
  if (url.starts_with('[')) {
    const size_t close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = std::string(url.substr(1, close - 1));
    if (close + 1 < url.size() && url[close + 1] == ':') port_text = url.substr(close + 2);
  } else if (const size_t colon = url.rfind(':');
             colon != std::string_view::npos && url.find(':') == colon) {
    host = std::string(url.substr(0, colon));
    port_text = url.substr(colon + 1);
  } else {
    host = std::string(url);
  }
  if (host.empty()) host = "0.0.0.0";  // "tcp://:2375": every interface
  uint16_t port = tls ? 2376 : 2375;
  if (!port_text.empty()) {
    const auto p = ParseUint(port_text);
    if (!p || *p == 0 || *p > 65535) return std::nullopt;
    port = static_cast<uint16_t>(*p);
  }
  return std::make_pair(host, port);
}

namespace {

// The engine's name and version from a /version body; "" when it is not one.
std::string EngineVersion(const std::string& body) {
  try {
    const nlohmann::json j = nlohmann::json::parse(body);
    if (!j.is_object() || !j.contains("ApiVersion")) return "";
    std::string v = j.contains("Version") && j["Version"].is_string()
                        ? j["Version"].get<std::string>()
                        : "?";
    if (j.contains("Components") && j["Components"].is_array() && !j["Components"].empty() &&
        j["Components"][0].is_object() && j["Components"][0].contains("Name") &&
        j["Components"][0]["Name"].is_string()) {
      v = j["Components"][0]["Name"].get<std::string>() + " " + v;
    }
    return Printable(v, 200);
  } catch (const nlohmann::json::exception&) {
    return "";
  }
}

}  // namespace

void ProbeDockerTcp(DockerTcpEndpoint& e, const std::string& connect_host, long timeout_ms) {
  const std::string hp = HostPort(connect_host, e.port);
  const auto plain = HttpGetUnverified("http://" + hp + "/version", timeout_ms);
  if (plain && plain->status == 200) {
    if (std::string v = EngineVersion(plain->body); !v.empty()) {
      e.probe = DockerProbe::kPlainHttp;
      e.server = std::move(v);
      return;
    }
  }
  const auto tls = HttpGetUnverified("https://" + hp + "/version", timeout_ms);
  if (tls && tls->status == 200) {
    if (std::string v = EngineVersion(tls->body); !v.empty()) {
      e.probe = DockerProbe::kTlsNoClientCert;
      e.server = std::move(v);
      return;
    }
  }
  // Plain HTTP got an HTTP answer that was not an engine's, or no TLS either.
  const bool plain_http_answer = plain && plain->status != 400;
  if (!tls && !plain_http_answer) {
    // A TLS failure (no certificate sent, one demanded) is the engine
    // refusing us; a refused connection or a timeout is nobody answering.
    // (Under TLS 1.3 a demanded certificate fails after the handshake: a receive error.)
    const std::string& why = tls.error().message();
    const bool tls_failure = why.find("Couldn't connect") == std::string::npos &&
                             why.find("Timeout") == std::string::npos &&
                             why.find("resolve") == std::string::npos;
    e.probe = tls_failure ? DockerProbe::kTlsRefused : DockerProbe::kNoAnswer;
    e.probe_error = tls_failure || plain ? why : plain.error().message();
    return;
  }
  e.probe = DockerProbe::kNoAnswer;
  e.probe_error = plain ? fmt::format("GET /version: HTTP {}, not a Docker API", plain->status)
                        : plain.error().message();
}

}  // namespace deminer
