#include "sources/image_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_set>
#include <utility>

#include "core/strings.h"
#include "sources/file_hash.h"
#include "sources/root_fs.h"

namespace deminer {
namespace {

using Json = nlohmann::json;

constexpr size_t kMaxDepth = 256;                   // path components of an entry
constexpr size_t kMaxJsonBytes = size_t{16} << 20;  // a manifest, index or config
constexpr int64_t kCacheEntryBytes = int64_t{1} << 20;
constexpr int64_t kCacheTotalBytes = int64_t{64} << 20;
constexpr int kDetailedGapsPerLayer = 10;
constexpr int kMaxLinkHops = 16;
constexpr int kMaxIndexDepth = 4;
constexpr size_t kMaxParentChain = 1000;
constexpr int kHeadEntries = 64;
constexpr int64_t kHeadBytes = int64_t{256} << 20;  // decompressed, of a compressed tar
constexpr size_t kMaxImages = 256;
// Scans of a compressed outer tar to reach a member (an uncompressed one is
// seeked): enough for every layer of every image of a real save.
constexpr int kMaxScans = 2048;
constexpr size_t kReadBlock = size_t{64} << 10;

// ---------------------------------------------------------------------------
// Small helpers

class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  ~Fd() { Reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      Reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  void Reset() {
    if (fd_ >= 0) close(fd_);
    fd_ = -1;
  }

 private:
  int fd_ = -1;
};

struct ArchiveReadFree {
  void operator()(archive* a) const { archive_read_free(a); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveReadFree>;

// libarchive's decompressors that are built in. One that is not (support
// answers ARCHIVE_WARN) would run an external program on hostile input.
const std::vector<int (*)(archive*)>& BuiltinFilters() {
  static const std::vector<int (*)(archive*)> filters = [] {
    std::vector<int (*)(archive*)> out;
    for (int (*f)(archive*) : {&archive_read_support_filter_gzip, &archive_read_support_filter_zstd,
                               &archive_read_support_filter_xz, &archive_read_support_filter_bzip2,
                               &archive_read_support_filter_lz4}) {
      archive* a = archive_read_new();
      if (a != nullptr && f(a) == ARCHIVE_OK) out.push_back(f);
      archive_read_free(a);
    }
    return out;
  }();
  return filters;
}

// A tar reader, compressed or not.
ArchivePtr NewTarReader() {
  ArchivePtr a(archive_read_new());
  if (!a) return a;
  for (auto* f : BuiltinFilters()) f(a.get());
  archive_read_support_format_tar(a.get());
  archive_read_support_format_empty(a.get());
  return a;
}

std::string ArchiveError(archive* a) {
  const char* s = archive_error_string(a);
  return s != nullptr ? Printable(s, 300) : std::string("unknown libarchive error");
}

Error OpenError(archive* a, const std::string& path) {
  const int err = archive_errno(a);
  if (err == ENOENT || err == EACCES || err == EPERM) return Error::FromErrno(err, path);
  return Error::InvalidInput(path + ": " + ArchiveError(a));
}

const char* EntryName(archive_entry* e) {
  const char* name = archive_entry_pathname(e);
  return name != nullptr ? name : archive_entry_pathname_utf8(e);
}

// A path made of clean components ("./a//b/" -> "a/b", "" for the top).
// member: a name inside the outer archive, only ever read: a leading "/" and
// ".." that stay inside the archive are resolved. Otherwise (an entry of a
// layer, written below dest): absolute paths and any ".." are refused.
std::optional<std::string> CleanPath(std::string_view path, bool member) {
  if (!member && path.starts_with('/')) return std::nullopt;
  std::vector<std::string_view> parts;
  for (std::string_view c : Split(path, '/')) {
    if (c.empty() || c == ".") continue;
    if (c == "..") {
      if (!member || parts.empty()) return std::nullopt;
      parts.pop_back();
      continue;
    }
    if (c.size() > NAME_MAX) return std::nullopt;
    parts.push_back(c);
  }
  if (parts.size() > kMaxDepth) return std::nullopt;
  std::string out;
  for (std::string_view c : parts) {
    if (!out.empty()) out += '/';
    out += c;
  }
  return out;
}

std::pair<std::string, std::string> SplitParent(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {"", path};
  return {path.substr(0, slash), path.substr(slash + 1)};
}

std::string JoinPath(const std::string& dir, const std::string& name) {
  return dir.empty() ? name : dir + "/" + name;
}

bool IsHex(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// "sha256:<64 hex>" / "sha512:<128 hex>" -> {"sha256", hex}; nullopt for anything
// else, so a digest never becomes a path with other characters.
std::optional<std::pair<std::string, std::string>> SplitDigest(std::string_view digest) {
  const size_t colon = digest.find(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view alg = digest.substr(0, colon), hex = digest.substr(colon + 1);
  if ((alg == "sha256" && IsHex(hex, 64)) || (alg == "sha512" && IsHex(hex, 128))) {
    return std::make_pair(std::string(alg), std::string(hex));
  }
  return std::nullopt;
}

std::string Sha256Hex(std::string_view data) {
  Hasher h(HashSet{.md5 = false, .sha1 = false, .sha256 = true});
  h.Update(data.data(), data.size());
  return h.Finish().sha256;
}

std::optional<Json> ParseJson(std::string_view text) {
  Json j = Json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded()) return std::nullopt;
  return j;
}

std::string StringAt(const Json& obj, const char* key) {
  if (!obj.is_object()) return {};
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : std::string();
}

const Json* ObjectAt(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

const Json* ArrayAt(const Json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? &*it : nullptr;
}

// A JSON array of strings (a bare string is one element; null is empty).
std::vector<std::string> Strings(const Json* v) {
  std::vector<std::string> out;
  if (v == nullptr) return out;
  if (v->is_string()) out.push_back(v->get<std::string>());
  if (v->is_array()) {
    for (const Json& s : *v) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

// docker save's manifest.json: an array of {Config, RepoTags, Layers}; or a
// containers/image dir: manifest (an object with config and layers).
bool LooksLikeImageManifest(const Json& j) {
  if (j.is_array()) {
    return !j.empty() && j.front().is_object() && ArrayAt(j.front(), "Layers") != nullptr &&
           j.front().contains("Config");
  }
  return ObjectAt(j, "config") != nullptr && ArrayAt(j, "layers") != nullptr;
}

bool LooksLikeRepositories(const Json& j) {
  if (!j.is_object() || j.empty()) return false;
  for (const auto& [repo, tags] : j.items()) {
    if (!tags.is_object()) return false;
  }
  return true;
}

std::optional<ConfigPort> ParseExposedPort(std::string_view key) {
  std::string_view num = key, proto = "tcp";
  const size_t slash = key.find('/');
  if (slash != std::string_view::npos) {
    num = key.substr(0, slash);
    proto = key.substr(slash + 1);
  }
  const auto port = ParseUint(num);
  if (!port || *port == 0 || *port > 65535) return std::nullopt;
  const std::string p = ToLower(proto);
  if (p != "tcp" && p != "udp" && p != "sctp") return std::nullopt;
  ConfigPort out;
  out.container_port = static_cast<uint16_t>(*port);
  out.proto = p;
  out.published = false;
  return out;
}

ContainerConfig BaseImageConfig(const std::string& ref, const std::string& file) {
  ContainerConfig c;
  c.source = ConfigSource::kImage;
  c.runtime_settings = false;
  c.name = ref;
  c.file = file;
  c.image = ref;
  c.ref.image = ref;
  c.user = "";  // an image that says nothing runs as root
  return c;
}

// ---------------------------------------------------------------------------
// The archive or directory holding the images

// A reader of the outer tar positioned at one member's data, and the file it
// reads (declared first, closed last).
struct MemberReader {
  Fd fd;
  ArchivePtr a;
};

// Reads a layer's tar: either straight from a file of a layout directory, or
// streamed out of the outer archive's member (no copy, no temp file).
class LayerStream {
 public:
  archive* get() { return inner_.get(); }

 private:
  friend class Bundle;
  static la_ssize_t ReadOuter(archive* a, void* self, const void** buf) {
    auto* s = static_cast<LayerStream*>(self);
    const la_ssize_t n = archive_read_data(s->outer_.a.get(), s->buf_.data(), s->buf_.size());
    if (n < 0) {
      archive_set_error(a, EIO, "%s", ArchiveError(s->outer_.a.get()).c_str());
      return ARCHIVE_FATAL;
    }
    *buf = s->buf_.data();
    return n;
  }

  // Declared first, destroyed last: the inner reader pulls from them.
  MemberReader outer_;
  Fd fd_;
  std::vector<char> buf_;
  ArchivePtr inner_;
};

class Bundle {
 public:
  static Expected<std::unique_ptr<Bundle>> Open(const std::string& path, const ImageLimits& limits,
                                                std::vector<Gap>& gaps) {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return Fail(Error::FromErrno(errno, path));
    auto b = std::unique_ptr<Bundle>(new Bundle(path, limits.max_entries));
    if (S_ISDIR(st.st_mode)) {
      auto fs = RootFs::Open(path);
      if (!fs) return Fail(fs.error());
      b->fs_.emplace(std::move(*fs));
      return b;
    }
    if (!S_ISREG(st.st_mode)) return Fail(Error::InvalidInput(path + ": not a file"));
    if (auto r = b->Index(gaps); !r) return Fail(r.error());
    return b;
  }

  const std::string& path() const { return path_; }

  bool Has(const std::string& name) const {
    if (fs_) {
      auto fd = fs_->OpenFd(name, O_PATH);
      if (!fd) return false;
      struct stat st {};
      const bool reg = fstat(*fd, &st) == 0 && S_ISREG(st.st_mode);
      close(*fd);
      return reg;
    }
    return Resolve(name).has_value();
  }

  Expected<std::string> Read(const std::string& name, size_t max) const {
    if (fs_) {
      auto fd = OpenFile(name);
      if (!fd) return Fail(fd.error());
      struct stat st {};
      if (fstat(fd->get(), &st) != 0) return Fail(Error::FromErrno(errno, name));
      if (static_cast<uint64_t>(st.st_size) > max) {
        return Fail(Error::InvalidInput(fmt::format("{}: larger than {} bytes", name, max)));
      }
      std::string out(static_cast<size_t>(st.st_size), '\0');
      size_t got = 0;
      while (got < out.size()) {
        const ssize_t n = read(fd->get(), out.data() + got, out.size() - got);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Fail(Error::FromErrno(errno, name));
        if (n == 0) break;
        got += static_cast<size_t>(n);
      }
      out.resize(got);
      return out;
    }
    const auto real = Resolve(name);
    if (!real) return Fail(Error::NotFound(name + ": not in the archive"));
    if (auto it = cache_.find(*real); it != cache_.end()) {
      if (it->second.size() > max) return Fail(Error::InvalidInput(name + ": too large"));
      return it->second;
    }
    auto a = OpenMember(*real);
    if (!a) return Fail(a.error());
    std::string out;
    std::vector<char> buf(kReadBlock);
    while (true) {
      const la_ssize_t n = archive_read_data(a->a.get(), buf.data(), buf.size());
      if (n < 0) return Fail(Error::InvalidInput(name + ": " + ArchiveError(a->a.get())));
      if (n == 0) break;
      if (out.size() + static_cast<size_t>(n) > max) {
        return Fail(Error::InvalidInput(fmt::format("{}: larger than {} bytes", name, max)));
      }
      out.append(buf.data(), static_cast<size_t>(n));
    }
    return out;
  }

  Expected<std::unique_ptr<LayerStream>> OpenLayer(const std::string& name) const {
    auto s = std::make_unique<LayerStream>();
    s->inner_ = NewTarReader();
    if (!s->inner_) return Fail(Error::Internal("archive_read_new failed"));
    int rc = ARCHIVE_OK;
    if (fs_) {
      auto fd = OpenFile(name);
      if (!fd) return Fail(fd.error());
      s->fd_ = std::move(*fd);
      rc = archive_read_open_fd(s->inner_.get(), s->fd_.get(), kReadBlock);
    } else {
      const auto real = Resolve(name);
      if (!real) return Fail(Error::NotFound(name + ": not in the archive"));
      auto outer = OpenMember(*real);
      if (!outer) return Fail(outer.error());
      s->outer_ = std::move(*outer);
      s->buf_.resize(kReadBlock);
      rc = archive_read_open(s->inner_.get(), s.get(), nullptr, &LayerStream::ReadOuter, nullptr);
    }
    if (rc != ARCHIVE_OK) {
      return Fail(Error::InvalidInput(name + ": " + ArchiveError(s->inner_.get())));
    }
    return s;
  }

 private:
  struct Member {
    bool file = false;
    bool link = false;
    std::string target;   // link: the member it names (clean); empty when it leaves the archive
    int64_t header = -1;  // file: where its header starts, when the outer tar is uncompressed
  };

  Bundle(std::string path, uint64_t max_entries)
      : path_(std::move(path)), max_entries_(max_entries) {}

  // One pass over the outer tar: which members there are, and the small JSON
  // ones (manifests, indexes, configs) kept in memory (bounded).
  Expected<void> Index(std::vector<Gap>& gaps) {
    ArchivePtr a = NewTarReader();
    if (!a) return Fail(Error::Internal("archive_read_new failed"));
    if (archive_read_open_filename(a.get(), path_.c_str(), kReadBlock) != ARCHIVE_OK) {
      return Fail(OpenError(a.get(), path_));
    }
    int64_t cached = 0;
    uint64_t n = 0;
    archive_entry* e = nullptr;
    while (true) {
      const int r = archive_read_next_header(a.get(), &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        if (members_.empty())
          return Fail(Error::InvalidInput(path_ + ": " + ArchiveError(a.get())));
        gaps.push_back({"image archive " + path_,
                        fmt::format("unreadable after {} entries: {}", n, ArchiveError(a.get())),
                        ""});
        break;
      }
      if (++n > max_entries_) {
        gaps.push_back({"image archive " + path_,
                        fmt::format("more than {} entries; the rest is ignored", max_entries_),
                        ""});
        break;
      }
      const char* raw = EntryName(e);
      if (raw == nullptr) continue;
      const auto name = CleanPath(raw, true);
      if (!name || name->empty() || members_.contains(*name)) continue;
      Member m;
      if (const char* hard = archive_entry_hardlink(e); hard != nullptr) {
        m.link = true;
        m.target = CleanPath(hard, true).value_or("");
      } else if (archive_entry_filetype(e) == AE_IFLNK) {
        m.link = true;
        const char* to = archive_entry_symlink(e);
        if (to != nullptr) {
          // A symlink's target is relative to its directory; "/" is the archive's top.
          const std::string t = to;
          const std::string joined = t.starts_with('/') ? t : SplitParent(*name).first + "/" + t;
          m.target = CleanPath(joined, true).value_or("");
        }
      } else if (archive_entry_filetype(e) == AE_IFREG) {
        m.file = true;
        if (archive_filter_count(a.get()) == 1 &&
            archive_filter_code(a.get(), 0) == ARCHIVE_FILTER_NONE) {
          m.header = archive_read_header_position(a.get());
        }
        const int64_t size = archive_entry_size(e);
        if (size >= 0 && size <= kCacheEntryBytes && cached + size <= kCacheTotalBytes) {
          std::string data(static_cast<size_t>(size), '\0');
          const la_ssize_t got = archive_read_data(a.get(), data.data(), data.size());
          if (got >= 0) {
            data.resize(static_cast<size_t>(got));
            const std::string_view head = Trim(data);
            if (!head.empty() && (head.front() == '{' || head.front() == '[')) {
              cached += static_cast<int64_t>(data.size());
              cache_.emplace(*name, std::move(data));
            }
          }
        }
      }
      members_.emplace(*name, std::move(m));
    }
    return {};
  }

  // The member holding the data of `name`, following symlinks and hard links
  // between members.
  std::optional<std::string> Resolve(std::string name) const {
    for (int hop = 0; hop <= kMaxLinkHops; ++hop) {
      auto it = members_.find(name);
      if (it == members_.end()) return std::nullopt;
      if (!it->second.link) {
        if (!it->second.file) return std::nullopt;
        return name;
      }
      if (it->second.target.empty()) return std::nullopt;
      name = it->second.target;
    }
    return std::nullopt;
  }

  // A new reader of the outer tar, positioned at the data of member `name`:
  // seeked to its header when the tar is uncompressed, else found by a scan.
  Expected<MemberReader> OpenMember(const std::string& name) const {
    MemberReader r;
    r.fd = Fd(open(path_.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC));
    if (!r.fd.ok()) return Fail(Error::FromErrno(errno, path_));
    r.a = NewTarReader();
    if (!r.a) return Fail(Error::Internal("archive_read_new failed"));
    const auto it = members_.find(name);
    const int64_t header = it != members_.end() ? it->second.header : -1;
    if (header < 0 && ++scans_ > kMaxScans) {
      return Fail(Error::InvalidInput(
          fmt::format("{}: more than {} scans of the compressed archive", path_, kMaxScans)));
    }
    if (header > 0 && lseek(r.fd.get(), header, SEEK_SET) != header) {
      return Fail(Error::FromErrno(errno, path_));
    }
    if (archive_read_open_fd(r.a.get(), r.fd.get(), kReadBlock) != ARCHIVE_OK) {
      return Fail(OpenError(r.a.get(), path_));
    }
    archive_entry* e = nullptr;
    for (uint64_t n = 0; n < max_entries_; ++n) {
      const int rc = archive_read_next_header(r.a.get(), &e);
      if (rc == ARCHIVE_EOF) break;
      if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
        return Fail(Error::InvalidInput(path_ + ": " + ArchiveError(r.a.get())));
      }
      const char* raw = EntryName(e);
      if (raw != nullptr && CleanPath(raw, true) == name && archive_entry_filetype(e) == AE_IFREG &&
          archive_entry_hardlink(e) == nullptr) {
        return r;
      }
      if (header >= 0) break;  // the header seeked to was not it: the file changed
    }
    return Fail(Error::NotFound(name + ": not in the archive"));
  }

  // Directory mode: a regular file of the layout (symlinks resolve inside it).
  Expected<Fd> OpenFile(const std::string& name) const {
    if (!fs_) return Fail(Error::Internal("not a layout directory"));
    auto fd = fs_->OpenFd(name, O_RDONLY | O_NONBLOCK);
    if (!fd) return Fail(fd.error());
    Fd out(*fd);
    struct stat st {};
    if (fstat(out.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
      return Fail(Error::InvalidInput(name + ": not a regular file"));
    }
    return out;
  }

  std::string path_;
  uint64_t max_entries_;
  mutable int scans_ = 0;
  std::optional<RootFs> fs_;                  // a layout directory
  std::map<std::string, Member> members_;     // a tar: first member of each name
  std::map<std::string, std::string> cache_;  // a tar: small JSON members
};

// ---------------------------------------------------------------------------
// Which images there are, and where their config and layers are

struct Plan {
  std::string ref;
  std::string config;               // member holding the config
  std::string config_digest;        // as the manifest names it (OCI); checked against the content
  std::vector<std::string> layers;  // members; empty: the manifest named no valid member
  std::vector<std::string> ids;     // what UnpackedImage::layers reports
};

// "blobs/sha256/<hex>" -> "sha256:<hex>"; other member paths as they are.
std::string LayerId(const std::string& member, const std::string& given) {
  const auto parts = Split(member, '/');
  if (parts.size() == 3 && parts[0] == "blobs") {
    std::string d = fmt::format("{}:{}", parts[1], parts[2]);
    if (SplitDigest(d)) return d;
  }
  return given;
}

// The member of a blob: blobs/<alg>/<hex> (OCI), or <hex> (containers/image dir:).
std::string BlobMember(const Bundle& b, const std::string& digest) {
  const auto d = SplitDigest(digest);
  if (!d) return "";
  std::string oci = fmt::format("blobs/{}/{}", d->first, d->second);
  if (b.Has(oci)) return oci;
  if (b.Has(d->second)) return d->second;
  return oci;
}

std::vector<Plan> PlanDockerArchive(const Json& manifest, const std::string& path,
                                    std::vector<Gap>& gaps) {
  std::vector<Plan> out;
  for (const Json& m : manifest) {
    const std::string config = StringAt(m, "Config");
    const auto config_member = CleanPath(config, true);
    const Json* layers = ArrayAt(m, "Layers");
    if (!config_member || config_member->empty() || layers == nullptr) {
      gaps.push_back({"image in " + path, "manifest.json entry without Config or Layers", ""});
      continue;
    }
    Plan p;
    const auto tags = Strings(ArrayAt(m, "RepoTags"));
    if (!tags.empty()) p.ref = tags.front();
    p.config = *config_member;
    for (const std::string& l : Strings(layers)) {
      const auto member = CleanPath(l, true);
      p.layers.push_back(member.value_or(""));
      p.ids.push_back(LayerId(member.value_or(""), l));
    }
    out.push_back(std::move(p));
  }
  return out;
}

Plan PlanRegistryManifest(const Bundle& b, const Json& manifest, std::string ref) {
  Plan p;
  p.ref = std::move(ref);
  const Json* config = ObjectAt(manifest, "config");
  p.config_digest = config != nullptr ? StringAt(*config, "digest") : "";
  p.config = BlobMember(b, p.config_digest);
  if (const Json* layers = ArrayAt(manifest, "layers")) {
    for (const Json& l : *layers) {
      const std::string digest = StringAt(l, "digest");
      p.layers.push_back(BlobMember(b, digest));
      p.ids.push_back(digest);
    }
  }
  return p;
}

bool IsIndexMediaType(std::string_view t) {
  return t == "application/vnd.oci.image.index.v1+json" ||
         t == "application/vnd.docker.distribution.manifest.list.v2+json";
}

void PlanOciIndex(const Bundle& b, const Json& index, const std::string& ref, int depth,
                  std::vector<Plan>& out, std::vector<Gap>& gaps) {
  const Json* manifests = ArrayAt(index, "manifests");
  if (manifests == nullptr) {
    gaps.push_back({"OCI index in " + b.path(), "no manifests list", ""});
    return;
  }
  const size_t before = out.size();
  size_t missing = 0;
  for (const Json& d : *manifests) {
    const Json* ann = ObjectAt(d, "annotations");
    if (ann != nullptr && StringAt(*ann, "vnd.docker.reference.type") == "attestation-manifest") {
      continue;
    }
    std::string r = ref;
    if (ann != nullptr) {
      if (const std::string n = StringAt(*ann, "io.containerd.image.name"); !n.empty()) {
        r = n;
      } else if (const std::string t = StringAt(*ann, "org.opencontainers.image.ref.name");
                 !t.empty()) {
        r = t;
      }
    }
    const std::string digest = StringAt(d, "digest");
    const std::string member = BlobMember(b, digest);
    const std::string what = fmt::format("OCI manifest {} in {}", Printable(digest, 80), b.path());
    if (member.empty()) {
      gaps.push_back({what, "not a valid digest", ""});
      continue;
    }
    if (!b.Has(member)) {
      // A multi-platform index names platforms the save left out.
      if (depth > 0) {
        ++missing;
      } else {
        gaps.push_back({what, "blob not in the archive", ""});
      }
      continue;
    }
    auto text = b.Read(member, kMaxJsonBytes);
    std::optional<Json> j;
    if (text) j = ParseJson(*text);
    if (!j || !j->is_object()) {
      gaps.push_back({what, text ? "not a JSON object" : text.error().message(), ""});
      continue;
    }
    const std::string media = StringAt(d, "mediaType");
    if (IsIndexMediaType(media) || (media.empty() && j->contains("manifests"))) {
      if (depth >= kMaxIndexDepth) {
        gaps.push_back({what, "indexes nested too deep", ""});
      } else {
        PlanOciIndex(b, *j, r, depth + 1, out, gaps);
      }
      continue;
    }
    out.push_back(PlanRegistryManifest(b, *j, r));
  }
  if (depth > 0 && out.size() == before && missing > 0) {
    gaps.push_back({"OCI index in " + b.path(),
                    fmt::format("none of its {} manifests is in the archive", missing), ""});
  }
}

// The format before manifest.json: repositories {"repo": {"tag": "<id>"}} and
// <id>/json chained by "parent", <id>/layer.tar the layer.
std::vector<Plan> PlanLegacy(const Bundle& b, const Json& repositories, std::vector<Gap>& gaps) {
  std::vector<Plan> out;
  std::set<std::string> done;
  for (const auto& [repo, tags] : repositories.items()) {
    if (!tags.is_object()) continue;
    for (const auto& [tag, id_json] : tags.items()) {
      if (!id_json.is_string()) continue;
      const std::string id = id_json.get<std::string>();
      if (!IsHex(id, 64) || !done.insert(id).second) continue;
      Plan p;
      p.ref = fmt::format("{}:{}", repo, tag);
      p.config = id + "/json";
      std::vector<std::string> chain;
      std::set<std::string> seen;
      for (std::string cur = id; !cur.empty();) {
        if (!IsHex(cur, 64) || !seen.insert(cur).second || chain.size() >= kMaxParentChain) {
          gaps.push_back(
              {"image " + p.ref + " in " + b.path(), "broken parent chain at " + cur, ""});
          break;
        }
        chain.push_back(cur);
        auto text = b.Read(cur + "/json", kMaxJsonBytes);
        if (!text) {
          gaps.push_back({"image " + p.ref + " in " + b.path(), text.error().message(), ""});
          break;
        }
        const auto j = ParseJson(*text);
        cur = j ? StringAt(*j, "parent") : "";
      }
      for (auto it = chain.rbegin(); it != chain.rend(); ++it) {
        p.layers.push_back(*it + "/layer.tar");
        p.ids.push_back(*it + "/layer.tar");
      }
      out.push_back(std::move(p));
    }
  }
  return out;
}

Expected<std::vector<Plan>> MakePlans(const Bundle& b, std::vector<Gap>& gaps) {
  const std::string& path = b.path();
  const bool has_index = b.Has("index.json");
  if (b.Has("manifest.json")) {
    auto text = b.Read("manifest.json", kMaxJsonBytes);
    std::optional<Json> j;
    if (text) j = ParseJson(*text);
    if (j && j->is_array()) {
      auto plans = PlanDockerArchive(*j, path, gaps);
      if (plans.empty()) return Fail(Error::InvalidInput(path + ": manifest.json names no image"));
      return plans;
    }
    if (j && LooksLikeImageManifest(*j)) {
      std::vector<Plan> plans{PlanRegistryManifest(b, *j, "")};
      return plans;
    }
    const std::string why = !text ? text.error().message()
                            : !j  ? "manifest.json: malformed JSON"
                                  : "manifest.json: not an image manifest";
    if (!has_index) return Fail(Error::InvalidInput(path + ": " + why));
    gaps.push_back({"manifest.json of " + path, why + "; index.json read instead", ""});
  }
  if (has_index) {
    auto text = b.Read("index.json", kMaxJsonBytes);
    if (!text) return Fail(Error::InvalidInput(path + ": index.json: " + text.error().message()));
    const auto j = ParseJson(*text);
    if (!j || !j->is_object()) {
      return Fail(Error::InvalidInput(path + ": index.json: malformed JSON"));
    }
    std::vector<Plan> plans;
    PlanOciIndex(b, *j, "", 0, plans, gaps);
    if (plans.empty()) return Fail(Error::InvalidInput(path + ": index.json names no image"));
    return plans;
  }
  if (b.Has("repositories")) {
    auto text = b.Read("repositories", kMaxJsonBytes);
    std::optional<Json> j;
    if (text) j = ParseJson(*text);
    if (!j || !LooksLikeRepositories(*j)) {
      return Fail(Error::InvalidInput(path + ": repositories: malformed"));
    }
    auto plans = PlanLegacy(b, *j, gaps);
    if (plans.empty()) return Fail(Error::InvalidInput(path + ": repositories names no image"));
    return plans;
  }
  return Fail(Error::InvalidInput(
      path + ": no manifest.json, index.json or repositories: not an image archive"));
}

// ---------------------------------------------------------------------------
// Applying layers below one root

struct Budget {
  uint64_t bytes = 0;    // written
  uint64_t entries = 0;  // outer archive excluded (bounded on its own)
  uint64_t read = 0;     // decompressed bytes of finished layer streams
  bool exhausted = false;
};

mode_t Perm(mode_t mode, bool dir) {
  // No setuid, setgid or sticky bit; the owner (the caller) can read, and
  // remove the tree again.
  return (mode & 0777) | (dir ? 0700 : 0600);
}

std::vector<std::string> ListDir(int dirfd) {
  std::vector<std::string> out;
  const int fd = fcntl(dirfd, F_DUPFD_CLOEXEC, 0);
  if (fd < 0) return out;
  DIR* d = fdopendir(fd);
  if (d == nullptr) {
    close(fd);
    return out;
  }
  rewinddir(d);
  while (const dirent* de = readdir(d)) {
    const std::string_view n = de->d_name;
    if (n != "." && n != "..") out.emplace_back(n);
  }
  closedir(d);
  return out;
}

// Removes `name` in dirfd, a directory with everything below it. Never
// follows a symlink.
bool RemoveTree(int dirfd, const std::string& name, size_t depth = 0) {
  if (unlinkat(dirfd, name.c_str(), 0) == 0 || errno == ENOENT) return true;
  if ((errno != EISDIR && errno != EPERM) || depth > kMaxDepth + 8) return false;
  Fd fd(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.ok()) return false;
  fchmod(fd.get(), 0700);  // ours: a directory of mode 0 is still emptied
  bool ok = true;
  for (const std::string& child : ListDir(fd.get()))
    ok = RemoveTree(fd.get(), child, depth + 1) && ok;
  fd.Reset();
  return unlinkat(dirfd, name.c_str(), AT_REMOVEDIR) == 0 && ok;
}

class LayerApplier {
 public:
  LayerApplier(int root_fd, const ImageLimits& limits, Budget& budget, std::vector<Gap>& gaps)
      : root_fd_(root_fd), limits_(limits), budget_(budget), gaps_(gaps) {}

  uint64_t files() const { return files_; }
  uint64_t bytes() const { return bytes_; }

  // Applies one layer's tar on the tree. `what` names the layer in gaps.
  void Apply(archive* a, const std::string& what) {
    what_ = what;
    written_.clear();
    skipped_ = 0;
    Invalidate();
    const uint64_t read_budget = limits_.max_read_bytes;
    archive_entry* e = nullptr;
    while (true) {
      const int r = archive_read_next_header(a, &e);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        gaps_.push_back({what_, "unreadable or truncated: " + ArchiveError(a), ""});
        break;
      }
      if (++budget_.entries > limits_.max_entries) {
        gaps_.push_back(
            {what_,
             fmt::format("more than {} entries in all; unpacking stopped", limits_.max_entries),
             ""});
        budget_.exhausted = true;
        break;
      }
      const int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
      const uint64_t consumed =
          static_cast<uint64_t>(std::max<la_int64_t>(0, archive_filter_bytes(a, 0)));
      if (budget_.read + consumed + static_cast<uint64_t>(std::max<int64_t>(0, size)) >
          read_budget) {
        gaps_.push_back({what_,
                         fmt::format("more than {} decompressed bytes read from layers; "
                                     "unpacking stopped",
                                     read_budget),
                         ""});
        budget_.exhausted = true;
        break;
      }
      if (!Entry(a, e)) break;
    }
    budget_.read += static_cast<uint64_t>(std::max<la_int64_t>(0, archive_filter_bytes(a, 0)));
    if (skipped_ > kDetailedGapsPerLayer) {
      gaps_.push_back(
          {what_, fmt::format("{} more entries skipped", skipped_ - kDetailedGapsPerLayer), ""});
    }
    Invalidate();
  }

 private:
  void Skip(const std::string& name, const std::string& reason) {
    if (++skipped_ <= kDetailedGapsPerLayer) {
      gaps_.push_back({what_ + ", entry " + Printable(name, 200), reason, ""});
    }
  }

  void Invalidate() {
    cached_fd_.Reset();
    cached_dir_.clear();
  }

  // The layer holds `path` (and so its parent directories): its whiteouts and
  // opaque markers leave it alone.
  void MarkWritten(const std::string& path) {
    std::string p = path;
    while (!p.empty()) {
      if (!written_.insert(p).second) return;  // its parents are there already
      const size_t slash = p.rfind('/');
      if (slash == std::string::npos) return;
      p.resize(slash);
    }
  }

  // Opens directory `dir` (clean, relative to the root) without following
  // symlinks. create: missing directories are made and a non-directory of a
  // lower layer in the way is replaced by one (overlay2's merged view); a
  // symlink or file of this same layer in the way is an error (a tar that
  // writes through its own symlink).
  Expected<Fd> WalkDir(const std::string& dir, bool create) {
    Fd cur(fcntl(root_fd_, F_DUPFD_CLOEXEC, 0));
    if (!cur.ok()) return Fail(Error::FromErrno(errno, "dup"));
    if (dir.empty()) return cur;
    std::string sofar;
    for (std::string_view part : Split(dir, '/')) {
      const std::string c(part);
      sofar = JoinPath(sofar, c);
      int fd = openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd < 0 && create && (errno == ENOENT || errno == ENOTDIR || errno == ELOOP)) {
        if (errno != ENOENT) {
          if (written_.contains(sofar)) {
            return Fail(
                Error::InvalidInput("goes through " + Printable(sofar, 200) +
                                    ", a symlink or file of the same layer (not followed)"));
          }
          if (unlinkat(cur.get(), c.c_str(), 0) != 0) {
            return Fail(Error::FromErrno(errno, Printable(sofar, 200)));
          }
        }
        if (mkdirat(cur.get(), c.c_str(), 0755) != 0 && errno != EEXIST) {
          return Fail(Error::FromErrno(errno, Printable(sofar, 200)));
        }
        fd = openat(cur.get(), c.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      }
      if (fd < 0) return Fail(Error::FromErrno(errno, Printable(sofar, 200)));
      cur = Fd(fd);
    }
    return cur;
  }

  // WalkDir(dir, true), remembering the last directory (entries come grouped).
  Expected<int> OpenDir(const std::string& dir) {
    if (cached_fd_.ok() && cached_dir_ == dir) return cached_fd_.get();
    Invalidate();
    auto fd = WalkDir(dir, true);
    if (!fd) return Fail(fd.error());
    cached_fd_ = std::move(*fd);
    cached_dir_ = dir;
    return cached_fd_.get();
  }

  // Makes room for a new entry `name` in dirfd. keep_dir: a directory there
  // stays (a directory entry merges with it); returns whether one did.
  Expected<bool> Clear(int dirfd, const std::string& name, bool keep_dir) {
    struct stat st {};
    if (fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) {
      if (errno == ENOENT) return false;
      return Fail(Error::FromErrno(errno, name));
    }
    if (S_ISDIR(st.st_mode)) {
      if (keep_dir) return true;
      // dirfd is the cached directory, the parent: removing a child leaves it valid.
      if (!RemoveTree(dirfd, name)) return Fail(Error::FromErrno(errno, "removing " + name));
      return false;
    }
    if (unlinkat(dirfd, name.c_str(), 0) != 0) return Fail(Error::FromErrno(errno, name));
    return false;
  }

  // Hides what the lower layers have in dirfd (`dir`): everything this layer
  // did not write, at any depth.
  void Opaque(int dirfd, const std::string& dir, size_t depth) {
    for (const std::string& name : ListDir(dirfd)) {
      const std::string p = JoinPath(dir, name);
      if (!written_.contains(p)) {
        RemoveTree(dirfd, name);
        continue;
      }
      struct stat st {};
      if (depth < kMaxDepth && fstatat(dirfd, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 &&
          S_ISDIR(st.st_mode)) {
        Fd sub(openat(dirfd, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
        if (sub.ok()) Opaque(sub.get(), p, depth + 1);
      }
    }
  }

  // Returns false when the layer's stream cannot go on.
  bool Entry(archive* a, archive_entry* e) {
    const char* raw = EntryName(e);
    if (raw == nullptr) {
      Skip("?", "name not readable");
      return true;
    }
    const auto clean = CleanPath(raw, false);
    if (!clean) {
      Skip(raw, "absolute path, \"..\" or too long: refused");
      return true;
    }
    if (clean->empty()) return true;  // "./": the root itself
    const auto [parent, base] = SplitParent(*clean);
    const mode_t type = archive_entry_filetype(e);

    // Whiteouts: AUFS-style names (docker save, podman) and overlayfs-style
    // 0/0 character devices.
    const bool overlay_whiteout =
        type == AE_IFCHR && archive_entry_rdev(e) == 0 && archive_entry_hardlink(e) == nullptr;
    if (base.starts_with(".wh.") || overlay_whiteout) {
      if (base.starts_with(".wh..wh.") && base != ".wh..wh..opq") return true;  // AUFS bookkeeping
      auto dirfd = OpenDir(parent);
      if (!dirfd) {
        Skip(raw, dirfd.error().message());
        return true;
      }
      if (base == ".wh..wh..opq") {
        Opaque(*dirfd, parent, 0);
      } else {
        const std::string name = overlay_whiteout ? base : base.substr(4);
        if (name.empty() || name == "." || name == "..") {
          Skip(raw, "malformed whiteout");
          return true;
        }
        if (!written_.contains(JoinPath(parent, name))) RemoveTree(*dirfd, name);
      }
      Invalidate();
      MarkWritten(parent);
      return true;
    }

    if (const char* hard = archive_entry_hardlink(e); hard != nullptr)
      return HardLink(raw, *clean, hard);

    switch (type) {
      case AE_IFDIR:
      case AE_IFREG:
      case AE_IFLNK:
        break;
      case AE_IFCHR:
      case AE_IFBLK:
        Skip(raw, "device node skipped");
        return true;
      case AE_IFIFO:
        Skip(raw, "FIFO skipped");
        return true;
      case AE_IFSOCK:
        Skip(raw, "socket skipped");
        return true;
      default:
        Skip(raw, "unknown entry type skipped");
        return true;
    }

    const int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
    if (type == AE_IFREG) {
      if (size < 0 || static_cast<uint64_t>(size) > limits_.max_file_bytes) {
        Skip(raw, fmt::format("{} bytes, larger than the {} bytes allowed a file: skipped", size,
                              limits_.max_file_bytes));
        return true;
      }
      if (budget_.bytes + static_cast<uint64_t>(size) > limits_.max_total_bytes) {
        gaps_.push_back({what_ + ", entry " + Printable(raw, 200),
                         fmt::format("the {} bytes allowed all images are used up; unpacking "
                                     "stopped",
                                     limits_.max_total_bytes),
                         ""});
        budget_.exhausted = true;
        return false;
      }
    }

    auto dirfd = OpenDir(parent);
    if (!dirfd) {
      Skip(raw, dirfd.error().message());
      return true;
    }
    const int dir = *dirfd;
    const mode_t perm = archive_entry_perm(e);
    timespec times[2] = {{0, UTIME_OMIT}, {0, UTIME_OMIT}};
    if (archive_entry_mtime_is_set(e)) {
      times[1].tv_sec = archive_entry_mtime(e);
      times[1].tv_nsec = archive_entry_mtime_nsec(e);
    }

    if (type == AE_IFDIR) {
      auto kept = Clear(dir, base, true);
      if (!kept) {
        Skip(raw, kept.error().message());
        return true;
      }
      if (!*kept && mkdirat(dir, base.c_str(), 0700) != 0) {
        Skip(raw, Error::FromErrno(errno, "mkdir").message());
        return true;
      }
      Fd d(openat(dir, base.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (d.ok()) fchmod(d.get(), Perm(perm, true));
      MarkWritten(*clean);
      return true;
    }

    auto cleared = Clear(dir, base, false);
    if (!cleared) {
      Skip(raw, cleared.error().message());
      return true;
    }
    MarkWritten(*clean);
    if (type == AE_IFLNK) {
      const char* to = archive_entry_symlink(e);
      if (to == nullptr) to = archive_entry_symlink_utf8(e);
      if (to == nullptr || symlinkat(to, dir, base.c_str()) != 0) {
        Skip(raw, to == nullptr ? "symlink without a target"
                                : Error::FromErrno(errno, "symlink").message());
        return true;
      }
      utimensat(dir, base.c_str(), times, AT_SYMLINK_NOFOLLOW);
      return true;
    }
    return WriteFile(a, raw, dir, base, size, perm, times);
  }

  bool WriteFile(archive* a, const char* raw, int dir, const std::string& base, int64_t size,
                 mode_t perm, const timespec (&times)[2]) {
    Fd fd(openat(dir, base.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600));
    if (!fd.ok()) {
      Skip(raw, Error::FromErrno(errno, "create").message());
      return true;
    }
    const void* buf = nullptr;
    size_t len = 0;
    la_int64_t off = 0;
    while (true) {
      const int r = archive_read_data_block(a, &buf, &len, &off);
      if (r == ARCHIVE_EOF) break;
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
        gaps_.push_back({what_ + ", entry " + Printable(raw, 200),
                         "truncated: " + ArchiveError(a) + " (the part read is kept)", ""});
        return false;
      }
      if (off < 0 || static_cast<uint64_t>(off) + len > static_cast<uint64_t>(size)) {
        Skip(raw, "data beyond the entry's size: file left short");
        break;
      }
      const char* p = static_cast<const char*>(buf);
      size_t done = 0;
      while (done < len) {
        const ssize_t n = pwrite(fd.get(), p + done, len - done, off + static_cast<off_t>(done));
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
          gaps_.push_back({what_ + ", entry " + Printable(raw, 200),
                           Error::FromErrno(errno, "write").message() + "; unpacking stopped", ""});
          budget_.exhausted = true;
          return false;
        }
        done += static_cast<size_t>(n);
      }
    }
    if (ftruncate(fd.get(), size) != 0) Skip(raw, Error::FromErrno(errno, "truncate").message());
    fchmod(fd.get(), Perm(perm, false));
    futimens(fd.get(), times);
    ++files_;
    bytes_ += static_cast<uint64_t>(size);
    budget_.bytes += static_cast<uint64_t>(size);
    return true;
  }

  bool HardLink(const char* raw, const std::string& clean, const char* target) {
    const auto to = CleanPath(target, false);
    if (!to || to->empty()) {
      Skip(raw, "hard link to an absolute path or with \"..\": refused");
      return true;
    }
    if (*to == clean) {
      Skip(raw, "hard link to itself");
      return true;
    }
    const auto [to_parent, to_base] = SplitParent(*to);
    auto to_dir = WalkDir(to_parent, false);
    if (!to_dir) {
      Skip(raw, "hard link target: " + to_dir.error().message());
      return true;
    }
    const auto [parent, base] = SplitParent(clean);
    auto dirfd = OpenDir(parent);
    if (!dirfd) {
      Skip(raw, dirfd.error().message());
      return true;
    }
    struct stat st {};
    if (fstatat(to_dir->get(), to_base.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0 ||
        S_ISDIR(st.st_mode)) {
      Skip(raw, "hard link target missing or a directory");
      return true;
    }
    auto cleared = Clear(*dirfd, base, false);
    if (!cleared) {
      Skip(raw, cleared.error().message());
      return true;
    }
    if (linkat(to_dir->get(), to_base.c_str(), *dirfd, base.c_str(), 0) != 0) {
      Skip(raw, Error::FromErrno(errno, "link").message());
      return true;
    }
    MarkWritten(clean);
    return true;
  }

  const int root_fd_;
  const ImageLimits& limits_;
  Budget& budget_;
  std::vector<Gap>& gaps_;
  std::string what_;
  std::unordered_set<std::string> written_;  // this layer's paths and their parents
  int skipped_ = 0;
  std::string cached_dir_;
  Fd cached_fd_;
  uint64_t files_ = 0, bytes_ = 0;
};

Expected<std::vector<UnpackedImage>> Unpack(const std::string& archive_path,
                                            const std::string& dest, const ImageLimits& limits,
                                            std::vector<Gap>& gaps) {
  auto bundle = Bundle::Open(archive_path, limits, gaps);
  if (!bundle) return Fail(bundle.error());
  const Bundle& b = **bundle;
  auto plans = MakePlans(b, gaps);
  if (!plans) return Fail(plans.error());
  if (plans->size() > kMaxImages) {
    gaps.push_back(
        {"image archive " + archive_path,
         fmt::format("{} images; only the first {} are unpacked", plans->size(), kMaxImages), ""});
    plans->resize(kMaxImages);
  }

  std::error_code ec;
  std::filesystem::create_directories(dest, ec);
  if (ec) return Fail(Error::Io(dest + ": " + ec.message()));

  Budget budget;
  std::vector<UnpackedImage> out;
  for (size_t n = 0; n < plans->size(); ++n) {
    const Plan& p = (*plans)[n];
    if (budget.exhausted) {
      gaps.push_back({"image archive " + archive_path,
                      fmt::format("{} images not unpacked: limits reached", plans->size() - n),
                      ""});
      break;
    }
    UnpackedImage img;
    img.root = dest + "/" + std::to_string(n);
    const std::string label = p.ref.empty() ? p.config : p.ref;
    auto text = p.config.empty() ? Expected<std::string>(Fail(Error::InvalidInput("no config")))
                                 : b.Read(p.config, kMaxJsonBytes);
    if (text) {
      img.config_digest = "sha256:" + Sha256Hex(*text);
      if (!p.config_digest.empty() && p.config_digest != img.config_digest) {
        gaps.push_back({fmt::format("config of image {} in {}", label, archive_path),
                        "content does not match its digest " + Printable(p.config_digest, 140),
                        ""});
      }
    } else {
      img.config_digest = p.config_digest;
      gaps.push_back({fmt::format("config of image {} in {}", label, archive_path),
                      text.error().message(), ""});
    }
    img.ref = !p.ref.empty() ? p.ref : !img.config_digest.empty() ? img.config_digest : p.config;
    img.config = BaseImageConfig(img.ref, archive_path);
    if (text) {
      auto parsed = ParseImageConfig(*text, img.ref, archive_path);
      if (parsed) {
        img.config = std::move(*parsed);
      } else {
        gaps.push_back(
            {"config of image " + img.ref + " in " + archive_path, parsed.error().message(), ""});
      }
    }
    img.layers = p.ids;

    if (mkdir(img.root.c_str(), 0755) != 0) {
      const int err = errno;
      if (err == EEXIST) return Fail(Error::InvalidInput(img.root + " exists already"));
      return Fail(Error::FromErrno(err, img.root));
    }
    Fd root(open(img.root.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!root.ok()) return Fail(Error::FromErrno(errno, img.root));
    LayerApplier applier(root.get(), limits, budget, gaps);
    for (size_t i = 0; i < p.layers.size(); ++i) {
      const std::string what = fmt::format("layer {} of image {} in {}", Printable(p.ids[i], 200),
                                           img.ref, archive_path);
      if (budget.exhausted) {
        gaps.push_back({what,
                        fmt::format("not applied ({} layers): limits reached", p.layers.size() - i),
                        ""});
        break;
      }
      if (p.layers[i].empty()) {
        gaps.push_back({what, "not a path or digest inside the archive", ""});
        continue;
      }
      auto stream = b.OpenLayer(p.layers[i]);
      if (!stream) {
        gaps.push_back({what, stream.error().message(), ""});
        continue;
      }
      applier.Apply((*stream)->get(), what);
    }
    img.files = applier.files();
    img.bytes = applier.bytes();
    img.config.tools = FindDropperTools(img.root);
    img.config.tools_known = true;
    out.push_back(std::move(img));
  }
  return out;
}

}  // namespace

Expected<ContainerConfig> ParseImageConfig(std::string_view json, const std::string& ref,
                                           const std::string& file) {
  try {
    const auto j = ParseJson(json);
    if (!j || !j->is_object()) {
      return Fail(Error::InvalidInput("image config: not a JSON object"));
    }
    ContainerConfig c = BaseImageConfig(ref, file);
    const Json* cfg = ObjectAt(*j, "config");
    if (cfg == nullptr) cfg = ObjectAt(*j, "Config");
    if (cfg == nullptr) return c;
    c.user = StringAt(*cfg, "User");
    if (auto it = cfg->find("Entrypoint"); it != cfg->end()) c.entrypoint = Strings(&*it);
    if (auto it = cfg->find("Cmd"); it != cfg->end()) c.cmd = Strings(&*it);
    if (const Json* ports = ObjectAt(*cfg, "ExposedPorts")) {
      for (const auto& [key, value] : ports->items()) {
        if (auto port = ParseExposedPort(key)) c.ports.push_back(*port);
      }
    }
    return c;
  } catch (const std::exception& e) {
    return Fail(Error::InvalidInput(std::string("image config: ") + e.what()));
  }
}

Expected<std::vector<UnpackedImage>> UnpackImages(const std::string& archive_path,
                                                  const std::string& dest,
                                                  const ImageLimits& limits,
                                                  std::vector<Gap>& gaps) {
  try {
    return Unpack(archive_path, dest, limits, gaps);
  } catch (const std::exception& e) {
    return Fail(Error::Internal(archive_path + ": " + e.what()));
  }
}

bool IsImageArchive(const std::string& path) {
  try {
    struct stat st {};
    if (stat(path.c_str(), &st) != 0) return false;
    if (S_ISDIR(st.st_mode)) {
      auto fs = RootFs::Open(path);
      if (!fs) return false;
      if (auto s = fs->Lstat("/oci-layout"); s && S_ISREG(s->st_mode)) return true;
      if (auto text = fs->Read("/manifest.json", kCacheEntryBytes)) {
        if (auto j = ParseJson(*text); j && LooksLikeImageManifest(*j)) return true;
      }
      if (auto text = fs->Read("/repositories", kCacheEntryBytes)) {
        if (auto j = ParseJson(*text); j && LooksLikeRepositories(*j)) return true;
      }
      return false;
    }
    if (!S_ISREG(st.st_mode)) return false;
    ArchivePtr a = NewTarReader();
    if (!a || archive_read_open_filename(a.get(), path.c_str(), kReadBlock) != ARCHIVE_OK) {
      return false;
    }
    archive_entry* e = nullptr;
    for (int i = 0; i < kHeadEntries; ++i) {
      const int r = archive_read_next_header(a.get(), &e);
      if (r != ARCHIVE_OK && r != ARCHIVE_WARN) return false;  // EOF too
      // Skipping in a compressed tar inflates: a big backup is not read through.
      if (archive_filter_code(a.get(), 0) != ARCHIVE_FILTER_NONE &&
          archive_filter_bytes(a.get(), 0) > kHeadBytes) {
        return false;
      }
      const char* raw = EntryName(e);
      if (raw == nullptr) continue;
      const std::string name = CleanPath(raw, true).value_or("");
      if (name == "oci-layout" || name.starts_with("blobs/sha256/")) return true;
      const auto parts = Split(name, '/');
      if (parts.size() == 2 && IsHex(parts[0], 64) && parts[1] == "layer.tar") return true;
      if (name == "manifest.json" && archive_entry_filetype(e) == AE_IFREG &&
          archive_entry_size(e) <= kCacheEntryBytes) {
        std::string data(static_cast<size_t>(std::max<int64_t>(0, archive_entry_size(e))), '\0');
        const la_ssize_t got = archive_read_data(a.get(), data.data(), data.size());
        if (got < 0) return false;
        data.resize(static_cast<size_t>(got));
        if (auto j = ParseJson(data); j && LooksLikeImageManifest(*j)) return true;
      }
    }
    return false;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace deminer
