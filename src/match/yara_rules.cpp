#include "match/yara_rules.h"

#include <fmt/format.h>
#include <yara.h>

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <future>
#include <mutex>
#include <set>

#include "core/strings.h"

namespace deminer {
namespace {

constexpr size_t kMaxStrings = 6;
constexpr size_t kMaxStringBytes = 80;

// libyara's global state: started once, kept for the life of the process.
Expected<void> StartYara() {
  static std::once_flag once;
  static int rc = ERROR_SUCCESS;
  std::call_once(once, [] { rc = yr_initialize(); });
  if (rc != ERROR_SUCCESS) return Fail(Error::Internal(fmt::format("yr_initialize: error {}", rc)));
  return {};
}

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};
using CompilerPtr = std::unique_ptr<YR_COMPILER, CompilerDeleter>;

struct CompileErrors {
  std::vector<std::string> messages;
};

void OnCompilerMessage(int level, const char* file, int line, const YR_RULE* /*rule*/,
                       const char* message, void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;
  static_cast<CompileErrors*>(user)->messages.push_back(
      fmt::format("{}:{}: {}", file != nullptr ? file : "?", line, message));
}

Expected<CompilerPtr> NewCompiler(CompileErrors& errors) {
  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS) {
    return Fail(Error::Internal("yr_compiler_create failed"));
  }
  CompilerPtr c(raw);
  yr_compiler_set_callback(c.get(), OnCompilerMessage, &errors);
  for (const char* name : {"filename", "filepath", "extension"}) {
    yr_compiler_define_string_variable(c.get(), name, "");
  }
  return c;
}

// Adds one file; false (with errors recorded) when it does not compile.
bool AddFile(YR_COMPILER* c, const std::string& path, CompileErrors& errors) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) {
    errors.messages.push_back(Error::FromErrno(errno, path).message());
    return false;
  }
  std::string ns(Basename(path));
  ns = ns.substr(0, ns.rfind('.'));
  const int failures = yr_compiler_add_file(c, f, ns.c_str(), path.c_str());
  std::fclose(f);
  return failures == 0;
}

}  // namespace

std::string YaraMatch::Meta(std::string_view key) const {
  for (const auto& [k, v] : meta) {
    if (k == key) return v;
  }
  return {};
}

namespace {

struct RulesDeleter {
  void operator()(YR_RULES* r) const { yr_rules_destroy(r); }
};
using RulesPtr = std::unique_ptr<YR_RULES, RulesDeleter>;

// A meta's value as text ("true" for a true boolean).
std::string MetaText(const YR_META* meta) {
  if (meta->type == META_TYPE_STRING) return meta->string;
  if (meta->type == META_TYPE_BOOLEAN) return meta->integer != 0 ? "true" : "false";
  return std::to_string(meta->integer);
}

// A rule meta as text, or empty.
std::string MetaOf(const YR_RULE* rule, std::string_view key) {
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    if (key == meta->identifier) return MetaText(meta);
  }
  return {};
}

// A match of `rule`: its name, namespace and metas (no strings yet).
YaraMatch MatchOf(const YR_RULE* rule) {
  YaraMatch m;
  m.rule = rule->identifier;
  m.ns = rule->ns != nullptr ? rule->ns->name : "";
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) { m.meta.emplace_back(meta->identifier, MetaText(meta)); }
  return m;
}

Expected<RulesPtr> CompileFiles(const std::vector<std::string>& paths) {
  CompileErrors errors;
  auto compiler = NewCompiler(errors);
  if (!compiler) return Fail(compiler.error());
  for (const std::string& path : paths) {
    if (!AddFile(compiler->get(), path, errors)) {
      return Fail(Error::InvalidInput("YARA rules: " + Join(errors.messages, "; ")));
    }
  }
  YR_RULES* raw = nullptr;
  if (yr_compiler_get_rules(compiler->get(), &raw) != ERROR_SUCCESS) {
    return Fail(Error::Internal("yr_compiler_get_rules failed"));
  }
  return RulesPtr(raw);
}

// A rule file's text (already compiled, so it exists and is readable).
std::string ReadText(const std::string& path) {
  std::string text;
  if (FILE* f = std::fopen(path.c_str(), "re")) {
    char buf[65536];
    size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) text.append(buf, n);
    std::fclose(f);
  }
  return text;
}

std::string HexEscape(std::string_view bytes, bool wide) {
  std::string out;
  for (const char c : bytes) {
    out += fmt::format("\\x{:02x}", static_cast<unsigned char>(c));
    if (wide) out += "\\x00";
  }
  return out;
}

// Words after a string's value up to the end of the line: its modifiers.
// A regex that matches a superset of `re` and that Vectorscan scans faster:
// wide bounded repeats ({1,300}) become open ones ({1,}), which it handles
// without counting. Character classes and escapes are left as they are.
std::string LoosenRepeats(std::string_view re) {
  std::string out;
  bool in_class = false;
  for (size_t i = 0; i < re.size(); ++i) {
    const char c = re[i];
    if (c == '\\' && i + 1 < re.size()) {
      out += re.substr(i, 2);
      ++i;
      continue;
    }
    if (in_class) {
      in_class = c != ']';
      out += c;
      continue;
    }
    if (c == '[') in_class = true;
    if (c == '{') {
      const size_t close = re.find('}', i);
      const size_t comma = re.find(',', i);
      if (close != std::string_view::npos && comma != std::string_view::npos && comma < close) {
        const auto lo = ParseUint(re.substr(i + 1, comma - i - 1));
        const auto hi = ParseUint(re.substr(comma + 1, close - comma - 1));
        if (lo && hi && *hi > *lo + 16) {
          out += fmt::format("{{{},}}", *lo);
          i = close;
          continue;
        }
      }
    }
    out += c;
  }
  return out;
}

// A literal factor shorter than this ("chmod", "/tmp/", "| sh") is common in
// ordinary code: gating on it made YARA re-read 115 MB of the benchmark's
// 267 MB of JavaScript, against 23 MB when such regexes gate by themselves.
constexpr size_t kRareFactorBytes = 7;

// The longest run of literal bytes every match of `re` must contain, as
// \xNN escapes, or empty when there is none of kRareFactorBytes (a top-level
// alternation, or only classes and groups). A pre-filter on such a factor is
// a pure literal search, which Vectorscan does several times faster than the
// regex it comes from. "[m]" (YARA's trick against a rule matching its own
// file) counts as the literal m.
std::string RequiredLiteral(std::string_view re) {
  std::string best, run;
  size_t best_bytes = 0;  // the shortest text `best` can match
  int depth = 0;
  const auto flush = [&] {
    if (run.size() / 4 > best_bytes) {
      best = run;
      best_bytes = run.size() / 4;
    }
    run.clear();
  };
  // A top-level group of plain alternatives, "(xmrig|kinsing)", is a factor
  // too: one of them must appear. Its worth is its shortest alternative.
  const auto group_factor = [&](size_t open, size_t close) {
    std::string alts;
    size_t shortest = SIZE_MAX;
    for (std::string_view alt : Split(re.substr(open + 1, close - open - 1), '|')) {
      std::string escaped;
      for (size_t k = 0; k < alt.size(); ++k) {
        char ch = alt[k];
        if (ch == '\\' && k + 1 < alt.size() &&
            std::string_view("/.-+()").find(alt[k + 1]) != std::string_view::npos) {
          ch = alt[++k];
        } else if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '-') {
          return;  // not plain text
        }
        escaped += fmt::format("\\x{:02x}", static_cast<unsigned char>(ch));
      }
      if (escaped.empty()) return;
      shortest = std::min(shortest, escaped.size() / 4);
      alts += (alts.empty() ? "" : "|") + escaped;
    }
    if (shortest != SIZE_MAX && shortest > best_bytes) {
      best = "(" + alts + ")";
      best_bytes = shortest;
    }
  };
  for (size_t i = 0; i < re.size(); ++i) {
    char c = re[i];
    std::optional<char> lit;
    size_t next = i + 1;
    if (c == '\\' && i + 1 < re.size()) {
      const char e = re[i + 1];
      if (std::string_view("/.-+*?()[]{}|^$\\\"'&;:,=<>@#%!~`_ ").find(e) !=
          std::string_view::npos) {
        lit = e;
      }
      next = i + 2;
    } else if (c == '[') {
      // A one-character class is that character; others end the run.
      if (i + 2 < re.size() && re[i + 2] == ']' && re[i + 1] != '^' && re[i + 1] != '\\') {
        lit = re[i + 1];
        next = i + 3;
      } else {
        bool esc = false;
        size_t k = i + 1;
        for (; k < re.size(); ++k) {
          if (esc) {
            esc = false;
          } else if (re[k] == '\\') {
            esc = true;
          } else if (re[k] == ']' && k > i + 1) {
            break;
          }
        }
        next = k + 1;
      }
    } else if (c == '(') {
      if (depth == 0) {
        const size_t close = re.find(')', i);
        const size_t inner = re.find('(', i + 1);
        const char after = close + 1 < re.size() ? re[close + 1] : '\0';
        const bool optional =
            after == '?' || after == '*' || (after == '{' && re.substr(close + 2).starts_with("0"));
        if (close != std::string_view::npos && (inner == std::string_view::npos || inner > close) &&
            !optional) {
          group_factor(i, close);
        }
      }
      ++depth;
    } else if (c == ')') {
      --depth;
    } else if (c == '|') {
      if (depth == 0) return {};  // alternatives at the top: no single factor
    } else if (std::string_view(".^$*+?{").find(c) == std::string_view::npos) {
      lit = c;
    }
    // What follows may make this atom optional or repeated.
    const char q = next < re.size() ? re[next] : '\0';
    const bool optional =
        q == '?' || q == '*' || (q == '{' && re.substr(next + 1).starts_with("0"));
    if (lit && depth == 0 && !optional) {
      run += fmt::format("\\x{:02x}", static_cast<unsigned char>(*lit));
      if (q == '+' || q == '{') flush();  // repeated: the run cannot continue past it
    } else {
      flush();
    }
    if (q == '{') {
      const size_t close = re.find('}', next);
      next = close == std::string_view::npos ? re.size() : close + 1;
    } else if (q == '?' || q == '*' || q == '+') {
      ++next;
    }
    i = next - 1;
  }
  flush();
  return best_bytes >= kRareFactorBytes ? best : std::string();
}

std::vector<std::string_view> Modifiers(std::string_view rest) {
  rest = rest.substr(0, rest.find('\n'));
  if (const size_t comment = rest.find("//"); comment != std::string_view::npos) {
    rest = rest.substr(0, comment);
  }
  std::vector<std::string_view> out;
  for (std::string_view w : Split(rest, ' ')) {
    w = Trim(w);
    if (!w.empty()) out.push_back(w);
  }
  return out;
}

}  // namespace

std::optional<std::vector<PatternSpec>> PrefilterPatterns(std::string_view text,
                                                          size_t* declarations) {
  std::vector<PatternSpec> out;
  // Where each rule starts, and its `gate` meta: the prefix of the string
  // identifiers without one of which it cannot match ("k" for $k1, $k2...).
  std::vector<std::pair<size_t, std::optional<std::string>>> rules;
  {
    size_t line = 0;
    for (std::string_view l : Split(text, '\n')) {
      const std::string_view t = Trim(l);
      if (t.starts_with("rule ") || t.starts_with("private rule ") ||
          t.starts_with("global rule ")) {
        rules.emplace_back(line, std::nullopt);
      } else if (!rules.empty() && t.starts_with("gate") && Trim(t.substr(4)).starts_with('=')) {
        std::string_view v = Trim(Trim(t.substr(4)).substr(1));
        if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
          v = v.substr(1, v.size() - 2);
          std::string prefix(v.substr(0, v.find('*')));
          if (prefix.starts_with('$')) prefix.erase(0, 1);
          rules.back().second = std::move(prefix);
        }
      }
      line += l.size() + 1;
    }
  }
  const auto gate_of = [&](size_t at) -> const std::string* {
    const std::pair<size_t, std::optional<std::string>>* rule = nullptr;
    for (const auto& r : rules) {
      if (r.first <= at) rule = &r;
    }
    return rule != nullptr && rule->second ? &*rule->second : nullptr;
  };
  size_t seen = 0;
  size_t pos = 0;
  while ((pos = text.find('$', pos)) != std::string_view::npos) {
    // A declaration: '$' at the start of a line (after blanks), an identifier, '='.
    size_t line_start = text.rfind('\n', pos);
    line_start = line_start == std::string_view::npos ? 0 : line_start + 1;
    if (!Trim(text.substr(line_start, pos - line_start)).empty()) {
      ++pos;
      continue;
    }
    size_t i = pos + 1;
    while (i < text.size() &&
           (std::isalnum(static_cast<unsigned char>(text[i])) || text[i] == '_')) {
      ++i;
    }
    const std::string_view id = text.substr(pos + 1, i - pos - 1);
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size() || text[i] != '=') {
      ++pos;
      continue;
    }
    ++i;
    ++seen;
    // A string outside its rule's gate is not needed for the rule to match:
    // no pattern for it.
    const std::string* gate = gate_of(pos);
    // An empty gate: the rule needs another rule of the file, not its own strings.
    const bool skip = gate != nullptr && (gate->empty() || !id.starts_with(*gate));
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    if (i >= text.size()) return std::nullopt;
    const char open = text[i];
    PatternSpec spec;
    spec.prefilter = true;
    spec.dotall = true;
    size_t end = 0;
    bool hex_or_regex = false;
    if (open == '"') {
      std::string bytes;
      size_t k = i + 1;
      for (; k < text.size() && text[k] != '"' && text[k] != '\n'; ++k) {
        if (text[k] != '\\') {
          bytes += text[k];
          continue;
        }
        if (++k >= text.size()) return std::nullopt;
        switch (text[k]) {
          case 'n':
            bytes += '\n';
            break;
          case 't':
            bytes += '\t';
            break;
          case 'r':
            bytes += '\r';
            break;
          case '"':
            bytes += '"';
            break;
          case '\\':
            bytes += '\\';
            break;
          case 'x': {
            if (k + 2 >= text.size() || !std::isxdigit(static_cast<unsigned char>(text[k + 1])) ||
                !std::isxdigit(static_cast<unsigned char>(text[k + 2]))) {
              return std::nullopt;
            }
            bytes += static_cast<char>(std::stoi(std::string(text.substr(k + 1, 2)), nullptr, 16));
            k += 2;
            break;
          }
          default:
            return std::nullopt;
        }
      }
      if (k >= text.size() || text[k] != '"' || bytes.empty()) return std::nullopt;
      end = k + 1;
      const auto mods = Modifiers(text.substr(end));
      bool wide = false, ascii = false;
      for (std::string_view m : mods) {
        if (m == "nocase")
          spec.caseless = true;
        else if (m == "wide")
          wide = true;
        else if (m == "ascii")
          ascii = true;
        else if (m != "fullword" && m != "private")
          return std::nullopt;  // xor, base64...
      }
      if (!skip && (!wide || ascii)) {
        spec.expression = HexEscape(bytes, false);
        out.push_back(spec);
      }
      if (!skip && wide) {
        spec.expression = HexEscape(bytes, true);
        out.push_back(spec);
      }
      pos = end;
      continue;
    }
    if (open == '/') {
      size_t k = i + 1;
      std::string re;
      for (; k < text.size() && text[k] != '/' && text[k] != '\n'; ++k) {
        if (text[k] == '\\' && k + 1 < text.size()) {
          // YARA escapes '/' inside a regex; Vectorscan takes it bare.
          if (text[k + 1] == '/') {
            re += '/';
          } else {
            re += text.substr(k, 2);
          }
          ++k;
          continue;
        }
        re += text[k];
      }
      if (k >= text.size() || text[k] != '/' || re.empty()) return std::nullopt;
      ++k;
      while (k < text.size() && (text[k] == 'i' || text[k] == 's')) {
        if (text[k] == 'i') spec.caseless = true;
        ++k;
      }
      const std::string factor = RequiredLiteral(re);
      spec.expression = factor.empty() ? LoosenRepeats(re) : factor;
      end = k;
      hex_or_regex = true;
    } else if (open == '{') {
      const size_t close = text.find('}', i);
      if (close == std::string_view::npos) return std::nullopt;
      std::string re;
      std::string_view body = text.substr(i + 1, close - i - 1);
      for (size_t k = 0; k < body.size(); ++k) {
        const char c = body[k];
        if (std::isspace(static_cast<unsigned char>(c))) continue;
        if (c == '/' && k + 1 < body.size() && body[k + 1] == '/') {  // a comment to the line end
          k = body.find('\n', k);
          if (k == std::string_view::npos) break;
          continue;
        }
        if (c == '(' || c == ')' || c == '|') {
          re += c;
        } else if (c == '[') {
          const size_t rb = body.find(']', k);
          if (rb == std::string_view::npos) return std::nullopt;
          std::string range(body.substr(k + 1, rb - k - 1));
          range.erase(std::remove_if(range.begin(), range.end(), ::isspace), range.end());
          const size_t dash = range.find('-');
          if (dash == std::string::npos) {
            re += ".{" + range + "}";
          } else {
            const std::string lo = dash == 0 ? "0" : range.substr(0, dash);
            re += ".{" + lo + "," + range.substr(dash + 1) + "}";
          }
          k = rb;
        } else if (c == '~') {
          re += '.';
          k += 2;
        } else if (k + 1 < body.size() && std::isxdigit(static_cast<unsigned char>(c)) &&
                   std::isxdigit(static_cast<unsigned char>(body[k + 1]))) {
          re += fmt::format("\\x{}{}", c, body[k + 1]);
          ++k;
        } else if (k + 1 < body.size() && (c == '?' || body[k + 1] == '?')) {
          re += '.';  // a whole or half wildcard byte
          ++k;
        } else {
          return std::nullopt;
        }
      }
      if (re.empty()) return std::nullopt;
      spec.expression = std::move(re);
      end = close + 1;
      hex_or_regex = true;
    } else {
      return std::nullopt;
    }
    if (hex_or_regex) {
      for (std::string_view m : Modifiers(text.substr(end))) {
        if (m == "nocase")
          spec.caseless = true;
        else if (m != "ascii" && m != "fullword" && m != "private")
          return std::nullopt;
      }
      if (!skip) out.push_back(std::move(spec));
    }
    pos = end;
  }
  if (declarations != nullptr) *declarations = seen;
  return out;
}

namespace {

// A YARA file as tokens: words (identifiers, keywords, numbers, `hash.md5`),
// quoted strings (kept with their quotes) and operators; comments dropped.
// Only as much as DigestRules needs: it refuses what it does not know.
std::optional<std::vector<std::string>> Tokens(std::string_view text) {
  std::vector<std::string> out;
  size_t i = 0;
  const auto word = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
  };
  while (i < text.size()) {
    const char c = text[i];
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      ++i;
    } else if (text.substr(i, 2) == "//") {
      i = text.find('\n', i);
      if (i == std::string_view::npos) break;
    } else if (text.substr(i, 2) == "/*") {
      const size_t end = text.find("*/", i + 2);
      if (end == std::string_view::npos) return std::nullopt;
      i = end + 2;
    } else if (c == '"') {
      size_t k = i + 1;
      while (k < text.size() && text[k] != '"' && text[k] != '\n') k += text[k] == '\\' ? 2 : 1;
      if (k >= text.size() || text[k] != '"') return std::nullopt;
      out.emplace_back(text.substr(i, k + 1 - i));
      i = k + 1;
    } else if (word(c)) {
      size_t k = i;
      while (k < text.size() && word(text[k])) ++k;
      out.emplace_back(text.substr(i, k - i));
      i = k;
    } else {
      const std::string_view two = text.substr(i, 2);
      const bool pair = two == "==" || two == "<=" || two == ">=" || two == "!=";
      out.emplace_back(text.substr(i, pair ? 2 : 1));
      i += pair ? 2 : 1;
    }
  }
  return out;
}

// A YARA integer: decimal or 0x hex, with an optional KB or MB suffix.
std::optional<uint64_t> YaraInteger(std::string_view w) {
  uint64_t scale = 1;
  if (w.ends_with("KB")) {
    scale = 1024;
    w.remove_suffix(2);
  } else if (w.ends_with("MB")) {
    scale = uint64_t{1} << 20;
    w.remove_suffix(2);
  }
  uint64_t v = 0;
  const bool hex = w.starts_with("0x");
  if (hex) w.remove_prefix(2);
  if (w.empty()) return std::nullopt;
  for (const char c : w) {
    const int d = std::isdigit(static_cast<unsigned char>(c)) != 0 ? c - '0'
                  : hex && std::isxdigit(static_cast<unsigned char>(c)) != 0
                      ? std::tolower(static_cast<unsigned char>(c)) - 'a' + 10
                      : -1;
    if (d < 0 || v > (UINT64_MAX >> 8)) return std::nullopt;
    v = v * (hex ? 16 : 10) + static_cast<uint64_t>(d);
  }
  if (v > UINT64_MAX / scale) return std::nullopt;
  return v * scale;
}

// A condition that is one digest comparison and `filesize` bounds joined by
// `and`, read into `r`; false for anything else.
bool ReadDigestCondition(const std::vector<std::string>& t, DigestRule& r) {
  bool have_hash = false;
  size_t i = 0;
  const auto at = [&](size_t k) -> std::string_view {
    return k < t.size() ? std::string_view(t[k]) : std::string_view();
  };
  const auto hash_call = [&](size_t k) -> std::optional<DigestRule::Kind> {
    if (at(k + 1) != "(" || at(k + 2) != "0" || at(k + 3) != "," || at(k + 4) != "filesize" ||
        at(k + 5) != ")") {
      return std::nullopt;
    }
    if (at(k) == "hash.md5") return DigestRule::Kind::kMd5;
    if (at(k) == "hash.sha1") return DigestRule::Kind::kSha1;
    if (at(k) == "hash.sha256") return DigestRule::Kind::kSha256;
    return std::nullopt;
  };
  const auto take_hex = [&](std::string_view quoted, DigestRule::Kind kind) {
    const size_t want = kind == DigestRule::Kind::kMd5    ? 32
                        : kind == DigestRule::Kind::kSha1 ? 40
                                                          : 64;
    // YARA's digests are lower case: an upper-case literal never matches
    // there, so it is not answered here either.
    const std::string_view hex = quoted.substr(1, quoted.size() - 2);
    if (hex.size() != want || have_hash) return false;
    for (const char c : hex) {
      if (std::isdigit(static_cast<unsigned char>(c)) == 0 && (c < 'a' || c > 'f')) return false;
    }
    r.kind = kind;
    r.hex = hex;
    have_hash = true;
    return true;
  };
  while (i < t.size()) {
    if (const auto kind = hash_call(i); kind && at(i + 6) == "==" && at(i + 7).starts_with('"')) {
      if (!take_hex(at(i + 7), *kind)) return false;
      i += 8;
    } else if (const auto k2 = hash_call(i + 2);
               at(i).starts_with('"') && at(i + 1) == "==" && k2) {
      if (!take_hex(at(i), *k2)) return false;
      i += 8;
    } else if (at(i) == "filesize") {
      const std::string_view op = at(i + 1);
      const auto n = YaraInteger(at(i + 2));
      if (!n) return false;
      if (op == "<") {
        if (*n == 0) return false;
        r.max_size = std::min(r.max_size, *n - 1);
      } else if (op == "<=") {
        r.max_size = std::min(r.max_size, *n);
      } else if (op == ">") {
        r.min_size = std::max(r.min_size, *n + 1);
      } else if (op == ">=") {
        r.min_size = std::max(r.min_size, *n);
      } else if (op == "==") {
        r.min_size = std::max(r.min_size, *n);
        r.max_size = std::min(r.max_size, *n);
      } else {
        return false;
      }
      i += 3;
    } else {
      return false;
    }
    if (i == t.size()) break;
    if (at(i) != "and") return false;
    ++i;
  }
  return have_hash;
}

}  // namespace

std::optional<std::vector<DigestRule>> DigestRules(std::string_view text) {
  const auto tokens = Tokens(text);
  if (!tokens) return std::nullopt;
  const std::vector<std::string>& t = *tokens;
  std::vector<DigestRule> out;
  size_t i = 0;
  while (i < t.size()) {
    if (t[i] == "import" && i + 1 < t.size() && t[i + 1].starts_with('"')) {
      i += 2;
      continue;
    }
    // `private` and `global` rules change what other rules see: not answered.
    if (t[i] != "rule" || i + 2 >= t.size()) return std::nullopt;
    DigestRule r;
    r.rule = t[i + 1];
    i += 2;
    if (t[i] == ":") {  // tags
      ++i;
      while (i < t.size() && t[i] != "{") ++i;
    }
    if (i >= t.size() || t[i] != "{") return std::nullopt;
    ++i;
    // Sections up to `condition:`; a rule with strings is not a digest rule.
    while (i + 1 < t.size() && !(t[i] == "condition" && t[i + 1] == ":")) {
      if (t[i] == "strings" && t[i + 1] == ":") return std::nullopt;
      if (t[i] == "}") return std::nullopt;
      ++i;
    }
    i += 2;
    std::vector<std::string> condition;
    while (i < t.size() && t[i] != "}") condition.push_back(t[i++]);
    if (i >= t.size() || !ReadDigestCondition(condition, r)) return std::nullopt;
    ++i;
    out.push_back(std::move(r));
  }
  if (out.empty()) return std::nullopt;
  return out;
}

struct YaraRules::Impl {
  enum class Gate { kAlways, kDigest, kStrings, kSize };
  // A digest rule with the match it reports.
  struct Answer {
    DigestRule rule;
    YaraMatch match;
  };
  struct Set {
    RulesPtr rules;
    Gate gate = Gate::kAlways;
    uint64_t min_size = 0;
    uint64_t max_size = UINT64_MAX;
    size_t files = 1;             // rule files compiled into it
    std::vector<Answer> answers;  // kDigest

    // Answers a digest set into `out`; false when a digest it needs is missing.
    bool AnswerFrom(uint64_t size, const Digests& digests, std::vector<YaraMatch>& out) const;
  };
  static std::vector<Answer> Answers(YR_RULES* rules, std::vector<DigestRule> digest);

  std::vector<Set> sets;
  std::shared_ptr<const PatternDb> prefilter;  // over the strings of kStrings sets
  std::vector<size_t> pattern_set;             // prefilter pattern -> set index
};

YaraRules::YaraRules(std::unique_ptr<Impl> impl, size_t rule_count)
    : impl_(std::move(impl)), rule_count_(rule_count) {}

YaraRules::~YaraRules() = default;

YaraRules::GateCounts YaraRules::gates() const {
  GateCounts c;
  for (const Impl::Set& s : impl_->sets) {
    switch (s.gate) {
      case Impl::Gate::kDigest:
        c.digest += s.files;
        break;
      case Impl::Gate::kStrings:
        c.strings += s.files;
        break;
      case Impl::Gate::kSize:
        c.size += s.files;
        break;
      case Impl::Gate::kAlways:
        c.always += s.files;
        break;
    }
  }
  return c;
}

YaraRules::DigestKinds YaraRules::digest_kinds() const {
  DigestKinds k;
  for (const Impl::Set& s : impl_->sets) {
    for (const Impl::Answer& a : s.answers) {
      k.md5 = k.md5 || a.rule.kind == DigestRule::Kind::kMd5;
      k.sha1 = k.sha1 || a.rule.kind == DigestRule::Kind::kSha1;
      k.sha256 = k.sha256 || a.rule.kind == DigestRule::Kind::kSha256;
    }
  }
  return k;
}

// The answers for a file of digest rules, with the metas libyara read, or
// empty when the rules libyara compiled are not those DigestRules read.
std::vector<YaraRules::Impl::Answer> YaraRules::Impl::Answers(YR_RULES* rules,
                                                              std::vector<DigestRule> digest) {
  std::vector<YaraRules::Impl::Answer> out;
  size_t i = 0;
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(rules, rule) {
    if (i >= digest.size() || digest[i].rule != rule->identifier) return {};
    out.push_back({std::move(digest[i++]), MatchOf(rule)});
  }
  if (i != digest.size()) return {};
  return out;
}

Expected<std::shared_ptr<const YaraRules>> YaraRules::Compile(const std::vector<std::string>& files,
                                                              std::vector<Gap>& problems) {
  if (auto started = StartYara(); !started) return Fail(started.error());
  auto impl = std::make_unique<Impl>();
  std::vector<std::pair<std::string, RulesPtr>> always;
  std::vector<std::pair<std::string, std::vector<PatternSpec>>> gated;
  size_t count = 0;
  for (const std::string& path : files) {
    // Each file alone first: a compiler cannot be used after an error.
    CompileErrors errors;
    auto compiler = NewCompiler(errors);
    if (!compiler) return Fail(compiler.error());
    if (!AddFile(compiler->get(), path, errors)) {
      problems.push_back({"YARA rules in " + path,
                          errors.messages.empty() ? "did not compile" : Join(errors.messages, "; "),
                          "a fix to the rule file"});
      continue;
    }
    YR_RULES* raw = nullptr;
    if (yr_compiler_get_rules(compiler->get(), &raw) != ERROR_SUCCESS) {
      return Fail(Error::Internal("yr_compiler_get_rules failed"));
    }
    RulesPtr rules(raw);
    bool needs_strings = true, sized = true;
    uint64_t min_size = UINT64_MAX, max_size = 0;
    size_t strings = 0;
    const YR_RULE* rule = nullptr;
    yr_rules_foreach(rules.get(), rule) {
      ++count;
      needs_strings = needs_strings && MetaOf(rule, "needs_strings") == "true";
      const auto lo = ParseUint(MetaOf(rule, "min_filesize"));
      const auto hi = ParseUint(MetaOf(rule, "max_filesize"));
      sized = sized && lo && hi;
      if (lo && hi) {
        min_size = std::min<uint64_t>(min_size, *lo);
        max_size = std::max<uint64_t>(max_size, *hi);
      }
      const YR_STRING* s = nullptr;
      yr_rule_strings_foreach(rule, s) { ++strings; }
    }
    const std::string text = ReadText(path);
    if (strings == 0) {
      if (auto digest = DigestRules(text)) {
        auto answers = Impl::Answers(rules.get(), std::move(*digest));
        if (!answers.empty()) {
          Impl::Set set;
          set.gate = Impl::Gate::kDigest;
          set.rules = std::move(rules);
          set.answers = std::move(answers);
          impl->sets.push_back(std::move(set));
          continue;
        }
      }
    }
    std::optional<std::vector<PatternSpec>> specs;
    if (needs_strings && strings != 0) {
      size_t declared = 0;
      specs = PrefilterPatterns(text, &declared);
      // Every string of the file must have been read (a gate may leave some out).
      if (specs && (declared != strings || specs->empty())) specs.reset();
    }
    if (specs) {
      gated.push_back({path, std::move(*specs)});
    } else if (sized) {
      Impl::Set set;
      set.gate = Impl::Gate::kSize;
      set.min_size = min_size;
      set.max_size = max_size;
      set.rules = std::move(rules);
      impl->sets.push_back(std::move(set));
    } else {
      always.emplace_back(path, std::move(rules));
    }
  }
  // The strings-gated files go into one set, scanned once when the pre-filter
  // finds any of their strings. A file with a pattern Vectorscan cannot take,
  // even approximately, is not gated. Vectorscan compiles the pre-filter
  // while libyara compiles the set.
  while (!gated.empty()) {
    std::vector<PatternSpec> patterns;
    std::vector<size_t> owner;
    std::vector<std::string> paths;
    for (size_t g = 0; g < gated.size(); ++g) {
      paths.push_back(gated[g].first);
      for (const PatternSpec& p : gated[g].second) {
        patterns.push_back(p);
        owner.push_back(g);
      }
    }
    std::vector<PatternRejection> rejected;
    auto pending = std::async(std::launch::async, [&patterns, &rejected] {
      return PatternDb::Compile(patterns, rejected);
    });
    auto rules = CompileFiles(paths);
    auto db = pending.get();
    if (!db || !rejected.empty()) {
      std::set<size_t> drop;
      for (const PatternRejection& r : rejected) drop.insert(owner[r.index]);
      if (!db) {
        for (size_t g = 0; g < gated.size(); ++g) drop.insert(g);
      }
      for (auto it = drop.rbegin(); it != drop.rend(); ++it) {
        auto alone = CompileFiles({gated[*it].first});
        if (!alone) return Fail(alone.error());
        always.emplace_back(gated[*it].first, std::move(*alone));
        gated.erase(gated.begin() + static_cast<long>(*it));
      }
      continue;  // again without them
    }
    if (!rules) return Fail(rules.error());
    Impl::Set set;
    set.gate = Impl::Gate::kStrings;
    set.files = paths.size();
    set.rules = std::move(*rules);
    impl->pattern_set.assign(patterns.size(), impl->sets.size());
    impl->sets.push_back(std::move(set));
    impl->prefilter = std::make_shared<const PatternDb>(std::move(*db));
    break;
  }
  if (!always.empty()) {
    Impl::Set set;
    set.files = always.size();
    if (always.size() == 1) {
      set.rules = std::move(always.front().second);
    } else {
      std::vector<std::string> paths;
      for (const auto& a : always) paths.push_back(a.first);
      auto rules = CompileFiles(paths);
      if (!rules) return Fail(rules.error());
      set.rules = std::move(*rules);
    }
    impl->sets.push_back(std::move(set));
  }
  if (impl->sets.empty()) return Fail(Error::InvalidInput("no YARA rule file compiled"));
  return std::shared_ptr<const YaraRules>(new YaraRules(std::move(impl), count));
}

struct ScannerDeleter {
  void operator()(YR_SCANNER* s) const { yr_scanner_destroy(s); }
};

struct YaraRules::Scanner::Impl {
  const YaraRules::Impl* rules = nullptr;
  std::vector<std::unique_ptr<YR_SCANNER, ScannerDeleter>> scanners;  // one per set
  std::vector<YaraMatch> matches;
  std::vector<char> hit;  // per set: the pre-filter found one of its strings
};

YaraRules::Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraRules::Scanner::~Scanner() = default;

namespace {

int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  const auto* rule = static_cast<const YR_RULE*>(data);
  auto& out = *static_cast<std::vector<YaraMatch>*>(user);
  YaraMatch m = MatchOf(rule);
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    const YR_MATCH* match = nullptr;
    yr_string_matches_foreach(context, string, match) {
      if (m.strings.size() < kMaxStrings) {
        const auto len = static_cast<size_t>(std::max(0, match->data_length));
        const std::string_view bytes(reinterpret_cast<const char*>(match->data),
                                     std::min(len, kMaxStringBytes));
        m.strings.emplace_back(string->identifier, Printable(bytes, kMaxStringBytes));
      }
      if (m.first_offset < 0 || match->base + match->offset < m.first_offset) {
        m.first_offset = match->base + match->offset;
      }
      break;  // the first match of each string is enough evidence
    }
  }
  out.push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

Expected<std::unique_ptr<YaraRules::Scanner>> YaraRules::NewScanner(int timeout_s) const {
  auto impl = std::make_unique<Scanner::Impl>();
  impl->rules = impl_.get();
  for (const Impl::Set& set : impl_->sets) {
    YR_SCANNER* raw = nullptr;
    if (yr_scanner_create(set.rules.get(), &raw) != ERROR_SUCCESS) {
      return Fail(Error::Internal("yr_scanner_create failed"));
    }
    impl->scanners.emplace_back(raw);
    yr_scanner_set_timeout(raw, timeout_s);
    yr_scanner_set_callback(raw, OnScanMessage, &impl->matches);
  }
  impl->hit.resize(impl_->sets.size());
  return std::unique_ptr<Scanner>(new Scanner(std::move(impl)));
}

namespace {

// The digest a rule compares, when the caller gave it.
std::string_view DigestFor(DigestRule::Kind kind, const Digests& d) {
  switch (kind) {
    case DigestRule::Kind::kMd5:
      return d.md5;
    case DigestRule::Kind::kSha1:
      return d.sha1;
    case DigestRule::Kind::kSha256:
      return d.sha256;
  }
  return {};
}

}  // namespace

bool YaraRules::Impl::Set::AnswerFrom(uint64_t size, const Digests& digests,
                                      std::vector<YaraMatch>& out) const {
  for (const Answer& a : answers) {
    if (DigestFor(a.rule.kind, digests).empty()) return false;
  }
  for (const Answer& a : answers) {
    if (size >= a.rule.min_size && size <= a.rule.max_size &&
        DigestFor(a.rule.kind, digests) == a.rule.hex) {
      out.push_back(a.match);
    }
  }
  return true;
}

std::vector<YaraMatch> YaraRules::Scanner::MatchDigests(uint64_t size,
                                                        const Digests& digests) const {
  std::vector<YaraMatch> out;
  for (const YaraRules::Impl::Set& set : impl_->rules->sets) {
    if (set.gate == YaraRules::Impl::Gate::kDigest) set.AnswerFrom(size, digests, out);
  }
  return out;
}

Expected<std::vector<YaraMatch>> YaraRules::Scanner::Scan(std::string_view bytes,
                                                          std::string_view path,
                                                          const Digests& digests) {
  impl_->matches.clear();
  const auto& sets = impl_->rules->sets;
  std::fill(impl_->hit.begin(), impl_->hit.end(), 0);
  if (impl_->rules->prefilter) {
    const auto& owner = impl_->rules->pattern_set;
    auto pre = impl_->rules->prefilter->Scan(bytes, [&](size_t i) { impl_->hit[owner[i]] = 1; });
    // Without the pre-filter's answer, scan everything rather than miss a match.
    if (!pre) std::fill(impl_->hit.begin(), impl_->hit.end(), 1);
  }
  bool named = false;  // the external variables, set once a set is scanned
  std::string filepath, filename, extension;
  for (size_t i = 0; i < sets.size(); ++i) {
    const YaraRules::Impl::Set& set = sets[i];
    using Gate = YaraRules::Impl::Gate;
    if (set.gate == Gate::kDigest && set.AnswerFrom(bytes.size(), digests, impl_->matches)) {
      continue;
    }
    if (set.gate == Gate::kStrings && impl_->hit[i] == 0) continue;
    if (set.gate == Gate::kSize && (bytes.size() < set.min_size || bytes.size() > set.max_size)) {
      continue;
    }
    if (!named) {
      named = true;
      filepath = path;
      filename = Basename(path);
      const size_t dot = filename.rfind('.');
      extension = dot == std::string::npos || dot == 0 ? "" : filename.substr(dot + 1);
    }
    YR_SCANNER* scanner = impl_->scanners[i].get();
    yr_scanner_define_string_variable(scanner, "filepath", filepath.c_str());
    yr_scanner_define_string_variable(scanner, "filename", filename.c_str());
    yr_scanner_define_string_variable(scanner, "extension", extension.c_str());
    const int rc =
        yr_scanner_scan_mem(scanner, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    if (rc == ERROR_SCAN_TIMEOUT) return Fail(Error::Internal("YARA scan timed out"));
    if (rc != ERROR_SUCCESS) return Fail(Error::Internal(fmt::format("YARA scan: error {}", rc)));
  }
  return std::move(impl_->matches);
}

}  // namespace deminer
