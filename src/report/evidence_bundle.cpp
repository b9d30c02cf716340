#include "report/evidence_bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <map>
#include <nlohmann/json.hpp>

#include "core/strings.h"
#include "sources/file_hash.h"

namespace deminer {

namespace {

constexpr const char* kManifest = "manifest.json";

std::string Sha256(std::string_view data) {
  Hasher h(HashSet{.sha256 = true});
  h.Update(data.data(), data.size());
  return h.Finish().sha256;
}

std::string NowRfc3339() {
  const time_t now = time(nullptr);
  struct tm tm {};
  gmtime_r(&now, &tm);
  char buf[32];
  strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

struct ReadDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

}  // namespace

struct EvidenceBundle::Archive {
  archive* a = nullptr;
  ~Archive() {
    if (a != nullptr) archive_write_free(a);  // closes too
  }
};

EvidenceBundle::EvidenceBundle(std::string path, BundleLimits limits)
    : archive_(std::make_unique<Archive>()), path_(std::move(path)), limits_(limits) {}

EvidenceBundle::~EvidenceBundle() = default;

Expected<std::unique_ptr<EvidenceBundle>> EvidenceBundle::Create(const std::string& path,
                                                                 BundleLimits limits) {
  std::unique_ptr<EvidenceBundle> b(new EvidenceBundle(path, limits));
  archive* a = archive_write_new();
  if (a == nullptr) return Fail(Error::Internal("archive_write_new failed"));
  b->archive_->a = a;
  if (archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
      archive_write_add_filter_zstd(a) != ARCHIVE_OK ||
      archive_write_open_filename(a, path.c_str()) != ARCHIVE_OK) {
    return Fail(Error::Unavailable(fmt::format("{}: {}", path, archive_error_string(a))));
  }
  return b;
}

Expected<void> EvidenceBundle::Write(const std::string& name, std::string_view data) {
  archive* a = archive_->a;
  if (a == nullptr) return Fail(Error::Internal(path_ + ": the bundle is already closed"));
  archive_entry* e = archive_entry_new();
  archive_entry_set_pathname(e, name.c_str());
  archive_entry_set_size(e, static_cast<la_int64_t>(data.size()));
  archive_entry_set_filetype(e, AE_IFREG);
  archive_entry_set_perm(e, 0600);
  archive_entry_set_mtime(e, time(nullptr), 0);
  const int rc = archive_write_header(a, e);
  archive_entry_free(e);
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {  // WARN: a name not translated to UTF-8
    return Fail(
        Error::Unavailable(fmt::format("{}: {}: {}", path_, name, archive_error_string(a))));
  }
  size_t done = 0;
  while (done < data.size()) {
    const la_ssize_t n = archive_write_data(a, data.data() + done, data.size() - done);
    if (n <= 0) {
      return Fail(
          Error::Unavailable(fmt::format("{}: {}: {}", path_, name, archive_error_string(a))));
    }
    done += static_cast<size_t>(n);
  }
  return {};
}

Expected<void> EvidenceBundle::AddData(const std::string& name, std::string_view data,
                                       const std::string& source, const std::string& note) {
  if (name == kManifest) return Fail(Error::InvalidInput("manifest.json is the bundle's own"));
  if (stored_ + data.size() > limits_.max_total_bytes) {
    gaps_.push_back(
        Gap{name + " (" + source + ")",
            fmt::format("the bundle's bound of {} bytes is reached", limits_.max_total_bytes),
            "--max-bytes"});
    return {};
  }
  // Two sources that map to one name (a container named like another on a
  // second engine) are both kept: the second gets "~2", and so on.
  std::string unique = name;
  for (int n = 2; !names_.insert(unique).second; ++n) unique = fmt::format("{}~{}", name, n);
  if (auto w = Write(unique, data); !w) return w;
  stored_ += data.size();
  entries_.push_back(BundleEntry{unique, Sha256(data), data.size(), source, NowRfc3339(), note});
  return {};
}

Expected<void> EvidenceBundle::AddFile(const std::string& name, const std::string& path,
                                       const std::string& note, bool follow_link) {
  const int fd =
      open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | (follow_link ? 0 : O_NOFOLLOW));
  if (fd < 0) {
    gaps_.push_back(Gap{path, std::strerror(errno), errno == EACCES ? "root" : ""});
    return {};
  }
  std::string data;
  char buf[1 << 16];
  bool cut = false;
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      gaps_.push_back(Gap{path, std::strerror(errno), ""});
      close(fd);
      return {};
    }
    if (n == 0) break;
    const size_t room = limits_.max_file_bytes - data.size();
    data.append(buf, std::min(room, static_cast<size_t>(n)));
    if (static_cast<size_t>(n) > room) {
      cut = true;
      break;
    }
  }
  close(fd);
  std::string noted = note;
  if (cut) {
    noted +=
        fmt::format("{}cut at {} bytes (--max-file-bytes)", noted.empty() ? "" : "; ", data.size());
  }
  return AddData(name, data, path, noted);
}

Expected<std::string> EvidenceBundle::Finish() {
  nlohmann::ordered_json m;
  m["format"] = "deminer-evidence/1";
  m["created_at"] = NowRfc3339();
  auto& list = m["entries"] = nlohmann::ordered_json::array();
  for (const BundleEntry& e : entries_) {
    nlohmann::ordered_json j = {{"name", e.name},
                                {"sha256", e.sha256},
                                {"size", e.size},
                                {"source", e.source},
                                {"collected_at", e.collected_at}};
    if (!e.note.empty()) j["note"] = e.note;
    list.push_back(std::move(j));
  }
  auto& gaps = m["gaps"] = nlohmann::ordered_json::array();
  for (const Gap& g : gaps_) {
    nlohmann::ordered_json j = {{"what", g.what}, {"reason", g.reason}};
    if (!g.needs.empty()) j["needs"] = g.needs;
    gaps.push_back(std::move(j));
  }
  // Replacement of invalid UTF-8: paths and command lines are the host's bytes.
  const std::string text = m.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  if (auto w = Write(kManifest, text); !w) return Fail(w.error());
  archive* a = archive_->a;
  archive_->a = nullptr;
  const int rc = archive_write_close(a);
  const std::string err = rc == ARCHIVE_OK ? "" : archive_error_string(a);
  archive_write_free(a);
  if (rc != ARCHIVE_OK) return Fail(Error::Unavailable(fmt::format("{}: {}", path_, err)));
  // The whole file's hash beside it, in sha256sum's format: the manifest proves
  // the entries, this the bytes (zstd frames carry no checksum here).
  auto whole = HashFile(path_, HashSet{.sha256 = true}, UINT64_MAX);
  if (!whole) return Fail(whole.error());
  const std::string sidecar = path_ + ".sha256";
  const std::string base = path_.substr(path_.rfind('/') + 1);
  if (FILE* f = fopen(sidecar.c_str(), "we"); f != nullptr) {
    fmt::print(f, "{}  {}\n", whole->sha256, base);
    fclose(f);
  } else {
    gaps_.push_back(Gap{sidecar, std::strerror(errno), ""});
  }
  return Sha256(text);
}

Expected<BundleVerdict> VerifyBundle(const std::string& path,
                                     std::string_view expected_manifest_sha256) {
  std::unique_ptr<archive, ReadDeleter> a(archive_read_new());
  // What deminer writes, nothing else: a forged file is not an invitation to
  // every decoder libarchive has.
  archive_read_support_filter_zstd(a.get());
  archive_read_support_format_tar(a.get());
  if (archive_read_open_filename(a.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    return Fail(Error::Unavailable(fmt::format("{}: {}", path, archive_error_string(a.get()))));
  }
  BundleVerdict v;
  auto whole = HashFile(path, HashSet{.sha256 = true}, UINT64_MAX);
  if (!whole) return Fail(whole.error());
  v.bundle_sha256 = whole->sha256;
  if (FILE* f = fopen((path + ".sha256").c_str(), "re"); f != nullptr) {
    char line[80] = {};
    const bool read = fgets(line, sizeof line, f) != nullptr;
    fclose(f);
    if (!read || std::string_view(line).substr(0, 64) != v.bundle_sha256)
      v.problems.push_back(fmt::format("the bundle's SHA-256 is {}, not the one in {}.sha256",
                                       v.bundle_sha256, path));
  }
  std::map<std::string, std::pair<std::string, uint64_t>> seen;  // name -> sha256, size
  std::string manifest;
  bool manifest_seen = false;
  Hasher hasher(HashSet{.sha256 = true});
  archive_entry* e = nullptr;
  char buf[1 << 16];
  for (;;) {
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      v.problems.push_back(
          fmt::format("the archive is damaged: {}", archive_error_string(a.get())));
      break;
    }
    const std::string name = archive_entry_pathname(e) ? archive_entry_pathname(e) : "";
    const bool is_manifest = name == kManifest;
    for (;;) {
      const la_ssize_t n = archive_read_data(a.get(), buf, sizeof buf);
      if (n == 0) break;
      if (n < 0) {
        v.problems.push_back(
            fmt::format("{}: cannot be read: {}", name, archive_error_string(a.get())));
        break;
      }
      hasher.Update(buf, static_cast<size_t>(n));
      if (is_manifest && manifest.size() < (size_t{256} << 20)) manifest.append(buf, n);
    }
    const FileHashes h = hasher.Finish();
    if (is_manifest) {
      manifest_seen = true;
      v.manifest_sha256 = h.sha256;
    } else if (!seen.emplace(name, std::make_pair(h.sha256, h.size)).second) {
      v.problems.push_back(name + ": stored twice");
    }
  }
  if (!manifest_seen) {
    v.problems.push_back("no manifest.json in the bundle");
    return v;
  }
  if (!expected_manifest_sha256.empty() && v.manifest_sha256 != ToLower(expected_manifest_sha256)) {
    v.problems.push_back(fmt::format("manifest.json's SHA-256 is {}, not the {} given",
                                     v.manifest_sha256, expected_manifest_sha256));
  }
  const auto m = nlohmann::json::parse(manifest, nullptr, false);
  if (!m.is_object() || !m.contains("entries") || !m["entries"].is_array()) {
    v.problems.push_back("manifest.json is not a deminer manifest");
    return v;
  }
  for (const auto& j : m["entries"]) {
    if (!j.is_object() || !j.contains("name") || !j["name"].is_string() || !j.contains("sha256") ||
        !j["sha256"].is_string() || !j.contains("size") || !j["size"].is_number_unsigned()) {
      v.problems.push_back("manifest.json has an entry without name, sha256 and size");
      continue;
    }
    const std::string name = j["name"].get<std::string>();
    const std::string sha = j["sha256"].get<std::string>();
    const uint64_t size = j["size"].get<uint64_t>();
    auto it = seen.find(name);
    if (it == seen.end()) {
      v.problems.push_back(name + ": in the manifest, not in the bundle");
      continue;
    }
    ++v.entries_checked;
    if (it->second.first != sha || it->second.second != size) {
      v.problems.push_back(fmt::format("{}: SHA-256 {} ({} bytes), the manifest says {} ({} bytes)",
                                       name, it->second.first, it->second.second, sha, size));
    }
    seen.erase(it);
  }
  for (const auto& [name, _] : seen)
    v.problems.push_back(name + ": in the bundle, not in the manifest");
  return v;
}

}  // namespace deminer
