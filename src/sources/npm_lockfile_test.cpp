#include "sources/npm_lockfile.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>

namespace deminer {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/npm/" + name,
                   std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

const NpmPackage* Find(const Lockfile& lf, std::string_view name, std::string_view version) {
  for (const NpmPackage& p : lf.packages)
    if (p.name == name && p.version == version) return &p;
  return nullptr;
}

using Via = std::vector<std::string>;

// The fixtures are real lockfiles of one project (tests/testdata/npm/package.json:
// is-odd, debug, is-number@7, core-js; dev: once), made by npm 6 (v1), npm 11
// (v2, v3), pnpm 8 (v6), pnpm 9, yarn 1 and yarn 4, with registry hosts stripped.
struct FormatCase {
  const char* file;
  LockfileKind kind;
  int version;
  bool paths;           // npm formats know install paths
  bool install_script;  // the format records core-js's postinstall
};

class LockfileFormatTest : public ::testing::TestWithParam<FormatCase> {};

TEST_P(LockfileFormatTest, ReadsTheGraphWithShortestChains) {
  const FormatCase& c = GetParam();
  const std::string text = Fixture(c.file);
  ASSERT_FALSE(text.empty()) << c.file;
  auto roots = ParseRootDeps(Fixture("package.json"));
  ASSERT_TRUE(roots.has_value());
  auto lf = ParseLockfile(text, c.kind, *roots);
  ASSERT_TRUE(lf.has_value()) << lf.error().message();
  EXPECT_EQ(lf->version, c.version);
  EXPECT_EQ(lf->packages.size(), 8u);
  EXPECT_TRUE(lf->warnings.empty()) << lf->warnings.front();

  const NpmPackage* ms = Find(*lf, "ms", "2.1.2");
  ASSERT_NE(ms, nullptr);
  EXPECT_EQ(ms->via, (Via{"debug@4.3.4", "ms@2.1.2"}));
  EXPECT_FALSE(ms->dev);
  EXPECT_GT(ms->line, 0);
  EXPECT_EQ(ms->integrity.rfind("sha512-", 0),
            c.kind == LockfileKind::kYarnBerry ? std::string::npos : 0u);

  // is-odd needs is-number@^6 while the project wants 7: nested (npm) or a
  // second entry (pnpm, yarn), and the chain must pick the right one.
  const NpmPackage* n6 = Find(*lf, "is-number", "6.0.0");
  ASSERT_NE(n6, nullptr);
  EXPECT_EQ(n6->via, (Via{"is-odd@3.0.1", "is-number@6.0.0"}));
  const NpmPackage* n7 = Find(*lf, "is-number", "7.0.0");
  ASSERT_NE(n7, nullptr);
  EXPECT_EQ(n7->via, (Via{"is-number@7.0.0"}));
  if (c.paths) {
    EXPECT_EQ(n6->path, "node_modules/is-odd/node_modules/is-number");
    EXPECT_EQ(n7->path, "node_modules/is-number");
  }

  const NpmPackage* wrappy = Find(*lf, "wrappy", "1.0.2");
  ASSERT_NE(wrappy, nullptr);
  EXPECT_EQ(wrappy->via, (Via{"once@1.4.0", "wrappy@1.0.2"}));
  EXPECT_TRUE(wrappy->dev) << c.file;

  const NpmPackage* core = Find(*lf, "core-js", "3.33.0");
  ASSERT_NE(core, nullptr);
  EXPECT_EQ(core->has_install_script, c.install_script);

  // The line is that of the entry's key.
  const std::vector<std::string_view> lines = [&] {
    std::vector<std::string_view> v;
    std::string_view t = text;
    for (size_t at; (at = t.find('\n')) != std::string_view::npos; t.remove_prefix(at + 1))
      v.push_back(t.substr(0, at));
    v.push_back(t);
    return v;
  }();
  ASSERT_LE(static_cast<size_t>(n6->line), lines.size());
  EXPECT_NE(lines[static_cast<size_t>(n6->line - 1)].find("is-number"), std::string_view::npos)
      << lines[static_cast<size_t>(n6->line - 1)];
}

INSTANTIATE_TEST_SUITE_P(
    AllFormats, LockfileFormatTest,
    ::testing::Values(
        FormatCase{"package-lock-v1.json", LockfileKind::kPackageLock, 1, true, false},
        FormatCase{"package-lock-v2.json", LockfileKind::kPackageLock, 2, true, true},
        FormatCase{"package-lock-v3.json", LockfileKind::kPackageLock, 3, true, true},
        FormatCase{"hidden-package-lock.json", LockfileKind::kHiddenLock, 3, true, true},
        FormatCase{"pnpm-lock-v6.yaml", LockfileKind::kPnpm, 6, false, true},
        FormatCase{"pnpm-lock-v9.yaml", LockfileKind::kPnpm, 9, false, false},
        FormatCase{"yarn-v1.lock", LockfileKind::kYarnClassic, 1, false, false},
        FormatCase{"yarn-berry.lock", LockfileKind::kYarnBerry, 10, false, false}),
    [](const auto& param_info) {
      std::string n = param_info.param.file;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(NpmLockfileTest, DetectsTheKindFromTheNameAndYarnFlavourFromTheText) {
  EXPECT_EQ(DetectLockfileKind("/a/package-lock.json", ""), LockfileKind::kPackageLock);
  EXPECT_EQ(DetectLockfileKind("/a/npm-shrinkwrap.json", ""), LockfileKind::kShrinkwrap);
  EXPECT_EQ(DetectLockfileKind("/a/node_modules/.package-lock.json", ""),
            LockfileKind::kHiddenLock);
  EXPECT_EQ(DetectLockfileKind("pnpm-lock.yaml", ""), LockfileKind::kPnpm);
  EXPECT_EQ(DetectLockfileKind("yarn.lock", Fixture("yarn-v1.lock")), LockfileKind::kYarnClassic);
  EXPECT_EQ(DetectLockfileKind("yarn.lock", Fixture("yarn-berry.lock")), LockfileKind::kYarnBerry);
  EXPECT_EQ(DetectLockfileKind("/a/package.json", ""), LockfileKind::kNone);
}

TEST(NpmLockfileTest, NpmLinksWorkspacesAndFlags) {
  const std::string text = R"({
  "name": "mono", "version": "2.0.0", "lockfileVersion": 3,
  "packages": {
    "": {"name": "mono", "workspaces": ["packages/*"], "dependencies": {"a": "*"}},
    "node_modules/a": {"resolved": "packages/a", "link": true},
    "packages/a": {"name": "a", "version": "0.1.0", "dependencies": {"b": "^1"}},
    "node_modules/b": {"version": "1.0.0", "resolved": "git+ssh://git@example.test/b.git#0123456789abcdef0123456789abcdef01234567",
                       "hasInstallScript": true, "optional": true},
    "node_modules/b/node_modules/c": {"version": "3.0.0", "inBundle": true},
    "node_modules/alias": {"name": "real-name", "version": "5.0.0", "dev": true}
  }
})";
  auto lf = ParsePackageLock(text, LockfileKind::kPackageLock);
  ASSERT_TRUE(lf.has_value()) << lf.error().message();
  EXPECT_EQ(lf->name, "mono");
  EXPECT_EQ(lf->root_version, "2.0.0");
  ASSERT_EQ(lf->packages.size(), 5u);
  const NpmPackage* b = Find(*lf, "b", "1.0.0");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->has_install_script);
  EXPECT_TRUE(b->optional);
  EXPECT_EQ(b->via, (Via{"a@0.1.0", "b@1.0.0"}));
  EXPECT_EQ(b->line, 7);
  EXPECT_TRUE(Find(*lf, "c", "3.0.0")->bundled);
  EXPECT_TRUE(lf->packages[0].link);
  EXPECT_EQ(Find(*lf, "real-name", "5.0.0")->path, "node_modules/alias");
}

TEST(NpmLockfileTest, UnknownVersionsAreReadAndSaySo) {
  auto npm =
      ParsePackageLock(R"({"lockfileVersion": 7, "packages": {"": {"dependencies": {"x": "1"}},
    "node_modules/x": {"version": "1.0.0"}}})",
                       LockfileKind::kPackageLock);
  ASSERT_TRUE(npm.has_value());
  ASSERT_EQ(npm->packages.size(), 1u);
  ASSERT_EQ(npm->warnings.size(), 1u);
  EXPECT_NE(npm->warnings[0].find("lockfileVersion 7"), std::string::npos);

  auto pnpm = ParsePnpmLock(
      "lockfileVersion: '11.0'\nimporters:\n  .:\n    dependencies:\n      x:\n        specifier: "
      "^1\n        version: 1.0.0\npackages:\n  x@1.0.0:\n    resolution: {integrity: "
      "sha512-AA==}\nsnapshots:\n  x@1.0.0: {}\n");
  ASSERT_TRUE(pnpm.has_value()) << pnpm.error().message();
  ASSERT_EQ(pnpm->packages.size(), 1u);
  EXPECT_EQ(pnpm->packages[0].via, (Via{"x@1.0.0"}));
  ASSERT_EQ(pnpm->warnings.size(), 1u);
}

TEST(NpmLockfileTest, PnpmV5KeysAndPeerSuffixes) {
  const std::string text = R"(lockfileVersion: 5.4
specifiers:
  react-dom: ^18
dependencies:
  react-dom: 18.2.0_react@18.2.0
packages:
  /react-dom/18.2.0_react@18.2.0:
    resolution: {integrity: sha512-AA==}
    dependencies:
      scheduler: 0.23.0
    dev: false
  /scheduler/0.23.0:
    resolution: {integrity: sha512-BB==}
    requiresBuild: true
    dev: false
)";
  auto lf = ParsePnpmLock(text);
  ASSERT_TRUE(lf.has_value()) << lf.error().message();
  ASSERT_EQ(lf->packages.size(), 2u);
  const NpmPackage* s = Find(*lf, "scheduler", "0.23.0");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->via, (Via{"react-dom@18.2.0", "scheduler@0.23.0"}));
  EXPECT_TRUE(s->has_install_script);
  EXPECT_EQ(s->line, 12);
}

struct GarbageCase {
  const char* what;
  LockfileKind kind;
  std::string text;
};

class LockfileGarbageTest : public ::testing::TestWithParam<GarbageCase> {};

TEST_P(LockfileGarbageTest, IsAnErrorWithAMessageNotACrash) {
  const GarbageCase& c = GetParam();
  auto lf = ParseLockfile(c.text, c.kind);
  ASSERT_FALSE(lf.has_value()) << c.what;
  EXPECT_EQ(lf.error().code(), ErrorCode::kInvalidInput);
  EXPECT_FALSE(lf.error().message().empty());
}

INSTANTIATE_TEST_SUITE_P(
    Garbage, LockfileGarbageTest,
    ::testing::Values(
        GarbageCase{"empty json", LockfileKind::kPackageLock, ""},
        GarbageCase{"truncated json", LockfileKind::kPackageLock,
                    R"({"lockfileVersion": 3, "packages": {)"},
        GarbageCase{"json array", LockfileKind::kPackageLock, "[1,2,3]"},
        GarbageCase{"json without packages", LockfileKind::kShrinkwrap, R"({"name": "x"})"},
        GarbageCase{"binary", LockfileKind::kHiddenLock, std::string("\x00\xff\x13\x37", 4)},
        GarbageCase{"pnpm scalar", LockfileKind::kPnpm, "just text"},
        GarbageCase{"pnpm bad yaml", LockfileKind::kPnpm, "a: [b\n  c: {"},
        GarbageCase{"pnpm no version", LockfileKind::kPnpm, "packages: {}\n"},
        GarbageCase{"pnpm packages list", LockfileKind::kPnpm,
                    "lockfileVersion: '9.0'\npackages: [1, 2]\n"},
        GarbageCase{"yarn v1 nonsense", LockfileKind::kYarnClassic, "hello world\nthis is not\n"},
        GarbageCase{"berry without metadata", LockfileKind::kYarnBerry,
                    "\"a@npm:1\":\n  version: 1\n"},
        GarbageCase{"berry not yaml", LockfileKind::kYarnBerry, "{{{{"},
        GarbageCase{"kind none", LockfileKind::kNone, "{}"}),
    [](const auto& param_info) {
      std::string n = param_info.param.what;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(NpmLockfileTest, OddButValidShapesDoNotCrash) {
  // Wrong types where objects are expected are skipped, not fatal.
  auto a = ParsePackageLock(R"({"lockfileVersion": 3, "packages": {"": 5, "node_modules/x": "y",
    "node_modules/z": {"version": 7, "dependencies": [1], "dev": "yes"}}})",
                            LockfileKind::kPackageLock);
  ASSERT_TRUE(a.has_value());
  ASSERT_EQ(a->packages.size(), 1u);
  EXPECT_EQ(a->packages[0].version, "");
  // A dependency cycle still gives finite chains.
  auto b = ParsePackageLock(R"({"lockfileVersion": 2, "packages": {"": {"dependencies": {"p": "1"}},
    "node_modules/p": {"version": "1.0.0", "dependencies": {"q": "1"}},
    "node_modules/q": {"version": "1.0.0", "dependencies": {"p": "1"}}}})",
                            LockfileKind::kPackageLock);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(Find(*b, "q", "1.0.0")->via, (Via{"p@1.0.0", "q@1.0.0"}));
  // yarn v1 with stray lines keeps the good entries and warns.
  auto y = ParseYarnClassic(
      "# yarn lockfile v1\n\nstray line\n\"a@^1\", a@1.0.0:\n  version \"1.0.0\"\n");
  ASSERT_TRUE(y.has_value());
  ASSERT_EQ(y->packages.size(), 1u);
  EXPECT_EQ(y->packages[0].name, "a");
  EXPECT_EQ(y->packages[0].line, 4);
  EXPECT_EQ(y->warnings.size(), 1u);
  // Deep nesting in a v1 lockfile is bounded.
  std::string deep = R"({"lockfileVersion": 1, "dependencies": )";
  for (int i = 0; i < 900; ++i) deep += R"({"a": {"version": "1.0.0", "dependencies": )";
  deep += "{}";
  for (int i = 0; i < 900; ++i) deep += "}}";
  deep += "}";
  auto d = ParsePackageLock(deep, LockfileKind::kPackageLock);
  EXPECT_TRUE(d.has_value() || d.error().code() == ErrorCode::kInvalidInput);
}

// A real lockfile of ~3,000 packages (DEMINER_BIG_LOCKFILE) parses in well under 50 ms.
TEST(NpmLockfileTest, BigLockfileIsFast) {
  const char* path = std::getenv("DEMINER_BIG_LOCKFILE");
  if (path == nullptr) GTEST_SKIP() << "set DEMINER_BIG_LOCKFILE to a big package-lock.json";
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  double best = 1e9;
  size_t n = 0;
  for (int i = 0; i < 5; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    auto lf = ParsePackageLock(text, LockfileKind::kPackageLock);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(lf.has_value());
    n = lf->packages.size();
    best = std::min(best, ms);
  }
  std::printf("parsed %zu packages (%zu bytes) in %.2f ms (best of 5)\n", n, text.size(), best);
  EXPECT_LT(best, 50.0);
}

}  // namespace
}  // namespace deminer
