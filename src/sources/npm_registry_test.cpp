#include "sources/npm_registry.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <fstream>

#include "core/test_dir.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

struct Entry {
  std::string name;
  std::string data;
  char type = 'f';  // f file, d dir, l symlink (data: target), h hard link (data: target)
};

// A tarball as npm packs it (gzip, pax), or plain tar.
std::string MakeTarball(const std::vector<Entry>& entries, bool gzip = true) {
  archive* a = archive_write_new();
  if (gzip) archive_write_add_filter_gzip(a);
  archive_write_set_format_pax_restricted(a);
  std::vector<char> buf(1 << 20);
  size_t used = 0;
  archive_write_open_memory(a, buf.data(), buf.size(), &used);
  for (const Entry& e : entries) {
    archive_entry* ae = archive_entry_new();
    archive_entry_set_pathname(ae, e.name.c_str());
    if (e.type == 'f') {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_size(ae, static_cast<la_int64_t>(e.data.size()));
    } else if (e.type == 'd') {
      archive_entry_set_filetype(ae, AE_IFDIR);
    } else if (e.type == 'l') {
      archive_entry_set_filetype(ae, AE_IFLNK);
      archive_entry_set_symlink(ae, e.data.c_str());
    } else {
      archive_entry_set_filetype(ae, AE_IFREG);
      archive_entry_set_hardlink(ae, e.data.c_str());
    }
    archive_entry_set_perm(ae, 0644);
    archive_write_header(a, ae);
    if (e.type == 'f') archive_write_data(a, e.data.data(), e.data.size());
    archive_entry_free(ae);
  }
  archive_write_close(a);
  archive_write_free(a);
  return std::string(buf.data(), used);
}

std::string Sha256Hex(std::string_view s) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(s.data(), s.size(), md, &n, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < n; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

void Write(const std::string& path, const std::string& data) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path, std::ios::binary) << data;
}

TEST(NpmTarballTest, StripsTopDirHashesFilesAndKeepsPackageJson) {
  const std::string tgz = MakeTarball({{"package/", "", 'd'},
                                       {"package/package.json", R"({"name":"a"})"},
                                       {"package/lib/index.js", "module.exports = 1;\n"},
                                       {"package/link.js", "lib/index.js", 'l'},
                                       {"package/hard.js", "package/lib/index.js", 'h'},
                                       {"package/README", "x"}});
  auto t = ReadPackageTarball(tgz);
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->top, "package");
  ASSERT_EQ(t->files.size(), 3u);  // links dropped, as npm does
  EXPECT_EQ(t->files.at("lib/index.js").sha256, Sha256Hex("module.exports = 1;\n"));
  EXPECT_EQ(t->files.at("lib/index.js").size, 20u);
  EXPECT_EQ(t->package_json, R"({"name":"a"})");
  EXPECT_TRUE(t->files.count("README"));
}

TEST(NpmTarballTest, AnyTopDirAndPlainTar) {
  auto t = ReadPackageTarball(MakeTarball({{"node-x/index.js", "1"}, {"stray", "at the root"}}, false));
  ASSERT_TRUE(t) << t.error().message();
  EXPECT_EQ(t->top, "node-x");
  ASSERT_EQ(t->files.size(), 1u);  // a file at the root has no component left: dropped
  EXPECT_TRUE(t->files.count("index.js"));
}

TEST(NpmTarballTest, RefusesGarbageTraversalAndLimits) {
  struct Case {
    const char* name;
    std::string data;
    TarballLimits limits;
  } cases[] = {
      {"empty", "", {}},
      {"text", "not a tarball at all, just some text that is long enough to be looked at", {}},
      {"gzip of text", [] {
         std::string t = MakeTarball({{"package/a", std::string(2000, 'x')}});
         return t.substr(0, t.size() / 2);  // truncated
       }(), {}},
      {"dotdot", MakeTarball({{"package/../../etc/passwd", "x"}}), {}},
      {"absolute", MakeTarball({{"/etc/passwd", "x"}}), {}},
      {"entries", MakeTarball({{"package/a", "1"}, {"package/b", "2"}, {"package/c", "3"}}),
       TarballLimits{1 << 20, 2, 1 << 20, 1 << 20}},
      {"file size", MakeTarball({{"package/a", std::string(100, 'a')}}),
       TarballLimits{1 << 20, 10, 1 << 20, 50}},
      {"total", MakeTarball({{"package/a", std::string(60, 'a')}, {"package/b", std::string(60, 'b')}}),
       TarballLimits{1 << 20, 10, 100, 1 << 20}},
      {"tarball size", MakeTarball({{"package/a", "1"}}), TarballLimits{10, 10, 100, 100}},
  };
  for (const Case& c : cases) {
    EXPECT_FALSE(ReadPackageTarball(c.data, c.limits)) << c.name;
  }
}

TEST(NpmSriTest, ParsesSeveralHashesAndPicksStrongest) {
  const auto h = ParseSri(" sha1-qUOQ/ZI9dAPr1Jp8/dJ1X2+H7Ac=  sha512-AAAA?opt bogus -x sha256-@@@ ");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0].algorithm, "sha1");
  EXPECT_EQ(h[1].algorithm, "sha512");
  EXPECT_EQ(h[1].base64, "AAAA");
  EXPECT_EQ(StrongestSri(h)->algorithm, "sha512");
  EXPECT_FALSE(StrongestSri(ParseSri("md5-AAAA")));
  EXPECT_TRUE(ParseSri("").empty());
}

TEST(NpmSriTest, ComputeAndHexRoundTrip) {
  const std::string sri = ComputeSri("sha512", "hello");
  ASSERT_TRUE(sri.starts_with("sha512-"));
  const auto h = ParseSri(sri);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(SriHex(h[0]).size(), 128u);
  EXPECT_EQ(SriHex(ParseSri(ComputeSri("sha1", "hello"))[0]), "aaf4c61ddcc5e8a2dabede0f3b482cd9aea9434d");
  EXPECT_EQ(SriHex({"sha512", "AAAA"}), "");  // wrong length for sha512
  EXPECT_EQ(SriHex({"sha1", "A"}), "");
  EXPECT_EQ(ComputeSri("md5", "x"), "");
}

std::string IndexLine(const std::string& json) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  EVP_Digest(json.data(), json.size(), md, &n, EVP_sha1(), nullptr);
  std::string hex;
  for (unsigned i = 0; i < n; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex + "\t" + json;
}

TEST(NpmCacacheTest, IndexLinesCheckedAndLastEntryWins) {
  const std::string key = "make-fetch-happen:request-cache:https://r.example/a/-/a-1.0.0.tgz";
  const std::string e1 = R"({"key":")" + key + R"(","integrity":"sha512-ONE","time":1})";
  const std::string e2 = R"({"key":")" + key + R"(","integrity":"sha512-TWO","time":2})";
  const std::string other = R"({"key":"other","integrity":"sha512-X"})";
  const std::string del = R"({"key":")" + key + R"(","integrity":null})";
  ASSERT_TRUE(ParseCacacheIndexLine(IndexLine(e1)));
  EXPECT_EQ(ParseCacacheIndexLine(IndexLine(e1))->integrity, "sha512-ONE");
  // Table of broken lines.
  for (const std::string& bad :
       {std::string("garbage"), std::string("\t") + e1, IndexLine(e1).replace(0, 1, "0"),
        IndexLine("[1,2]"), IndexLine("{\"key\":3}"), IndexLine("{not json"), std::string(40, 'a') + "\t"}) {
    EXPECT_FALSE(ParseCacacheIndexLine(bad)) << bad;
  }
  const std::string bucket = "\n" + IndexLine(e1) + "\n" + IndexLine(other) + "\n" + IndexLine(e2) + "\n";
  EXPECT_EQ(FindCacacheIntegrity(bucket, key), "sha512-TWO");
  EXPECT_FALSE(FindCacacheIntegrity(bucket + IndexLine(del) + "\n", key));
  EXPECT_FALSE(FindCacacheIntegrity(bucket, "missing"));
}

TEST(NpmCacacheTest, Paths) {
  const std::string key = "make-fetch-happen:request-cache:https://r.example/a/-/a-1.0.0.tgz";
  EXPECT_EQ(CacacheTarballKey("https://r.example/a/-/a-1.0.0.tgz"), key);
  const std::string bucket = CacacheBucketPath("/c", key);
  EXPECT_TRUE(bucket.starts_with("/c/_cacache/index-v5/")) << bucket;
  EXPECT_EQ(bucket.size(), std::string("/c/_cacache/index-v5/").size() + 64 + 2);
  const auto h = ParseSri(ComputeSri("sha512", "x"));
  const std::string hex = SriHex(h[0]);
  EXPECT_EQ(CacacheContentPath("/c", h[0]), "/c/_cacache/content-v2/sha512/" + hex.substr(0, 2) +
                                                "/" + hex.substr(2, 2) + "/" + hex.substr(4));
  EXPECT_EQ(CacacheContentPath("/c", {"md5", "AAAA"}), "");
}

TEST(NpmRegistryUrlTest, TarballUrlsOriginsAndResolved) {
  EXPECT_EQ(RegistryTarballUrl("https://r.example/npm/", "left-pad", "1.3.0"),
            "https://r.example/npm/left-pad/-/left-pad-1.3.0.tgz");
  EXPECT_EQ(RegistryTarballUrl("https://r.example", "@types/node", "20.1.0"),
            "https://r.example/@types/node/-/node-20.1.0.tgz");
  EXPECT_EQ(UrlOrigin("https://user:pw@R.example:8443/x?y"), "https://r.example:8443");
  EXPECT_EQ(UrlOrigin("not a url"), "");
  EXPECT_EQ(RegistryOfResolved("https://r.example/npm/@types/node/-/node-20.1.0.tgz", "@types/node"),
            "https://r.example/npm/");
  EXPECT_EQ(RegistryOfResolved("https://r.example/@types%2fnode/-/node-20.1.0.tgz", "@types/node"),
            "https://r.example/");
  EXPECT_EQ(RegistryOfResolved("git+ssh://git@host/x.git", "x"), "");
  EXPECT_TRUE(IsBuildOutput("build/Release/x.node"));
  EXPECT_TRUE(IsBuildOutput("lib/binding.node"));
  EXPECT_TRUE(IsBuildOutput("prebuilds/linux-x64/a"));
  EXPECT_FALSE(IsBuildOutput("lib/build.js"));
}

// A project with a cache holding the tarballs, as npm leaves it.
class NpmVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cache_ = dir_ / "cache";
    project_.dir = dir_ / "app";
    project_.display = project_.dir;
    fs::create_directories(project_.dir);
  }

  // Adds package `name` installed from `files`, its tarball in the cache.
  NpmPackage& Add(const std::string& name, const std::vector<Entry>& files, bool in_cache = true) {
    std::vector<Entry> entries;
    for (const Entry& f : files) entries.push_back({"package/" + f.name, f.data, f.type});
    const std::string tgz = MakeTarball(entries);
    NpmPackage p;
    p.name = name;
    p.version = "1.0.0";
    p.path = "node_modules/" + name;
    p.integrity = ComputeSri("sha512", tgz);
    if (in_cache) Write(CacacheContentPath(cache_, ParseSri(p.integrity)[0]), tgz);
    for (const Entry& f : files) {
      if (f.type == 'f') Write(project_.dir + "/" + p.path + "/" + f.name, f.data);
    }
    tarballs_[name] = tgz;
    project_.packages.push_back(p);
    return project_.packages.back();
  }

  bool Has(const std::string& name) const {
    for (const RegistryCheck& r : project_.registry) {
      if (r.name == name) return true;
    }
    return false;
  }
  const RegistryCheck& Check(const std::string& name) const {
    for (const RegistryCheck& r : project_.registry) {
      if (r.name == name) return r;
    }
    ADD_FAILURE() << "no registry check for " << name;
    static const RegistryCheck kNone;
    return kNone;
  }

  void Verify(RegistryOptions o = {}) {
    if (!o.cache_dirs) o.cache_dirs = std::vector<std::string>{cache_};
    o.download = o.download && !o.registry.empty();
    o.progress = false;
    VerifyAgainstRegistry({&project_}, o, gaps_);
  }

  TestDir dir_{"/var/tmp/deminer-npmreg"};
  std::string cache_;
  NpmProject project_;
  std::map<std::string, std::string> tarballs_;
  std::vector<Gap> gaps_;
};

TEST_F(NpmVerifyTest, CleanPackageMatches) {
  Add("clean", {{"package.json", R"({"name":"clean"})"}, {"index.js", "exports.a = 1;\n"}});
  Verify();
  ASSERT_TRUE(project_.verified);
  const RegistryCheck& r = Check("clean");
  EXPECT_FALSE(r.integrity_mismatch);
  EXPECT_FALSE(r.unavailable) << r.error;
  EXPECT_EQ(r.tarball, "cache");
  EXPECT_EQ(r.actual, r.integrity);
  EXPECT_EQ(r.files_compared, 2u);
  EXPECT_TRUE(r.modified.empty() && r.added.empty() && r.removed.empty());
  EXPECT_TRUE(gaps_.empty());
}

TEST_F(NpmVerifyTest, FindsModifiedAddedRemovedIgnoringNestedNodeModules) {
  Add("victim", {{"package.json", R"({"name":"victim"})"},
                 {"index.js", "exports.a = 1;\n"},
                 {"lib/same-size.js", "aaaa"},
                 {"LICENSE", "MIT"}});
  const std::string pkg = project_.dir + "/node_modules/victim";
  Write(pkg + "/index.js", "exports.a = 1;\nrequire('child_process').exec('x');\n");
  Write(pkg + "/lib/same-size.js", "bbbb");  // same size, other bytes
  Write(pkg + "/lib/dropper.js", "// inert\n");
  fs::remove(pkg + "/LICENSE");
  Write(pkg + "/node_modules/dep/index.js", "nested dependency, not victim's");
  Verify();
  const RegistryCheck& r = Check("victim");
  EXPECT_FALSE(r.integrity_mismatch);
  EXPECT_EQ(r.modified, (std::vector<std::string>{"index.js", "lib/same-size.js"}));
  EXPECT_EQ(r.added, (std::vector<std::string>{"lib/dropper.js"}));
  EXPECT_EQ(r.removed, (std::vector<std::string>{"LICENSE"}));
}

TEST_F(NpmVerifyTest, BuildOutputOfInstallScriptPackagesIsApart) {
  Add("native", {{"package.json", R"({"name":"native","scripts":{"install":"node-gyp rebuild"}})"},
                 {"index.js", "x"}});
  Add("plain", {{"package.json", R"({"name":"plain"})"}});
  Write(project_.dir + "/node_modules/native/build/Release/n.node", "ELF");
  Write(project_.dir + "/node_modules/plain/build/Release/n.node", "ELF");
  Verify();
  EXPECT_EQ(Check("native").built, (std::vector<std::string>{"build/Release/n.node"}));
  EXPECT_TRUE(Check("native").added.empty());
  EXPECT_EQ(Check("plain").added, (std::vector<std::string>{"build/Release/n.node"}));
}

TEST_F(NpmVerifyTest, IntegrityMismatch) {
  NpmPackage& p = Add("pinned", {{"package.json", R"({"name":"pinned"})"}});
  const std::string real = p.integrity;
  // The cache holds the tarball under its real digest; the lockfile now pins
  // another sha512 and (so it is still found) the real one as a weaker hash.
  p.integrity = ComputeSri("sha512", "something else") + " " + ComputeSri("sha1", tarballs_["pinned"]);
  Write(CacacheContentPath(cache_, ParseSri(p.integrity)[1]), tarballs_["pinned"]);
  Verify();
  const RegistryCheck& r = Check("pinned");
  EXPECT_TRUE(r.integrity_mismatch);
  EXPECT_EQ(r.actual, real);
}

TEST_F(NpmVerifyTest, Sha1OnlyLockfileGoesThroughTheIndex) {
  NpmPackage& p = Add("old", {{"package.json", "{}"}, {"a.js", "1"}});
  const std::string sha512 = p.integrity;
  p.integrity = ComputeSri("sha1", tarballs_["old"]);
  p.resolved = "https://r.example/old/-/old-1.0.0.tgz";
  Write(project_.dir + "/.npmrc", "registry=https://r.example/\n");  // the project's registry
  const std::string key = CacacheTarballKey(p.resolved);
  Write(CacacheBucketPath(cache_, key),
        "\n" + IndexLine(R"({"key":")" + key + R"(","integrity":")" + sha512 + R"(","time":1})"));
  Verify();
  const RegistryCheck& r = Check("old");
  EXPECT_FALSE(r.unavailable) << r.error;
  EXPECT_FALSE(r.integrity_mismatch);
  EXPECT_TRUE(r.actual.starts_with("sha1-"));
  EXPECT_EQ(r.files_compared, 2u);
}

TEST_F(NpmVerifyTest, ForgedIntegrityOfAnotherCachedTarballIsCaughtThroughTheIndex) {
  Write(project_.dir + "/.npmrc", "registry=https://r.example/\n");
  NpmPackage& victim = Add("victim", {{"package.json", R"({"name":"victim"})"}});
  const std::string real = victim.integrity;
  const std::string url = RegistryTarballUrl("https://r.example/", "victim", "1.0.0");
  victim.resolved = url;
  // npm fetched it from the registry: its index has the URL.
  Write(CacacheBucketPath(cache_, CacacheTarballKey(url)),
        "\n" + IndexLine(R"({"key":")" + CacacheTarballKey(url) + R"(","integrity":")" + real + R"("})"));
  // The lockfile now pins another tarball that is in the cache too.
  const std::string other = Add("other", {{"package.json", R"({"name":"other"})"}}).integrity;
  project_.packages[0].integrity = other;
  Verify();
  const RegistryCheck& r = Check("victim");
  EXPECT_FALSE(r.unavailable) << r.error;
  EXPECT_TRUE(r.integrity_mismatch);
  EXPECT_EQ(r.actual, real);
  EXPECT_TRUE(r.modified.empty());  // its files are the registry's
}

TEST_F(NpmVerifyTest, UnverifiableAndUnavailableAreRecordedWithGaps) {
  NpmPackage& link = Add("linked", {{"package.json", R"({"name":"linked"})"}});
  link.link = true;
  NpmPackage& git = Add("fromgit", {{"package.json", R"({"name":"fromgit"})"}});
  git.resolved = "git+ssh://git@host.example/x.git#abc";
  NpmPackage& none = Add("nointegrity", {{"package.json", R"({"name":"nointegrity"})"}});
  none.integrity.clear();
  Add("uncached", {{"package.json", R"({"name":"uncached"})"}}, /*in_cache=*/false);
  NpmPackage absent;
  absent.name = "fsevents";
  absent.version = "2.3.3";
  absent.path = "node_modules/fsevents";
  absent.optional = true;
  absent.integrity = "sha512-AAAA";
  project_.packages.push_back(absent);
  Verify();
  EXPECT_EQ(Check("linked").not_verifiable, "a link (workspace or local directory), not a registry package");
  EXPECT_EQ(Check("fromgit").not_verifiable, "a git dependency");
  EXPECT_EQ(Check("nointegrity").not_verifiable, "no integrity in the lockfile");
  EXPECT_TRUE(Check("uncached").unavailable);
  EXPECT_FALSE(Has("fsevents"));  // an optional package not installed here
  ASSERT_EQ(gaps_.size(), 2u);
  EXPECT_NE(gaps_[0].what.find("1 package(s)"), std::string::npos) << gaps_[0].what;
  EXPECT_NE(gaps_[1].reason.find("a git dependency: 1"), std::string::npos) << gaps_[1].reason;
}

TEST_F(NpmVerifyTest, DownloadFailureIsPerPackage) {
  Add("a", {{"package.json", R"({"name":"a"})"}}, /*in_cache=*/false);
  Add("b", {{"package.json", R"({"name":"b"})"}});
  RegistryOptions o;
  o.registry = "http://127.0.0.1:1/";  // nothing listens on port 1
  o.timeout_ms = 2000;
  // npm's config is asked first; a project .npmrc points it at the same dead port.
  Write(project_.dir + "/.npmrc", "registry=http://127.0.0.1:1/\n");
  Verify(o);
  ASSERT_TRUE(Check("a").unavailable);
  EXPECT_NE(Check("a").error.find("127.0.0.1:1"), std::string::npos) << Check("a").error;
  EXPECT_FALSE(Check("b").unavailable);
  EXPECT_EQ(gaps_.size(), 1u);
}

}  // namespace
}  // namespace deminer
