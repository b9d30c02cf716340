// What a suspect tree has that a clean one does not: two directories (a build
// dir, a node_modules, a mounted root) or two container image archives (their
// merged root file systems, unpacked with image_archive.h into private work
// dirs that are removed afterwards). `deminer diff` is built on it; seed 001
// wanted exactly this to find the code injected into a Next.js build.
//
// Both trees are walked (bounded: entries, depth, file size; symlinks are
// compared as link targets and never followed; devices, FIFOs and sockets are
// skipped) and every regular file is hashed (SHA-256). Files are paired by
// path, then what is left is paired by a normalised name (hex / base36 hash
// segments and build ids replaced, "chunks/app-3f9a1c2b.js" ~
// "chunks/app-77e0d4aa.js"). A pair is
//   - unchanged: same hash and mode;
//   - build noise: the same once build ids, the hashes of paired names,
//     per-build keys (previewModeId, encryptionKey, ...) and timestamps in
//     manifests are normalised, or a timing trace / build cache file; listed
//     apart, never as a change;
//   - changed: for text files, with the changed hunks. The diff is Myers'
//     (dtl) over tokens that end at ; , { } and newlines, so a snippet
//     injected into a one-line minified bundle is a hunk of just the snippet.
//     Above the size or edit-distance caps the hunk is what remains after
//     trimming the common prefix and suffix, and the change says so.
// What is only in one tree is added or removed.
//
// Errors: a path that is missing, or a kind mismatch (a directory against an
// image), is an Error; what cannot be read inside the trees is a Gap in
// `skipped` and the rest is compared. Nothing throws.
// Thread safety: no shared state; concurrent calls are fine (each walks its
// two trees on two threads of its own).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "sources/npm_project.h"

namespace deminer {

struct TreeDiffLimits {
  uint64_t max_entries = 1000000;  // per tree; more are a gap
  unsigned max_depth = 64;
  uint64_t max_file_bytes = uint64_t{512} << 20;  // larger files are listed unhashed (a gap)
  uint64_t max_text_bytes = uint64_t{16} << 20;   // text diffs only below this
  size_t max_diff_tokens = 200000;                // per side, after trimming; above: trimming only
  long long max_edit_distance = 20000;            // tokens; above: trimming only
  size_t max_hunk_bytes = size_t{64} << 10;       // text kept of each side of a hunk
  size_t max_hunks = 200;                         // per file
  uint64_t max_image_bytes = uint64_t{8} << 30;   // unpacked, per image
};

// One changed stretch of a text file.
struct DiffHunk {
  int line = 0;                // 1-based line of the suspect file where it starts
  uint64_t offset = 0;         // byte offset in the suspect file
  uint64_t clean_offset = 0;   // byte offset in the clean file
  std::string removed;         // the clean file's text, at most max_hunk_bytes
  std::string added;           // the suspect file's text, at most max_hunk_bytes
  uint64_t removed_bytes = 0;  // full sizes
  uint64_t added_bytes = 0;
  // Filled in by the caller's inspect hook (the JS heuristics on `added`).
  int score = 0;
  std::vector<JsSignal> signals;
};

enum class ChangeKind { kAdded, kRemoved, kChanged, kModeChanged };
std::string_view ChangeKindName(ChangeKind k);  // "added", "removed", "changed", "mode"

struct FileChange {
  ChangeKind kind = ChangeKind::kChanged;
  std::string path;        // relative to the tree; the suspect's (the clean's when removed)
  std::string clean_path;  // the clean file paired with it when its name differs
  std::string type;        // "file", "symlink", "dir"; the suspect's (clean's when removed)
  std::string clean_type;
  uint32_t mode = 0;  // permission bits (07777)
  uint32_t clean_mode = 0;
  uint64_t size = 0;
  uint64_t clean_size = 0;
  std::string sha256;  // empty for directories and unhashed files
  std::string clean_sha256;
  std::string link_target;  // symlinks
  std::string clean_link_target;
  bool text = false;  // both sides (or the added file) are text and were diffed / read
  std::vector<DiffHunk> hunks;
  size_t hunks_omitted = 0;  // beyond max_hunks
  std::string note;          // "binary", "diff capped: ...", "type changed"
  // Filled in by the inspect hook for added files (the whole file's score).
  int score = 0;
  std::vector<JsSignal> signals;
};

// A pair of files that differ only by build noise.
struct NoiseEntry {
  std::string clean_path;
  std::string path;                  // the suspect's
  std::vector<std::string> reasons;  // "build id", "hashed name", "per-build key", "timestamps",
                                     // "trace file", "build cache"
};

struct TreeDiff {
  std::string clean;    // as given
  std::string suspect;
  std::string kind;     // "directory" or "image"
  std::string clean_ref;  // images: the ref of the image compared
  std::string suspect_ref;
  std::vector<std::string> clean_build_ids;  // contents of BUILD_ID files found
  std::vector<std::string> suspect_build_ids;
  uint64_t clean_entries = 0;
  uint64_t suspect_entries = 0;
  uint64_t unchanged = 0;
  std::vector<FileChange> changes;  // sorted by path within each kind
  std::vector<NoiseEntry> noise;
  std::vector<Gap> skipped;
};

// Called for every change whose suspect side is text that was read: added
// files (with the whole file) and changed files (with the suspect's text; the
// hunks are filled in). Runs on the calling thread, before work dirs go.
using ChangeInspector = std::function<void(FileChange& change, std::string_view suspect_text)>;

struct TreeDiffOptions {
  TreeDiffLimits limits;
  ChangeInspector inspect;  // may be empty
  // Where private work dirs for unpacking images are made; empty: $TMPDIR or /var/tmp.
  std::string work_dir;
};

Expected<TreeDiff> DiffTrees(const std::string& clean, const std::string& suspect,
                             const TreeDiffOptions& options);

// ---- The pure parts, exposed for tests and fuzzing.

// The shape of a path for pairing renamed build outputs: each build id
// replaced by "<id>", each hash-like segment of a name by "<h>" (hex runs of
// 8+ with a digit, base36 / base62 words of 8+ with digits and letters,
// Turbopack's 13-character [0-9a-z_-] suffixes, numeric chunk ids).
// `segments` (may be null) receives the strings that were replaced.
std::string NormaliseName(std::string_view path, const std::vector<std::string>& build_ids,
                          std::vector<std::string>* segments);

struct TextDiff {
  std::vector<DiffHunk> hunks;
  size_t hunks_omitted = 0;
  bool capped = false;  // the caps were reached: one hunk after prefix/suffix trimming
  std::string note;
};

// The changed hunks between two texts (see the header's opening paragraph).
TextDiff DiffText(std::string_view clean, std::string_view suspect, const TreeDiffLimits& limits);

// Tokens for the diff: each ends after ; , { } or a newline (the last may end without).
std::vector<std::string_view> DiffTokens(std::string_view text);

// What NormaliseContent replaces: build ids, the hash segments of paired
// names, and (`json_keys`, for JSON and manifest files) the values of
// per-build keys and time keys ("previewModeId", "encryptionKey",
// "buildTime", "timestamp", ...; also inside JSON held in a JS string, with
// \" quotes).
struct NoiseStrings {
  std::vector<std::string> build_ids;
  std::vector<std::string> hashes;
};

// The text with build noise replaced by placeholders. `reasons` (may be null)
// receives what was replaced: "build id", "hashed name", "per-build key",
// "timestamps".
std::string NormaliseContent(std::string_view text, const NoiseStrings& strings, bool json_keys,
                             std::vector<std::string>* reasons);

// Whether bytes look like text (no NUL in the first 8 KiB).
bool LooksText(std::string_view head);

}  // namespace deminer
