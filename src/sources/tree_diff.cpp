#include "sources/tree_diff.h"

#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dtl/dtl.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <system_error>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <utility>

#include "core/strings.h"
#include "sources/file_hash.h"
#include "sources/image_archive.h"

namespace deminer {

std::string_view ChangeKindName(ChangeKind k) {
  switch (k) {
    case ChangeKind::kAdded: return "added";
    case ChangeKind::kRemoved: return "removed";
    case ChangeKind::kChanged: return "changed";
    case ChangeKind::kModeChanged: return "mode";
  }
  return "changed";
}

bool LooksText(std::string_view head) {
  return head.substr(0, 8192).find('\0') == std::string_view::npos;
}

// ---------------------------------------------------------------- names

namespace {

bool Alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Hex(char c) { return Digit(c) || (c >= 'a' && c <= 'f'); }
bool Base38(char c) { return Digit(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-'; }

// Whether a word (a maximal [A-Za-z0-9] run) reads as a hash.
bool HashWord(std::string_view w) {
  size_t digits = 0;
  size_t letters = 0;
  bool hex = true;
  for (const char c : w) {
    if (Digit(c)) {
      ++digits;
    } else {
      ++letters;
    }
    if (!Hex(c)) hex = false;
  }
  if (hex && w.size() >= 8 && digits >= 1) return true;
  return w.size() >= 10 && digits >= 2 && letters >= 2;
}

// One path component with its hash segments replaced.
std::string NormaliseComponent(std::string_view comp, std::vector<std::string>* segments) {
  // Turbopack: a 13-character [0-9a-z_-] hash, starting with a digit, ends a
  // dot-separated piece ("[root-of-the-server]__0_wo2si-eecmd._.js").
  std::string out;
  size_t piece_start = 0;
  bool any_hash = false;
  std::string tmp;
  while (piece_start <= comp.size()) {
    size_t dot = comp.find('.', piece_start);
    if (dot == std::string_view::npos) dot = comp.size();
    std::string_view piece = comp.substr(piece_start, dot - piece_start);
    std::string_view tail;
    constexpr size_t kTurbo = 13;
    if (piece.size() >= kTurbo) {
      const std::string_view cand = piece.substr(piece.size() - kTurbo);
      const bool shape = Digit(cand[0]) && std::all_of(cand.begin(), cand.end(), Base38) &&
                         (piece.size() == kTurbo || piece[piece.size() - kTurbo - 1] == '_' ||
                          piece[piece.size() - kTurbo - 1] == '-');
      if (shape) {
        tail = cand;
        piece.remove_suffix(kTurbo);
      }
    }
    // Words of the rest.
    size_t i = 0;
    while (i < piece.size()) {
      if (!Alnum(piece[i])) {
        tmp.push_back(piece[i++]);
        continue;
      }
      size_t j = i;
      while (j < piece.size() && Alnum(piece[j])) ++j;
      const std::string_view w = piece.substr(i, j - i);
      if (HashWord(w)) {
        tmp += "<h>";
        any_hash = true;
        if (segments != nullptr) segments->emplace_back(w);
      } else {
        tmp.append(w);
      }
      i = j;
    }
    if (!tail.empty()) {
      tmp += "<h>";
      any_hash = true;
      if (segments != nullptr) segments->emplace_back(tail);
    }
    out += tmp;
    tmp.clear();
    if (dot >= comp.size()) break;
    out.push_back('.');
    piece_start = dot + 1;
  }
  if (!any_hash) return out;
  // Numeric chunk ids beside a hash ("123-<h>.js") vary between builds too.
  std::string result;
  size_t i = 0;
  while (i < out.size()) {
    if (Digit(out[i]) && (i == 0 || !Alnum(out[i - 1]))) {
      size_t j = i;
      while (j < out.size() && Digit(out[j])) ++j;
      if (j == out.size() || !Alnum(out[j])) {
        if (segments != nullptr) segments->push_back(out.substr(i, j - i));
        result += "<n>";
        i = j;
        continue;
      }
      result.append(out, i, j - i);
      i = j;
      continue;
    }
    result.push_back(out[i++]);
  }
  return result;
}

std::string ReplaceAll(std::string s, std::string_view from, std::string_view to) {
  if (from.empty()) return s;
  size_t pos = 0;
  while ((pos = s.find(from, pos)) != std::string::npos) {
    s.replace(pos, from.size(), to);
    pos += to.size();
  }
  return s;
}

}  // namespace

std::string NormaliseName(std::string_view path, const std::vector<std::string>& build_ids,
                          std::vector<std::string>* segments) {
  std::string p(path);
  for (const std::string& id : build_ids) {
    if (id.size() >= 6 && p.find(id) != std::string::npos) {
      p = ReplaceAll(std::move(p), id, "<id>");
      if (segments != nullptr) segments->push_back(id);
    }
  }
  std::string out;
  size_t start = 0;
  while (true) {
    const size_t slash = p.find('/', start);
    const std::string_view comp =
        std::string_view(p).substr(start, slash == std::string::npos ? std::string::npos
                                                                     : slash - start);
    // "<id>" has no digits and survives the word rules.
    out += NormaliseComponent(comp, segments);
    if (slash == std::string::npos) break;
    out.push_back('/');
    start = slash + 1;
  }
  return out;
}

// ---------------------------------------------------------------- content

namespace {

// Keys whose values change with every build.
constexpr std::string_view kBuildKeys[] = {"previewModeId", "previewModeSigningKey",
                                           "previewModeEncryptionKey", "encryptionKey"};
constexpr std::string_view kTimeKeys[] = {"buildTime", "timestamp", "startTime", "generatedAt",
                                          "builtAt",   "createdAt", "time",      "mtime"};

// Marks [begin, end) ranges of `text` to be replaced by `mark`.
struct Edit {
  size_t begin;
  size_t end;
  char mark;
};

// The end of a JSON value starting at `i` (a string, with " or \" quotes, or
// a number); npos when it is neither.
size_t ValueEnd(std::string_view t, size_t i) {
  if (i < t.size() && t[i] == '"') {
    for (size_t j = i + 1; j < t.size(); ++j) {
      if (t[j] == '\\') {
        ++j;
      } else if (t[j] == '"') {
        return j + 1;
      }
    }
    return std::string_view::npos;
  }
  if (i + 1 < t.size() && t[i] == '\\' && t[i + 1] == '"') {
    const size_t j = t.find("\\\"", i + 2);
    return j == std::string_view::npos ? j : j + 2;
  }
  size_t j = i;
  while (j < t.size() && (Digit(t[j]) || t[j] == '.' || t[j] == '-' || t[j] == 'e' ||
                          t[j] == 'E' || t[j] == '+')) {
    ++j;
  }
  return j > i ? j : std::string_view::npos;
}

void KeyEdits(std::string_view t, std::string_view key, char mark, std::vector<Edit>& edits) {
  size_t pos = 0;
  while ((pos = t.find(key, pos)) != std::string_view::npos) {
    const size_t kend = pos + key.size();
    pos = kend;
    // "key" or \"key\"
    size_t i = kend;
    if (pos - key.size() == 0) continue;
    const char before = t[kend - key.size() - 1];
    if (before != '"') continue;
    if (i < t.size() && t[i] == '"') {
      ++i;
    } else if (i + 1 < t.size() && t[i] == '\\' && t[i + 1] == '"') {
      i += 2;
    } else {
      continue;
    }
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    if (i >= t.size() || t[i] != ':') continue;
    ++i;
    while (i < t.size() && (t[i] == ' ' || t[i] == '\t')) ++i;
    const size_t end = ValueEnd(t, i);
    if (end == std::string_view::npos) continue;
    edits.push_back({i, end, mark});
    pos = end;
  }
}

void StringEdits(std::string_view t, const std::vector<std::string>& strings, char mark,
                 std::vector<Edit>& edits) {
  if (strings.empty()) return;
  std::map<size_t, std::unordered_set<std::string_view>> by_len;
  for (const std::string& s : strings) {
    if (s.size() >= 6) by_len[s.size()].insert(s);
  }
  if (by_len.empty()) return;
  for (size_t i = 0; i < t.size(); ++i) {
    if (i > 0 && Alnum(t[i - 1])) continue;
    for (const auto& [len, set] : by_len) {
      if (i + len > t.size()) break;
      if (set.contains(t.substr(i, len))) {
        edits.push_back({i, i + len, mark});
        i += len - 1;
        break;
      }
    }
  }
}

}  // namespace

std::string NormaliseContent(std::string_view text, const NoiseStrings& strings, bool json_keys,
                             std::vector<std::string>* reasons) {
  std::vector<Edit> edits;
  StringEdits(text, strings.build_ids, 'B', edits);
  StringEdits(text, strings.hashes, 'H', edits);
  if (json_keys) {
    for (const std::string_view k : kBuildKeys) KeyEdits(text, k, 'K', edits);
    for (const std::string_view k : kTimeKeys) KeyEdits(text, k, 'T', edits);
  }
  if (edits.empty()) return std::string(text);
  std::sort(edits.begin(), edits.end(),
            [](const Edit& a, const Edit& b) { return a.begin < b.begin; });
  std::string out;
  out.reserve(text.size());
  size_t pos = 0;
  std::set<char> marks;
  for (const Edit& e : edits) {
    if (e.begin < pos) continue;  // overlaps an earlier edit
    out.append(text.substr(pos, e.begin - pos));
    out.push_back('\x01');
    out.push_back(e.mark);
    marks.insert(e.mark);
    pos = e.end;
  }
  out.append(text.substr(pos));
  if (reasons != nullptr) {
    for (const char m : marks) {
      reasons->push_back(m == 'B'   ? "build id"
                         : m == 'H' ? "hashed name"
                         : m == 'K' ? "per-build key"
                                    : "timestamps");
    }
  }
  return out;
}

// ---------------------------------------------------------------- text diff

std::vector<std::string_view> DiffTokens(std::string_view text) {
  std::vector<std::string_view> tokens;
  size_t start = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == ';' || c == ',' || c == '{' || c == '}' || c == '\n') {
      tokens.push_back(text.substr(start, i + 1 - start));
      start = i + 1;
    }
  }
  if (start < text.size()) tokens.push_back(text.substr(start));
  return tokens;
}

namespace {

std::string Bounded(std::string_view s, size_t max) {
  return std::string(s.substr(0, max));
}

// A change between token index ranges [c0, c1) of the clean side and
// [s0, s1) of the suspect side.
struct Span {
  size_t c0, c1, s0, s1;
};

// The lower bound of the edit distance: tokens one side has more often.
long long MultisetDistance(const std::vector<std::string_view>& a,
                           const std::vector<std::string_view>& b) {
  std::unordered_map<std::string_view, long long> count;
  count.reserve(a.size() + b.size());
  for (const auto t : a) ++count[t];
  for (const auto t : b) --count[t];
  long long d = 0;
  for (const auto& [t, n] : count) d += n < 0 ? -n : n;
  return d;
}

}  // namespace

TextDiff DiffText(std::string_view clean, std::string_view suspect, const TreeDiffLimits& limits) {
  TextDiff out;
  if (clean == suspect) return out;
  const std::vector<std::string_view> ct = DiffTokens(clean);
  const std::vector<std::string_view> st = DiffTokens(suspect);
  size_t pre = 0;
  while (pre < ct.size() && pre < st.size() && ct[pre] == st[pre]) ++pre;
  size_t suf = 0;
  while (suf < ct.size() - pre && suf < st.size() - pre &&
         ct[ct.size() - 1 - suf] == st[st.size() - 1 - suf]) {
    ++suf;
  }
  const std::vector<std::string_view> a(ct.begin() + pre, ct.end() - suf);
  const std::vector<std::string_view> b(st.begin() + pre, st.end() - suf);
  // Byte position of token index i of a side (its end when i is past the last).
  const auto cpos = [&](size_t i) -> uint64_t {
    const size_t k = pre + i;
    if (k < ct.size()) return ct[k].data() - clean.data();
    return clean.size();
  };
  const auto spos = [&](size_t i) -> uint64_t {
    const size_t k = pre + i;
    if (k < st.size()) return st[k].data() - suspect.data();
    return suspect.size();
  };

  std::vector<Span> spans;
  std::string cap_reason;
  if (a.size() > limits.max_diff_tokens || b.size() > limits.max_diff_tokens) {
    cap_reason = fmt::format("{} and {} differing tokens, over the cap of {}", a.size(), b.size(),
                             limits.max_diff_tokens);
  } else if (const long long lb = MultisetDistance(a, b); lb > limits.max_edit_distance) {
    cap_reason = fmt::format("edit distance at least {} tokens, over the cap of {}", lb,
                             limits.max_edit_distance);
  } else {
    dtl::Diff<std::string_view, std::vector<std::string_view>> d(a, b);
    // Trivial mode: past dtl's bound on the search (MAX_CORDINATES_SIZE) the
    // rest is recorded as deleted and added instead of searched again, so the
    // work stays bounded; the edit distance then tells it was reached.
    d.onUnserious();
    d.compose();
    if (d.getEditDistance() > limits.max_edit_distance) {
      cap_reason = fmt::format("edit distance {} tokens, over the cap of {}",
                               d.getEditDistance(), limits.max_edit_distance);
    } else {
      size_t i = 0;
      size_t j = 0;
      std::optional<Span> cur;
      const auto ses = d.getSes().getSequence();
      for (const auto& [elem, info] : ses) {
        (void)elem;
        if (info.type == dtl::SES_COMMON) {
          if (cur) {
            spans.push_back(*cur);
            cur.reset();
          }
          ++i;
          ++j;
          continue;
        }
        if (!cur) cur = Span{i, i, j, j};
        if (info.type == dtl::SES_DELETE) {
          cur->c1 = ++i;
        } else {
          cur->s1 = ++j;
        }
      }
      if (cur) spans.push_back(*cur);
      // Merge changes split by one or two short common tokens on the same
      // line, so a snippet that shares a "," with its surroundings stays one hunk.
      std::vector<Span> merged;
      for (const Span& s : spans) {
        if (!merged.empty()) {
          Span& m = merged.back();
          const size_t gap = s.c0 - m.c1;
          const std::string_view between = clean.substr(cpos(m.c1), cpos(s.c0) - cpos(m.c1));
          if (gap <= 2 && between.size() <= 32 && between.find('\n') == std::string_view::npos) {
            m.c1 = s.c1;
            m.s1 = s.s1;
            continue;
          }
        }
        merged.push_back(s);
      }
      spans = std::move(merged);
    }
  }
  if (!cap_reason.empty()) {
    // Common prefix and suffix trimming, byte-wise.
    size_t p = 0;
    const size_t n = std::min(clean.size(), suspect.size());
    while (p < n && clean[p] == suspect[p]) ++p;
    size_t s = 0;
    while (s < n - p && clean[clean.size() - 1 - s] == suspect[suspect.size() - 1 - s]) ++s;
    DiffHunk h;
    h.offset = p;
    h.clean_offset = p;
    const std::string_view rem = clean.substr(p, clean.size() - s - p);
    const std::string_view add = suspect.substr(p, suspect.size() - s - p);
    h.removed = Bounded(rem, limits.max_hunk_bytes);
    h.added = Bounded(add, limits.max_hunk_bytes);
    h.removed_bytes = rem.size();
    h.added_bytes = add.size();
    h.line = 1 + static_cast<int>(std::count(suspect.begin(), suspect.begin() + p, '\n'));
    out.hunks.push_back(std::move(h));
    out.capped = true;
    out.note = "diff capped (" + cap_reason + "): one hunk after trimming the common prefix and "
               "suffix";
    return out;
  }
  int line = 1;
  uint64_t counted = 0;
  for (const Span& s : spans) {
    if (out.hunks.size() >= limits.max_hunks) {
      ++out.hunks_omitted;
      continue;
    }
    DiffHunk h;
    h.clean_offset = cpos(s.c0);
    h.offset = spos(s.s0);
    const std::string_view rem = clean.substr(h.clean_offset, cpos(s.c1) - h.clean_offset);
    const std::string_view add = suspect.substr(h.offset, spos(s.s1) - h.offset);
    h.removed = Bounded(rem, limits.max_hunk_bytes);
    h.added = Bounded(add, limits.max_hunk_bytes);
    h.removed_bytes = rem.size();
    h.added_bytes = add.size();
    line += static_cast<int>(
        std::count(suspect.begin() + counted, suspect.begin() + h.offset, '\n'));
    counted = h.offset;
    h.line = line;
    out.hunks.push_back(std::move(h));
  }
  if (out.hunks_omitted > 0) {
    out.note = fmt::format("{} more hunks not shown (at most {} per file)", out.hunks_omitted,
                           limits.max_hunks);
  }
  return out;
}

// ---------------------------------------------------------------- trees

namespace {

namespace fs = std::filesystem;

struct Node {
  std::string path;  // relative, '/'-separated
  char type = 'f';   // f file, d dir, l symlink
  uint32_t mode = 0;
  uint64_t size = 0;
  std::string sha256;  // files that were hashed
  std::string link;
};

struct Tree {
  std::string root;
  std::vector<Node> nodes;
  std::unordered_map<std::string, size_t> index;
  std::vector<std::string> build_ids;
  std::set<std::string> build_dirs;  // dirs holding a BUILD_ID, and those named .next
  bool truncated = false;
};

std::string_view TypeName(char t) {
  return t == 'd' ? "dir" : t == 'l' ? "symlink" : "file";
}

class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

class Walker {
 public:
  Walker(const TreeDiffLimits& limits, Tree& tree, std::vector<Gap>& gaps, std::string label)
      : limits_(limits), tree_(tree), gaps_(gaps), label_(std::move(label)),
        hasher_(HashSet{.sha256 = true}), buf_(size_t{1} << 20) {}

  void Run() {
    const int fd = open(tree_.root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
      gaps_.push_back({label_ + " " + tree_.root, std::strerror(errno), ""});
      return;
    }
    Dir(fd, "", 0);
  }

 private:
  void Dir(int dfd_raw, const std::string& rel, unsigned depth) {
    Fd dfd(dfd_raw);
    const int dup_fd = fcntl(dfd.get(), F_DUPFD_CLOEXEC, 0);
    if (dup_fd < 0) return;
    DIR* d = fdopendir(dup_fd);
    if (d == nullptr) {
      close(dup_fd);
      gaps_.push_back({label_ + " " + (rel.empty() ? "." : rel), std::strerror(errno), ""});
      return;
    }
    std::vector<std::string> names;
    while (dirent* e = readdir(d)) {
      const std::string_view n = e->d_name;
      if (n == "." || n == "..") continue;
      names.emplace_back(n);
    }
    closedir(d);
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      if (tree_.truncated) return;
      if (tree_.nodes.size() >= limits_.max_entries) {
        tree_.truncated = true;
        gaps_.push_back({label_ + " tree",
                         fmt::format("more than {} entries; the rest is not compared",
                                     limits_.max_entries),
                         ""});
        return;
      }
      const std::string path = rel.empty() ? name : rel + "/" + name;
      struct stat st{};
      if (fstatat(dfd.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno != ENOENT) gaps_.push_back({label_ + " " + path, std::strerror(errno), ""});
        continue;
      }
      Node node;
      node.path = path;
      node.mode = st.st_mode & 07777;
      if (S_ISDIR(st.st_mode)) {
        node.type = 'd';
        tree_.nodes.push_back(std::move(node));
        if (depth + 1 >= limits_.max_depth) {
          gaps_.push_back({label_ + " " + path,
                           fmt::format("deeper than {} levels; not entered", limits_.max_depth),
                           ""});
          continue;
        }
        const int sub =
            openat(dfd.get(), name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (sub < 0) {
          gaps_.push_back({label_ + " " + path, std::strerror(errno), ""});
          continue;
        }
        Dir(sub, path, depth + 1);
      } else if (S_ISLNK(st.st_mode)) {
        node.type = 'l';
        std::string target(4096, '\0');
        const ssize_t n = readlinkat(dfd.get(), name.c_str(), target.data(), target.size());
        if (n < 0) {
          gaps_.push_back({label_ + " " + path, std::strerror(errno), ""});
          continue;
        }
        target.resize(static_cast<size_t>(n));
        node.link = std::move(target);
        node.size = node.link.size();
        tree_.nodes.push_back(std::move(node));
      } else if (S_ISREG(st.st_mode)) {
        node.size = static_cast<uint64_t>(st.st_size);
        if (node.size > limits_.max_file_bytes) {
          gaps_.push_back({label_ + " " + path,
                           fmt::format("{} bytes, over the {} byte bound: not hashed", node.size,
                                       limits_.max_file_bytes),
                           ""});
        } else {
          Hash(dfd.get(), name, node);
        }
        tree_.nodes.push_back(std::move(node));
      }
      // Devices, FIFOs and sockets are not content; skipped.
    }
  }

  void Hash(int dfd, const std::string& name, Node& node) {
    const int fd = openat(dfd, name.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
      gaps_.push_back({label_ + " " + node.path, std::strerror(errno), ""});
      return;
    }
    Fd f(fd);
    uint64_t total = 0;
    while (true) {
      const ssize_t n = read(fd, buf_.data(), buf_.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        gaps_.push_back({label_ + " " + node.path, std::strerror(errno), ""});
        hasher_.Finish();
        return;
      }
      if (n == 0) break;
      total += static_cast<uint64_t>(n);
      if (total > limits_.max_file_bytes) {
        gaps_.push_back({label_ + " " + node.path, "grew past the size bound while read", ""});
        hasher_.Finish();
        return;
      }
      hasher_.Update(buf_.data(), static_cast<size_t>(n));
    }
    node.size = total;
    node.sha256 = hasher_.Finish().sha256;
  }

  const TreeDiffLimits& limits_;
  Tree& tree_;
  std::vector<Gap>& gaps_;
  std::string label_;
  Hasher hasher_;
  std::vector<char> buf_;
};

// Reads root/rel without following a symlink on the way, at most `max` bytes.
Expected<std::string> ReadBeneath(const std::string& root, const std::string& rel, uint64_t max) {
  int dfd = open(root.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd < 0) return Fail(Error::FromErrno(errno, root));
  std::vector<std::string_view> parts = Split(rel, '/');
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const std::string part(parts[i]);
    const int next = openat(dfd, part.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    const int err = errno;
    close(dfd);
    if (next < 0) return Fail(Error::FromErrno(err, rel));
    dfd = next;
  }
  const std::string last(parts.empty() ? std::string_view() : parts.back());
  const int fd = openat(dfd, last.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  const int err = errno;
  close(dfd);
  if (fd < 0) return Fail(Error::FromErrno(err, rel));
  Fd f(fd);
  struct stat st{};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    return Fail(Error::InvalidInput(rel + ": not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max) {
    return Fail(Error::InvalidInput(fmt::format("{}: over {} bytes", rel, max)));
  }
  std::string data;
  data.resize(static_cast<size_t>(st.st_size));
  size_t got = 0;
  while (got < data.size()) {
    const ssize_t n = read(fd, data.data() + got, data.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Fail(Error::FromErrno(errno, rel));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  data.resize(got);
  return data;
}

std::string Parent(std::string_view path) {
  const size_t slash = path.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(path.substr(0, slash));
}

void FindBuildIds(Tree& t) {
  for (const Node& n : t.nodes) {
    const std::string_view name = Basename(n.path);
    if (n.type == 'd' && name == ".next") t.build_dirs.insert(n.path);
    if (n.type != 'f' || name != "BUILD_ID" || n.size == 0 || n.size > 128) continue;
    t.build_dirs.insert(Parent(n.path));
    auto text = ReadBeneath(t.root, n.path, 128);
    if (!text) continue;
    const std::string id(Trim(*text));
    const bool ok = id.size() >= 6 && std::all_of(id.begin(), id.end(), [](char c) {
                      return Alnum(c) || c == '_' || c == '-';
                    });
    if (ok && std::find(t.build_ids.begin(), t.build_ids.end(), id) == t.build_ids.end()) {
      t.build_ids.push_back(id);
    }
  }
}

// A timing trace of a build (.next/trace, trace-build, *.trace).
bool TraceFile(const Tree& t, std::string_view path) {
  const std::string_view name = Basename(path);
  if (name.ends_with(".trace")) return true;
  if (name != "trace" && !name.starts_with("trace-")) return false;
  return t.build_dirs.contains(Parent(path));
}

// Under a build dir's cache/ (.next/cache: not served, rebuilt from sources).
bool BuildCache(const Tree& t, std::string_view path) {
  std::string_view rest = path;
  size_t pos = 0;
  while ((pos = rest.find("/cache/", pos)) != std::string_view::npos) {
    if (t.build_dirs.contains(std::string(rest.substr(0, pos)))) return true;
    ++pos;
  }
  return path.starts_with("cache/") && t.build_dirs.contains("");
}

bool JsonLike(std::string_view path) {
  const std::string_view name = Basename(path);
  return name.ends_with(".json") || name.find("manifest") != std::string_view::npos ||
         name.ends_with(".meta");
}

void AddUnique(std::vector<std::string>& v, std::string s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

class Differ {
 public:
  Differ(const TreeDiffOptions& options, TreeDiff& out, Tree& clean, Tree& suspect)
      : o_(options), out_(out), c_(clean), s_(suspect) {}

  void Run() {
    FindBuildIds(c_);
    FindBuildIds(s_);
    out_.clean_build_ids = c_.build_ids;
    out_.suspect_build_ids = s_.build_ids;
    out_.clean_entries = c_.nodes.size();
    out_.suspect_entries = s_.nodes.size();
    for (const std::string& id : c_.build_ids) AddUnique(noise_.build_ids, id);
    for (const std::string& id : s_.build_ids) AddUnique(noise_.build_ids, id);
    ids_ = noise_.build_ids;

    std::vector<size_t> only_clean;
    std::vector<std::pair<size_t, size_t>> same;
    for (size_t i = 0; i < c_.nodes.size(); ++i) {
      const auto it = s_.index.find(c_.nodes[i].path);
      if (it == s_.index.end()) {
        only_clean.push_back(i);
      } else {
        same.emplace_back(i, it->second);
      }
    }
    std::vector<bool> s_matched(s_.nodes.size(), false);
    for (const auto& [ci, si] : same) s_matched[si] = true;
    std::vector<size_t> only_suspect;
    for (size_t i = 0; i < s_.nodes.size(); ++i) {
      if (!s_matched[i]) only_suspect.push_back(i);
    }
    std::vector<std::pair<size_t, size_t>> renamed = PairByShape(only_clean, only_suspect);

    for (const auto& [ci, si] : same) Compare(c_.nodes[ci], s_.nodes[si], false);
    for (const auto& [ci, si] : renamed) Compare(c_.nodes[ci], s_.nodes[si], true);
    std::vector<bool> c_paired(c_.nodes.size(), false);
    std::vector<bool> s_paired(s_.nodes.size(), false);
    for (const auto& [ci, si] : renamed) {
      c_paired[ci] = true;
      s_paired[si] = true;
    }
    for (const size_t si : only_suspect) {
      if (!s_paired[si]) Added(s_.nodes[si]);
    }
    for (const size_t ci : only_clean) {
      if (!c_paired[ci]) Removed(c_.nodes[ci]);
    }
    std::stable_sort(out_.changes.begin(), out_.changes.end(),
                     [](const FileChange& a, const FileChange& b) {
                       if (a.kind != b.kind) return a.kind < b.kind;
                       return a.path < b.path;
                     });
    std::sort(out_.noise.begin(), out_.noise.end(), [](const NoiseEntry& a, const NoiseEntry& b) {
      return (a.path.empty() ? a.clean_path : a.path) < (b.path.empty() ? b.clean_path : b.path);
    });
  }

 private:
  std::vector<std::pair<size_t, size_t>> PairByShape(const std::vector<size_t>& only_clean,
                                                     const std::vector<size_t>& only_suspect) {
    std::map<std::string, std::pair<std::vector<size_t>, std::vector<size_t>>> groups;
    for (const size_t i : only_clean) {
      groups[std::string(1, c_.nodes[i].type) + NormaliseName(c_.nodes[i].path, ids_, nullptr)]
          .first.push_back(i);
    }
    for (const size_t i : only_suspect) {
      groups[std::string(1, s_.nodes[i].type) + NormaliseName(s_.nodes[i].path, ids_, nullptr)]
          .second.push_back(i);
    }
    std::vector<std::pair<size_t, size_t>> pairs;
    std::vector<std::pair<std::vector<size_t>, std::vector<size_t>>> multi;
    for (auto& [shape, g] : groups) {
      auto& [cs, ss] = g;
      if (cs.empty() || ss.empty()) continue;
      if (cs.size() == 1 && ss.size() == 1) {
        pairs.emplace_back(cs[0], ss[0]);
        continue;
      }
      // Same content under another hash first.
      std::vector<size_t> rest_s;
      for (const size_t si : ss) {
        auto it = std::find_if(cs.begin(), cs.end(), [&](size_t ci) {
          return !s_.nodes[si].sha256.empty() && c_.nodes[ci].sha256 == s_.nodes[si].sha256;
        });
        if (it != cs.end()) {
          pairs.emplace_back(*it, si);
          cs.erase(it);
        } else {
          rest_s.push_back(si);
        }
      }
      if (!cs.empty() && !rest_s.empty()) multi.emplace_back(cs, rest_s);
    }
    for (const auto& [ci, si] : pairs) LearnHashes(c_.nodes[ci].path, s_.nodes[si].path);
    // The rest: equal once normalised, then by nearest size.
    for (auto& [cs, ss] : multi) {
      if (cs.size() * ss.size() <= 4096) {
        std::map<std::string, std::vector<size_t>> by_norm;
        for (const size_t ci : cs) {
          if (auto k = NormKey(c_, c_.nodes[ci])) by_norm[*k].push_back(ci);
        }
        std::vector<size_t> left_s;
        for (const size_t si : ss) {
          const auto k = NormKey(s_, s_.nodes[si]);
          auto it = k ? by_norm.find(*k) : by_norm.end();
          if (it != by_norm.end() && !it->second.empty()) {
            const size_t ci = it->second.back();
            it->second.pop_back();
            pairs.emplace_back(ci, si);
            LearnHashes(c_.nodes[ci].path, s_.nodes[si].path);
            cs.erase(std::find(cs.begin(), cs.end(), ci));
          } else {
            left_s.push_back(si);
          }
        }
        ss = std::move(left_s);
      }
      const auto by_size = [](const Tree& t) {
        return [&t](size_t a, size_t b) { return t.nodes[a].size < t.nodes[b].size; };
      };
      std::sort(cs.begin(), cs.end(), by_size(c_));
      std::sort(ss.begin(), ss.end(), by_size(s_));
      for (size_t k = 0; k < std::min(cs.size(), ss.size()); ++k) {
        pairs.emplace_back(cs[k], ss[k]);
        LearnHashes(c_.nodes[cs[k]].path, s_.nodes[ss[k]].path);
      }
    }
    return pairs;
  }

  // The normalised content of a small text file, as a pairing key.
  std::optional<std::string> NormKey(const Tree& t, const Node& n) {
    if (n.type != 'f' || n.sha256.empty() || n.size > (uint64_t{4} << 20)) return std::nullopt;
    auto text = ReadBeneath(t.root, n.path, n.size + 1);
    if (!text || !LooksText(*text)) return std::nullopt;
    return NormaliseContent(*text, noise_, JsonLike(n.path), nullptr);
  }

  // The hash segments that differ between two paired names.
  void LearnHashes(const std::string& clean_path, const std::string& suspect_path) {
    std::vector<std::string> a;
    std::vector<std::string> b;
    NormaliseName(clean_path, ids_, &a);
    NormaliseName(suspect_path, ids_, &b);
    for (const std::string& x : a) {
      if (x.size() >= 6 && std::find(b.begin(), b.end(), x) == b.end()) {
        AddUnique(noise_.hashes, x);
      }
    }
    for (const std::string& x : b) {
      if (x.size() >= 6 && std::find(a.begin(), a.end(), x) == a.end()) {
        AddUnique(noise_.hashes, x);
      }
    }
  }

  std::vector<std::string> NameReasons(const std::string& cp, const std::string& sp) {
    std::vector<std::string> r;
    if (cp == sp) return r;
    bool id = false;
    for (const std::string& b : ids_) {
      if (cp.find(b) != std::string::npos || sp.find(b) != std::string::npos) id = true;
    }
    if (id) r.push_back("build id in name");
    std::string cn = cp;
    std::string sn = sp;
    for (const std::string& b : ids_) {
      cn = ReplaceAll(std::move(cn), b, "<id>");
      sn = ReplaceAll(std::move(sn), b, "<id>");
    }
    if (cn != sn) r.push_back("hashed name");
    return r;
  }

  FileChange Base(ChangeKind kind, const Node* c, const Node* s) {
    FileChange ch;
    ch.kind = kind;
    if (s != nullptr) {
      ch.path = s->path;
      ch.type = TypeName(s->type);
      ch.mode = s->mode;
      ch.size = s->size;
      ch.sha256 = s->sha256;
      ch.link_target = s->link;
    }
    if (c != nullptr) {
      if (s == nullptr) {
        ch.path = c->path;
        ch.type = TypeName(c->type);
      } else if (c->path != s->path) {
        ch.clean_path = c->path;
      }
      ch.clean_type = TypeName(c->type);
      ch.clean_mode = c->mode;
      ch.clean_size = c->size;
      ch.clean_sha256 = c->sha256;
      ch.clean_link_target = c->link;
    }
    return ch;
  }

  void Noise(const Node& c, const Node& s, std::vector<std::string> reasons) {
    std::vector<std::string> r = NameReasons(c.path, s.path);
    for (std::string& x : reasons) AddUnique(r, std::move(x));
    out_.noise.push_back({c.path, s.path, std::move(r)});
  }

  void Compare(const Node& c, const Node& s, bool renamed) {
    if (c.type != s.type) {
      FileChange ch = Base(ChangeKind::kChanged, &c, &s);
      ch.note = fmt::format("type changed: {} -> {}", TypeName(c.type), TypeName(s.type));
      out_.changes.push_back(std::move(ch));
      return;
    }
    const bool mode_differs = c.mode != s.mode;
    // Same content: a mode change, noise when only the name moved, or nothing.
    auto same_content = [&] {
      if (mode_differs) {
        out_.changes.push_back(Base(ChangeKind::kModeChanged, &c, &s));
      } else if (renamed) {
        Noise(c, s, {});
      } else {
        ++out_.unchanged;
      }
    };
    if (c.type == 'd') {
      same_content();
      return;
    }
    if (c.type == 'l') {
      if (c.link == s.link ||
          NormaliseContent(c.link, noise_, false, nullptr) ==
              NormaliseContent(s.link, noise_, false, nullptr)) {
        if (c.link != s.link || renamed) {
          std::vector<std::string> r;
          if (c.link != s.link) NormaliseContent(s.link, noise_, false, &r);
          Noise(c, s, std::move(r));
        } else if (mode_differs) {
          out_.changes.push_back(Base(ChangeKind::kModeChanged, &c, &s));
        } else {
          ++out_.unchanged;
        }
        return;
      }
      FileChange ch = Base(ChangeKind::kChanged, &c, &s);
      ch.note = "link target changed";
      out_.changes.push_back(std::move(ch));
      return;
    }
    // Regular files.
    if (c.sha256.empty() || s.sha256.empty()) {
      if (c.size == s.size && !renamed && !mode_differs) {
        ++out_.unchanged;  // not hashed (over the bound; a gap says so)
        return;
      }
      FileChange ch = Base(ChangeKind::kChanged, &c, &s);
      ch.note = "not hashed (over the size bound)";
      out_.changes.push_back(std::move(ch));
      return;
    }
    if (c.sha256 == s.sha256) {
      same_content();
      return;
    }
    if (TraceFile(s_, s.path) && TraceFile(c_, c.path)) {
      Noise(c, s, {"trace file (build timings)"});
      return;
    }
    if (BuildCache(s_, s.path) && BuildCache(c_, c.path)) {
      Noise(c, s, {"build cache"});
      return;
    }
    FileChange ch = Base(ChangeKind::kChanged, &c, &s);
    const uint64_t max_text = o_.limits.max_text_bytes;
    if (c.size > max_text || s.size > max_text) {
      ch.note = fmt::format("too large for a text diff (over {} bytes)", max_text);
      out_.changes.push_back(std::move(ch));
      return;
    }
    auto ctext = ReadBeneath(c_.root, c.path, max_text);
    auto stext = ReadBeneath(s_.root, s.path, max_text);
    if (!ctext || !stext) {
      out_.skipped.push_back({"diff of " + s.path,
                              !ctext ? ctext.error().message() : stext.error().message(), ""});
      ch.note = "changed by hash; could not be read for a text diff";
      out_.changes.push_back(std::move(ch));
      return;
    }
    if (!LooksText(*ctext) || !LooksText(*stext)) {
      ch.note = "binary";
      out_.changes.push_back(std::move(ch));
      return;
    }
    const bool json = JsonLike(s.path);
    std::vector<std::string> reasons;
    const std::string sn = NormaliseContent(*stext, noise_, json, &reasons);
    const std::string cn = NormaliseContent(*ctext, noise_, json, &reasons);
    if (sn == cn && !mode_differs) {
      Noise(c, s, std::move(reasons));
      return;
    }
    ch.text = true;
    if (sn != cn) {
      TextDiff td = DiffText(*ctext, *stext, o_.limits);
      std::vector<DiffHunk> real;
      for (DiffHunk& h : td.hunks) {
        // A hunk that is only build noise (an id, a hash, a key) is no change.
        if (!td.capped && h.removed_bytes == h.removed.size() &&
            h.added_bytes == h.added.size() &&
            NormaliseContent(h.removed, noise_, json, nullptr) ==
                NormaliseContent(h.added, noise_, json, nullptr)) {
          continue;
        }
        real.push_back(std::move(h));
      }
      ch.hunks = std::move(real);
      ch.hunks_omitted = td.hunks_omitted;
      ch.note = td.note;
    }
    if (o_.inspect) o_.inspect(ch, *stext);
    out_.changes.push_back(std::move(ch));
  }

  void Added(const Node& s) {
    if (s.type == 'd') return;  // its files are listed
    if (BuildCache(s_, s.path)) {
      out_.noise.push_back({"", s.path, {"build cache"}});
      return;
    }
    FileChange ch = Base(ChangeKind::kAdded, nullptr, &s);
    if (s.type == 'f' && !s.sha256.empty() && s.size <= o_.limits.max_text_bytes) {
      auto text = ReadBeneath(s_.root, s.path, o_.limits.max_text_bytes);
      if (!text) {
        out_.skipped.push_back({"read of added " + s.path, text.error().message(), ""});
      } else if (LooksText(*text)) {
        ch.text = true;
        if (o_.inspect) o_.inspect(ch, *text);
      } else {
        ch.note = "binary";
      }
    }
    out_.changes.push_back(std::move(ch));
  }

  void Removed(const Node& c) {
    if (c.type == 'd') return;
    if (BuildCache(c_, c.path)) {
      out_.noise.push_back({c.path, "", {"build cache"}});
      return;
    }
    out_.changes.push_back(Base(ChangeKind::kRemoved, &c, nullptr));
  }

  const TreeDiffOptions& o_;
  TreeDiff& out_;
  Tree& c_;
  Tree& s_;
  NoiseStrings noise_;
  std::vector<std::string> ids_;
};

// Removes a work dir on destruction.
class WorkDir {
 public:
  ~WorkDir() {
    if (!path_.empty()) {
      std::error_code ec;
      fs::remove_all(path_, ec);
    }
  }
  Expected<void> Make(const std::string& base_opt) {
    std::string base = base_opt;
    if (base.empty()) {
      const char* t = std::getenv("TMPDIR");
      base = t != nullptr && *t != '\0' ? t : "/var/tmp";
    }
    std::string tmpl = base + "/deminer-diff.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) return Fail(Error::FromErrno(errno, tmpl));
    path_ = tmpl;
    return {};
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

bool IsDir(const std::string& p) {
  struct stat st{};
  return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

Expected<void> Exists(const std::string& p) {
  struct stat st{};
  if (stat(p.c_str(), &st) != 0) return Fail(Error::FromErrno(errno, p));
  return {};
}

}  // namespace

Expected<TreeDiff> DiffTrees(const std::string& clean, const std::string& suspect,
                             const TreeDiffOptions& options) {
  if (auto e = Exists(clean); !e) return Fail(e.error());
  if (auto e = Exists(suspect); !e) return Fail(e.error());
  const bool clean_image = IsImageArchive(clean);
  const bool suspect_image = IsImageArchive(suspect);
  if (clean_image != suspect_image) {
    return Fail(Error::InvalidInput(fmt::format(
        "{} is {} but {} is {}: compare two directories or two image archives", clean,
        clean_image ? "an image archive" : "not", suspect,
        suspect_image ? "an image archive" : "not")));
  }
  TreeDiff out;
  out.clean = clean;
  out.suspect = suspect;
  Tree ct;
  Tree st;
  WorkDir work;
  if (clean_image) {
    out.kind = "image";
    if (auto m = work.Make(options.work_dir); !m) return Fail(m.error());
    ImageLimits il;
    il.max_total_bytes = options.limits.max_image_bytes;
    il.max_file_bytes = options.limits.max_file_bytes;
    const auto unpack = [&](const std::string& archive, const std::string& dest,
                            std::string& ref) -> Expected<std::string> {
      auto images = UnpackImages(archive, dest, il, out.skipped);
      if (!images) return Fail(images.error());
      if (images->empty()) return Fail(Error::InvalidInput(archive + ": no image in it"));
      if (images->size() > 1) {
        out.skipped.push_back({archive,
                               fmt::format("holds {} images; the first ({}) is compared",
                                           images->size(), images->front().ref),
                               ""});
      }
      ref = images->front().ref;
      return images->front().root;
    };
    auto cr = unpack(clean, work.path() + "/clean", out.clean_ref);
    if (!cr) return Fail(cr.error());
    auto sr = unpack(suspect, work.path() + "/suspect", out.suspect_ref);
    if (!sr) return Fail(sr.error());
    ct.root = *cr;
    st.root = *sr;
  } else {
    if (!IsDir(clean) || !IsDir(suspect)) {
      return Fail(Error::InvalidInput(fmt::format(
          "{}: not a directory or an image archive", IsDir(clean) ? suspect : clean)));
    }
    out.kind = "directory";
    ct.root = clean;
    st.root = suspect;
  }
  // The two walks (hashing every file) run side by side.
  std::vector<Gap> clean_gaps;
  const auto walk_clean = [&] { Walker(options.limits, ct, clean_gaps, "clean").Run(); };
  std::thread clean_walk;
  try {
    clean_walk = std::thread(walk_clean);
  } catch (const std::system_error&) {
    walk_clean();  // no thread to be had: one after the other
  }
  Walker(options.limits, st, out.skipped, "suspect").Run();
  if (clean_walk.joinable()) clean_walk.join();
  out.skipped.insert(out.skipped.begin(), clean_gaps.begin(), clean_gaps.end());
  for (size_t i = 0; i < ct.nodes.size(); ++i) ct.index.emplace(ct.nodes[i].path, i);
  for (size_t i = 0; i < st.nodes.size(); ++i) st.index.emplace(st.nodes[i].path, i);
  Differ(options, out, ct, st).Run();
  return out;
}

}  // namespace deminer
