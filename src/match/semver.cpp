#include "match/semver.h"

#include <algorithm>

namespace deminer {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsIdentChar(char c) {
  return IsDigit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '-';
}
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool AllDigits(std::string_view s) { return std::all_of(s.begin(), s.end(), IsDigit); }

// A numeric field at the start of `s`: digits, no leading zero, at most
// kMaxNumber. Advances `s`.
std::optional<uint64_t> TakeNumber(std::string_view& s) {
  size_t n = 0;
  while (n < s.size() && IsDigit(s[n])) ++n;
  if (n == 0 || (n > 1 && s[0] == '0') || n > 16) return std::nullopt;
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = v * 10 + static_cast<uint64_t>(s[i] - '0');
  if (v > SemVer::kMaxNumber) return std::nullopt;
  s.remove_prefix(n);
  return v;
}

// Dot-separated identifiers, each non-empty and of [0-9A-Za-z-]; numeric
// ones without leading zeros when `numeric_rules` (prerelease, not build).
bool ValidIdentifiers(std::string_view s, bool numeric_rules) {
  if (s.empty()) return false;
  size_t start = 0;
  while (true) {
    const size_t dot = s.find('.', start);
    const std::string_view id =
        s.substr(start, dot == std::string_view::npos ? s.npos : dot - start);
    if (id.empty() || !std::all_of(id.begin(), id.end(), IsIdentChar)) return false;
    if (numeric_rules && AllDigits(id) && id.size() > 1 && id[0] == '0') return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// The next identifier of a prerelease string from `pos`; advances `pos` past
// the following dot (or to npos at the end).
std::string_view NextIdentifier(std::string_view s, size_t& pos) {
  const size_t dot = s.find('.', pos);
  std::string_view id;
  if (dot == std::string_view::npos) {
    id = s.substr(pos);
    pos = std::string_view::npos;
  } else {
    id = s.substr(pos, dot - pos);
    pos = dot + 1;
  }
  return id;
}

int CompareIdentifiers(std::string_view a, std::string_view b) {
  const bool an = AllDigits(a);
  const bool bn = AllDigits(b);
  if (an && bn) {
    // No leading zeros (checked at parse): the longer number is larger.
    if (a.size() != b.size()) return a.size() < b.size() ? -1 : 1;
    const int c = a.compare(b);
    return c < 0 ? -1 : (c > 0 ? 1 : 0);
  }
  if (an) return -1;  // numeric identifiers have lower precedence
  if (bn) return 1;
  const int c = a.compare(b);
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

int ComparePrerelease(std::string_view a, std::string_view b) {
  if (a.empty() || b.empty()) {
    if (a.empty() && b.empty()) return 0;
    return a.empty() ? 1 : -1;  // a release sorts above its prereleases
  }
  size_t pa = 0;
  size_t pb = 0;
  while (pa != std::string_view::npos && pb != std::string_view::npos) {
    const int c = CompareIdentifiers(NextIdentifier(a, pa), NextIdentifier(b, pb));
    if (c != 0) return c;
  }
  if (pa == std::string_view::npos && pb == std::string_view::npos) return 0;
  return pa == std::string_view::npos ? -1 : 1;  // fewer identifiers sort first
}

int Cmp(uint64_t a, uint64_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

}  // namespace

std::optional<SemVer> SemVer::Parse(std::string_view s) {
  if (s.size() > kMaxLength) return std::nullopt;
  while (!s.empty() && IsBlank(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsBlank(s.back())) s.remove_suffix(1);
  if (!s.empty() && s.front() == '=') s.remove_prefix(1);
  if (!s.empty() && (s.front() == 'v' || s.front() == 'V')) s.remove_prefix(1);

  SemVer v;
  const auto major = TakeNumber(s);
  if (!major || s.empty() || s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  const auto minor = TakeNumber(s);
  if (!minor || s.empty() || s.front() != '.') return std::nullopt;
  s.remove_prefix(1);
  const auto patch = TakeNumber(s);
  if (!patch) return std::nullopt;
  v.major_ = *major;
  v.minor_ = *minor;
  v.patch_ = *patch;

  const size_t plus = s.find('+');
  const std::string_view build = plus == std::string_view::npos ? "" : s.substr(plus + 1);
  std::string_view pre = s.substr(0, plus);
  if (plus != std::string_view::npos && !ValidIdentifiers(build, false)) return std::nullopt;
  if (!pre.empty()) {
    if (pre.front() != '-') return std::nullopt;
    pre.remove_prefix(1);
    if (!ValidIdentifiers(pre, true)) return std::nullopt;
  }
  v.prerelease_ = pre;
  v.build_ = build;
  return v;
}

std::string SemVer::ToString() const {
  std::string out =
      std::to_string(major_) + '.' + std::to_string(minor_) + '.' + std::to_string(patch_);
  if (!prerelease_.empty()) out += '-' + prerelease_;
  if (!build_.empty()) out += '+' + build_;
  return out;
}

int SemVer::Compare(const SemVer& a, const SemVer& b) {
  if (const int c = Cmp(a.major_, b.major_); c != 0) return c;
  if (const int c = Cmp(a.minor_, b.minor_); c != 0) return c;
  if (const int c = Cmp(a.patch_, b.patch_); c != 0) return c;
  return ComparePrerelease(a.prerelease_, b.prerelease_);
}

}  // namespace deminer
