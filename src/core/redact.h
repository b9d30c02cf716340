// Redaction of secrets in what deminer copies out of a host (the evidence
// bundle): environment entries whose name says secret, values of secret
// command-line flags, passwords in URLs and Authorization headers. The
// evidence a responder needs (pool addresses, wallets, paths) is kept: a
// miner's wallet is the attacker's, not a secret of the host's. Pure, and
// safe on any bytes (it only replaces whole values).
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

namespace deminer {

inline constexpr std::string_view kRedactedValue = "[redacted]";

// A variable or flag name that holds a secret: PASSWORD, DB_PASS, API_TOKEN,
// AWS_SECRET_ACCESS_KEY, --client-secret, _authToken, DATABASE_URL... Case and
// leading dashes do not matter; '-' counts as '_'. PWD (a directory) does not.
bool SecretName(std::string_view name);

// "NAME=VALUE": the value replaced when the name is secret; a URL's password
// replaced in any value.
std::string RedactEnvEntry(std::string_view entry);

// Free text (a command line, a log line): NAME=VALUE with a secret name,
// the word after a secret flag (--password X), after "Bearer"/"Basic" and
// "Authorization:", and URL passwords (scheme://user:PASS@host). Whitespace
// is kept as it was.
std::string RedactText(std::string_view text);

// An argument list (a command line's argv, an inspect's Cmd): as RedactText,
// with a secret flag's value in the next argument ("--password", "x").
std::vector<std::string> RedactArgv(const std::vector<std::string>& argv);

// Every string of a JSON value through RedactText, arrays of strings through
// RedactArgv; arrays named "Env" (a
// container's inspect) entry by entry through RedactEnvEntry, and string
// values of keys with a secret name replaced whole.
void RedactJson(nlohmann::ordered_json& j);
void RedactJson(nlohmann::json& j);

}  // namespace deminer
