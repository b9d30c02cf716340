#include "sources/image_archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/test_dir.h"
#include "sources/file_hash.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

// One entry of a tar the tests write with libarchive.
struct TarEntry {
  enum Kind { kFile, kDir, kSymlink, kHardlink, kCharDev, kBlockDev, kFifo };
  std::string path;
  Kind kind = kFile;
  std::string data;  // file content, or the link's target
  mode_t mode = 0644;
};

TarEntry File(std::string path, std::string data, mode_t mode = 0644) {
  return {std::move(path), TarEntry::kFile, std::move(data), mode};
}
TarEntry Dir(std::string path, mode_t mode = 0755) {
  return {std::move(path), TarEntry::kDir, "", mode};
}
TarEntry Symlink(std::string path, std::string target) {
  return {std::move(path), TarEntry::kSymlink, std::move(target), 0777};
}
TarEntry Hardlink(std::string path, std::string target) {
  return {std::move(path), TarEntry::kHardlink, std::move(target), 0644};
}

enum class Compression { kNone, kGzip, kZstd };

void WriteTar(const std::string& file, const std::vector<TarEntry>& entries,
              Compression c = Compression::kNone) {
  archive* a = archive_write_new();
  ASSERT_NE(a, nullptr);
  archive_write_set_format_pax_restricted(a);
  if (c == Compression::kGzip) archive_write_add_filter_gzip(a);
  if (c == Compression::kZstd) archive_write_add_filter_zstd(a);
  ASSERT_EQ(archive_write_open_filename(a, file.c_str()), ARCHIVE_OK) << archive_error_string(a);
  for (const TarEntry& t : entries) {
    archive_entry* e = archive_entry_new();
    archive_entry_set_pathname(e, t.path.c_str());
    archive_entry_set_perm(e, t.mode);
    archive_entry_set_mtime(e, 1700000000, 0);
    switch (t.kind) {
      case TarEntry::kFile:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_size(e, static_cast<la_int64_t>(t.data.size()));
        break;
      case TarEntry::kDir:
        archive_entry_set_filetype(e, AE_IFDIR);
        break;
      case TarEntry::kSymlink:
        archive_entry_set_filetype(e, AE_IFLNK);
        archive_entry_set_symlink(e, t.data.c_str());
        break;
      case TarEntry::kHardlink:
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_hardlink(e, t.data.c_str());
        archive_entry_set_size(e, 0);
        break;
      case TarEntry::kCharDev:
        archive_entry_set_filetype(e, AE_IFCHR);
        archive_entry_set_rdevmajor(e, 1);
        archive_entry_set_rdevminor(e, 3);
        break;
      case TarEntry::kBlockDev:
        archive_entry_set_filetype(e, AE_IFBLK);
        archive_entry_set_rdevmajor(e, 8);
        archive_entry_set_rdevminor(e, 0);
        break;
      case TarEntry::kFifo:
        archive_entry_set_filetype(e, AE_IFIFO);
        break;
    }
    ASSERT_EQ(archive_write_header(a, e), ARCHIVE_OK) << archive_error_string(a);
    if (t.kind == TarEntry::kFile && !t.data.empty()) {
      ASSERT_EQ(archive_write_data(a, t.data.data(), t.data.size()),
                static_cast<la_ssize_t>(t.data.size()));
    }
    archive_entry_free(e);
  }
  archive_write_close(a);
  archive_write_free(a);
}

std::string Slurp(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Spit(const std::string& file, std::string_view data) {
  fs::create_directories(fs::path(file).parent_path());
  std::ofstream(file, std::ios::binary) << data;
}

// A layer's bytes.
std::string Layer(const TestDir& dir, const std::vector<TarEntry>& entries,
                  Compression c = Compression::kNone) {
  static int n = 0;
  const std::string file = dir / ("layer-" + std::to_string(n++) + ".tar");
  WriteTar(file, entries, c);
  return Slurp(file);
}

std::string Sha256(std::string_view data) {
  Hasher h(HashSet{.md5 = false, .sha1 = false, .sha256 = true});
  h.Update(data.data(), data.size());
  return h.Finish().sha256;
}

// The tree below root, sorted: "dir/", "file", "link -> target".
std::vector<std::string> Tree(const std::string& root) {
  std::vector<std::string> out;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator();
       ++it) {
    const std::string rel = it->path().lexically_relative(root).string();
    if (it->is_symlink()) {
      out.push_back(rel + " -> " + fs::read_symlink(it->path()).string());
    } else if (it->is_directory()) {
      out.push_back(rel + "/");
    } else {
      out.push_back(rel);
    }
  }
  std::sort(out.begin(), out.end());
  return out;
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

std::string AllGaps(const std::vector<Gap>& gaps) {
  std::string out;
  for (const Gap& g : gaps) out += g.what + ": " + g.reason + "\n";
  return out;
}

const std::string kHex1(64, '1'), kHex2(64, '2'), kId1(64, 'a'), kId2(64, 'b');

constexpr const char* kPostgresConfig = R"({
  "architecture": "amd64", "os": "linux",
  "config": {"User": "", "ExposedPorts": {"5432/tcp": {}, "53/udp": {}},
             "Env": ["PATH=/usr/bin:/bin"], "Entrypoint": ["docker-entrypoint.sh"],
             "Cmd": ["postgres"]},
  "rootfs": {"type": "layers", "diff_ids": []}})";

// A `docker save` / `podman save --format docker-archive` tarball with two
// layers; the manifest names the legacy <id>/layer.tar symlinks, as Podman's do.
std::string DockerSave(const TestDir& dir, const std::string& name, const std::string& layer1,
                       const std::string& layer2, const std::string& config = kPostgresConfig,
                       const std::string& manifest = "") {
  const std::string config_name = Sha256(config) + ".json";
  const std::string m = !manifest.empty() ? manifest
                                          : R"([{"Config":")" + config_name +
                                                R"(","RepoTags":["web:1.0"],"Layers":[")" + kId1 +
                                                R"(/layer.tar",")" + kId2 + R"(/layer.tar"]}])";
  std::string file = dir / name;
  WriteTar(
      file,
      {File(kHex1 + ".tar", layer1), File(kHex2 + ".tar", layer2), File(config_name, config),
       Dir(kId1), Symlink(kId1 + "/layer.tar", "../" + kHex1 + ".tar"),
       File(kId1 + "/VERSION", "1.0"), Dir(kId2),
       Symlink(kId2 + "/layer.tar", "../" + kHex2 + ".tar"), File(kId2 + "/VERSION", "1.0"),
       File("manifest.json", m), File("repositories", R"({"web":{"1.0":")" + kId2 + R"("}})")});
  return file;
}

std::vector<TarEntry> BaseLayer() {
  return {
      Dir("bin"),
      File("bin/busybox", "imitation busybox", 04755),
      Symlink("bin/sh", "busybox"),
      Symlink("bin/wget", "busybox"),
      File("usr/bin/curl", "imitation curl", 0755),  // no entries for usr/, usr/bin/
      Dir("etc"),
      File("etc/passwd", "root:x:0:0::/root:/bin/sh\n"),
      File("etc/old.conf", "old"),
      File("var/cache/app/a", "a"),
      File("var/cache/app/sub/b", "b"),
      File("var/lib/x/y", "y"),
      File("opt/keep", "k"),
  };
}

std::vector<TarEntry> MinerLayer() {
  return {
      File("etc/.wh.old.conf", ""),
      // Before the opaque marker in tar order: the marker must leave it.
      File("var/cache/app/new", "new"), File("var/cache/app/.wh..wh..opq", ""),
      File("var/.wh.lib", ""), Dir("tmp", 01777), Dir("tmp/.x", 0755),
      File("tmp/.x/xmrig", "harmless imitation, not a miner", 0755),
      File("etc/cron.d/evil", "* * * * * root /tmp/.x/xmrig\n"), File("opt/added", "a"),
      File("opt/.wh.added", ""),  // a whiteout only hides the lower layers
  };
}

const std::vector<std::string> kMergedTree = {
    "bin/",
    "bin/busybox",
    "bin/sh -> busybox",
    "bin/wget -> busybox",
    "etc/",
    "etc/cron.d/",
    "etc/cron.d/evil",
    "etc/passwd",
    "opt/",
    "opt/added",
    "opt/keep",
    "tmp/",
    "tmp/.x/",
    "tmp/.x/xmrig",
    "usr/",
    "usr/bin/",
    "usr/bin/curl",
    "var/",
    "var/cache/",
    "var/cache/app/",
    "var/cache/app/new",
};

TEST(ImageArchiveTest, DockerSaveAppliesLayersInOrderWithWhiteouts) {
  TestDir dir;
  const std::string archive =
      DockerSave(dir, "web.tar", Layer(dir, BaseLayer()), Layer(dir, MinerLayer()));
  EXPECT_TRUE(IsImageArchive(archive));
  std::vector<Gap> gaps;
  auto images = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_TRUE(gaps.empty()) << AllGaps(gaps);
  ASSERT_EQ(images->size(), 1u);
  const UnpackedImage& img = images->front();
  EXPECT_EQ(img.root, dir / "out/0");
  EXPECT_EQ(Tree(img.root), kMergedTree);
  EXPECT_EQ(Slurp(img.root + "/etc/cron.d/evil"), "* * * * * root /tmp/.x/xmrig\n");
  EXPECT_EQ(ModeOf(img.root + "/tmp/.x/xmrig"), 0755u);  // exec bits kept
  EXPECT_EQ(ModeOf(img.root + "/bin/busybox"), 0755u);   // setuid dropped
  EXPECT_EQ(ModeOf(img.root + "/tmp"), 0777u);           // sticky dropped

  EXPECT_EQ(img.ref, "web:1.0");
  EXPECT_EQ(img.config_digest, "sha256:" + Sha256(kPostgresConfig));
  EXPECT_EQ(img.layers, (std::vector<std::string>{kId1 + "/layer.tar", kId2 + "/layer.tar"}));
  EXPECT_EQ(img.files, 12u);
  const ContainerConfig& c = img.config;
  EXPECT_EQ(c.source, ConfigSource::kImage);
  EXPECT_FALSE(c.runtime_settings);
  EXPECT_EQ(c.name, "web:1.0");
  EXPECT_EQ(c.image, "web:1.0");
  EXPECT_EQ(c.file, archive);
  EXPECT_EQ(c.user.value_or("unset"), "");
  EXPECT_TRUE(c.RunsAsRoot());
  EXPECT_EQ(c.entrypoint, std::vector<std::string>{"docker-entrypoint.sh"});
  EXPECT_EQ(c.cmd, std::vector<std::string>{"postgres"});
  ASSERT_EQ(c.ports.size(), 2u);
  EXPECT_EQ(c.ports[0].container_port, 53);
  EXPECT_EQ(c.ports[0].proto, "udp");
  EXPECT_EQ(c.ports[1].container_port, 5432);
  EXPECT_EQ(c.ports[1].proto, "tcp");
  EXPECT_FALSE(c.ports[1].published);
  EXPECT_TRUE(c.tools_known);
  EXPECT_EQ(c.tools, (std::vector<std::string>{"curl /usr/bin/curl", "wget /bin/wget",
                                               "wget (busybox applet, /bin/busybox)",
                                               "nc (busybox applet, /bin/busybox)", "sh /bin/sh"}));
}

// An OCI layout: oci-layout, index.json, blobs/sha256/ with the manifest, the
// config and the layers (gzip and zstd). Written into `root`.
struct OciFiles {
  std::vector<std::pair<std::string, std::string>> files;  // member -> bytes
  std::string config_digest, manifest_digest;
  std::vector<std::string> layer_digests;
};

constexpr const char* kAppConfig =
    R"({"architecture":"amd64","os":"linux","config":{"User":"1000:1000",)"
    R"("ExposedPorts":{"8080/tcp":{}},"Entrypoint":null,"Cmd":["node","server.js"]}})";

OciFiles OciLayout(const TestDir& dir, const std::string& index_annotations = "") {
  OciFiles o;
  const std::string l1 = Layer(dir, BaseLayer(), Compression::kGzip);
  const std::string l2 = Layer(dir, MinerLayer(), Compression::kZstd);
  const std::string config = kAppConfig;
  o.config_digest = "sha256:" + Sha256(config);
  o.layer_digests = {"sha256:" + Sha256(l1), "sha256:" + Sha256(l2)};
  const std::string manifest =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":")" +
      o.config_digest + R"(","size":1},"layers":[)" +
      R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":")" +
      o.layer_digests[0] + R"(","size":1},)" +
      R"({"mediaType":"application/vnd.oci.image.layer.v1.tar+zstd","digest":")" +
      o.layer_digests[1] + R"(","size":1}]})";
  const std::string manifest_digest = "sha256:" + Sha256(manifest);
  o.manifest_digest = manifest_digest;
  const std::string annotations = index_annotations.empty()
                                      ? R"({"org.opencontainers.image.ref.name":"localhost/app:2"})"
                                      : index_annotations;
  const std::string index =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json",)"
      R"("digest":")" +
      manifest_digest + R"(","size":1,"annotations":)" + annotations + "}]}";
  o.files = {{"oci-layout", R"({"imageLayoutVersion":"1.0.0"})"},
             {"index.json", index},
             {"blobs/sha256/" + manifest_digest.substr(7), manifest},
             {"blobs/sha256/" + o.config_digest.substr(7), config},
             {"blobs/sha256/" + o.layer_digests[0].substr(7), l1},
             {"blobs/sha256/" + o.layer_digests[1].substr(7), l2}};
  return o;
}

void ExpectOciImage(const UnpackedImage& img, const OciFiles& o, const std::string& archive) {
  EXPECT_EQ(Tree(img.root), kMergedTree);
  EXPECT_EQ(img.ref, "localhost/app:2");
  EXPECT_EQ(img.config_digest, o.config_digest);
  EXPECT_EQ(img.layers, o.layer_digests);
  EXPECT_EQ(img.config.file, archive);
  EXPECT_EQ(img.config.user.value_or("?"), "1000:1000");
  EXPECT_FALSE(img.config.RunsAsRoot());
  EXPECT_TRUE(img.config.entrypoint.empty());
  EXPECT_EQ(img.config.cmd, (std::vector<std::string>{"node", "server.js"}));
  ASSERT_EQ(img.config.ports.size(), 1u);
  EXPECT_EQ(img.config.ports[0].container_port, 8080);
  EXPECT_EQ(img.config.tools.size(), 5u);
}

TEST(ImageArchiveTest, OciArchiveWithCompressedLayers) {
  TestDir dir;
  const OciFiles o = OciLayout(dir);
  std::vector<TarEntry> entries = {Dir("blobs"), Dir("blobs/sha256")};
  for (const auto& [name, data] : o.files) entries.push_back(File(name, data));
  const std::string archive = dir / "app-oci.tar";
  WriteTar(archive, entries);
  EXPECT_TRUE(IsImageArchive(archive));
  std::vector<Gap> gaps;
  auto images = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_TRUE(gaps.empty()) << AllGaps(gaps);
  ASSERT_EQ(images->size(), 1u);
  ExpectOciImage(images->front(), o, archive);
}

TEST(ImageArchiveTest, OciLayoutDirectoryAndGzippedSave) {
  TestDir dir;
  const OciFiles o = OciLayout(dir);
  const std::string layout = dir / "layout";
  for (const auto& [name, data] : o.files) Spit(fmt::format("{}/{}", layout, name), data);
  EXPECT_TRUE(IsImageArchive(layout));
  std::vector<Gap> gaps;
  auto images = UnpackImages(layout, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_TRUE(gaps.empty()) << AllGaps(gaps);
  ASSERT_EQ(images->size(), 1u);
  ExpectOciImage(images->front(), o, layout);

  // `docker save | gzip`: the outer tar compressed too.
  std::vector<TarEntry> entries;
  entries.reserve(o.files.size());
  for (const auto& [name, data] : o.files) entries.push_back(File(name, data));
  const std::string gz = dir / "app-oci.tar.gz";
  WriteTar(gz, entries, Compression::kGzip);
  EXPECT_TRUE(IsImageArchive(gz));
  auto again = UnpackImages(gz, dir / "out-gz", {}, gaps);
  ASSERT_TRUE(again) << again.error().message();
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(Tree(again->front().root), kMergedTree);
}

TEST(ImageArchiveTest, OciNestedIndexSkipsAttestationsAndMissingPlatforms) {
  TestDir dir;
  OciFiles o = OciLayout(dir);
  // Docker 25's save: index.json -> an image index naming the saved platform,
  // one the save left out, and an attestation manifest.
  const std::string& inner_manifest = o.manifest_digest;
  const std::string nested =
      R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[)"
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":")" +
      inner_manifest + R"(","platform":{"architecture":"amd64","os":"linux"}},)" +
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
      std::string(64, 'c') + R"(","platform":{"architecture":"arm64","os":"linux"}},)" +
      R"({"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:)" +
      std::string(64, 'd') +
      R"(","annotations":{"vnd.docker.reference.type":"attestation-manifest"}}]})";
  const std::string nested_digest = "sha256:" + Sha256(nested);
  o.files[1].second =
      R"({"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.index.v1+json",)"
      R"("digest":")" +
      nested_digest +
      R"(","annotations":{"io.containerd.image.name":"localhost:5000/library/app:2",)"
      R"("org.opencontainers.image.ref.name":"2"}}]})";
  o.files.emplace_back("blobs/sha256/" + nested_digest.substr(7), nested);
  const std::string layout = dir / "layout";
  for (const auto& [name, data] : o.files) Spit(fmt::format("{}/{}", layout, name), data);
  std::vector<Gap> gaps;
  auto images = UnpackImages(layout, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_TRUE(gaps.empty()) << AllGaps(gaps);
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->front().ref, "localhost:5000/library/app:2");
  EXPECT_EQ(Tree(images->front().root), kMergedTree);
}

TEST(ImageArchiveTest, LegacySaveWithoutManifest) {
  TestDir dir;
  const std::string archive = dir / "legacy.tar";
  WriteTar(archive, {File(kId1 + "/json", R"({"id":")" + kId1 + R"(","config":{"User":"nobody"}})"),
                     File(kId1 + "/layer.tar", Layer(dir, BaseLayer())),
                     File(kId2 + "/json",
                          R"({"id":")" + kId2 + R"(","parent":")" + kId1 +
                              R"(","config":{"User":"app","ExposedPorts":{"6379/tcp":{}}}})"),
                     File(kId2 + "/layer.tar", Layer(dir, MinerLayer())),
                     File("repositories", R"({"redis":{"7":")" + kId2 + R"("}})")});
  EXPECT_TRUE(IsImageArchive(archive));
  std::vector<Gap> gaps;
  auto images = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_TRUE(gaps.empty()) << AllGaps(gaps);
  ASSERT_EQ(images->size(), 1u);
  EXPECT_EQ(images->front().ref, "redis:7");
  EXPECT_EQ(images->front().config.user.value_or(""), "app");
  EXPECT_EQ(images->front().layers,
            (std::vector<std::string>{kId1 + "/layer.tar", kId2 + "/layer.tar"}));
  EXPECT_EQ(Tree(images->front().root), kMergedTree);
}

TEST(ImageArchiveTest, HostileEntriesNeverLeaveDest) {
  TestDir dir;
  const std::string outside = dir / "outside";
  fs::create_directories(outside);
  const std::vector<TarEntry> l1 = {
      File("../escape", "x"),
      File("a/../../escape2", "x"),
      File("/abs-escape", "x"),
      Symlink("evil", outside),  // then a file written through it
      File("evil/pwned", "x"),
      Symlink("up", "../../../outside"),
      File("up/pwned2", "x"),
      Hardlink("hl", "/etc/passwd"),
      Hardlink("hl2", "../outside/x"),
      Hardlink("hl3", "evil/../../../outside"),
      {"dev/null2", TarEntry::kCharDev, "", 0666},
      {"dev/sda", TarEntry::kBlockDev, "", 0660},
      File("ok", "fine"),
      Symlink("lower-link", outside),
      File("../escape3", "x"),  // the 11th refusal of the layer: summed up, not listed
  };
  const std::vector<TarEntry> l2 = {
      // A lower layer's symlink is replaced by a directory (overlay2's view).
      File("lower-link/f", "inside"),
      Hardlink("ok-link", "ok"),
      {"fifo", TarEntry::kFifo, "", 0644},
  };
  const std::string archive = DockerSave(dir, "hostile.tar", Layer(dir, l1), Layer(dir, l2));
  std::vector<Gap> gaps;
  auto images = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  ASSERT_EQ(images->size(), 1u);
  const std::string root = images->front().root;

  EXPECT_TRUE(fs::is_empty(outside));
  EXPECT_EQ(Tree(dir / "out"), (std::vector<std::string>{"0/", "0/evil -> " + outside,
                                                         "0/lower-link/", "0/lower-link/f", "0/ok",
                                                         "0/ok-link", "0/up -> ../../../outside"}));
  struct stat a {
  }, b{};
  ASSERT_EQ(stat((root + "/ok").c_str(), &a), 0);
  ASSERT_EQ(stat((root + "/ok-link").c_str(), &b), 0);
  EXPECT_EQ(a.st_ino, b.st_ino);
  const std::string text = AllGaps(gaps);
  for (const char* what : {"../escape", "a/../../escape2", "/abs-escape", "evil/pwned", "up/pwned2",
                           "hl", "hl2", "hl3", "dev/null2", "dev/sda", "fifo"}) {
    EXPECT_NE(text.find(std::string("entry ") + what + ":"), std::string::npos) << what << "\n"
                                                                                << text;
  }
  EXPECT_EQ(text.find("escape3"), std::string::npos) << text;
  EXPECT_NE(text.find("device node skipped"), std::string::npos);
  EXPECT_NE(text.find("FIFO skipped"), std::string::npos);
  EXPECT_NE(text.find("1 more entries skipped"), std::string::npos) << text;
}

TEST(ImageArchiveTest, LimitsSkipOversizeFilesAndStopAtTheTotal) {
  TestDir dir;
  const std::string archive = DockerSave(
      dir, "big.tar", Layer(dir, {File("big", std::string(5000, 'x')), File("small", "s")}),
      Layer(dir, {File("two/a", std::string(600, 'a')), File("two/b", std::string(600, 'b'))}));
  {
    std::vector<Gap> gaps;
    ImageLimits limits;
    limits.max_file_bytes = 1000;
    auto images = UnpackImages(archive, dir / "out1", limits, gaps);
    ASSERT_TRUE(images) << images.error().message();
    EXPECT_EQ(Tree(images->front().root),
              (std::vector<std::string>{"small", "two/", "two/a", "two/b"}));
    ASSERT_EQ(gaps.size(), 1u) << AllGaps(gaps);
    EXPECT_NE(gaps[0].what.find("entry big"), std::string::npos);
    EXPECT_NE(gaps[0].reason.find("5000 bytes"), std::string::npos);
  }
  {
    std::vector<Gap> gaps;
    ImageLimits limits;
    limits.max_file_bytes = 1000;
    limits.max_total_bytes = 1000;
    auto images = UnpackImages(archive, dir / "out2", limits, gaps);
    ASSERT_TRUE(images) << images.error().message();
    EXPECT_EQ(Tree(images->front().root), (std::vector<std::string>{"small", "two/", "two/a"}));
    EXPECT_EQ(images->front().bytes, 601u);
    EXPECT_NE(AllGaps(gaps).find("unpacking stopped"), std::string::npos) << AllGaps(gaps);
  }
  {
    // max_entries bounds the outer archive's entries (11 here) and, apart, those of all layers.
    std::vector<TarEntry> many;
    many.reserve(20);
    for (int i = 0; i < 20; ++i) many.push_back(File("many/" + std::to_string(i), "m"));
    const std::string crowded = DockerSave(
        dir, "crowded.tar", Layer(dir, {File("a", "a"), File("b", "b")}), Layer(dir, many));
    std::vector<Gap> gaps;
    ImageLimits limits;
    limits.max_entries = 12;
    auto images = UnpackImages(crowded, dir / "out3", limits, gaps);
    ASSERT_TRUE(images) << images.error().message();
    EXPECT_EQ(Tree(images->front().root).size(), 13u);  // a, b, many/ and 10 of its files
    EXPECT_NE(AllGaps(gaps).find("more than 12 entries"), std::string::npos) << AllGaps(gaps);
    limits.max_entries = 9;
    EXPECT_FALSE(UnpackImages(crowded, dir / "out4", limits, gaps));  // the manifest is entry 10
  }
}

TEST(ImageArchiveTest, UnreadableLayerIsAGapAndTheNextStillApplies) {
  TestDir dir;
  // Incompressible, so that half the gzip stream still holds the first entries.
  std::string noise(1 << 20, '\0');
  uint32_t x = 12345;
  for (char& c : noise) c = static_cast<char>((x = x * 1103515245u + 12345u) >> 24);
  std::string broken = Layer(dir, {File("first", "1"), File("noise", noise)}, Compression::kGzip);
  broken.resize(broken.size() / 2);
  const std::string archive =
      DockerSave(dir, "truncated-layer.tar", broken, Layer(dir, {File("second", "2")}));
  std::vector<Gap> gaps;
  auto images = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  const std::vector<std::string> tree = Tree(images->front().root);
  EXPECT_NE(std::find(tree.begin(), tree.end(), "first"), tree.end()) << AllGaps(gaps);
  EXPECT_NE(std::find(tree.begin(), tree.end(), "second"), tree.end());
  ASSERT_FALSE(gaps.empty());
  EXPECT_NE(gaps[0].what.find("layer " + kId1), std::string::npos) << AllGaps(gaps);
  EXPECT_NE(gaps[0].reason.find("truncated"), std::string::npos) << AllGaps(gaps);

  // A manifest naming a layer and a config the archive does not have.
  const std::string missing = DockerSave(
      dir, "missing.tar", Layer(dir, {File("first", "1")}), Layer(dir, {File("second", "2")}),
      kPostgresConfig,
      R"([{"Config":"nope.json","RepoTags":null,"Layers":["gone.tar",")" + kHex2 + R"(.tar"]}])");
  gaps.clear();
  images = UnpackImages(missing, dir / "out-missing", {}, gaps);
  ASSERT_TRUE(images) << images.error().message();
  EXPECT_EQ(Tree(images->front().root), std::vector<std::string>{"second"});
  EXPECT_EQ(images->front().ref, "nope.json");
  EXPECT_EQ(images->front().config.source, ConfigSource::kImage);
  EXPECT_TRUE(images->front().config.tools_known);
  EXPECT_EQ(gaps.size(), 2u) << AllGaps(gaps);
  EXPECT_NE(AllGaps(gaps).find("gone.tar"), std::string::npos) << AllGaps(gaps);
}

TEST(ImageArchiveTest, GarbageTruncatedAndMalformedArchivesAreErrors) {
  TestDir dir;
  std::vector<Gap> gaps;
  std::string garbage;
  for (int i = 0; i < 4096; ++i) garbage += static_cast<char>((i * 131 + 7) % 251);
  Spit(dir / "garbage.tar", garbage);
  EXPECT_FALSE(IsImageArchive(dir / "garbage.tar"));
  auto r = UnpackImages(dir / "garbage.tar", dir / "out", {}, gaps);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);

  Spit(dir / "empty.tar", "");
  EXPECT_FALSE(IsImageArchive(dir / "empty.tar"));
  EXPECT_FALSE(UnpackImages(dir / "empty.tar", dir / "out", {}, gaps));

  r = UnpackImages(dir / "absent.tar", dir / "out", {}, gaps);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kNotFound);

  // Cut in the middle: the manifest at its end is gone.
  std::string whole =
      Slurp(DockerSave(dir, "whole.tar", Layer(dir, BaseLayer()), Layer(dir, MinerLayer())));
  Spit(dir / "cut.tar", whole.substr(0, whole.size() / 3));
  r = UnpackImages(dir / "cut.tar", dir / "out", {}, gaps);
  EXPECT_FALSE(r);

  const std::string bad_json =
      DockerSave(dir, "bad-json.tar", Layer(dir, BaseLayer()), Layer(dir, MinerLayer()),
                 kPostgresConfig, R"([{"Config": "x.json", "Layers": [)");
  EXPECT_TRUE(IsImageArchive(bad_json));  // recognised by its <id>/layer.tar, yet unreadable
  r = UnpackImages(bad_json, dir / "out", {}, gaps);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message().find("malformed JSON"), std::string::npos) << r.error().message();

  // A web app's tarball with its PWA manifest.json is not an image.
  const std::string webapp = dir / "webapp.tar";
  WriteTar(webapp, {File("manifest.json", R"({"name":"shop","icons":[]})"),
                    File("index.html", "<html></html>")});
  EXPECT_FALSE(IsImageArchive(webapp));
  r = UnpackImages(webapp, dir / "out", {}, gaps);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code(), ErrorCode::kInvalidInput);
  Spit(dir / "webapp/manifest.json", R"({"name":"shop","icons":[]})");
  EXPECT_FALSE(IsImageArchive(dir / "webapp"));
  EXPECT_FALSE(fs::exists(dir / "out"));  // nothing unpacked by any of them
}

TEST(ImageArchiveTest, ExistingDestinationIsRefused) {
  TestDir dir;
  const std::string archive =
      DockerSave(dir, "web.tar", Layer(dir, BaseLayer()), Layer(dir, MinerLayer()));
  std::vector<Gap> gaps;
  ASSERT_TRUE(UnpackImages(archive, dir / "out", {}, gaps));
  auto again = UnpackImages(archive, dir / "out", {}, gaps);
  ASSERT_FALSE(again);
  EXPECT_NE(again.error().message().find("exists"), std::string::npos);
}

TEST(ImageArchiveTest, ParseImageConfigReadsUserPortsAndCommands) {
  struct Case {
    const char* json;
    std::optional<std::string> user;
    std::vector<std::string> ports;  // "5432/tcp"
    std::vector<std::string> entrypoint, cmd;
  };
  const Case cases[] = {
      {R"({"config":{"User":"postgres","ExposedPorts":{"5432/tcp":{}}}})",
       "postgres",
       {"5432/tcp"},
       {},
       {}},
      {R"({"config":{}})", "", {}, {}, {}},
      {R"({"architecture":"amd64"})", "", {}, {}, {}},
      // `docker image inspect` spells it Config; odd keys are skipped.
      {R"({"Config":{"User":"1000","ExposedPorts":{"8080":{},"53/UDP":{},"x/tcp":{},"70000/tcp":{},"1-2/tcp":{}},
          "Entrypoint":"/entry.sh","Cmd":null}})",
       "1000",
       {"53/udp", "8080/tcp"},
       {"/entry.sh"},
       {}},
      {R"({"config":{"User":7,"Entrypoint":["/bin/sh","-c"],"Cmd":["node",1,"app.js"]}})",
       "",
       {},
       {"/bin/sh", "-c"},
       {"node", "app.js"}},
  };
  for (const Case& c : cases) {
    auto got = ParseImageConfig(c.json, "app:1", "app.tar");
    ASSERT_TRUE(got) << c.json;
    EXPECT_EQ(got->source, ConfigSource::kImage);
    EXPECT_FALSE(got->runtime_settings);
    EXPECT_FALSE(got->tools_known);
    EXPECT_EQ(got->name, "app:1");
    EXPECT_EQ(got->file, "app.tar");
    EXPECT_EQ(got->user, c.user) << c.json;
    std::vector<std::string> ports;
    for (const ConfigPort& p : got->ports) {
      EXPECT_FALSE(p.published);
      ports.push_back(std::to_string(p.container_port) + "/" + p.proto);
    }
    EXPECT_EQ(ports, c.ports) << c.json;
    EXPECT_EQ(got->entrypoint, c.entrypoint) << c.json;
    EXPECT_EQ(got->cmd, c.cmd) << c.json;
  }
  for (const char* bad : {"", "[]", "\"x\"", "{\"config\":", "null"}) {
    auto got = ParseImageConfig(bad, "app:1", "app.tar");
    ASSERT_FALSE(got) << bad;
    EXPECT_EQ(got.error().code(), ErrorCode::kInvalidInput);
  }
}

}  // namespace
}  // namespace deminer
