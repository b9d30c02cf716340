#include "core/redact.h"

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

namespace deminer {

namespace {

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

std::string Normalized(std::string_view name) {
  while (!name.empty() && (name.front() == '-' || name.front() == '"' || name.front() == '\'')) {
    name.remove_prefix(1);
  }
  while (!name.empty() && (name.back() == '"' || name.back() == '\'')) name.remove_suffix(1);
  std::string out(name);
  for (char& c : out) {
    c = c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return out;
}

// The quotes and punctuation around a word in free text.
std::string_view Core(std::string_view token) {
  while (!token.empty() &&
         std::string_view("\"'(`[{").find(token.front()) != std::string_view::npos) {
    token.remove_prefix(1);
  }
  while (!token.empty() &&
         std::string_view("\"'),;`]}").find(token.back()) != std::string_view::npos) {
    token.remove_suffix(1);
  }
  return token;
}

// scheme://user:PASSWORD@host -> scheme://user:[redacted]@host, every URL of the token.
std::string RedactUrlPasswords(std::string token) {
  size_t from = 0;
  while ((from = token.find("://", from)) != std::string::npos) {
    const size_t user = from + 3;
    const size_t end = token.find_first_of("/?# \"'", user);
    const size_t at = token.rfind('@', end == std::string::npos ? token.size() : end);
    if (at != std::string::npos && at > user) {
      const size_t colon = token.find(':', user);
      if (colon != std::string::npos && colon < at && colon + 1 < at) {
        token.replace(colon + 1, at - colon - 1, kRedactedValue);
      }
    }
    from = user;
  }
  return token;
}

bool AuthHeader(std::string_view core) {
  const std::string n = Normalized(core);
  return n == "AUTHORIZATION:" || n == "PROXY_AUTHORIZATION:" || n == "X_API_KEY:" ||
         n == "COOKIE:" || n == "SET_COOKIE:";
}

bool AuthScheme(std::string_view core) {
  const std::string n = Normalized(core);
  return n == "BEARER" || n == "BASIC" || n == "DIGEST" || n == "TOKEN";
}

template <typename Json>
void RedactJsonImpl(Json& j) {
  if (j.is_string()) {
    j = RedactText(j.template get_ref<const std::string&>());
    return;
  }
  if (j.is_array()) {
    const bool argv =
        !j.empty() && std::all_of(j.begin(), j.end(), [](const Json& e) { return e.is_string(); });
    if (argv) {  // ["app", "--password", "x"]: a flag's value is the next element
      std::vector<std::string> args;
      for (const auto& e : j) args.push_back(e.template get<std::string>());
      args = RedactArgv(args);
      for (size_t k = 0; k < args.size(); ++k) j[k] = std::move(args[k]);
      return;
    }
    for (auto& e : j) RedactJsonImpl(e);
    return;
  }
  if (!j.is_object()) return;
  for (auto it = j.begin(); it != j.end(); ++it) {
    Json& value = it.value();
    if (value.is_string() && SecretName(it.key())) {
      if (!value.template get_ref<const std::string&>().empty()) value = kRedactedValue;
    } else if (it.key() == "Env" && value.is_array()) {
      for (auto& e : value) {
        if (e.is_string()) e = RedactEnvEntry(e.template get_ref<const std::string&>());
      }
    } else {
      RedactJsonImpl(value);
    }
  }
}

}  // namespace

bool SecretName(std::string_view name) {
  const std::string n = Normalized(name);
  if (n.empty() || n == "PWD" || n == "OLDPWD") return false;
  constexpr std::string_view kContains[] = {
      "PASSWORD", "PASSWD", "PASSPHRASE", "SECRET", "TOKEN",  "CREDENTIAL",  "PRIVATE_KEY",
      "API_KEY",  "APIKEY", "ACCESS_KEY", "AUTH",   "COOKIE", "DATABASE_URL"};
  for (std::string_view c : kContains) {
    if (n.find(c) != std::string::npos) return true;
  }
  constexpr std::string_view kEnds[] = {"PASS", "_PW", "_KEY", "_DSN"};
  for (std::string_view e : kEnds) {
    if (n.ends_with(e)) return true;
  }
  return n == "KEY" || n == "DSN" || n == "PW";
}

std::string RedactEnvEntry(std::string_view entry) {
  const size_t eq = entry.find('=');
  if (eq == std::string_view::npos) return RedactText(entry);
  const std::string_view name = entry.substr(0, eq);
  if (SecretName(name) && eq + 1 < entry.size()) {
    return std::string(name) + "=" + std::string(kRedactedValue);
  }
  return std::string(name) + "=" + RedactText(entry.substr(eq + 1));  // JAVA_OPTS=--password x
}

namespace {

// What the words before say of the next ones: a secret flag or header waits
// for its value. Carried from one argument to the next by RedactArgv.
struct WordState {
  int redact_next = 0;        // words still to replace
  bool after_header = false;  // the previous word was "Authorization:" or the like
};

// One word of text, redacted as it and the state say, appended to `out`.
void RedactWord(std::string_view word, WordState& st, std::string& out) {
  // URL passwords go first: a password may hold the '=' or ':' that the
  // NAME=VALUE test below would otherwise take, and a second pass, seeing
  // "[redacted]" there, would read another name and redact again.
  const std::string cleaned = RedactUrlPasswords(std::string(word));
  const std::string_view token = cleaned;
  const std::string_view core = Core(token);
  const auto core_at = static_cast<size_t>(core.data() - token.data());
  if (st.redact_next > 0 && core.starts_with("-") && !st.after_header) {
    st.redact_next = 0;  // "--auth-required --next": the flag took no value
  }
  if (st.redact_next > 0) {
    if (st.after_header && AuthScheme(core)) {
      out += token;  // "Authorization: Bearer X": the scheme stays, X goes
      st.after_header = false;
      return;
    }
    --st.redact_next;
    st.after_header = false;
    out += kRedactedValue;
    return;
  }
  if (AuthHeader(core) || Normalized(core) == "BEARER") {
    out += token;
    st.redact_next = 1;
    st.after_header = AuthHeader(core);
    return;
  }
  // NAME=VALUE, or NAME:VALUE ("password":"x", token:abc) when it is no URL.
  const size_t eq = core.find('=');
  const size_t sep = eq != std::string_view::npos || core.find("://") != std::string_view::npos
                         ? eq
                         : core.find(':');
  if (sep != std::string_view::npos && sep > 0 && SecretName(core.substr(0, sep))) {
    size_t value_at = core_at + sep + 1;
    if (value_at < core_at + core.size() && (token[value_at] == '"' || token[value_at] == '\'')) {
      ++value_at;
    }
    out += token.substr(0, value_at);
    const std::string_view rest = token.substr(value_at);
    if (value_at >= core_at + core.size()) {
      if (eq == std::string_view::npos) st.redact_next = 1;  // password: x
      out += rest;
    } else if (rest.starts_with(kRedactedValue)) {
      out += rest;  // redacted already
    } else {
      out += kRedactedValue;
      out += token.substr(core_at + core.size());
    }
    return;
  }
  if (eq == std::string_view::npos && core.size() > 2 && core.starts_with("-") &&
      SecretName(core)) {
    out += token;  // --password X
    st.redact_next = 1;
    return;
  }
  out += token;
}

std::string RedactWords(std::string_view text, WordState& st) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (IsSpace(text[i])) {
      if (text[i] == '\n') st = WordState{};  // a value never runs onto the next line
      out += text[i++];
      continue;
    }
    size_t end = i;
    while (end < text.size() && !IsSpace(text[end])) ++end;
    RedactWord(text.substr(i, end - i), st, out);
    i = end;
  }
  return out;
}

}  // namespace

std::string RedactText(std::string_view text) {
  WordState st;
  return RedactWords(text, st);
}

std::vector<std::string> RedactArgv(const std::vector<std::string>& argv) {
  WordState st;
  std::vector<std::string> out;
  out.reserve(argv.size());
  for (const std::string& a : argv) out.push_back(RedactWords(a, st));
  return out;
}

void RedactJson(nlohmann::ordered_json& j) { RedactJsonImpl(j); }
void RedactJson(nlohmann::json& j) { RedactJsonImpl(j); }

}  // namespace deminer
