#include "match/miner_cmdline.h"

#include <algorithm>

#include "core/strings.h"
#include "match/monero.h"

namespace deminer {
namespace {

// The value of option `opt` at argv[i]: "--opt value", "--opt=value", or for
// a one-letter option also "-oVALUE" (getopt, which XMRig uses, accepts it).
bool OptionValue(const std::vector<std::string>& argv, size_t i, std::string_view opt,
                 std::string_view& value) {
  const std::string_view t = argv[i];
  if (t == opt) {
    if (i + 1 >= argv.size()) return false;
    value = argv[i + 1];
    return true;
  }
  if (t.size() > opt.size() && t.starts_with(opt) && t[opt.size()] == '=') {
    value = t.substr(opt.size() + 1);
    return true;
  }
  const bool short_opt = opt.size() == 2 && opt[0] == '-' && opt[1] != '-';
  if (short_opt && t.size() > 2 && t.starts_with(opt)) {
    value = t.substr(2);
    return true;
  }
  return false;
}

class Scorer {
 public:
  explicit Scorer(const RulePack& rules) : rules_(rules) {}

  void Add(std::string what, std::string_view value, int weight, std::string source) {
    for (const MinerHint& h : v_.hints) {
      if (h.what == what && h.value == value) return;
    }
    v_.score += weight;
    v_.hints.push_back({std::move(what), std::string(value), weight, std::move(source)});
  }

  void Name(std::string_view name) {
    if (const std::string* src = rules_.miner_names.Match(name)) Add("miner name", name, 3, *src);
  }

  // A host:port the command line points at.
  void Endpoint(std::string_view text, bool from_url_option) {
    // Only bare host:port or a stratum URL names a pool; http://... does not.
    if (const size_t scheme = text.find("://");
        scheme != std::string_view::npos &&
        !ToLower(text.substr(0, scheme)).starts_with("stratum")) {
      return;
    }
    std::string host;
    uint16_t port = 0;
    if (!ParseHostPort(text, host, port)) return;
    const std::string where = host + ":" + std::to_string(port);
    const std::string* domain = rules_.MatchPoolDomain(host);
    const auto port_it = rules_.pool_ports.find(port);
    if (domain != nullptr) {
      Add("pool domain", where, 4, *domain);
    } else if (port_it != rules_.pool_ports.end() && from_url_option) {
      Add("pool port", where, 2, port_it->second);
    } else if (from_url_option) {
      Add("pool URL option", where, 1, "XMRig -o/--url takes the pool as host:port");
    } else {
      return;  // a bare host:port anywhere else says nothing
    }
    if (domain != nullptr || port_it != rules_.pool_ports.end()) v_.pool = true;
    const bool seen = std::any_of(v_.pools.begin(), v_.pools.end(), [&](const PoolEndpoint& e) {
      return e.host == host && e.port == port;
    });
    if (!seen) v_.pools.push_back({host, port});
  }

  void Wallet(std::string_view token, bool from_wallet_option) {
    const std::string_view w = WalletPart(token);
    const auto addr = ParseMoneroAddress(w);
    const std::string* seed = rules_.MatchWallet(w);
    if (!addr && seed == nullptr) return;
    if (std::find(v_.wallets.begin(), v_.wallets.end(), w) == v_.wallets.end()) {
      v_.wallets.emplace_back(w);
    }
    v_.wallet = true;
    if (seed != nullptr) {
      Add("known wallet", w, 5, *seed);
    } else if (addr) {
      Add("Monero wallet", w, 4,
          std::string("valid Monero ") + std::string(MoneroAddressTypeName(addr->type)) +
              " address (base58 + Keccak checksum)" + (from_wallet_option ? ", given as -u" : ""));
    }
  }

  MinerVerdict Finish() {
    if ((v_.pool && v_.wallet) || v_.score >= 6) {
      v_.severity = Severity::kCritical;
    } else if (v_.score >= 4) {
      v_.severity = Severity::kHigh;
    } else if (v_.score >= 3) {
      v_.severity = Severity::kMedium;
    } else if (v_.score >= kMinerReportScore) {
      v_.severity = Severity::kLow;
    }
    return std::move(v_);
  }

  MinerVerdict& verdict() { return v_; }

 private:
  const RulePack& rules_;
  MinerVerdict v_;
};

}  // namespace

bool ParseHostPort(std::string_view s, std::string& host, uint16_t& port) {
  if (const size_t scheme = s.find("://"); scheme != std::string_view::npos) {
    s.remove_prefix(scheme + 3);
  }
  if (const size_t at = s.rfind('@'); at != std::string_view::npos) s.remove_prefix(at + 1);
  if (const size_t slash = s.find('/'); slash != std::string_view::npos) s = s.substr(0, slash);
  std::string_view h;
  std::string_view p;
  if (s.starts_with('[')) {
    const size_t close = s.find(']');
    if (close == std::string_view::npos || close + 1 >= s.size() || s[close + 1] != ':') {
      return false;
    }
    h = s.substr(1, close - 1);
    p = s.substr(close + 2);
  } else {
    const size_t colon = s.rfind(':');
    if (colon == std::string_view::npos || s.find(':') != colon) return false;
    h = s.substr(0, colon);
    p = s.substr(colon + 1);
  }
  const auto n = ParseUint(p);
  if (h.empty() || !n || *n == 0 || *n > 65535) return false;
  const bool host_chars = std::all_of(h.begin(), h.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
           c == '-' || c == ':' || c == '_';
  });
  if (!host_chars) return false;
  host = std::string(h);
  port = static_cast<uint16_t>(*n);
  return true;
}

MinerVerdict AnalyzeMiner(const std::vector<std::string>& argv, std::string_view exe,
                          std::string_view comm, const RulePack& rules) {
  Scorer s(rules);
  s.Name(Basename(exe));
  s.Name(comm);
  if (!argv.empty()) s.Name(Basename(Split(argv[0], ' ')[0]));

  bool tls_or_keepalive = false;
  std::string tls_flag;
  for (size_t i = 1; i < argv.size(); ++i) {
    const std::string_view t = argv[i];
    std::string_view value;
    // Pool URLs with a stratum scheme, wherever they appear.
    const std::string lower = ToLower(t);
    // A stratum URL as an argument, or as an option's value ("--url=stratum+..."),
    // is where the miner mines; the scheme inside other text (a grep for it,
    // a log line) is only a hint.
    for (const std::string& scheme : rules.pool_url_schemes) {
      const size_t at = lower.find(ToLower(scheme));
      if (at == std::string::npos) continue;
      const std::string_view url = t.substr(at);
      const bool is_argument = at == 0 || (at >= 2 && t[at - 1] == '=' && t.starts_with('-')) ||
                               (t.starts_with("-o") && at == 2);
      if (is_argument) {
        s.Add("stratum URL", url, 4, "stratum is the mining pool protocol");
        s.verdict().pool = true;
        s.Endpoint(url, true);
      } else {
        s.Add("stratum URL in text", t, 2, "the pool protocol's scheme inside another argument");
      }
      break;
    }
    for (const std::string& opt : rules.pool_url_options) {
      if (OptionValue(argv, i, opt, value)) s.Endpoint(value, true);
    }
    for (const std::string& opt : rules.wallet_options) {
      if (OptionValue(argv, i, opt, value)) s.Wallet(value, true);
    }
    for (const MinerOption& o : rules.miner_options) {
      if (t != o.flag &&
          !(t.starts_with(o.flag) && t.size() > o.flag.size() && t[o.flag.size()] == '=')) {
        continue;
      }
      if (!o.values.empty()) {
        if (!OptionValue(argv, i, o.flag, value)) continue;
        const std::string v = ToLower(value);
        if (std::none_of(o.values.begin(), o.values.end(),
                         [&v](const std::string& x) { return ToLower(x) == v; })) {
          continue;
        }
        s.Add("miner option", std::string(o.flag) + " " + std::string(value), o.weight,
              o.why.empty() ? o.source : o.why);
      } else {
        s.Add("miner option", t, o.weight, o.why.empty() ? o.source : o.why);
      }
    }
    if (t == "--tls" || t == "-k" || t == "--keepalive") {
      tls_or_keepalive = true;
      tls_flag = std::string(t);
    }
    // A bare pool host:port, or a wallet anywhere (e.g. "--user=ADDR.worker").
    s.Endpoint(t, false);
    const size_t eq = t.find('=');
    std::string_view candidate = eq == std::string_view::npos ? t : t.substr(eq + 1);
    if (candidate.starts_with("-u") && candidate.size() > 2) candidate.remove_prefix(2);
    s.Wallet(candidate, false);
  }
  if (tls_or_keepalive && s.verdict().pool) {
    s.Add("pool keepalive/TLS", tls_flag, 1, "XMRig -k/--tls, used with a pool");
  }
  return s.Finish();
}

}  // namespace deminer
