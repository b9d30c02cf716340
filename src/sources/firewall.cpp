#include "sources/firewall.h"

#include <arpa/inet.h>
#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>

#include "core/strings.h"
#include "core/subprocess.h"
#include "sources/root_fs.h"

namespace deminer {

const FwChain* FwTable::Find(std::string_view chain) const {
  for (const FwChain& c : chains) {
    if (c.name == chain) return &c;
  }
  return nullptr;
}

size_t FwRuleset::RuleCount() const {
  size_t n = 0;
  for (const FwTable& t : tables) {
    for (const FwChain& c : t.chains) n += c.rules.size();
  }
  return n;
}

namespace {

using Json = nlohmann::json;

constexpr size_t kMaxRules = 100000;

std::string JoinValues(const std::vector<std::string>& v) {
  if (v.size() == 1) return v[0];
  return "{ " + Join(v, ", ") + " }";
}

std::string_view VerdictText(FwVerdict v) {
  switch (v) {
    case FwVerdict::kNone:
      return "";
    case FwVerdict::kAccept:
      return "accept";
    case FwVerdict::kDrop:
      return "drop";
    case FwVerdict::kReject:
      return "reject";
    case FwVerdict::kJump:
      return "jump";
    case FwVerdict::kGoto:
      return "goto";
    case FwVerdict::kReturn:
      return "return";
    case FwVerdict::kUnknown:
      return "(verdict not understood)";
  }
  return "";
}

void RenderRule(FwRule& r, std::string_view extra = "") {
  std::vector<std::string> parts;
  for (const FwMatch& m : r.matches) {
    if (!m.text.empty()) parts.push_back(m.text);
  }
  if (!extra.empty()) parts.emplace_back(extra);
  if (!r.dnat_to.empty()) parts.push_back("dnat to " + r.dnat_to);
  if (r.verdict != FwVerdict::kNone) {
    std::string v(VerdictText(r.verdict));
    if (!r.target.empty()) v += " " + r.target;
    parts.push_back(std::move(v));
  }
  r.text = Join(parts, " ");
}

// ---- nft -j ----

struct NftContext {
  // (family, table, set name) -> elements
  std::map<std::tuple<std::string, std::string, std::string>, Json> sets;
  std::string family, table;
};

// A scalar or set element as text: numbers, strings, prefixes, ranges.
std::optional<std::string> ElemText(const Json& e) {
  if (e.is_number_integer()) return std::to_string(e.get<int64_t>());
  if (e.is_string()) return e.get<std::string>();
  if (e.is_object() && e.contains("prefix")) {
    const Json& p = e["prefix"];
    if (p.is_object() && p.contains("addr") && p["addr"].is_string() && p.contains("len") &&
        p["len"].is_number_integer()) {
      return fmt::format("{}/{}", p["addr"].get<std::string>(), p["len"].get<int>());
    }
    return std::nullopt;
  }
  if (e.is_object() && e.contains("range") && e["range"].is_array() && e["range"].size() == 2) {
    auto a = ElemText(e["range"][0]);
    auto b = ElemText(e["range"][1]);
    if (a && b) return *a + "-" + *b;
    return std::nullopt;
  }
  if (e.is_object() && e.contains("elem") && e["elem"].is_object() && e["elem"].contains("val")) {
    return ElemText(e["elem"]["val"]);
  }
  return std::nullopt;
}

// The right-hand side of a match as a list of values; named sets resolved.
std::optional<std::vector<std::string>> RightValues(const Json& right, const NftContext& ctx) {
  std::vector<std::string> out;
  auto add_all = [&](const Json& arr) -> bool {
    for (const Json& e : arr) {
      auto t = ElemText(e);
      if (!t) return false;
      out.push_back(std::move(*t));
    }
    return true;
  };
  if (right.is_string() && right.get<std::string>().starts_with("@")) {
    auto it = ctx.sets.find({ctx.family, ctx.table, right.get<std::string>().substr(1)});
    if (it == ctx.sets.end() || !it->second.is_array() || !add_all(it->second)) return std::nullopt;
    return out;
  }
  if (right.is_array()) {
    if (!add_all(right)) return std::nullopt;
    return out;
  }
  if (right.is_object() && right.contains("set")) {
    const Json& s = right["set"];
    if (s.is_array()) {
      if (!add_all(s)) return std::nullopt;
    } else {
      auto t = ElemText(s);
      if (!t) return std::nullopt;
      out.push_back(std::move(*t));
    }
    return out;
  }
  auto t = ElemText(right);
  if (!t) return std::nullopt;
  out.push_back(std::move(*t));
  return out;
}

std::optional<std::vector<std::pair<uint16_t, uint16_t>>> PortRanges(
    const std::vector<std::string>& values) {
  std::vector<std::pair<uint16_t, uint16_t>> out;
  for (const std::string& v : values) {
    const size_t dash = v.find('-');
    auto a = ParseUint(std::string_view(v).substr(0, dash));
    auto b = dash == std::string::npos ? a : ParseUint(std::string_view(v).substr(dash + 1));
    if (!a || !b || *a > 65535 || *b > 65535 || *a > *b) return std::nullopt;
    out.emplace_back(static_cast<uint16_t>(*a), static_cast<uint16_t>(*b));
  }
  return out;
}

FwMatch Unknown(std::string text) {
  FwMatch m;
  m.text = std::move(text);
  return m;
}

// The matches one nft "match" expression stands for (an implied protocol or
// family match first, then the field itself).
std::vector<FwMatch> NftMatch(const Json& match, const NftContext& ctx) {
  std::vector<FwMatch> out;
  if (!match.is_object() || !match.contains("op") || !match.contains("left") ||
      !match.contains("right")) {
    out.push_back(Unknown("(match not understood)"));
    return out;
  }
  const std::string op = match["op"].is_string() ? match["op"].get<std::string>() : "";
  const Json& left = match["left"];
  const Json& right = match["right"];
  const bool negate = op == "!=";
  const bool eq = op == "==" || op == "in";
  auto values = RightValues(right, ctx);
  const std::string right_text =
      values ? JoinValues(*values) : (right.is_string() ? right.get<std::string>() : right.dump());
  const std::string op_text = negate ? "!= " : "";
  FwMatch m;
  m.negate = negate;
  if (values) m.values = *values;
  if (!eq && !negate) {
    out.push_back(Unknown(fmt::format("{} {} {}", left.dump(), op, right.dump())));
    return out;
  }
  if (!left.is_object()) {
    out.push_back(Unknown(left.dump()));
    return out;
  }
  if (left.contains("meta") && left["meta"].is_object() && left["meta"].contains("key")) {
    const std::string key =
        left["meta"]["key"].is_string() ? left["meta"]["key"].get<std::string>() : "";
    m.text = fmt::format("meta {} {}{}", key, op_text, right_text);
    if (key == "iifname" || key == "iif") {
      m.field = FwField::kIif;
      m.text = fmt::format("{} {}{}", key, op_text, right_text);
    } else if (key == "oifname" || key == "oif") {
      m.field = FwField::kOif;
      m.text = fmt::format("{} {}{}", key, op_text, right_text);
    } else if (key == "l4proto") {
      m.field = FwField::kL4proto;
    } else if (key == "nfproto") {
      m.field = FwField::kNfproto;
    }
    if (m.field != FwField::kUnknown && !values) m.field = FwField::kUnknown;
    out.push_back(std::move(m));
    return out;
  }
  if (left.contains("payload") && left["payload"].is_object()) {
    const Json& pl = left["payload"];
    const std::string proto = pl.value("protocol", "");
    const std::string field = pl.value("field", "");
    m.text = fmt::format("{} {} {}{}", proto, field, op_text, right_text);
    if (proto == "ip" || proto == "ip6") {
      const int fam = proto == "ip" ? 4 : 6;
      FwMatch f;
      f.field = FwField::kNfproto;
      f.family = fam;
      f.values = {proto == "ip" ? "ipv4" : "ipv6"};
      out.push_back(std::move(f));
      m.family = fam;
      if (field == "saddr") m.field = FwField::kSaddr;
      if (field == "daddr") m.field = FwField::kDaddr;
      if (field == "protocol" || field == "nexthdr") m.field = FwField::kL4proto;
    } else if (!proto.empty() && proto != "th") {
      // tcp, udp, icmp, sctp...: only packets of that protocol have the field.
      FwMatch p;
      p.field = FwField::kL4proto;
      p.values = {proto};
      out.push_back(std::move(p));
      if ((proto == "tcp" || proto == "udp") && field == "dport") {
        m.field = FwField::kDport;
        m.proto = proto;
      }
    } else if (proto == "th" && field == "dport") {
      m.field = FwField::kDport;
    }
    if (m.field == FwField::kDport) {
      auto ranges = values ? PortRanges(*values) : std::nullopt;
      if (ranges) {
        m.ports = *ranges;
      } else {
        m.field = FwField::kUnknown;
      }
    }
    if (m.field != FwField::kUnknown && !values) m.field = FwField::kUnknown;
    out.push_back(std::move(m));
    return out;
  }
  if (left.contains("ct") && left["ct"].is_object()) {
    const std::string key = left["ct"].value("key", "");
    m.text = fmt::format("ct {} {}{}", key, op_text, right_text);
    if (key == "state" && values) m.field = FwField::kCtState;
    out.push_back(std::move(m));
    return out;
  }
  if (left.contains("fib") && left["fib"].is_object()) {
    const Json& fib = left["fib"];
    const bool daddr =
        fib.contains("flags") && fib["flags"].is_array() &&
        std::find(fib["flags"].begin(), fib["flags"].end(), "daddr") != fib["flags"].end();
    m.text = fmt::format("fib daddr type {}{}", op_text, right_text);
    if (daddr && fib.value("result", "") == "type" && values && values->size() == 1 &&
        (*values)[0] == "local") {
      m.field = FwField::kLocalDest;
    }
    out.push_back(std::move(m));
    return out;
  }
  out.push_back(Unknown(fmt::format("{} {} {}", left.dump(), op, right.dump())));
  return out;
}

std::optional<std::pair<FwVerdict, std::string>> NftVerdict(const std::string& key, const Json& v) {
  if (key == "accept") return std::pair{FwVerdict::kAccept, std::string()};
  if (key == "drop") return std::pair{FwVerdict::kDrop, std::string()};
  if (key == "reject") return std::pair{FwVerdict::kReject, std::string()};
  if (key == "return") return std::pair{FwVerdict::kReturn, std::string()};
  if (key == "continue") return std::pair{FwVerdict::kNone, std::string()};
  if (key == "jump" || key == "goto") {
    std::string target = v.is_object() && v.contains("target") && v["target"].is_string()
                             ? v["target"].get<std::string>()
                             : "";
    return std::pair{key == "jump" ? FwVerdict::kJump : FwVerdict::kGoto, target};
  }
  if (key == "queue") return std::pair{FwVerdict::kUnknown, std::string()};
  return std::nullopt;
}

// One nft rule; a verdict map becomes one rule per entry.
std::vector<FwRule> NftRule(const Json& rule, const NftContext& ctx, bool& xt) {
  FwRule r;
  if (rule.contains("handle") && rule["handle"].is_number_integer()) {
    r.handle = fmt::format("handle {}", rule["handle"].get<int64_t>());
  }
  const Json empty = Json::array();
  const Json& exprs = rule.contains("expr") && rule["expr"].is_array() ? rule["expr"] : empty;
  for (const Json& e : exprs) {
    if (!e.is_object() || e.empty()) continue;
    const std::string key = e.begin().key();
    const Json& v = e.begin().value();
    if (key == "match") {
      for (FwMatch& m : NftMatch(v, ctx)) r.matches.push_back(std::move(m));
    } else if (auto verdict = NftVerdict(key, v)) {
      r.verdict = verdict->first;
      r.target = verdict->second;
      if (key == "reject" || key == "accept" || key == "drop" || key == "return" || key == "jump" ||
          key == "goto" || key == "queue") {
        break;
      }
    } else if (key == "dnat") {
      std::string addr =
          v.is_object() && v.contains("addr") ? ElemText(v["addr"]).value_or("?") : "";
      if (v.is_object() && v.contains("port") && v["port"].is_number_integer()) {
        const bool v6 = addr.find(':') != std::string::npos;
        addr = v6 ? fmt::format("[{}]:{}", addr, v["port"].get<int>())
                  : fmt::format("{}:{}", addr, v["port"].get<int>());
      }
      r.dnat_to = addr.empty() ? "?" : addr;
    } else if (key == "xt") {
      xt = true;
      const std::string type = v.is_object() ? v.value("type", "") : "";
      const std::string name = v.is_object() ? v.value("name", "") : "";
      if (type == "match") {
        r.matches.push_back(Unknown(fmt::format("xt match {}", name)));
      } else if (name == "REJECT") {
        r.verdict = FwVerdict::kReject;
      } else if (name == "DNAT") {
        r.dnat_to = "?";
      } else if (name != "LOG" && name != "MASQUERADE" && name != "SNAT" && name != "MARK" &&
                 name != "CONNMARK" && name != "TCPMSS" && name != "CT" && name != "NOTRACK" &&
                 name != "CHECKSUM" && name != "NFLOG") {
        r.verdict = FwVerdict::kUnknown;
        r.target = "xt target " + name;
      }
    } else if (key == "vmap") {
      // ct state vmap { ... } and tcp dport vmap { ... }: one rule per entry.
      if (!v.is_object() || !v.contains("key") || !v.contains("data")) {
        r.verdict = FwVerdict::kUnknown;
        break;
      }
      std::vector<FwMatch> key_matches =
          NftMatch(Json{{"op", "=="}, {"left", v["key"]}, {"right", 0}}, ctx);
      const Json* entries = nullptr;
      if (v["data"].is_object() && v["data"].contains("set") && v["data"]["set"].is_array()) {
        entries = &v["data"]["set"];
      }
      if (entries == nullptr || key_matches.empty()) {
        r.verdict = FwVerdict::kUnknown;
        r.target = "vmap";
        break;
      }
      std::vector<FwRule> out;
      for (const Json& entry : *entries) {
        if (!entry.is_array() || entry.size() != 2 || !entry[1].is_object() || entry[1].empty())
          continue;
        FwRule each = r;
        std::vector<FwMatch> ms =
            NftMatch(Json{{"op", "=="}, {"left", v["key"]}, {"right", entry[0]}}, ctx);
        for (FwMatch& m : ms) each.matches.push_back(std::move(m));
        auto entry_verdict = NftVerdict(entry[1].begin().key(), entry[1].begin().value());
        each.verdict = entry_verdict ? entry_verdict->first : FwVerdict::kUnknown;
        if (entry_verdict) each.target = entry_verdict->second;
        RenderRule(each);
        out.push_back(std::move(each));
      }
      return out;
    } else if (key == "counter" || key == "log" || key == "mangle" || key == "notrack" ||
               key == "masquerade" || key == "snat" || key == "redirect" || key == "set" ||
               key == "ct helper" || key == "comment") {
      // statements that do not decide whether the packet passes
    } else {
      // limit, quota, meter...: act like a match the evaluator cannot judge.
      r.matches.push_back(Unknown(key));
    }
  }
  RenderRule(r);
  return {std::move(r)};
}

// ---- iptables-save ----

// Shell-like words: "..." with backslash escapes, as iptables-save quotes comments.
std::optional<std::vector<std::string>> Words(std::string_view line) {
  std::vector<std::string> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
    if (i >= line.size()) break;
    std::string w;
    bool quoted = false;
    while (i < line.size()) {
      const char c = line[i];
      if (quoted) {
        if (c == '\\' && i + 1 < line.size()) {
          w += line[i + 1];
          i += 2;
          continue;
        }
        if (c == '"')
          quoted = false;
        else
          w += c;
        ++i;
        continue;
      }
      if (c == ' ' || c == '\t' || c == '\r') break;
      if (c == '"')
        quoted = true;
      else
        w += c;
      ++i;
    }
    if (quoted) return std::nullopt;
    out.push_back(std::move(w));
  }
  return out;
}

struct Builtin {
  std::string_view table, chain, type;
  int priority;
};
constexpr Builtin kBuiltins[] = {
    {"raw", "PREROUTING", "filter", -300},
    {"raw", "OUTPUT", "filter", -300},
    {"mangle", "PREROUTING", "filter", -150},
    {"mangle", "INPUT", "filter", -150},
    {"mangle", "FORWARD", "filter", -150},
    {"mangle", "OUTPUT", "route", -150},
    {"mangle", "POSTROUTING", "filter", -150},
    {"nat", "PREROUTING", "nat", -100},
    {"nat", "INPUT", "nat", 100},
    {"nat", "OUTPUT", "nat", -100},
    {"nat", "POSTROUTING", "nat", 100},
    {"filter", "INPUT", "filter", 0},
    {"filter", "FORWARD", "filter", 0},
    {"filter", "OUTPUT", "filter", 0},
    {"security", "INPUT", "filter", 50},
    {"security", "FORWARD", "filter", 50},
    {"security", "OUTPUT", "filter", 50},
};

std::vector<std::string> CommaList(const std::string& s) {
  std::vector<std::string> out;
  for (std::string_view p : Split(s, ',')) out.emplace_back(p);
  return out;
}

std::string LowerState(const std::string& s) {
  std::vector<std::string> v = CommaList(ToLower(s));
  return Join(v, ",");
}

// The options of one -A line after the chain name.
Expected<FwRule> IptablesRule(const std::vector<std::string>& w, size_t start, int family,
                              const FwTable& table) {
  FwRule r;
  bool negate = false;
  std::string module;  // the last -m
  std::string proto;   // -p
  std::vector<std::string> shown;
  auto need = [&](size_t i) -> Expected<std::string> {
    if (i + 1 >= w.size()) return Fail(Error::InvalidInput(fmt::format("{} needs a value", w[i])));
    return w[i + 1];
  };
  for (size_t i = start; i < w.size(); ++i) {
    const std::string& o = w[i];
    if (o == "!") {
      negate = true;
      continue;
    }
    if (o.starts_with("[") && o.ends_with("]")) continue;  // -c counters
    FwMatch m;
    m.negate = negate;
    const std::string bang = negate ? "! " : "";
    negate = false;
    if (o == "-p" || o == "--protocol") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      proto = ToLower(*v);
      m.field = FwField::kL4proto;
      m.values = {proto};
      m.text = fmt::format("{}-p {}", bang, *v);
      if (proto == "all" || proto == "0") continue;
    } else if (o == "-s" || o == "--source" || o == "-d" || o == "--destination") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      m.field = (o == "-s" || o == "--source") ? FwField::kSaddr : FwField::kDaddr;
      m.family = family;
      m.values = CommaList(*v);
      m.text = fmt::format("{}{} {}", bang, o, *v);
    } else if (o == "-i" || o == "--in-interface" || o == "-o" || o == "--out-interface") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      m.field = (o == "-i" || o == "--in-interface") ? FwField::kIif : FwField::kOif;
      m.values = {*v};
      m.text = fmt::format("{}{} {}", bang, o, *v);
    } else if (o == "-m" || o == "--match") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      module = *v;
      if (module == "tcp" || module == "udp" || module == "multiport" || module == "state" ||
          module == "conntrack" || module == "comment" || module == "addrtype") {
        continue;
      }
      // A module the evaluator does not know: one unknown match with its options.
      std::string text = "-m " + module;
      while (i + 1 < w.size() && w[i + 1].starts_with("--")) {
        text += " " + w[++i];
        if (i + 1 < w.size() && !w[i + 1].starts_with("-")) text += " " + w[++i];
      }
      r.matches.push_back(Unknown(text));
      continue;
    } else if (o == "--dport" || o == "--destination-port" || o == "--dports" ||
               o == "--destination-ports" || o == "--ports") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      std::vector<std::string> parts = CommaList(*v);
      for (std::string& p : parts) std::replace(p.begin(), p.end(), ':', '-');
      auto ranges = PortRanges(parts);
      m.text = fmt::format("{}{} {}", bang, o, *v);
      if (!ranges || o == "--ports") {
        r.matches.push_back(Unknown(m.text));
        continue;
      }
      m.field = FwField::kDport;
      m.proto = (proto == "tcp" || proto == "udp")     ? proto
                : (module == "tcp" || module == "udp") ? module
                                                       : "";
      m.ports = *ranges;
    } else if (o == "--state" || o == "--ctstate") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      m.field = FwField::kCtState;
      m.values = CommaList(LowerState(*v));
      m.text = fmt::format("{}{} {}", bang, o, *v);
    } else if (o == "--comment") {
      ++i;
      continue;
    } else if (o == "--dst-type" && module == "addrtype") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      m.text = fmt::format("{}--dst-type {}", bang, *v);
      if (*v == "LOCAL") m.field = FwField::kLocalDest;
    } else if (o == "-j" || o == "--jump" || o == "-g" || o == "--goto") {
      auto v = need(i);
      if (!v) return Fail(v.error());
      ++i;
      const std::string& t = *v;
      if (o == "-g" || o == "--goto") {
        r.verdict = FwVerdict::kGoto;
        r.target = t;
      } else if (t == "ACCEPT") {
        r.verdict = FwVerdict::kAccept;
      } else if (t == "DROP") {
        r.verdict = FwVerdict::kDrop;
      } else if (t == "REJECT") {
        r.verdict = FwVerdict::kReject;
      } else if (t == "RETURN") {
        r.verdict = FwVerdict::kReturn;
      } else if (table.Find(t) != nullptr) {
        r.verdict = FwVerdict::kJump;
        r.target = t;
      } else if (t == "DNAT") {
        r.dnat_to = "?";
      } else if (t == "LOG" || t == "MASQUERADE" || t == "SNAT" || t == "MARK" || t == "CONNMARK" ||
                 t == "TCPMSS" || t == "CT" || t == "NOTRACK" || t == "CHECKSUM" || t == "NFLOG" ||
                 t == "REDIRECT") {
        // does not decide whether the packet passes
      } else {
        r.verdict = FwVerdict::kUnknown;
        r.target = t;
      }
      // The target's own options.
      while (i + 1 < w.size() && w[i + 1].starts_with("--")) {
        const std::string& opt = w[++i];
        if (i + 1 < w.size() && !w[i + 1].starts_with("--")) {
          const std::string& val = w[++i];
          if (t == "DNAT" && opt == "--to-destination") r.dnat_to = val;
        }
      }
      continue;
    } else {
      // Options of known modules the evaluator ignores (--sport, --tcp-flags...),
      // and anything else: unknown, with its value when it has one.
      std::string text = bang + o;
      while (i + 1 < w.size() && !w[i + 1].starts_with("-") && w[i + 1] != "!")
        text += " " + w[++i];
      r.matches.push_back(Unknown(text));
      continue;
    }
    r.matches.push_back(std::move(m));
  }
  return r;
}

// ---- evaluation ----

enum class Tri { kNo, kYes, kSome, kUnknown };

std::optional<std::array<uint8_t, 16>> ParseIp(std::string_view s, int& family) {
  std::array<uint8_t, 16> b{};
  const std::string str(s);
  if (inet_pton(AF_INET, str.c_str(), b.data()) == 1) {
    family = 4;
    return b;
  }
  if (inet_pton(AF_INET6, str.c_str(), b.data()) == 1) {
    family = 6;
    return b;
  }
  return std::nullopt;
}

// Whether `addr` is in `prefix` ("10.0.0.0/8", "10.0.0.1", "10.0.0.0/255.0.0.0"
// is not supported and gives nullopt).
std::optional<bool> InPrefix(std::string_view prefix, std::string_view addr) {
  const size_t slash = prefix.find('/');
  int pf = 0, af = 0;
  auto p = ParseIp(prefix.substr(0, slash), pf);
  auto a = ParseIp(addr, af);
  if (!p || !a) return std::nullopt;
  if (pf != af) return false;
  const int max = pf == 4 ? 32 : 128;
  int len = max;
  if (slash != std::string_view::npos) {
    auto l = ParseUint(prefix.substr(slash + 1));
    if (!l || *l > static_cast<uint64_t>(max)) return std::nullopt;
    len = static_cast<int>(*l);
  }
  for (int bit = 0; bit < len; ++bit) {
    const int byte = bit / 8, mask = 0x80 >> (bit % 8);
    if (((*p)[byte] & mask) != ((*a)[byte] & mask)) return false;
  }
  return true;
}

bool IsAnyPrefix(std::string_view v) { return v == "0.0.0.0/0" || v == "::/0"; }

// Addresses a packet from another host to this host's own address is never sent to.
bool NotAUnicastHostAddress(std::string_view v) {
  for (std::string_view special :
       {"224.0.0.0/4", "255.255.255.255/32", "ff00::/8", "127.0.0.0/8", "::1/128"}) {
    const size_t slash = v.find('/');
    const std::string_view a = v.substr(0, slash);
    if (InPrefix(special, a).value_or(false)) {
      // the whole prefix must lie inside the special range
      const size_t ss = special.find('/');
      auto plen = slash == std::string_view::npos
                      ? std::optional<uint64_t>(a.find(':') == std::string_view::npos ? 32 : 128)
                      : ParseUint(v.substr(slash + 1));
      auto slen = ParseUint(special.substr(ss + 1));
      if (plen && slen && *plen >= *slen) return true;
    }
  }
  return v == "255.255.255.255";
}

std::string ProtoName(const std::string& p) {
  if (p == "6") return "tcp";
  if (p == "17") return "udp";
  return ToLower(p);
}

bool BridgeLike(std::string_view name) {
  return name.starts_with("docker") || name.starts_with("br-") || name.starts_with("podman") ||
         name.starts_with("cni") || name.starts_with("veth") || name.starts_with("virbr");
}

Tri EvalMatch(const FwMatch& m, const FwPacket& p, std::string& source) {
  auto flip = [&](Tri t) {
    if (!m.negate) return t;
    if (t == Tri::kYes) return Tri::kNo;
    if (t == Tri::kNo) return Tri::kYes;
    return t;
  };
  switch (m.field) {
    case FwField::kUnknown:
      return Tri::kUnknown;
    case FwField::kNfproto: {
      int fam = m.family;
      if (fam == 0 && !m.values.empty())
        fam = m.values[0] == "ipv6" ? 6 : m.values[0] == "ipv4" ? 4 : 0;
      if (fam == 0) return Tri::kUnknown;
      return flip(fam == p.family ? Tri::kYes : Tri::kNo);
    }
    case FwField::kL4proto: {
      bool any = false;
      for (const std::string& v : m.values) {
        const std::string n = ProtoName(v);
        if (n == p.proto || n == "all" || n == "0") any = true;
      }
      if (m.family != 0 && m.family != p.family) return Tri::kNo;
      return flip(any ? Tri::kYes : Tri::kNo);
    }
    case FwField::kDport: {
      if (!m.proto.empty() && m.proto != p.proto) return Tri::kNo;
      bool in = false;
      for (const auto& [a, b] : m.ports) in = in || (p.port >= a && p.port <= b);
      return flip(in ? Tri::kYes : Tri::kNo);
    }
    case FwField::kCtState: {
      const bool is_new = std::find(m.values.begin(), m.values.end(), "new") != m.values.end();
      return flip(is_new ? Tri::kYes : Tri::kNo);
    }
    case FwField::kLocalDest:
      return flip(p.forwarded ? Tri::kNo : Tri::kYes);
    case FwField::kIif: {
      bool lo = false, bridge = false, other = false;
      for (const std::string& v : m.values) {
        if (v == "lo")
          lo = true;
        else if (BridgeLike(v))
          bridge = true;
        else
          other = true;
      }
      if (m.negate) return Tri::kYes;  // a packet from another host comes in on its own interface
      if (other) {
        source = m.text;
        return Tri::kSome;
      }
      (void)lo;
      (void)bridge;
      return Tri::kNo;
    }
    case FwField::kOif:
      if (!p.forwarded) return flip(Tri::kNo);  // no output interface on input
      return flip(Tri::kYes);                   // forwarded to the container's bridge
    case FwField::kSaddr: {
      if (m.family != 0 && m.family != p.family) return Tri::kNo;
      for (const std::string& v : m.values) {
        if (IsAnyPrefix(v)) return flip(Tri::kYes);
      }
      if (m.negate) return Tri::kYes;  // most other hosts are not in it
      source = Join(m.values, ", ");
      return Tri::kSome;
    }
    case FwField::kDaddr: {
      if (m.family != 0 && m.family != p.family) return Tri::kNo;
      bool any = false;
      for (const std::string& v : m.values) any = any || IsAnyPrefix(v);
      if (any) return flip(Tri::kYes);
      if (!p.daddr.empty()) {
        bool in = false;
        for (const std::string& v : m.values) {
          auto r = InPrefix(v, p.daddr);
          if (!r) return Tri::kUnknown;
          in = in || *r;
        }
        return flip(in ? Tri::kYes : Tri::kNo);
      }
      // Bound to every address: a packet from another host is to a unicast address of this host.
      const bool special = std::all_of(m.values.begin(), m.values.end(), NotAUnicastHostAddress);
      if (special) return flip(Tri::kNo);
      return Tri::kUnknown;
    }
  }
  return Tri::kUnknown;
}

Tri EvalRule(const FwRule& r, const FwPacket& p, std::vector<std::string>& sources) {
  bool unknown = false, some = false;
  std::vector<std::string> local;
  for (const FwMatch& m : r.matches) {
    std::string src;
    const Tri t = EvalMatch(m, p, src);
    if (t == Tri::kNo) return Tri::kNo;
    if (t == Tri::kUnknown) unknown = true;
    if (t == Tri::kSome) {
      some = true;
      local.push_back(src);
    }
  }
  if (unknown) return Tri::kUnknown;
  if (some) {
    sources.insert(sources.end(), local.begin(), local.end());
    return Tri::kSome;
  }
  return Tri::kYes;
}

struct ChainResult {
  FwPass pass = FwPass::kUnknown;  // kAccept, kDrop or kUnknown
  std::string reason;
};

class Walker {
 public:
  Walker(const FwTable& table, const FwChain& base, const FwPacket& packet)
      : table_(table), base_(base), packet_(packet) {}

  std::vector<std::string> sources;

  ChainResult Run() { return Walk({{&base_, 0}}, false); }

 private:
  struct Frame {
    const FwChain* chain;
    size_t next;
  };

  std::string Where(const FwChain& c, const FwRule& r) const {
    return fmt::format("{} {} {} {} {}: {}", table_.backend, table_.family, table_.name, c.name,
                       r.handle, r.text);
  }

  ChainResult Policy() const {
    const bool drop = base_.policy == "drop";
    return {drop ? FwPass::kDrop : FwPass::kAccept,
            fmt::format("{} {} {} {}: policy {}", table_.backend, table_.family, table_.name,
                        base_.name, drop ? "drop" : "accept")};
  }

  // Walks from the top frame on; `force` treats the next rule as matching
  // (the "matched" branch of a rule whose match is not understood).
  ChainResult Walk(std::vector<Frame> stack, bool force) {
    while (true) {
      if (stack.empty()) return Policy();
      Frame& f = stack.back();
      if (f.next >= f.chain->rules.size()) {
        stack.pop_back();
        continue;
      }
      const FwRule& r = f.chain->rules[f.next++];
      if (++steps_ > 5000) return {FwPass::kUnknown, "too many rules to follow"};
      Tri t = Tri::kYes;
      if (force) {
        force = false;
      } else {
        std::vector<std::string> src;
        t = EvalRule(r, packet_, src);
        if (t == Tri::kSome && r.verdict == FwVerdict::kAccept) {
          for (std::string& s : src) sources.push_back(s + " (" + Where(*f.chain, r) + ")");
        }
      }
      if (t == Tri::kNo || t == Tri::kSome || r.verdict == FwVerdict::kNone) continue;
      if (t == Tri::kUnknown) {
        if (++forks_ > 32) return {FwPass::kUnknown, Where(*f.chain, r) + " (not understood)"};
        std::vector<Frame> copy = stack;
        copy.back().next--;
        ChainResult matched = Walk(copy, true);
        ChainResult unmatched = Walk(stack, false);
        if (matched.pass == unmatched.pass) return unmatched;
        return {FwPass::kUnknown,
                fmt::format("{} decides it, and the evaluator cannot tell whether it matches",
                            Where(*f.chain, r))};
      }
      switch (r.verdict) {
        case FwVerdict::kAccept:
          return {FwPass::kAccept, Where(*f.chain, r)};
        case FwVerdict::kDrop:
        case FwVerdict::kReject:
          return {FwPass::kDrop, Where(*f.chain, r)};
        case FwVerdict::kReturn:
          stack.pop_back();
          break;
        case FwVerdict::kJump:
        case FwVerdict::kGoto: {
          const FwChain* target = table_.Find(r.target);
          if (target == nullptr || stack.size() > 16) {
            return {FwPass::kUnknown, Where(*f.chain, r) + " (target chain not found or too deep)"};
          }
          if (r.verdict == FwVerdict::kGoto) stack.pop_back();
          stack.push_back({target, 0});
          break;
        }
        case FwVerdict::kNone:
          break;
        case FwVerdict::kUnknown:
          return {FwPass::kUnknown, Where(*f.chain, r) + " (verdict not understood)"};
      }
    }
  }

  const FwTable& table_;
  const FwChain& base_;
  const FwPacket& packet_;
  int steps_ = 0;
  int forks_ = 0;
};

FwOutcome Combine(const std::vector<FwOutcome>& parts, std::string none_reason) {
  FwOutcome out;
  for (const FwOutcome& p : parts) out.filtered_any = out.filtered_any || p.filtered_any;
  for (FwPass want : {FwPass::kDrop, FwPass::kUnknown, FwPass::kSome}) {
    for (const FwOutcome& p : parts) {
      if (p.pass != want) continue;
      out.pass = want;
      out.reason = p.reason;
      if (want == FwPass::kSome) {
        for (const FwOutcome& q : parts) {
          if (q.pass == FwPass::kSome)
            out.sources.insert(out.sources.end(), q.sources.begin(), q.sources.end());
        }
      }
      return out;
    }
  }
  out.pass = FwPass::kAccept;
  std::vector<std::string> reasons;
  for (const FwOutcome& p : parts) reasons.push_back(p.reason);
  out.reason = reasons.empty() ? std::move(none_reason) : Join(reasons, "; ");
  return out;
}

// ---- files ----

std::optional<std::string> ReadUnder(const RootFs& fs, const std::string& path) {
  auto text = fs.Read(path, size_t{4} << 20);
  if (!text) return std::nullopt;
  return *text;
}

bool ExistsUnder(const RootFs& fs, const std::string& path) { return fs.Lstat(path).has_value(); }

std::optional<std::string> FindTool(const std::vector<std::string>& names) {
  for (const std::string& n : names) {
    for (const char* dir : {"/usr/sbin/", "/sbin/", "/usr/bin/", "/bin/"}) {
      const std::string p = dir + n;
      if (access(p.c_str(), X_OK) == 0) return p;
    }
  }
  return std::nullopt;
}

// Runs an iptables-save flavour and parses both families into `out`.
bool ReadSave(const std::string& tool, int family, std::string_view backend, FwRuleset& out,
              std::vector<Gap>& gaps, bool* was_nft = nullptr) {
  auto r = RunTool({tool});
  if (!r || r->exit_code != 0) {
    gaps.push_back({fmt::format("{} rules", tool),
                    r ? Trim(r->err).empty() ? "exit status " + std::to_string(r->exit_code)
                                             : std::string(Trim(r->err))
                      : r.error().message(),
                    "root (CAP_NET_ADMIN)"});
    return false;
  }
  if (was_nft != nullptr) *was_nft = r->out.find("(nf_tables)") != std::string::npos;
  if (was_nft != nullptr && *was_nft) return false;
  auto rs = ParseIptablesSave(r->out, family, backend);
  if (!rs) {
    gaps.push_back({fmt::format("{} rules", tool), rs.error().message(), ""});
    return false;
  }
  for (FwTable& t : rs->tables) out.tables.push_back(std::move(t));
  return true;
}

}  // namespace

Expected<FwRuleset> ParseNftJson(std::string_view text) {
  Json doc;
  try {
    doc = Json::parse(text);
  } catch (const Json::exception& e) {
    return Fail(Error::InvalidInput(fmt::format("nft JSON: {}", e.what())));
  }
  if (!doc.is_object() || !doc.contains("nftables") || !doc["nftables"].is_array()) {
    return Fail(Error::InvalidInput("nft JSON: no \"nftables\" array"));
  }
  FwRuleset rs;
  NftContext ctx;
  std::map<std::pair<std::string, std::string>, size_t> table_index;
  auto table_of = [&](const Json& o) -> FwTable* {
    const std::string family = o.value("family", "");
    const std::string name = o.value("table", o.value("name", ""));
    auto it = table_index.find({family, name});
    if (it == table_index.end()) {
      table_index[{family, name}] = rs.tables.size();
      rs.tables.push_back({family, name, "nftables", {}});
      return &rs.tables.back();
    }
    return &rs.tables[it->second];
  };
  try {
    size_t rules = 0;
    for (const Json& item : doc["nftables"]) {
      if (!item.is_object() || item.empty()) continue;
      const std::string kind = item.begin().key();
      const Json& o = item.begin().value();
      if (!o.is_object()) continue;
      if (kind == "table") {
        table_of(o);
      } else if (kind == "set" || kind == "map") {
        if (o.contains("elem")) {
          ctx.sets[{o.value("family", ""), o.value("table", ""), o.value("name", "")}] = o["elem"];
        }
      } else if (kind == "chain") {
        FwTable* t = table_of(o);
        FwChain c;
        c.name = o.value("name", "");
        if (o.contains("hook")) {
          c.base = true;
          c.type = o.value("type", "filter");
          c.hook = o.value("hook", "");
          c.priority =
              o.contains("prio") && o["prio"].is_number_integer() ? o["prio"].get<int>() : 0;
          c.policy = o.value("policy", "accept");
        }
        t->chains.push_back(std::move(c));
      } else if (kind == "rule") {
        if (++rules > kMaxRules) return Fail(Error::InvalidInput("nft JSON: too many rules"));
        FwTable* t = table_of(o);
        const std::string chain = o.value("chain", "");
        FwChain* c = nullptr;
        for (FwChain& each : t->chains) {
          if (each.name == chain) c = &each;
        }
        if (c == nullptr) {
          t->chains.push_back({chain, false, "", "", 0, "", {}});
          c = &t->chains.back();
        }
        ctx.family = t->family;
        ctx.table = t->name;
        bool xt = false;
        for (FwRule& r : NftRule(o, ctx, xt)) c->rules.push_back(std::move(r));
        if (xt) t->backend = "iptables-nft";
      }
    }
  } catch (const Json::exception& e) {
    return Fail(Error::InvalidInput(fmt::format("nft JSON: {}", e.what())));
  }
  return rs;
}

// Hand-written: no library parses iptables-save output (libiptc reads the
// kernel's legacy tables, not text, and does not know iptables-nft), and the
// format is line-based and small: *table, :CHAIN POLICY [counters], -A CHAIN
// options, COMMIT.
Expected<FwRuleset> ParseIptablesSave(std::string_view text, int family, std::string_view backend) {
  FwRuleset rs;
  FwTable* table = nullptr;
  size_t line_no = 0, rules = 0;
  bool any = false;
  for (std::string_view raw : Split(text, '\n')) {
    ++line_no;
    const std::string_view line = Trim(raw);
    if (line.empty() || line.starts_with("#")) continue;
    if (line.starts_with("*")) {
      rs.tables.push_back(
          {family == 6 ? "ip6" : "ip", std::string(line.substr(1)), std::string(backend), {}});
      table = &rs.tables.back();
      any = true;
      continue;
    }
    if (line == "COMMIT") {
      table = nullptr;
      continue;
    }
    if (table == nullptr) {
      return Fail(Error::InvalidInput(fmt::format("line {}: not iptables-save output", line_no)));
    }
    if (line.starts_with(":")) {
      auto w = Words(line.substr(1));
      if (!w || w->empty())
        return Fail(Error::InvalidInput(fmt::format("line {}: bad chain", line_no)));
      FwChain c;
      c.name = (*w)[0];
      const std::string policy = w->size() > 1 ? ToLower((*w)[1]) : "-";
      for (const Builtin& b : kBuiltins) {
        if (b.table == table->name && b.chain == c.name) {
          c.base = true;
          c.type = b.type;
          c.hook = ToLower(c.name);
          c.priority = b.priority;
          c.policy = policy == "drop" ? "drop" : "accept";
        }
      }
      table->chains.push_back(std::move(c));
      continue;
    }
    if (line.starts_with("-A ") || line.starts_with("-I ")) {
      if (++rules > kMaxRules) return Fail(Error::InvalidInput("too many rules"));
      auto w = Words(line);
      if (!w || w->size() < 2)
        return Fail(Error::InvalidInput(fmt::format("line {}: bad rule", line_no)));
      FwChain* chain = nullptr;
      for (FwChain& c : table->chains) {
        if (c.name == (*w)[1]) chain = &c;
      }
      if (chain == nullptr) {
        table->chains.push_back({(*w)[1], false, "", "", 0, "", {}});
        chain = &table->chains.back();
      }
      auto r = IptablesRule(*w, 2, family, *table);
      if (!r)
        return Fail(Error::InvalidInput(fmt::format("line {}: {}", line_no, r.error().message())));
      r->handle = fmt::format("line {}", line_no);
      r->text = std::string(line.substr(3 + (*w)[1].size()));
      r->text = std::string(Trim(r->text));
      chain->rules.push_back(std::move(*r));
      continue;
    }
    return Fail(Error::InvalidInput(fmt::format("line {}: not iptables-save output", line_no)));
  }
  (void)any;  // only comments, or nothing: an empty rule set
  return rs;
}

std::vector<PublishedPort> FindPublishedPorts(const FwRuleset& rs) {
  std::vector<PublishedPort> out;
  for (const FwTable& t : rs.tables) {
    for (const FwChain& c : t.chains) {
      for (const FwRule& r : c.rules) {
        if (r.dnat_to.empty()) continue;
        PublishedPort p;
        bool ok = true;
        for (const FwMatch& m : r.matches) {
          if (m.field == FwField::kDport && !m.negate && m.ports.size() == 1 &&
              m.ports[0].first == m.ports[0].second) {
            p.host_port = m.ports[0].first;
            if (!m.proto.empty()) p.proto = m.proto;
          } else if (m.field == FwField::kL4proto && !m.negate && m.values.size() == 1) {
            p.proto = ProtoName(m.values[0]);
          } else if (m.field == FwField::kDaddr) {
            if (m.negate || m.values.size() != 1) {
              ok = false;
            } else if (!IsAnyPrefix(m.values[0])) {
              std::string a = m.values[0];
              if (a.ends_with("/32") || a.ends_with("/128")) a = a.substr(0, a.rfind('/'));
              p.host_ip = a;
            }
          }
          if (m.family != 0) p.family = m.family;
        }
        if (!ok || p.host_port == 0 || (p.proto != "tcp" && p.proto != "udp")) continue;
        if (t.family == "ip6") p.family = 6;
        const std::string names = t.name + " " + c.name;
        if (names.find("DOCKER") != std::string::npos ||
            names.find("docker") != std::string::npos) {
          p.engine = "docker";
        } else if (names.find("NETAVARK") != std::string::npos ||
                   names.find("netavark") != std::string::npos ||
                   names.find("CNI-") != std::string::npos ||
                   names.find("podman") != std::string::npos) {
          p.engine = "podman";
        }
        if (r.dnat_to != "?") {
          std::string to = r.dnat_to;
          const size_t colon = to.rfind(':');
          const bool bracket = to.starts_with("[");
          if (colon != std::string::npos && (bracket || to.find(':') == colon)) {
            p.to_port = static_cast<uint16_t>(ParseUint(to.substr(colon + 1)).value_or(0));
            to = to.substr(0, colon);
          }
          if (bracket && to.size() >= 2) to = to.substr(1, to.size() - 2);
          p.to_addr = to;
        }
        if (p.to_port == 0) p.to_port = p.host_port;
        p.where = fmt::format("{} {} {} {} {}", t.backend, t.family, t.name, c.name, r.handle);
        out.push_back(std::move(p));
      }
    }
  }
  return out;
}

size_t CountSavedNftRules(std::string_view text) {
  size_t rules = 0;
  int depth = 0;
  bool in_chain = false;
  int chain_depth = 0;
  for (std::string_view raw : Split(text, '\n')) {
    std::string_view line = Trim(raw);
    const size_t hash = line.find('#');
    if (hash != std::string_view::npos) line = Trim(line.substr(0, hash));
    if (line.empty()) continue;
    const bool opens = line.ends_with("{");
    if (line.starts_with("chain ") && opens) {
      in_chain = true;
      chain_depth = depth + 1;
    } else if (in_chain && depth == chain_depth && line != "}" && !line.starts_with("type ") &&
               !line.starts_with("policy ") && !line.starts_with("comment ")) {
      ++rules;
    }
    for (char c : line) {
      if (c == '{') ++depth;
      if (c == '}') {
        --depth;
        if (in_chain && depth < chain_depth) in_chain = false;
      }
    }
  }
  return rules;
}

std::vector<std::string> SavedNftTables(std::string_view text) {
  std::vector<std::string> out;
  for (std::string_view raw : Split(text, '\n')) {
    const std::string_view line = Trim(raw);
    if (!line.starts_with("table ")) continue;
    std::vector<std::string> w;
    for (std::string_view p : Split(line, ' ')) {
      if (!p.empty() && p != "{") w.emplace_back(p);
    }
    if (w.size() == 2) out.push_back("ip " + w[1]);
    if (w.size() >= 3) out.push_back(w[1] + " " + w[2]);
  }
  return out;
}

size_t CountSavedIptablesRules(std::string_view text) {
  size_t rules = 0;
  for (std::string_view raw : Split(text, '\n')) {
    if (Trim(raw).starts_with("-A ")) ++rules;
  }
  return rules;
}

FirewallState ReadFirewall(const std::string& root, std::vector<Gap>& gaps) {
  FirewallState fw;
  auto fs = RootFs::Open(root);
  if (fs) {
    const std::pair<const char*, const char*> kSaved[] = {
        {"/etc/nftables.conf", "nftables"},      {"/etc/sysconfig/nftables.conf", "nftables"},
        {"/etc/iptables/rules.v4", "iptables"},  {"/etc/iptables/rules.v6", "iptables"},
        {"/etc/sysconfig/iptables", "iptables"}, {"/etc/sysconfig/ip6tables", "iptables"},
        {"/etc/ufw/user.rules", "ufw"},          {"/etc/ufw/user6.rules", "ufw"}};
    for (const auto& [path, kind] : kSaved) {
      auto text = ReadUnder(*fs, path);
      if (!text) continue;
      SavedRuleset s{path, kind, 0, {}};
      s.rules = s.kind == "nftables" ? CountSavedNftRules(*text) : CountSavedIptablesRules(*text);
      if (s.kind == "nftables") s.tables = SavedNftTables(*text);
      const bool v6 = std::string_view(path).find('6') != std::string_view::npos;
      if (s.kind == "iptables") s.tables = {v6 ? "ip6 filter" : "ip filter"};
      if (s.kind == "ufw") fw.ufw.user_rules += s.rules;
      fw.saved.push_back(std::move(s));
    }
    fw.ufw.installed = ExistsUnder(*fs, "/usr/sbin/ufw") || ExistsUnder(*fs, "/sbin/ufw");
    if (auto conf = ReadUnder(*fs, "/etc/ufw/ufw.conf")) {
      fw.ufw.conf_read = true;
      for (std::string_view raw : Split(*conf, '\n')) {
        std::string_view line = Trim(raw);
        if (!line.starts_with("ENABLED=")) continue;
        std::string v = ToLower(Trim(line.substr(8)));
        v.erase(std::remove(v.begin(), v.end(), '"'), v.end());
        v.erase(std::remove(v.begin(), v.end(), '\''), v.end());
        fw.ufw.enabled = v == "yes";
      }
    }
  } else {
    gaps.push_back({"saved firewall rules under " + root, fs.error().message(), ""});
  }

  if (root != "/") {
    gaps.push_back({"packet filter rules in force",
                    "offline scan (--root): the rules in force belong to a running kernel",
                    "a live scan on the host"});
    return fw;
  }
  if (geteuid() != 0) {
    gaps.push_back({"packet filter rules in force", "not root", "root (CAP_NET_ADMIN)"});
    return fw;
  }
  if (auto nft = FindTool({"nft"})) {
    auto r = RunTool({*nft, "-j", "list", "ruleset"});
    if (!r || r->exit_code != 0) {
      gaps.push_back({"nftables ruleset", r ? std::string(Trim(r->err)) : r.error().message(),
                      "root (CAP_NET_ADMIN)"});
    } else if (auto rs = ParseNftJson(r->out)) {
      fw.nft = std::move(*rs);
      fw.nft_read = true;
    } else {
      gaps.push_back({"nftables ruleset", rs.error().message(), ""});
    }
  } else {
    gaps.push_back(
        {"nftables ruleset", "nft not found in /usr/sbin or /sbin", "the nftables package"});
  }
  // iptables-nft rules hold xt expressions nft -j cannot show (conntrack,
  // multiport, DNAT targets): where iptables-nft-save has the table, use it.
  bool has_xt = false;
  for (const FwTable& t : fw.nft.tables) has_xt = has_xt || t.backend == "iptables-nft";
  if (fw.nft_read && has_xt) {
    for (const auto& [tool, family] :
         {std::pair{"iptables-nft-save", 4}, std::pair{"ip6tables-nft-save", 6}}) {
      auto path = FindTool({tool});
      if (!path) continue;
      FwRuleset saved;
      if (!ReadSave(*path, family, "iptables-nft", saved, gaps)) continue;
      for (FwTable& s : saved.tables) {
        for (FwTable& t : fw.nft.tables) {
          if (t.family == s.family && t.name == s.name && t.backend == "iptables-nft") t = s;
        }
      }
    }
  }
  // The legacy back end: its own kernel tables, which filter the same packets.
  auto legacy4 = FindTool({"iptables-legacy-save"});
  auto legacy6 = FindTool({"ip6tables-legacy-save"});
  if (legacy4 || legacy6) {
    bool ok = false;
    if (legacy4) ok = ReadSave(*legacy4, 4, "iptables-legacy", fw.legacy, gaps) || ok;
    if (legacy6) ok = ReadSave(*legacy6, 6, "iptables-legacy", fw.legacy, gaps) || ok;
    fw.legacy_read = ok;
  } else if (auto save = FindTool({"iptables-save"})) {
    bool nft_backend = false;
    fw.legacy_read = ReadSave(*save, 4, "iptables-legacy", fw.legacy, gaps, &nft_backend);
    if (!nft_backend) {
      if (auto save6 = FindTool({"ip6tables-save"}))
        ReadSave(*save6, 6, "iptables-legacy", fw.legacy, gaps);
    }
  }
  for (PublishedPort& p : FindPublishedPorts(fw.nft)) fw.published.push_back(std::move(p));
  for (PublishedPort& p : FindPublishedPorts(fw.legacy)) fw.published.push_back(std::move(p));
  fw.read = fw.nft_read || fw.legacy_read;
  return fw;
}

std::string_view FwPassName(FwPass p) {
  switch (p) {
    case FwPass::kAccept:
      return "accept";
    case FwPass::kSome:
      return "some sources";
    case FwPass::kDrop:
      return "drop";
    case FwPass::kUnknown:
      return "unknown";
  }
  return "unknown";
}

FwOutcome EvaluateRuleset(const FwRuleset& rs, const FwPacket& packet) {
  struct Base {
    const FwTable* table;
    const FwChain* chain;
  };
  std::vector<Base> bases;
  const std::string_view hook = packet.forwarded ? "forward" : "input";
  for (const FwTable& t : rs.tables) {
    const bool family = t.family == "inet" || (packet.family == 4 && t.family == "ip") ||
                        (packet.family == 6 && t.family == "ip6");
    if (!family) continue;
    for (const FwChain& c : t.chains) {
      if (c.base && c.hook == hook && c.type == "filter") bases.push_back({&t, &c});
    }
  }
  std::stable_sort(bases.begin(), bases.end(), [](const Base& a, const Base& b) {
    return a.chain->priority < b.chain->priority;
  });
  std::vector<FwOutcome> parts;
  for (const Base& b : bases) {
    Walker w(*b.table, *b.chain, packet);
    ChainResult r = w.Run();
    FwOutcome o;
    o.pass = r.pass;
    o.reason = std::move(r.reason);
    o.filtered_any = !b.chain->rules.empty() || b.chain->policy == "drop";
    if (o.pass == FwPass::kDrop && !w.sources.empty()) {
      o.pass = FwPass::kSome;
      o.sources = std::move(w.sources);
    }
    parts.push_back(std::move(o));
  }
  return Combine(parts, fmt::format("no {} chain filters it", hook));
}

FwOutcome EvaluateFirewall(const FirewallState& fw, const FwPacket& packet) {
  if (!fw.read)
    return {FwPass::kUnknown, "the packet filter rules in force were not read", {}, false};
  std::vector<FwOutcome> parts;
  if (fw.nft_read) parts.push_back(EvaluateRuleset(fw.nft, packet));
  if (fw.legacy_read && !fw.legacy.tables.empty())
    parts.push_back(EvaluateRuleset(fw.legacy, packet));
  return Combine(parts,
                 fmt::format("no {} chain filters it", packet.forwarded ? "forward" : "input"));
}

bool DockerUserFilters(const FirewallState& fw) {
  for (const FwRuleset* rs : {&fw.nft, &fw.legacy}) {
    for (const FwTable& t : rs->tables) {
      const FwChain* c = t.Find("DOCKER-USER");
      if (c == nullptr) continue;
      for (const FwRule& r : c->rules) {
        if (!(r.verdict == FwVerdict::kReturn && r.matches.empty())) return true;
      }
    }
  }
  return false;
}

}  // namespace deminer
