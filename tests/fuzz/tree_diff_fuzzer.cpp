// Fuzzes the pure parts of deminer diff: the token diff, name and content
// normalisation run on files of a suspect build, which an attacker wrote.
// The input is split at its first NUL byte into a clean and a suspect text.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "sources/tree_diff.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const size_t nul = text.find('\0');
  const std::string_view clean = text.substr(0, nul);
  const std::string_view suspect =
      nul == std::string_view::npos ? std::string_view() : text.substr(nul + 1);
  deminer::TreeDiffLimits limits;
  limits.max_diff_tokens = 4096;
  limits.max_edit_distance = 2048;
  limits.max_hunk_bytes = 256;
  const deminer::TextDiff d = deminer::DiffText(clean, suspect, limits);
  for (const deminer::DiffHunk& h : d.hunks) {
    if (h.offset > suspect.size() || h.clean_offset > clean.size()) __builtin_trap();
    if (h.added.size() > limits.max_hunk_bytes) __builtin_trap();
  }
  deminer::NoiseStrings noise;
  noise.build_ids = {std::string(clean.substr(0, 21))};
  noise.hashes = {std::string(suspect.substr(0, 8)), "3f9a1c2b"};
  (void)deminer::NormaliseContent(suspect, noise, true, nullptr);
  (void)deminer::NormaliseName(clean, noise.build_ids, nullptr);
  (void)deminer::DiffTokens(suspect);
  return 0;
}
