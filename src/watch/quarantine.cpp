#include "watch/quarantine.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "sources/file_hash.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

constexpr uint32_t kPinning = FS_IMMUTABLE_FL | FS_APPEND_FL;

Expected<uint32_t> GetFlags(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  int flags = 0;
  const int r = ioctl(fd, FS_IOC_GETFLAGS, &flags);
  const int err = errno;
  close(fd);
  if (r != 0) {
    // File systems without attributes (tmpfs before 6.0, overlay on some) have none to keep.
    if (err == ENOTTY || err == EOPNOTSUPP || err == EINVAL) return 0u;
    return Fail(Error::FromErrno(err, "FS_IOC_GETFLAGS " + path));
  }
  return static_cast<uint32_t>(flags);
}

Expected<void> SetFlags(const std::string& path, uint32_t flags) {
  const int fd = open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  int value = static_cast<int>(flags);
  const int r = ioctl(fd, FS_IOC_SETFLAGS, &value);
  const int err = errno;
  close(fd);
  if (r != 0) return Fail(Error::FromErrno(err, "FS_IOC_SETFLAGS " + path));
  return {};
}

// rename(2), or copy and unlink across file systems (a container's overlay).
Expected<void> Move(const std::string& from, const std::string& to) {
  if (rename(from.c_str(), to.c_str()) == 0) return {};
  if (errno != EXDEV) return Fail(Error::FromErrno(errno, "move " + from));
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Fail(Error::Io(fmt::format("copy {}: {}", from, ec.message())));
  if (unlink(from.c_str()) != 0) {
    const int err = errno;
    unlink(to.c_str());
    return Fail(Error::FromErrno(err, "unlink " + from));
  }
  return {};
}

std::optional<QuarantineEntry> FromJson(const nlohmann::json& j) {
  try {
    QuarantineEntry e;
    e.id = j.at("id");
    e.path = j.at("path");
    e.shown = j.value("shown", e.path);
    e.container = j.value("container", "");
    e.sha256 = j.value("sha256", "");
    e.size = j.value("size", uint64_t{0});
    e.mode = j.at("mode");
    e.uid = j.at("uid");
    e.gid = j.at("gid");
    e.mtime_ns = j.value("mtime_ns", int64_t{0});
    e.attr_flags = j.value("attr_flags", 0u);
    e.reason = j.value("reason", "");
    e.at = j.value("at", "");
    return e;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

// Now in UTC: "2026-11-23T00:34:12Z", or compact "20261123T003412Z" for ids.
std::string Now(bool compact) {
  const std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return compact ? fmt::format("{:04}{:02}{:02}T{:02}{:02}{:02}Z", tm.tm_year + 1900, tm.tm_mon + 1,
                               tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec)
                 : fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", tm.tm_year + 1900,
                               tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

}  // namespace

nlohmann::json QuarantineJson(const QuarantineEntry& e) {
  return {{"id", e.id},
          {"path", e.path},
          {"shown", e.shown},
          {"container", e.container},
          {"sha256", e.sha256},
          {"size", e.size},
          {"mode", e.mode},
          {"uid", e.uid},
          {"gid", e.gid},
          {"mtime_ns", e.mtime_ns},
          {"attr_flags", e.attr_flags},
          {"reason", e.reason},
          {"at", e.at}};
}

Expected<QuarantineEntry> Quarantine(const std::string& state_dir, const std::string& path,
                                     const std::string& shown, const std::string& container,
                                     const std::string& reason) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return Fail(Error::FromErrno(errno, path));
  if (!S_ISREG(st.st_mode)) return Fail(Error::InvalidInput(path + ": not a regular file"));
  auto hashes = HashFile(path, HashSet{false, false, true}, uint64_t{1} << 40);
  if (!hashes) return Fail(hashes.error());
  auto flags = GetFlags(path);
  if (!flags) return Fail(flags.error());

  QuarantineEntry e;
  e.path = path;
  e.shown = shown.empty() ? path : shown;
  e.container = container;
  e.sha256 = hashes->sha256;
  e.size = static_cast<uint64_t>(st.st_size);
  e.mode = st.st_mode & 07777;
  e.uid = st.st_uid;
  e.gid = st.st_gid;
  e.mtime_ns = static_cast<int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
  e.attr_flags = *flags;
  e.reason = reason;
  e.at = Now(false);
  e.id = Now(true) + "-" + e.sha256.substr(0, 12);

  const std::string dir = state_dir + "/quarantine/" + e.id;
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Fail(Error::Io(fmt::format("{}: {}", dir, ec.message())));
  chmod((state_dir + "/quarantine").c_str(), 0700);
  if ((e.attr_flags & kPinning) != 0) {
    if (auto r = SetFlags(path, e.attr_flags & ~kPinning); !r) return Fail(r.error());
  }
  const std::string kept = dir + "/file";
  if (auto r = Move(path, kept); !r) {
    if ((e.attr_flags & kPinning) != 0) (void)SetFlags(path, e.attr_flags);
    return Fail(r.error());
  }
  chmod(kept.c_str(), 0);
  std::ofstream(dir + "/meta.json") << QuarantineJson(e).dump(2) << '\n';
  return e;
}

std::vector<QuarantineEntry> ListQuarantine(const std::string& state_dir) {
  std::vector<QuarantineEntry> out;
  std::error_code ec;
  for (const auto& d : fs::directory_iterator(state_dir + "/quarantine", ec)) {
    std::ifstream in(d.path() / "meta.json");
    const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) continue;
    if (auto e = FromJson(j)) out.push_back(std::move(*e));
  }
  std::sort(out.begin(), out.end(),
            [](const QuarantineEntry& a, const QuarantineEntry& b) { return a.id < b.id; });
  return out;
}

Expected<QuarantineEntry> RestoreQuarantined(const std::string& state_dir, const std::string& id) {
  if (id.empty() || id.find('/') != std::string::npos || id.starts_with('.')) {
    return Fail(Error::InvalidInput("not a quarantine id: " + id));
  }
  const std::string dir = state_dir + "/quarantine/" + id;
  std::ifstream in(dir + "/meta.json");
  if (!in) return Fail(Error::NotFound("no quarantine entry " + id + " in " + state_dir));
  const nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
  std::optional<QuarantineEntry> e = j.is_discarded() ? std::nullopt : FromJson(j);
  if (!e) return Fail(Error::InvalidInput(dir + "/meta.json: unreadable"));
  struct stat st {};
  if (lstat(e->path.c_str(), &st) == 0) {
    return Fail(Error::InvalidInput(e->path + " exists: move it away first"));
  }
  const std::string kept = dir + "/file";
  if (auto r = Move(kept, e->path); !r) return Fail(r.error());
  chmod(e->path.c_str(), e->mode);
  if (lchown(e->path.c_str(), e->uid, e->gid) != 0) {
    // Kept going: the bytes are back; the owner is reported by the caller's check.
  }
  const timespec times[2] = {
      {0, UTIME_OMIT},
      {static_cast<time_t>(e->mtime_ns / 1000000000), static_cast<long>(e->mtime_ns % 1000000000)}};
  utimensat(AT_FDCWD, e->path.c_str(), times, AT_SYMLINK_NOFOLLOW);
  if ((e->attr_flags & kPinning) != 0) {
    if (auto r = SetFlags(e->path, e->attr_flags); !r) return Fail(r.error());
  }
  std::error_code ec;
  fs::remove_all(dir, ec);
  return *e;
}

}  // namespace deminer
