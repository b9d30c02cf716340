#include "checks/log_collect.h"

#include <fmt/format.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include "core/strings.h"
#include "core/workers.h"
#include "match/log_matcher.h"
#include "sources/journal.h"
#include "sources/log_reader.h"

namespace deminer {

namespace fs = std::filesystem;

namespace {

constexpr size_t kChunkBytes = size_t{4} << 20;
constexpr size_t kMaxSamples = 3;
constexpr size_t kMaxCaptured = 10;
constexpr size_t kMaxTimes = 5000;
constexpr size_t kMaxFirstSeen = 10000;  // addresses a novelty rule remembers
constexpr size_t kSampleChars = 300;

// A name a log file has: "x.log", "x.log.1", "x.log.2.gz", "x-json.log",
// "secure-20261122", "syslog.1".
bool LogFileName(std::string_view name) {
  return name.ends_with(".log") || name.find(".log.") != std::string_view::npos ||
         name.find("-json.log") != std::string_view::npos || name.starts_with("secure") ||
         name.starts_with("auth.log") || name.starts_with("syslog") || name.starts_with("messages");
}

void AddDir(const std::string& dir, const std::string& shown, LogKind kind, bool all_files,
            unsigned depth, std::vector<LogTarget>& out) {
  std::error_code ec;
  std::vector<fs::directory_entry> entries;
  for (const auto& e : fs::directory_iterator(dir, ec)) entries.push_back(e);
  std::sort(entries.begin(), entries.end());
  for (const auto& e : entries) {
    const std::string name = e.path().filename().string();
    if (e.is_symlink(ec)) continue;
    if (e.is_directory(ec)) {
      if (depth > 0) AddDir(e.path().string(), shown + "/" + name, kind, all_files, depth - 1, out);
      continue;
    }
    if (!e.is_regular_file(ec) || (!all_files && !LogFileName(name))) continue;
    out.push_back({e.path().string(), shown + "/" + name,
                   kind == LogKind::kFile ? LogKindOfPath(shown + "/" + name) : kind,
                   ContainerIdOfLogPath(shown + "/" + name)});
  }
}

void AddIfFile(const std::string& path, const std::string& shown, LogKind kind,
               std::vector<LogTarget>& out) {
  struct stat st {};
  if (lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode)) out.push_back({path, shown, kind, ""});
}

// Appends `s` to `v` unless present or `v` is full.
void AddOnce(std::vector<std::string>& v, std::string s, size_t max) {
  if (v.size() < max && std::find(v.begin(), v.end(), s) == v.end()) v.push_back(std::move(s));
}

bool UrlChar(char c) {
  return c > ' ' && c != '"' && c != '\'' && c != '<' && c != '>' && c != '`' && c != '\\' &&
         static_cast<unsigned char>(c) < 0x7f;
}

// One log's hits, grouped by rule and container (the journal holds many
// containers' lines).
struct Groups {
  std::map<std::pair<size_t, std::string>, LogHits> by_rule;
};

// What a journal entry is a log of: its container's (the journald log
// driver), a daemon's the log rules know by name (PostgreSQL, Redis, the web
// servers), or the system's.
LogKind JournalEntryKind(const JournalEntry& e) {
  if (!e.container_id.empty()) return LogKind::kContainer;
  const std::string_view id = e.identifier;
  if (id.starts_with("postgres") || id.starts_with("postmaster")) return LogKind::kPostgres;
  if (id.starts_with("redis")) return LogKind::kRedis;
  if (id.starts_with("nginx") || id.starts_with("apache") || id.starts_with("httpd")) {
    return LogKind::kWeb;
  }
  return LogKind::kJournal;
}

// Messages joined by newlines for one block scan, and the matches mapped
// back to the message they ended in: the decoded Docker lines of a chunk, a
// batch of journal entries.
class MessageBatch {
 public:
  void Clear() {
    text_.clear();
    starts_.clear();
  }
  // Appends one message; `fill` writes it at the end of the text.
  template <class Fill>
  void Add(Fill&& fill) {
    starts_.push_back(text_.size());
    fill(text_);
    text_ += '\n';
  }
  // Appends the indices of the messages a pattern matched in.
  void Candidates(const LogMatcher& matcher, std::vector<size_t>& out) const {
    (void)matcher.ScanChunk(text_, [&](size_t end) {
      const auto it = std::upper_bound(starts_.begin(), starts_.end(), end - 1);
      out.push_back(static_cast<size_t>(it - starts_.begin()) - 1);
    });
  }

 private:
  std::string text_;
  std::vector<size_t> starts_;
};

// Sorts and de-duplicates candidates.
void Unique(std::vector<size_t>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

class LogScan {
 public:
  LogScan(const ScanOptions& options, const RulePack& rules, const LogMatcher& matcher)
      : options_(options), rules_(rules), matcher_(matcher) {}

  // Reads one log (with `follow`, what was appended since the last pass);
  // its hits and gaps go to `facts` under the lock.
  void Read(const LogTarget& t, Facts& facts, std::mutex& mu, LogFollow* follow) {
    struct stat st {};
    const bool stated = t.path != "-" && stat(t.path.c_str(), &st) == 0;
    int year = 0;
    {
      const time_t when = stated ? st.st_mtime : std::time(nullptr);
      std::tm tm{};
      gmtime_r(&when, &tm);
      year = tm.tm_year + 1900;
    }
    LogReadOptions read;
    read.chunk_bytes = kChunkBytes;
    LogCursor* cursor = nullptr;
    if (follow != nullptr && stated) {
      if (t.path.ends_with(".gz")) {
        if (follow->primed) return;  // a compressed rotation does not grow
      } else {
        std::lock_guard lock(mu);
        LogCursor& c = follow->cursors[t.path];
        const auto size = static_cast<uint64_t>(st.st_size);
        if (c.ino != st.st_ino || c.dev != st.st_dev || size < c.offset) {
          c = {st.st_dev, st.st_ino, 0, 1};  // new, rotated or truncated
        }
        if (size == c.offset) return;
        read.start_offset = c.offset;
        read.first_line = c.next_line;
        read.final_partial_line = false;  // the writer may not have finished it
        cursor = &c;
      }
    }
    Groups groups;
    bool first = true;
    LogFormat format = LogFormat::kPlain;
    MessageBatch decoded;         // escaped Docker lines, decoded
    std::vector<size_t> escaped;  // their starts in the chunk
    std::vector<size_t> picked;   // which of them a pattern matched in
    std::vector<size_t> lines;    // candidate line starts in the chunk
    auto stats = ReadLogChunks(t.path, read, [&](std::string_view text, uint64_t line0) {
      if (first) {
        format = DetectLogFormat(text.substr(0, text.find('\n')));
        first = false;
      }
      lines.clear();
      // Every line as it is: a Docker line's raw bytes hold its message.
      (void)matcher_.ScanChunk(text, [&](size_t end) {
        const size_t nl = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
        lines.push_back(nl == std::string_view::npos ? 0 : nl + 1);
      });
      // Docker lines whose message was escaped (a quote, '&' as \u0026):
      // decoded together, scanned together.
      if (format == LogFormat::kDockerJson) {
        escaped = EscapedDockerLines(text);
        decoded.Clear();
        for (const size_t start : escaped) {
          const size_t end = text.find('\n', start);
          decoded.Add([&](std::string& out) {
            AppendDockerMessage(
                text.substr(start, end == std::string_view::npos ? end : end - start), out);
          });
        }
        picked.clear();
        decoded.Candidates(matcher_, picked);
        for (const size_t i : picked) lines.push_back(escaped[i]);
      }
      if (lines.empty()) return;
      Unique(lines);
      // Each candidate alone: its message decoded, its number counted.
      size_t counted_to = 0;
      uint64_t counted = 0;
      for (const size_t from : lines) {
        counted += CountNewlines(text.substr(counted_to, from - counted_to));
        counted_to = from;
        const size_t to = text.find('\n', from);
        const std::string_view raw =
            text.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from);
        Hit(t, format, raw, line0 + counted, year, groups);
      }
    });
    std::lock_guard lock(mu);
    if (!stats) {
      facts.gaps.push_back({"log " + t.shown, stats.error().message(), "read access to the log"});
      return;
    }
    if (cursor != nullptr) {
      cursor->offset = stats->end_offset;
      cursor->next_line = read.first_line + stats->lines;
    }
    if (!stats->error.empty()) {
      facts.gaps.push_back({"the rest of log " + t.shown, stats->error, ""});
    }
    ++facts.logs_read;
    facts.log_lines += stats->lines;
    if (stats->cut_lines != 0) {
      facts.gaps.push_back({fmt::format("{} lines of log {}", stats->cut_lines, t.shown),
                            fmt::format("longer than {} MiB: matched in pieces", kChunkBytes >> 20),
                            ""});
    }
    for (auto& [rule, hits] : groups.by_rule) facts.log_hits.push_back(std::move(hits));
  }

  // Reads the systemd journal files under `dirs` in batches, the same two
  // passes as a log file: one scan of a batch, then each candidate alone.
  void ReadJournalDirs(const std::vector<std::string>& dirs, const std::string& shown, Facts& facts,
                       std::mutex& mu, LogFollow* follow) {
    const LogTarget t{"", shown, LogKind::kJournal, ""};
    Groups groups;
    MessageBatch text;
    std::vector<size_t> picked;
    // A follower reads on from the last second it saw; what it read of that
    // second is skipped (an empty message matches nothing).
    const bool on = follow != nullptr && follow->primed && follow->journal_time != 0;
    const int64_t since = on ? std::max(options_.since, follow->journal_time) : options_.since;
    int64_t newest = on ? follow->journal_time : 0;
    std::set<std::string> newest_messages =
        on ? follow->journal_last_second : std::set<std::string>();
    auto stats =
        ReadJournal(dirs, since, options_.until, 8192, [&](const std::vector<JournalEntry>& batch) {
          text.Clear();
          for (const JournalEntry& e : batch) {
            const bool seen = on && e.time == follow->journal_time &&
                              follow->journal_last_second.contains(e.message);
            text.Add([&](std::string& out) {
              if (!seen) out += e.message;
            });
            if (follow == nullptr) continue;
            if (e.time > newest) {
              newest = e.time;
              newest_messages.clear();
            }
            if (e.time == newest && newest_messages.size() < 4096)
              newest_messages.insert(e.message);
          }
          picked.clear();
          text.Candidates(matcher_, picked);
          Unique(picked);
          for (const size_t i : picked) {
            const JournalEntry& e = batch[i];
            LogLineParts parts;
            parts.message = e.message;
            parts.time = e.time;
            Record(t, JournalEntryKind(e), e.container_id, parts, e.identifier, 0, groups);
          }
        });
    std::lock_guard lock(mu);
    if (!stats) {
      facts.gaps.push_back({"the systemd journal (" + shown + ")", stats.error().message(),
                            "libsystemd.so.0 or journalctl, and read access to the journal"});
      return;
    }
    ++facts.logs_read;
    facts.log_lines += stats->entries;
    for (auto& [rule, hits] : groups.by_rule) facts.log_hits.push_back(std::move(hits));
    if (follow != nullptr) {
      follow->journal_time = newest;
      follow->journal_last_second = std::move(newest_messages);
    }
  }

 private:
  void Hit(const LogTarget& t, LogFormat format, std::string_view raw, uint64_t number, int year,
           Groups& groups) {
    Record(t, t.kind, t.container_id, DecodeLogLine(format, raw, year), "", number, groups);
  }

  // One candidate line: the rules it fires, within --since/--until.
  // `prefix` names who wrote it (the journal's identifier) in the samples.
  void Record(const LogTarget& t, LogKind kind, const std::string& container_id,
              const LogLineParts& parts, std::string_view prefix, uint64_t number, Groups& groups) {
    if (parts.time != 0 && ((options_.since != 0 && parts.time < options_.since) ||
                            (options_.until != 0 && parts.time > options_.until))) {
      return;
    }
    for (const size_t r : matcher_.RulesOf(parts.message, kind)) {
      LogHits& h = groups.by_rule[{r, container_id}];
      if (h.count == 0) {
        h.rule = r;
        h.log = t.shown;
        h.kind = LogKindName(kind);
        h.container_id = container_id;
        h.first_line = number;
      }
      ++h.count;
      h.last_line = number;
      if (parts.time != 0) {
        if (h.first_time == 0 || parts.time < h.first_time) h.first_time = parts.time;
        h.last_time = std::max(h.last_time, parts.time);
        if (h.times.size() < kMaxTimes) h.times.push_back(parts.time);
      }
      if (h.samples.size() < kMaxSamples) {
        std::string line = prefix.empty() ? "" : std::string(prefix) + ": ";
        line += Trim(parts.message);
        AddOnce(h.samples, Printable(line, kSampleChars), kMaxSamples);
      }
      const LogRule& rule = rules_.log_rules[r];
      for (std::string& c : CaptureFromLine(parts.message, rule.capture)) {
        if (rule.new_within != 0 && parts.time != 0 &&
            (h.first_seen.size() < kMaxFirstSeen || h.first_seen.contains(c))) {
          auto [it, fresh] = h.first_seen.try_emplace(c, parts.time);
          if (!fresh) it->second = std::min(it->second, parts.time);
        }
        AddOnce(h.captured, std::move(c), kMaxCaptured);
      }
    }
  }

  const ScanOptions& options_;
  const RulePack& rules_;
  const LogMatcher& matcher_;
};

}  // namespace

LogKind LogKindOfPath(std::string_view path) {
  const std::string_view name = path.substr(path.rfind('/') + 1);
  if (path.find("/postgresql") != std::string_view::npos || name.starts_with("postgres")) {
    return LogKind::kPostgres;
  }
  if (path.find("/redis") != std::string_view::npos || name.starts_with("redis")) {
    return LogKind::kRedis;
  }
  if (path.find("/nginx") != std::string_view::npos ||
      path.find("/apache") != std::string_view::npos ||
      path.find("/httpd") != std::string_view::npos) {
    return LogKind::kWeb;
  }
  if (name.starts_with("auth.log") || name.starts_with("secure")) return LogKind::kAuth;
  if (name.find("-json.log") != std::string_view::npos || name == "ctr.log") {
    return LogKind::kContainer;
  }
  return LogKind::kFile;
}

std::string ContainerIdOfLogPath(std::string_view path) {
  for (const std::string_view dir : {"/overlay-containers/", "/docker/containers/"}) {
    const size_t at = path.find(dir);
    if (at == std::string_view::npos) continue;
    const std::string_view rest = path.substr(at + dir.size());
    const std::string_view id = rest.substr(0, rest.find('/'));
    if (id.size() >= 12 && id.size() < rest.size() &&
        id.find_first_not_of("0123456789abcdef") == std::string_view::npos) {
      return std::string(id);
    }
  }
  return {};
}

std::vector<LogTarget> FindLogs(const ScanOptions& options, std::vector<Gap>& gaps) {
  std::vector<LogTarget> out;
  const std::string prefix = options.root == "/" ? "" : options.root;
  std::error_code ec;
  // Docker's json-file logs, rotated ones included: containers/ID/ID-json.log[.N[.gz]].
  for (const auto& c : fs::directory_iterator(prefix + "/var/lib/docker/containers", ec)) {
    const std::string id = c.path().filename().string();
    for (const auto& f : fs::directory_iterator(c.path(), ec)) {
      const std::string name = f.path().filename().string();
      if (name.find("-json.log") == std::string::npos || !f.is_regular_file(ec)) continue;
      out.push_back({f.path().string(), "/var/lib/docker/containers/" + id + "/" + name,
                     LogKind::kContainer, id});
    }
  }
  // Podman's k8s-file logs (root): overlay-containers/ID/userdata/ctr.log.
  for (const auto& c :
       fs::directory_iterator(prefix + "/var/lib/containers/storage/overlay-containers", ec)) {
    const std::string id = c.path().filename().string();
    const std::string shown =
        "/var/lib/containers/storage/overlay-containers/" + id + "/userdata/ctr.log";
    struct stat st {};
    if (lstat((prefix + shown).c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      out.push_back({prefix + shown, shown, LogKind::kContainer, id});
    }
  }
  const std::pair<const char*, LogKind> kDirs[] = {
      {"/var/log/postgresql", LogKind::kPostgres}, {"/var/log/redis", LogKind::kRedis},
      {"/var/log/nginx", LogKind::kWeb},           {"/var/log/apache2", LogKind::kWeb},
      {"/var/log/httpd", LogKind::kWeb},
  };
  for (const auto& [dir, kind] : kDirs) AddDir(prefix + dir, dir, kind, true, 1, out);
  std::vector<fs::directory_entry> var_log;
  for (const auto& e : fs::directory_iterator(prefix + "/var/log", ec)) var_log.push_back(e);
  std::sort(var_log.begin(), var_log.end());
  for (const auto& e : var_log) {
    const std::string name = e.path().filename().string();
    if (name.starts_with("auth.log") || name.starts_with("secure")) {
      AddIfFile(e.path().string(), "/var/log/" + name, LogKind::kAuth, out);
    }
  }
  for (const std::string& p : options.paths) {
    if (p == "-") {
      out.push_back({"-", "-", LogKind::kFile, ""});
      continue;
    }
    const std::string abs = fs::absolute(p, ec).lexically_normal().string();
    if (fs::is_directory(abs, ec)) {
      AddDir(abs, abs, LogKind::kFile, false, 8, out);
    } else if (fs::is_regular_file(abs, ec)) {
      out.push_back({abs, abs, LogKindOfPath(abs), ContainerIdOfLogPath(abs)});
    } else {
      gaps.push_back({"log " + abs, "not a regular file or directory", ""});
    }
  }
  return out;
}

std::vector<std::string> JournalDirs(const std::string& root) {
  const std::string prefix = root == "/" ? "" : root;
  std::vector<std::string> out;
  for (const char* dir : {"/var/log/journal", "/run/log/journal"}) {
    std::error_code ec;
    // Only a directory that holds a journal file somewhere below it.
    for (auto it = fs::recursive_directory_iterator(prefix + dir, ec);
         !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (it.depth() > 1) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->path().extension() == ".journal" || it->path().extension() == ".journal~") {
        out.push_back(prefix + dir);
        break;
      }
    }
  }
  return out;
}

std::vector<std::string> CaptureFromLine(std::string_view line,
                                         const std::vector<std::string>& what) {
  std::vector<std::string> out;
  const auto want = [&](std::string_view w) {
    return std::find(what.begin(), what.end(), w) != what.end();
  };
  if (want("url")) {
    for (size_t at = line.find("://"); at != std::string_view::npos;
         at = line.find("://", at + 3)) {
      size_t from = at;
      while (from > 0 && std::isalpha(static_cast<unsigned char>(line[from - 1])) != 0) --from;
      size_t to = at + 3;
      while (to < line.size() && UrlChar(line[to])) ++to;
      if (from < at && to > at + 3) AddOnce(out, std::string(line.substr(from, to - from)), 64);
    }
  }
  if (want("ip")) {
    for (size_t i = 0; i < line.size(); ++i) {
      if (std::isdigit(static_cast<unsigned char>(line[i])) == 0 ||
          (i > 0 &&
           (std::isalnum(static_cast<unsigned char>(line[i - 1])) != 0 || line[i - 1] == '.'))) {
        continue;
      }
      size_t j = i;
      int parts = 0;
      bool ok = true;
      while (parts < 4) {
        size_t k = j;
        int v = 0;
        while (k < line.size() && k - j < 3 && std::isdigit(static_cast<unsigned char>(line[k]))) {
          v = v * 10 + (line[k] - '0');
          ++k;
        }
        if (k == j || v > 255) {
          ok = false;
          break;
        }
        ++parts;
        j = k;
        if (parts < 4) {
          if (j >= line.size() || line[j] != '.') {
            ok = false;
            break;
          }
          ++j;
        }
      }
      if (ok && (j >= line.size() ||
                 (std::isalnum(static_cast<unsigned char>(line[j])) == 0 && line[j] != '.'))) {
        AddOnce(out, std::string(line.substr(i, j - i)), 64);
        i = j;
      }
    }
  }
  if (want("path")) {
    for (const std::string_view dir : {"/tmp/", "/var/tmp/", "/dev/shm/"}) {
      for (size_t at = line.find(dir); at != std::string_view::npos;
           at = line.find(dir, at + dir.size())) {
        if (at > 0 &&
            (std::isalnum(static_cast<unsigned char>(line[at - 1])) != 0 || line[at - 1] == '/')) {
          continue;  // inside a longer path ("/var/tmp/" holds "/tmp/")
        }
        size_t to = at + dir.size();
        while (to < line.size() && UrlChar(line[to]) && line[to] != ';' && line[to] != '|' &&
               line[to] != '&' && line[to] != ')') {
          ++to;
        }
        if (to > at + dir.size()) AddOnce(out, std::string(line.substr(at, to - at)), 64);
      }
    }
  }
  return out;
}

void CollectLogs(const ScanOptions& options, const RulePack& rules, Facts& facts,
                 LogFollow* follow) {
  const std::vector<LogTarget> targets = FindLogs(options, facts.gaps);
  const std::vector<std::string> journal = JournalDirs(options.root);
  if (rules.log_rules.empty() || (targets.empty() && journal.empty())) return;
  // ~100 ms for the default rules: only when there is a log to read, and
  // once for a follower.
  std::shared_ptr<const LogMatcher> matcher = follow != nullptr ? follow->matcher : nullptr;
  if (!matcher) {
    auto compiled = LogMatcher::Compile(rules.log_rules, facts.gaps);
    if (!compiled) {
      facts.gaps.push_back({"log rules", compiled.error().message(), "a fix to the rules"});
      return;
    }
    matcher = std::make_shared<const LogMatcher>(std::move(*compiled));
    if (follow != nullptr) follow->matcher = matcher;
  }
  LogScan scan(options, rules, *matcher);
  std::mutex mu;
  // The journal first (it is usually the largest), then the files.
  const size_t first_file = journal.empty() ? 0 : 1;
  const size_t items = first_file + targets.size();
  std::atomic<size_t> next{0};
  std::atomic<size_t> late{0};
  const auto work = [&] {
    for (size_t i = next++; i < items; i = next++) {
      if (std::chrono::steady_clock::now() >= options.deadline) {
        ++late;
      } else if (i < first_file) {
        scan.ReadJournalDirs(journal,
                             journal.front().substr(options.root == "/" ? 0 : options.root.size()),
                             facts, mu, follow);
      } else {
        scan.Read(targets[i - first_file], facts, mu, follow);
      }
    }
  };
  unsigned n = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  n = std::max(1u, std::min<unsigned>(n, static_cast<unsigned>(items)));
  RunOnThreads(n, work);
  if (late != 0) {
    facts.gaps.push_back(Gap::TimeBound(fmt::format("{} logs", late.load())));
  }
  if (follow != nullptr) follow->primed = true;
  // Reports in a stable order: by log, then rule.
  std::sort(facts.log_hits.begin(), facts.log_hits.end(), [](const LogHits& a, const LogHits& b) {
    return std::tie(a.log, a.rule) < std::tie(b.log, b.rule);
  });
}

}  // namespace deminer
