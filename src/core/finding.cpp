#include "core/finding.h"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <array>

namespace deminer {

std::string_view SeverityName(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "info";
    case Severity::kLow:
      return "low";
    case Severity::kMedium:
      return "medium";
    case Severity::kHigh:
      return "high";
    case Severity::kCritical:
      return "critical";
  }
  return "info";
}

std::optional<Severity> ParseSeverity(std::string_view s) {
  for (int i = 0; i < kSeverityCount; ++i) {
    const auto sev = static_cast<Severity>(i);
    if (SeverityName(sev) == s) return sev;
  }
  return std::nullopt;
}

std::string_view KindName(Kind k) { return k == Kind::kCompromise ? "compromise" : "weakness"; }

std::string_view ScopeName(Scope s) {
  switch (s) {
    case Scope::kProcesses:
      return "processes";
    case Scope::kNetwork:
      return "network";
    case Scope::kFiles:
      return "files";
    case Scope::kPersistence:
      return "persistence";
    case Scope::kLogs:
      return "logs";
    case Scope::kContainers:
      return "containers";
    case Scope::kDatabases:
      return "databases";
    case Scope::kExposure:
      return "exposure";
    case Scope::kNpm:
      return "npm";
  }
  return "processes";
}

std::optional<Scope> ParseScope(std::string_view s) {
  for (const Scope scope : kAllScopes) {
    if (ScopeName(scope) == s) return scope;
  }
  return std::nullopt;
}

std::string Fingerprint(std::string_view check, std::string_view key) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  EVP_DigestUpdate(ctx, check.data(), check.size());
  EVP_DigestUpdate(ctx, "\0", 1);
  EVP_DigestUpdate(ctx, key.data(), key.size());
  EVP_DigestFinal_ex(ctx, md.data(), &len);
  EVP_MD_CTX_free(ctx);
  std::string hex;
  for (unsigned int i = 0; i < 16 && i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

}  // namespace deminer
