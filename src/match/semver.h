// npm versions as SemVer 2.0 defines them: parsing and precedence, for OSV
// range matching (match/osv.h). Hand-written: Debian packages no C++ semver
// library, and the grammar is small. What npm's `semver` accepts in its
// default (non-loose) mode is accepted here: MAJOR.MINOR.PATCH without leading
// zeros, an optional prerelease (`-alpha.1`) and build metadata (`+sha.5`),
// with a leading "v" or "=" and surrounding blanks tolerated. Anything else
// (ranges, tags, URLs, "1.2", "01.2.3") does not parse.
//
// Precedence is SemVer 2.0 section 11: numeric fields compared as numbers, a
// version with a prerelease sorts below the same version without one,
// prerelease identifiers compared one by one (numeric ones as numbers, below
// alphanumeric ones, which compare in ASCII order; a shorter list of equal
// prefix sorts first), build metadata ignored. Compare allocates nothing.
//
// Values; thread-safe.
#pragma once

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace deminer {

class SemVer {
 public:
  // Versions longer than this do not parse (npm's MAX_LENGTH).
  static constexpr size_t kMaxLength = 256;
  // Numeric fields and identifiers above this do not parse (npm's
  // Number.MAX_SAFE_INTEGER).
  static constexpr uint64_t kMaxNumber = (uint64_t{1} << 53) - 1;

  static std::optional<SemVer> Parse(std::string_view text);

  uint64_t major() const { return major_; }
  uint64_t minor() const { return minor_; }
  uint64_t patch() const { return patch_; }
  // Without the '-' / '+'; empty when absent.
  const std::string& prerelease() const { return prerelease_; }
  const std::string& build() const { return build_; }
  bool IsPrerelease() const { return !prerelease_.empty(); }

  // "1.2.3-alpha.1+build" (normalised: no "v", no blanks).
  std::string ToString() const;

  // SemVer precedence: <0, 0 or >0. Build metadata is ignored, so
  // "1.0.0+a" and "1.0.0+b" compare equal.
  static int Compare(const SemVer& a, const SemVer& b);

  friend bool operator==(const SemVer& a, const SemVer& b) { return Compare(a, b) == 0; }
  friend std::strong_ordering operator<=>(const SemVer& a, const SemVer& b) {
    return Compare(a, b) <=> 0;
  }

 private:
  uint64_t major_ = 0;
  uint64_t minor_ = 0;
  uint64_t patch_ = 0;
  std::string prerelease_;
  std::string build_;
};

}  // namespace deminer
