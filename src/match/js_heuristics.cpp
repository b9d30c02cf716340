#include "match/js_heuristics.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <unordered_set>

#include "core/strings.h"
#include "match/monero.h"
#include "match/vectorscan_db.h"

namespace deminer {

namespace {

// What each pattern of the database finds. The scoring below is code: the
// weights depend on which features occur together and how close they are,
// which a flat rule list cannot say.
enum Feat : uint8_t {
  kObfId,         // _0x1a2b identifiers
  kRotWhile,      // while(!![])
  kRotPushShift,  // a['push'](a['shift']())
  kHexStr,        // '\x68\x65\x6c'
  kPacker,        // eval(function(p,a,c,k,e,d)
  kExecDecoded,   // eval(atob(...)), Function(Buffer.from(...)), execSync(Buffer.from(...))
  kExecIdent,     // eval(x), new Function(x), vm.runInThisContext(x)
  kDecoder,     // atob(, Buffer.from(x,'base64'), String.fromCharCode(, decodeURIComponent(escape(
  kCharChain,   // String.fromCharCode(104,101,108,...)
  kChildProc,   // require('child_process'), from 'child_process'
  kDlApi,       // http.get(, https.request(, fetch(
  kDlCmd,       // "curl -o ... http://", "wget http://..."
  kPipeSh,      // | sh, | bash
  kTmpLit,      // "/tmp/x", '/dev/shm/x'
  kChmod,       // chmodSync(p, 0o755), "chmod +x"
  kTempWrite,   // writeFileSync('/tmp/...'
  kExecTemp,    // execSync('/tmp/...'), "; /tmp/x"
  kIp,          // "1.2.3.4", http://1.2.3.4
  kMinerTool,   // xmrig, xmr-stak, cpuminer
  kStratum,     // stratum+tcp://
  kDonate,      // --donate-level
  kMinerWord,   // cryptonight, coinhive
  kMoneroAddr,  // a base58 run shaped like a Monero address
  kPool,        // a pool domain of the rule pack
  kWallet,      // a wallet of the rule pack
  kHiddenRequire,  // require(_0x1a2b(...)), require(atob(...))
  kDecodeLiteral,  // atob("aGVsbG8gd29ybGQ="), Buffer.from("...", ...)
  kFeatCount,
};

struct Pattern {
  Feat feat;
  const char* expr;
  bool caseless;
  bool every;
};

// The delimiters a literal starts with: quotes and template backticks.
#define Q "['\"`]"
#define TMP "(/tmp|/dev/shm|/var/tmp|/run/shm)"

constexpr Pattern kPatterns[] = {
    {kObfId, R"(\b_0x[0-9a-f]{4,6}\b)", false, true},
    {kRotWhile, R"(while\s*\(\s*!!\[\]\s*\))", false, true},
    {kRotPushShift,
     R"((\.push|\[\s*(['"]push['"]|_0x[0-9a-f]{4,6}\s*\(\s*0x[0-9a-f]+\s*\))\s*\])\s*\(\s*[\w$]+\s*(\.shift|\[\s*(['"]shift['"]|_0x[0-9a-f]{4,6}\s*\(\s*0x[0-9a-f]+\s*\))\s*\])\s*\(\s*\)\s*\))",
     false, true},
    {kHexStr, R"(['"](\\x[0-9a-fA-F]{2}){3,}['"])", false, true},
    {kPacker, R"(eval\s*\(\s*function\s*\(\s*p\s*,\s*a\s*,\s*c\s*,\s*k\s*,\s*e\s*,\s*[dr]\s*\))",
     false, true},
    {kExecDecoded,
     R"((\beval|\bFunction|\brunIn(This|New)?Context|\bexecSync|\bexec|\bspawnSync|\bspawn|\bexecFileSync)\s*\(\s*(atob|Buffer\.from|new\s+Buffer|String\.fromCharCode|decodeURIComponent\s*\(\s*escape|unescape)\s*\()",
     false, true},
    {kExecIdent,
     R"((\beval|\bnew\s+Function|\brunIn(This|New)?Context)\s*\(\s*[A-Za-z_$][\w$]*\s*\))", false,
     true},
    {kDecoder,
     R"(\batob\s*\(|,\s*['"](base64|hex)['"]\s*\)|String\.fromCharCode\s*\(|decodeURIComponent\s*\(\s*escape\s*\()",
     false, true},
    {kCharChain,
     R"(String\.fromCharCode\s*\(\s*\d+(\s*,\s*\d+){15}|(String\.fromCharCode\s*\(\s*\d+\s*\)\s*\+\s*){6})",
     false, true},
    {kChildProc,
     R"(require\s*\(\s*['"](node:)?child_process['"]|(\bfrom|\bimport\s*\()\s*['"](node:)?child_process['"])",
     false, true},
    {kDlApi,
     R"(\bhttps?\.(get|request)\s*\(|require\s*\(\s*['"](node:)?https?['"]\s*\)\s*\.(get|request)\s*\(|\bfetch\s*\(\s*['"`]https?:)",
     false, true},
    {kDlCmd,
     R"(\b(curl|wget)(\s+-{1,2}[A-Za-z][\w-]*(\s+[^\s'"`-][^\s'"`]*)?)*\s+(['"]?(https?|ftp)://|\$\{|['"`]\s*\+))",
     false, true},
    {kPipeSh, R"(\|\s*(sudo\s+)?(ba|da|z)?sh\b)", false, true},
    {kTmpLit, R"([\s'"`=])" TMP R"(/[\w.$-])", false, true},
    {kChmod,
     R"(\bchmod(Sync)?\s*\([^;\n]{0,200}(\b0o?7[57][57]\b|\b493\b|\b511\b|['"]0?7[57][57]['"]|['"]\+x['"])|\bchmod\s+(-R\s+)?(\+x|[augo]+\+x|0?7[57][57])\b)",
     false, true},
    {kTempWrite,
     R"((writeFile|writeFileSync|createWriteStream|copyFile|copyFileSync|rename|renameSync)\s*\(\s*)" Q
         TMP "/",
     false, true},
    {kExecTemp,
     R"(\b(exec|execSync|spawn|spawnSync|execFile|execFileSync|fork)\s*\(\s*)" Q TMP
     R"(/|(;|&&|\|\|)\s*(nohup\s+)?)" TMP R"(/[\w.-]+)",
     false, true},
    {kIp, R"((['"`@]|://)(\d{1,3}\.){3}\d)", false, true},
    {kMinerTool, R"(\b(xmrig|xmr-stak|cpuminer|xmrminer)\b)", true, true},
    {kStratum, R"(stratum\+(tcp|ssl|tls)://)", true, true},
    {kDonate, R"(--donate-level)", false, true},
    {kMinerWord, R"(\b(cryptonight|coinhive|CoinHive|coin-hive|cryptoloot|webminepool)\b)", false,
     true},
    {kMoneroAddr, R"(\b[48][0-9AB][1-9A-HJ-NP-Za-km-z]{93}\b)", false, true},
    {kHiddenRequire,
     R"(\brequire\s*\(\s*(_0x[0-9a-f]{4,6}\s*[(\[]|atob\s*\(|Buffer\.from\s*\(|String\.fromCharCode\s*\())",
     false, true},
    {kDecodeLiteral, R"((\batob|Buffer\.from|new\s+Buffer)\s*\(\s*['"`][A-Za-z0-9+/=]{16})", false,
     true},
};

#undef Q
#undef TMP

struct Hits {
  std::array<std::vector<size_t>, kFeatCount> ends;  // end offsets, in order, capped
  std::array<uint32_t, kFeatCount> count{};
  std::vector<std::pair<size_t, size_t>> pools;    // (end, pool index)
  std::vector<std::pair<size_t, size_t>> wallets;  // (end, wallet index)
};

constexpr size_t kMaxEnds = 4096;

bool Ident(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '$';
}

// The code around a match ending at `end`, on its line, ASCII only (minified
// lines are megabytes long and may hold anything).
std::string Excerpt(std::string_view text, size_t end, size_t before = 90, size_t after = 30) {
  end = std::min(end, text.size());
  size_t from = end > before ? end - before : 0;
  size_t to = std::min(text.size(), end + after);
  const size_t nl_before = text.rfind('\n', end == 0 ? 0 : end - 1);
  if (nl_before != std::string_view::npos && nl_before + 1 > from && nl_before < end) {
    from = nl_before + 1;
  }
  const size_t nl_after = text.find('\n', end);
  if (nl_after != std::string_view::npos && nl_after < to) to = nl_after;
  std::string out;
  out.reserve(to - from + 6);
  if (from > 0 && text[from - 1] != '\n') out += "…";
  for (size_t i = from; i < to; ++i) {
    const auto u = static_cast<unsigned char>(text[i]);
    out += (u < 0x20 || u >= 0x7f) ? (u == '\t' ? ' ' : '?') : static_cast<char>(u);
  }
  if (to < text.size() && text[to] != '\n') out += "…";
  return std::string(Trim(out));
}

// An offset of `a` and one of `b` within `window` bytes of each other; the
// offset in `a`, or npos.
size_t Near(const std::vector<size_t>& a, const std::vector<size_t>& b, size_t window) {
  if (a.empty() || b.empty()) return std::string_view::npos;
  for (const size_t x : a) {
    const auto it = std::lower_bound(b.begin(), b.end(), x > window ? x - window : 0);
    if (it != b.end() && *it <= x + window) return x;
  }
  return std::string_view::npos;
}

// Offsets of `a` preceded within `window` bytes by one of `b`.
size_t After(const std::vector<size_t>& a, const std::vector<size_t>& b, size_t window) {
  for (const size_t x : a) {
    const auto it = std::lower_bound(b.begin(), b.end(), x > window ? x - window : 0);
    if (it != b.end() && *it <= x) return x;
  }
  return std::string_view::npos;
}

std::vector<size_t> Merge(std::initializer_list<const std::vector<size_t>*> lists) {
  std::vector<size_t> out;
  for (const auto* l : lists) out.insert(out.end(), l->begin(), l->end());
  std::sort(out.begin(), out.end());
  return out;
}

// An IPv4 literal ending near `trigger` (the first digit of its last octet):
// public, and not what versions and examples look like.
struct IpRead {
  std::string ip;
  bool url = false;
};

std::optional<IpRead> ReadIp(std::string_view text, size_t trigger_end) {
  // trigger_end is one past the first digit of the last octet.
  size_t end = trigger_end;
  while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
  if (end < text.size() && (Ident(text[end]) || text[end] == '.')) return std::nullopt;
  // A network in CIDR notation ("192.31.196.0/24") is a table entry, not a host.
  if (end + 1 < text.size() && text[end] == '/' && text[end + 1] >= '0' && text[end + 1] <= '9') {
    return std::nullopt;
  }
  size_t start = trigger_end - 1;
  while (start > 0 &&
         ((text[start - 1] >= '0' && text[start - 1] <= '9') || text[start - 1] == '.')) {
    --start;
  }
  const std::string_view ip = text.substr(start, end - start);
  std::array<int, 4> o{};
  size_t pos = 0;
  for (int i = 0; i < 4; ++i) {
    const size_t dot = i < 3 ? ip.find('.', pos) : ip.size();
    if (dot == std::string_view::npos || dot == pos || dot - pos > 3) return std::nullopt;
    const std::string_view part = ip.substr(pos, dot - pos);
    if (part.size() > 1 && part[0] == '0') return std::nullopt;  // "01.02": a version or a date
    if (part.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    int v = 0;
    std::from_chars(part.data(), part.data() + part.size(), v);
    if (v > 255) return std::nullopt;
    o[static_cast<size_t>(i)] = v;
    pos = dot + 1;
  }
  const int a = o[0], b = o[1], c = o[2];
  // Private, loopback, link-local, CGNAT, multicast and reserved, documentation.
  if (a == 0 || a == 10 || a == 127 || a >= 224) return std::nullopt;
  if ((a == 172 && b >= 16 && b <= 31) || (a == 192 && b == 168) || (a == 169 && b == 254) ||
      (a == 100 && b >= 64 && b <= 127)) {
    return std::nullopt;
  }
  if ((a == 192 && b == 0 && (c == 0 || c == 2)) || (a == 198 && b == 51 && c == 100) ||
      (a == 203 && b == 0 && c == 113) || (a == 198 && (b == 18 || b == 19))) {
    return std::nullopt;
  }
  // Version-like ("1.2.3.4", "4.0.1.12", "3.1.8.25") and OIDs ("1.3.101.112").
  if (a < 11 && b < 20) return std::nullopt;
  // Public resolvers, which libraries name as defaults.
  static const std::unordered_set<std::string_view> kResolvers = {
      "8.8.8.8", "8.8.4.4",         "1.1.1.1",        "1.0.0.1",
      "9.9.9.9", "149.112.112.112", "208.67.222.222", "208.67.220.220"};
  if (kResolvers.contains(ip)) return std::nullopt;
  const bool url = start >= 3 && text.substr(start - 3, 3) == "://";
  return IpRead{std::string(ip), url};
}

// The path literal starting at the trigger of kTmpLit (its end is past the
// first character of the file name).
std::string_view TempPathAt(std::string_view text, size_t end) {
  size_t start = end;
  const auto stop_at = [](char c) {
    return c == '"' || c == '\'' || c == '`' || c == '=' || c == ' ' || c == '\t' || c == '\n';
  };
  while (start > 0 && !stop_at(text[start - 1]) && end - start < 64) {
    --start;
  }
  size_t stop = end;
  while (stop < text.size() && stop - start < 200 &&
         (Ident(text[stop]) || text[stop] == '.' || text[stop] == '-' || text[stop] == '/')) {
    ++stop;
  }
  return text.substr(start, stop - start);
}

}  // namespace

struct JsHeuristics::Impl {
  const RulePack& rules;
  std::optional<PatternDb> db;
  size_t pool_base = 0;  // pattern index of the first pool domain
  size_t wallet_base = 0;
  std::vector<std::string> pools;
  std::vector<std::string> wallets;
  size_t rejected_builtin = 0;

  explicit Impl(const RulePack& r) : rules(r) {
    std::vector<PatternSpec> specs;
    for (const Pattern& p : kPatterns) {
      specs.push_back({p.expr, p.caseless, false, false, p.every});
    }
    pool_base = specs.size();
    for (const auto& [domain, source] : rules.pool_domains) {
      pools.push_back(domain);
      specs.push_back({R"(\b)" + Escape(domain) + R"(\b)", true, false, false, false});
    }
    wallet_base = specs.size();
    for (const auto& [wallet, source] : rules.wallets) {
      wallets.push_back(wallet);
      specs.push_back({Escape(wallet), false, false, false, false});
    }
    std::vector<PatternRejection> rejected;
    auto compiled = PatternDb::Compile(specs, rejected);
    if (compiled) db.emplace(std::move(*compiled));
    for (const PatternRejection& rej : rejected) {
      if (rej.index < pool_base) ++rejected_builtin;
    }
    if (!compiled) rejected_builtin = pool_base;
    // Every built-in pattern compiles (the unit tests say so); a pool domain
    // or wallet the pack holds that cannot is left out, like elsewhere.
  }

  static std::string Escape(std::string_view s) {
    std::string out;
    for (const char c : s) {
      if (!Ident(c) || c == '$') out += '\\';
      out += c;
    }
    return out;
  }
};

JsHeuristics::JsHeuristics(const RulePack& rules) : impl_(std::make_unique<Impl>(rules)) {}
JsHeuristics::~JsHeuristics() = default;

size_t JsHeuristics::RejectedPatterns() const { return impl_->rejected_builtin; }

bool JsHeuristics::Critical(std::string_view id) {
  return id.starts_with("miner-") || id == "dropper-chain";
}

bool JsHeuristics::Executes(std::string_view id) {
  return id == "exec-decoded" || id == "exec-near-decoded" || id == "obfuscated-exec" ||
         id == "hidden-require" || id == "ip-with-exec";
}

int JsHeuristics::Score(std::string_view text, std::vector<JsSignal>& signals) const {
  if (!impl_->db || text.empty() || text.size() > kMaxBytes) return 0;
  Hits h;
  const size_t pool_base = impl_->pool_base;
  const size_t wallet_base = impl_->wallet_base;
  const auto scanned = impl_->db->ScanMatches(text, [&](size_t index, size_t end) {
    if (index >= wallet_base) {
      if (h.wallets.size() < 16) h.wallets.emplace_back(end, index - wallet_base);
      return;
    }
    if (index >= pool_base) {
      if (h.pools.size() < 16) h.pools.emplace_back(end, index - pool_base);
      return;
    }
    const Feat f = kPatterns[index].feat;
    ++h.count[f];
    if (h.ends[f].size() < kMaxEnds) h.ends[f].push_back(end);
  });
  if (!scanned) return 0;
  for (auto& e : h.ends) std::sort(e.begin(), e.end());

  struct Pending {
    JsSignal s;
    size_t at;
  };
  std::vector<Pending> found;
  const auto add = [&](std::string id, int weight, size_t at, std::string why,
                       std::string excerpt = {}) {
    Pending p{{std::move(id), weight, 0, std::move(excerpt), std::move(why)}, at};
    if (p.s.excerpt.empty()) p.s.excerpt = Excerpt(text, at);
    found.push_back(std::move(p));
  };
  const auto& E = h.ends;
  const auto has = [&](Feat f) { return !E[f].empty(); };
  constexpr size_t npos = std::string_view::npos;

  // Obfuscator signatures.
  bool obfuscated = false;
  if (has(kObfId)) {
    std::unordered_set<std::string_view> distinct;
    for (const size_t end : E[kObfId]) {
      size_t start = end;
      while (start > 0 && text[start - 1] != '_') --start;
      if (start > 0) distinct.insert(text.substr(start - 1, end - start + 1));
    }
    if (distinct.size() >= 20) {
      obfuscated = true;
      add("obfuscator-identifiers", distinct.size() >= 100 ? 6 : 5, E[kObfId].front(),
          fmt::format("{}{} distinct _0x… identifiers: javascript-obfuscator's naming",
                      distinct.size(), E[kObfId].size() >= kMaxEnds ? "+" : ""));
    }
  }
  if (const size_t at = After(E[kRotPushShift], E[kRotWhile], 2000); at != npos) {
    obfuscated = true;
    add("obfuscator-rotation", 6, at,
        "the string-array rotation loop of javascript-obfuscator: while(!![]) { "
        "...push(...shift()) }");
  }
  if (h.count[kHexStr] >= 30) {
    obfuscated = true;
    add("hex-string-table", 3, E[kHexStr].front(),
        fmt::format("{} string literals written only as \\x escapes", h.count[kHexStr]));
  }
  bool packed = false;
  if (has(kPacker)) {
    obfuscated = true;
    packed = true;  // eval of the unpacked string: execution too
    add("packer", 6, E[kPacker].front(),
        "eval(function(p,a,c,k,e,d)…): packed code unpacked and run by eval");
  }
  if (has(kCharChain)) {
    add("charcode-chain", 3, E[kCharChain].front(),
        "a string built from a long run of character codes, which hides it from grep");
  }

  // Execution of decoded strings.
  bool exec_decoded = packed;
  if (has(kHiddenRequire)) {
    exec_decoded = true;
    add("hidden-require", 4, E[kHiddenRequire].front(),
        "require() of a module name decoded at run time: hides what it loads (child_process)");
  }
  if (has(kExecDecoded)) {
    exec_decoded = true;
    add("exec-decoded", 10, E[kExecDecoded].front(),
        "code run straight from a decoder (eval/Function/vm/exec of atob, Buffer.from, "
        "String.fromCharCode): a hidden payload");
  }
  if (const size_t at = After(E[kExecIdent], E[kDecodeLiteral], 600);
      at != npos && !has(kExecDecoded)) {
    exec_decoded = true;
    add("exec-near-decoded", 10, at,
        "eval/new Function/vm run a variable holding a base64 literal decoded just before");
  } else if (const size_t near = After(E[kExecIdent], E[kDecoder], 600);
             near != npos && !has(kExecDecoded)) {
    exec_decoded = true;
    add("exec-near-decoded", 5, near,
        "eval/new Function/vm run a variable decoded just before (atob, base64/hex Buffer, "
        "fromCharCode)");
  }

  // child_process with a download, a temp path, chmod.
  const bool cp = has(kChildProc);
  if (cp) {
    add("child-process", 2, E[kChildProc].front(), "loads child_process: runs programs");
  }
  if (has(kDlCmd)) {
    add("download-command", 3, E[kDlCmd].front(), "a curl/wget command line with a URL");
  }
  if (cp && has(kDlApi)) {
    add("download-api", 1, E[kDlApi].front(),
        "downloads over HTTP(S) in a file that runs programs");
  }
  const size_t pipe = Near(E[kDlCmd], E[kPipeSh], 300);
  if (pipe != npos) add("pipe-to-shell", 3, pipe, "a download piped into a shell");
  std::string miner_path;
  if (has(kTmpLit)) {
    size_t at = E[kTmpLit].front();
    for (const size_t end : E[kTmpLit]) {
      const std::string_view path = TempPathAt(text, end);
      if (impl_->rules.miner_names.Match(Basename(path)) != nullptr) {
        miner_path = std::string(path);
        at = end;
        break;
      }
    }
    add("temp-path", 2, at, "a hard-coded path in /tmp, /var/tmp or /dev/shm");
    if (!miner_path.empty()) {
      add("miner-name", 6, at,
          fmt::format("{} is named like a miner or dropper payload of the rule pack", miner_path));
    }
  }
  if (has(kTempWrite)) add("temp-write", 2, E[kTempWrite].front(), "writes a file into a temp dir");
  if (has(kExecTemp)) add("exec-temp", 3, E[kExecTemp].front(), "runs a program from a temp dir");
  if (has(kChmod))
    add("chmod-exec", 2, E[kChmod].front(), "makes a file executable (chmod 755/777/+x)");
  if (cp) {
    // A download with, close to it, where it lands and how it is made runnable.
    const auto landing = Merge({&E[kTmpLit], &E[kChmod], &E[kExecTemp], &E[kTempWrite]});
    const auto temp = Merge({&E[kTmpLit], &E[kExecTemp], &E[kTempWrite]});
    size_t at = Near(E[kDlCmd], landing, 4096);
    if (at == npos && pipe != npos) at = pipe;
    if (at == npos) {
      const size_t d = Near(E[kDlApi], temp, 4096);
      if (d != npos && Near(std::vector<size_t>{d}, E[kChmod], 4096) != npos) at = d;
    }
    if (at != npos) {
      add("dropper-chain", 6, at,
          "child_process with a download and, next to it, a temp path, chmod or a pipe to a "
          "shell: download and run");
    }
  }

  // Hard-coded public IPv4 addresses.
  bool ip = false;
  for (const size_t end : E[kIp]) {
    const auto read = ReadIp(text, end);
    if (!read) continue;
    ip = true;
    add("public-ip", read->url ? 3 : 2, end,
        fmt::format("hard-coded public IPv4 address {}{}", read->ip, read->url ? " in a URL" : ""));
    break;
  }
  if (ip && (cp || exec_decoded || has(kDlCmd))) {
    add("ip-with-exec", 3, found.back().at,
        "a hard-coded address in code that downloads or runs programs");
  }

  // Miners.
  int miner_kinds = 0;
  if (has(kMinerTool)) {
    ++miner_kinds;
    add("miner-string", 4, E[kMinerTool].front(),
        "names a Monero miner (xmrig, xmr-stak, cpuminer)");
  }
  if (has(kStratum)) {
    ++miner_kinds;
    add("miner-pool", 8, E[kStratum].front(), "a stratum+tcp:// mining pool URL");
  }
  if (has(kDonate)) {
    ++miner_kinds;
    add("miner-string", 5, E[kDonate].front(), "--donate-level: an XMRig option");
  }
  if (has(kMinerWord)) {
    ++miner_kinds;
    add("miner-string", 4, E[kMinerWord].front(), "names a mining algorithm or web miner");
  }
  if (!h.pools.empty()) {
    ++miner_kinds;
    add("miner-pool", 6, h.pools.front().first,
        fmt::format("mining pool domain {} (rule pack)", impl_->pools[h.pools.front().second]));
  }
  if (!h.wallets.empty()) {
    ++miner_kinds;
    add("miner-wallet", 10, h.wallets.front().first,
        "a wallet of the rule pack, known from an intrusion");
  }
  for (const size_t end : E[kMoneroAddr]) {
    if (end < 95) continue;
    if (!ParseMoneroAddress(text.substr(end - 95, 95))) continue;
    ++miner_kinds;
    add("miner-wallet", 6, end, "a valid Monero address (checksum verified)");
    break;
  }
  if (miner_kinds >= 2) {
    add("miner-combination", 4, found.back().at, "several miner strings in one file");
  }
  if (miner_kinds >= 1 && cp) {
    add("miner-exec", 4, E[kChildProc].front(), "miner strings in code that runs programs");
  }
  if (obfuscated && (exec_decoded || cp)) {
    add("obfuscated-exec", 4, exec_decoded || !cp ? found.front().at : E[kChildProc].front(),
        "obfuscated code that runs programs or evaluates decoded strings");
  }

  int score = 0;
  for (const Pending& p : found) score += p.s.weight;
  if (score == 0) return 0;
  // Lines in one pass over the text, in offset order.
  std::sort(found.begin(), found.end(),
            [](const Pending& a, const Pending& b) { return a.at < b.at; });
  size_t pos = 0;
  int line = 1;
  for (Pending& p : found) {
    const size_t at = std::min(p.at, text.size());
    line += static_cast<int>(std::count(text.begin() + static_cast<ptrdiff_t>(pos),
                                        text.begin() + static_cast<ptrdiff_t>(at), '\n'));
    pos = at;
    p.s.line = line;
  }
  std::stable_sort(found.begin(), found.end(),
                   [](const Pending& a, const Pending& b) { return a.s.weight > b.s.weight; });
  if (found.size() > kMaxSignals) found.resize(kMaxSignals);
  for (Pending& p : found) signals.push_back(std::move(p.s));
  return score;
}

}  // namespace deminer
