// Small string helpers shared by parsers. Pure functions, no I/O, thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace deminer {

std::string_view Trim(std::string_view s);
std::vector<std::string_view> Split(std::string_view s, char sep);
bool StartsWith(std::string_view s, std::string_view prefix);
bool EndsWith(std::string_view s, std::string_view suffix);
std::string ToLower(std::string_view s);
// Parses a whole decimal unsigned integer; nullopt on any other input or overflow.
std::optional<uint64_t> ParseUint(std::string_view s);
// A loopback address as written: 127.0.0.0/8, ::1, ::ffff:127.x, localhost.
bool IsLoopbackAddress(std::string_view addr);
// The host of a URL or host[:port] word, lower-cased, without user info and
// port; an IPv6 literal keeps its brackets ("http://u@[::1]:80/x" -> "[::1]").
std::string UrlHost(std::string_view url);
// The last path component ("/tmp/javae" -> "javae", "javae" -> "javae").
std::string_view Basename(std::string_view path);
// Joins with a single space; for command lines shown to people.
std::string Join(const std::vector<std::string>& parts, std::string_view sep = " ");
// Replaces control characters so hostile strings cannot rewrite a terminal.
std::string Printable(std::string_view s, size_t max_len = 4096);

}  // namespace deminer
