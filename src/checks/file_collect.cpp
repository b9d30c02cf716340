#include "checks/file_collect.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <thread>

#include "core/strings.h"
#include "match/yara_rules.h"
#include "sources/proc_parse.h"
#include "sources/proc_reader.h"

namespace deminer {

HashSet IocDigests(const RulePack& rules) {
  HashSet which;
  for (const auto& [hash, source] : rules.hashes) {
    which.md5 = which.md5 || hash.size() == 32;
    which.sha1 = which.sha1 || hash.size() == 40;
    which.sha256 = which.sha256 || hash.size() == 64;
  }
  return which;
}

namespace {

// Which digests the file scope computes: those of the loaded IOCs and of the
// YARA rules answered from digests (`yara`), and SHA-256 always (it names a
// file in reports and evidence bundles; with SHA-NI it costs little).
HashSet FileDigests(const RulePack& rules, const HashSet& yara) {
  HashSet which = IocDigests(rules);
  which.md5 = which.md5 || yara.md5;
  which.sha1 = which.sha1 || yara.sha1;
  which.sha256 = true;
  return which;
}

// The temp dirs of the scanned system, plus /run/user/UID dirs.
void TempTargets(const std::string& root, std::vector<WalkTarget>& out) {
  const std::string prefix = root == "/" ? "" : root;
  for (const char* dir : {"/tmp", "/var/tmp", "/dev/shm"}) {
    out.push_back({prefix + dir, dir, "temp", ""});
  }
  std::error_code ec;
  for (const auto& e : std::filesystem::directory_iterator(prefix + "/run/user", ec)) {
    if (e.is_directory(ec) && !e.is_symlink(ec)) {
      const std::string name = e.path().filename().string();
      out.push_back({e.path().string(), "/run/user/" + name, "temp", ""});
    }
  }
}

// Each running container's writable layer (the overlay's upperdir, as its
// init process's mountinfo names it) and its temp dirs that are separate
// mounts (tmpfs), read through /proc/PID/root.
void ContainerTargets(const Facts& facts, const std::string& proc_root,
                      std::vector<WalkTarget>& out, std::vector<Gap>& gaps) {
  for (const auto& [id, pid] : facts.ContainerInits()) {
    auto text = ReadSmallFile(fmt::format("{}/{}/mountinfo", proc_root, pid), size_t{4} << 20);
    if (!text) {
      gaps.push_back({"files of container " + id.substr(0, 12), text.error().message(),
                      "root or CAP_SYS_PTRACE"});
      continue;
    }
    bool layer = false;
    for (const MountEntry& m : ParseMountInfo(*text)) {
      if (m.mount_point == "/" && m.fstype == "overlay") {
        if (const std::string upper = m.SuperOption("upperdir"); !upper.empty()) {
          out.push_back({upper, "/", "container-layer", id});
          layer = true;
        }
      } else if ((m.mount_point == "/tmp" || m.mount_point == "/var/tmp" ||
                  m.mount_point == "/dev/shm") &&
                 m.fstype == "tmpfs") {
        out.push_back({fmt::format("{}/{}/root{}", proc_root, pid, m.mount_point), m.mount_point,
                       "container-tmp", id});
      }
    }
    if (!layer) {
      // Not an overlay (vfs, btrfs, a bind-mounted rootfs): its temp dirs at least.
      for (const char* dir : {"/tmp", "/var/tmp"}) {
        out.push_back({fmt::format("{}/{}/root{}", proc_root, pid, dir), dir, "container-tmp", id});
      }
    }
  }
}

// Runs the YARA rules and, on scripts, the shell patterns line by line, over
// each file's bytes as the walker reads them.
}  // namespace

class ContentMatcher {
 public:
  ContentMatcher(const RulePack& rules, unsigned workers, std::vector<Gap>& gaps) : rules_(rules) {
    if (!rules.yara_files.empty()) {
      auto compiled = YaraRules::Compile(rules.yara_files, gaps);
      if (compiled) {
        yara_ = *compiled;
      } else {
        gaps.push_back({"YARA rules", compiled.error().message(), "a fix to the rule files"});
      }
    }
    for (unsigned i = 0; i < workers && yara_; ++i) {
      auto s = yara_->NewScanner();
      if (!s) {
        gaps.push_back({"YARA scanning", s.error().message(), ""});
        break;
      }
      scanners_.push_back(std::move(*s));
    }
  }

  // The digests the YARA rules answer from (the walker computes them).
  HashSet Digests() const {
    HashSet which;
    if (yara_) {
      const YaraRules::DigestKinds k = yara_->digest_kinds();
      which.md5 = k.md5;
      which.sha1 = k.sha1;
      which.sha256 = k.sha256;
    }
    return which;
  }

  void operator()(unsigned worker, FileEntry& e, std::string_view bytes) {
    if (worker < scanners_.size()) {
      const deminer::Digests digests{e.hashes.md5, e.hashes.sha1, e.hashes.sha256};
      YaraRules::Scanner& scanner = *scanners_[worker];
      // A file only hashed (too large to match) still meets the digest rules.
      auto matches =
          e.content_truncated
              ? Expected<std::vector<YaraMatch>>(scanner.MatchDigests(e.hashes.size, digests))
              : scanner.Scan(bytes, e.path, digests);
      if (!matches) {
        std::lock_guard lock(mu_);
        if (failed_++ == 0) first_error_ = e.path + ": " + matches.error().message();
      } else {
        for (YaraMatch& m : *matches) {
          ContentMatch c{"yara",
                         m.ns + ":" + m.rule,
                         m.Meta("severity"),
                         m.Meta("description"),
                         m.Meta("source"),
                         m.Meta("attack"),
                         {},
                         0};
          for (auto& [id, data] : m.strings) c.excerpts.push_back(id + " = " + data);
          if (m.first_offset >= 0) {
            c.line = 1 + static_cast<int>(std::count(
                             bytes.begin(),
                             bytes.begin() + std::min<int64_t>(m.first_offset,
                                                               static_cast<int64_t>(bytes.size())),
                             '\n'));
          }
          e.matches.push_back(std::move(c));
        }
      }
    }
    constexpr size_t kMaxScript = size_t{256} << 10;
    const bool script = e.content == FileEntry::Content::kScript || e.path.ends_with(".sh");
    if (script && !bytes.empty() && bytes.size() <= kMaxScript && !rules_.shell_patterns.empty()) {
      int n = 0;
      for (std::string_view line : Split(bytes, '\n')) {
        ++n;
        for (const size_t i : rules_.MatchShell(line)) {
          const ShellPattern& p = rules_.shell_patterns[i];
          e.matches.push_back({"shell",
                               p.id,
                               std::string(SeverityName(p.severity)),
                               p.why,
                               p.source,
                               "T1059.004",
                               {Printable(Trim(line), 300)},
                               n});
        }
      }
    }
  }

  void Report(std::vector<Gap>& gaps) const {
    if (failed_ != 0) {
      gaps.push_back({fmt::format("YARA scans of {} files", failed_),
                      "failed (first: " + first_error_ + ")", ""});
    }
  }

  size_t yara_rules() const { return yara_ ? yara_->rule_count() : 0; }

 private:
  const RulePack& rules_;
  std::shared_ptr<const YaraRules> yara_;
  std::vector<std::unique_ptr<YaraRules::Scanner>> scanners_;
  std::mutex mu_;
  size_t failed_ = 0;
  std::string first_error_;
};

FileInspector::FileInspector(const RulePack& rules, unsigned threads, std::vector<Gap>& gaps)
    : threads_(std::max(1u, threads)),
      matcher_(std::make_unique<ContentMatcher>(rules, threads_, gaps)),
      hashes_(FileDigests(rules, matcher_->Digests())) {}

FileInspector::~FileInspector() = default;

void FileInspector::Walk(const std::vector<WalkTarget>& targets, uint64_t max_content_bytes,
                         Facts& facts, std::chrono::steady_clock::time_point deadline) {
  WalkOptions walk;
  walk.deadline = deadline;
  walk.threads = threads_;
  walk.max_content_bytes = max_content_bytes;
  walk.hashes = hashes_;
  ContentMatcher& matcher = *matcher_;
  walk.hook = [&matcher](unsigned w, FileEntry& e, std::string_view b) { matcher(w, e, b); };
  FileSweep sweep = WalkFiles(targets, walk);
  matcher.Report(facts.gaps);
  std::move(sweep.entries.begin(), sweep.entries.end(), std::back_inserter(facts.files));
  facts.files_read += sweep.files;
  std::move(sweep.gaps.begin(), sweep.gaps.end(), std::back_inserter(facts.gaps));
}

void CollectFiles(const ScanOptions& options, const RulePack& rules, const std::string& proc_root,
                  Facts& facts, const std::vector<WalkTarget>& extra) {
  std::vector<WalkTarget> targets = extra;
  TempTargets(options.root, targets);
  if (options.root == "/") ContainerTargets(facts, proc_root, targets, facts.gaps);
  for (const std::string& path : options.paths) {
    std::error_code ec;
    const std::string abs = std::filesystem::absolute(path, ec).lexically_normal().string();
    targets.push_back({abs, abs, "path", ""});
  }
  const unsigned threads =
      options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
  FileInspector(rules, threads, facts.gaps)
      .Walk(targets, options.max_content_bytes, facts, options.deadline);
}

// The persistence files of each running container, read through its init's
// /proc/PID/root (a dropper that wins a container writes its cron and units
// there, seed 000's javae.service among them).
void CollectContainerPersistence(const std::string& proc_root, Facts& facts) {
  for (const auto& [id, pid] : facts.ContainerInits()) {
    PersistenceSweep sweep = ReadPersistence(fmt::format("{}/{}/root", proc_root, pid));
    for (PersistItem& item : sweep.items) {
      item.container_id = id;
      facts.persistence.push_back(std::move(item));
    }
    for (Gap& g : sweep.gaps) {
      g.what += " in container " + id.substr(0, 12);
      facts.gaps.push_back(std::move(g));
    }
  }
}

namespace {

// Attributes (immutable, append-only) of the files in system dirs, where seed
// 001's `system-check` was made undeletable. Content is not read.
void CollectSystemAttributes(const ScanOptions& options, Facts& facts) {
  const std::string prefix = options.root == "/" ? "" : options.root;
  std::vector<WalkTarget> targets;
  // Depths: /etc and the spool whole; program dirs flat; /root's dot files and
  // .ssh, not its caches.
  const std::pair<const char*, unsigned> kDirs[] = {
      {"/etc", 16},           {"/usr/bin", 1},        {"/usr/sbin", 1},
      {"/usr/local/bin", 1},  {"/usr/local/sbin", 1}, {"/usr/lib/systemd/system", 2},
      {"/var/spool/cron", 3}, {"/root", 2},           {"/opt", 2}};
  for (const auto& [dir, depth] : kDirs) {
    targets.push_back({prefix + dir, dir, "system", "", depth});
  }
  WalkOptions walk;
  walk.threads =
      std::max(1u, options.threads != 0 ? options.threads : std::thread::hardware_concurrency());
  walk.read_content = false;
  FileSweep sweep = WalkFiles(targets, walk);
  for (FileEntry& e : sweep.entries) {
    if (e.Immutable() || e.AppendOnly()) facts.files.push_back(std::move(e));
  }
  std::move(sweep.gaps.begin(), sweep.gaps.end(), std::back_inserter(facts.gaps));
}

}  // namespace

void CollectPersistence(const ScanOptions& options, Facts& facts) {
  PersistenceSweep persistence = ReadPersistence(options.root);
  facts.persistence = std::move(persistence.items);
  std::move(persistence.gaps.begin(), persistence.gaps.end(), std::back_inserter(facts.gaps));
  CollectSystemAttributes(options, facts);
}

}  // namespace deminer
