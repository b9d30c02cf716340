// What the PostgreSQL checks (db.pg-*) share: a finding about a server (its
// subject, container, and the "fix" / "fix_file" evidence `deminer harden`
// collects), and small judgements on addresses and settings. Pure.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <string>
#include <string_view>

#include "checks/check.h"
#include "core/strings.h"

namespace deminer {

// A finding about `s`: subject "postgresql WHERE[ in container NAME]: DETAIL",
// the container, evidence "server", and fingerprint key "WHERE|KEY".
inline Finding PgFinding(const CheckInfo& info, const PgServer& s, Severity severity,
                         const std::string& detail, const std::string& key) {
  std::string subject = s.Subject();
  if (!detail.empty()) {
    subject += ": ";
    subject += detail;
  }
  Finding f = NewFinding(info, severity, std::move(subject), s.where + "|" + key);
  f.container = s.container;
  f.evidence["server"] = s.where;
  if (!s.server_version.empty()) f.evidence["server_version"] = s.server_version;
  return f;
}

// The exact text to apply (deminer never applies it) and where: a file path, or "sql".
inline void PgFix(Finding& f, const std::string& fix, const std::string& fix_file) {
  f.evidence["fix"] = fix;
  f.evidence["fix_file"] = fix_file;
}

// 127.0.0.0/8, ::1, localhost, samehost. A CIDR suffix must keep it inside
// loopback: 127.0.0.1/0 is every address (/8 or longer for IPv4, /128 for ::1).
inline bool PgLoopbackAddress(std::string_view addr) {
  if (addr.starts_with('[')) addr = addr.substr(1);
  const size_t end = addr.find_first_of("]/");
  const std::string_view host = end == std::string_view::npos ? addr : addr.substr(0, end);
  const bool v4 = host.starts_with("127.") || host == "::ffff:127.0.0.1";
  if (!v4 && host != "::1" && host != "localhost" && host != "samehost") return false;
  const size_t slash = addr.find('/');
  if (slash == std::string_view::npos) return true;
  int prefix = 0;
  for (const char c : addr.substr(slash + 1)) {
    if (c < '0' || c > '9' || prefix > 128) return false;
    prefix = prefix * 10 + (c - '0');
  }
  return host == "::1" ? prefix == 128 : prefix >= (host.starts_with("::ffff:") ? 104 : 8);
}

// A host address of a listener "0.0.0.0:5432", "[::1]:5432" without its port.
inline std::string_view PgListenHost(std::string_view listen) {
  const size_t colon = listen.rfind(':');
  std::string_view h = colon == std::string_view::npos ? listen : listen.substr(0, colon);
  if (h.starts_with('[') && h.ends_with(']')) h = h.substr(1, h.size() - 2);
  return h;
}

// Whether an address of a listen_addresses list ("localhost, 10.0.0.5") is one
// `pred` accepts.
template <class Pred>
bool PgAnyListenAddress(std::string_view value, Pred pred) {
  for (const std::string_view part : Split(value, ',')) {
    const std::string_view a = Trim(part);
    if (!a.empty() && pred(a)) return true;
  }
  return false;
}

// listen_addresses names an address other hosts can reach ('*', 0.0.0.0, ::,
// or any non-loopback address). Empty means Unix socket only.
inline bool PgListensBeyondLoopback(std::string_view value) {
  return PgAnyListenAddress(value, [](std::string_view a) { return !PgLoopbackAddress(a); });
}

// listen_addresses is a wildcard: '*', 0.0.0.0 or ::.
inline bool PgListensOnAll(std::string_view value) {
  return PgAnyListenAddress(
      value, [](std::string_view a) { return a == "*" || a == "0.0.0.0" || a == "::"; });
}

// The file to edit for a setting: the file that set it, else postgresql.conf.
// A setting from postgresql.auto.conf is changed with ALTER SYSTEM ("sql").
inline std::string PgSettingFile(const PgServer& s, const PgSetting* setting) {
  if (setting != nullptr && setting->path.ends_with("postgresql.auto.conf")) return "sql";
  if (setting != nullptr && !setting->path.empty()) return setting->path;
  return s.config_path.empty() ? "postgresql.conf" : s.config_path;
}

// An SQL identifier, quoted when it needs to be.
inline std::string PgIdent(std::string_view name) {
  bool plain = !name.empty() && (std::islower(static_cast<unsigned char>(name[0])) || name[0] == '_');
  for (const char c : name) {
    if (!(std::islower(static_cast<unsigned char>(c)) || std::isdigit(static_cast<unsigned char>(c)) ||
          c == '_')) {
      plain = false;
    }
  }
  if (plain) return std::string(name);
  std::string out = "\"";
  for (const char c : name) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace deminer
