#include "sources/npmrc.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>

#include "core/test_dir.h"

namespace deminer {
namespace {

struct NpmrcCase {
  const char* what;
  std::string text;
  std::string key;
  std::string value;
  bool secret;
};

class NpmrcParseTest : public ::testing::TestWithParam<NpmrcCase> {};

TEST_P(NpmrcParseTest, ReadsOneSetting) {
  const NpmrcCase& c = GetParam();
  auto s = ParseNpmrc(c.text, "/p/.npmrc", "project");
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->size(), 1u) << c.what;
  EXPECT_EQ((*s)[0].key, c.key);
  EXPECT_EQ((*s)[0].value, c.value);
  EXPECT_EQ((*s)[0].secret, c.secret);
  EXPECT_EQ((*s)[0].scope, "project");
  EXPECT_EQ((*s)[0].file, "/p/.npmrc");
}

INSTANTIATE_TEST_SUITE_P(
    Settings, NpmrcParseTest,
    ::testing::Values(
        NpmrcCase{"plain", "registry=https://mirror.example.test/npm/", "registry",
                  "https://mirror.example.test/npm/", false},
        NpmrcCase{"spaces", "  ignore-scripts = true  ", "ignore-scripts", "true", false},
        NpmrcCase{"scoped", "@acme:registry=http://10.0.0.8:4873/", "@acme:registry",
                  "http://10.0.0.8:4873/", false},
        NpmrcCase{"token literal", "//mirror.example.test/npm/:_authToken=npm_abcdefSECRET",
                  "//mirror.example.test/npm/:_authToken", "<redacted>", true},
        NpmrcCase{"token env", "//mirror.example.test/:_authToken=${NPM_TOKEN}",
                  "//mirror.example.test/:_authToken", "${NPM_TOKEN}", false},
        NpmrcCase{"token mixed", "//h/:_authToken=abc${X}", "//h/:_authToken", "<redacted>", true},
        NpmrcCase{"auth", "_auth=dXNlcjpwYXNz", "_auth", "<redacted>", true},
        NpmrcCase{"password quoted", "//h/:_password=\"cGFzcw==\"", "//h/:_password", "<redacted>",
                  true},
        NpmrcCase{"quoted value", "init-author-name=\"A \\\"B\\\" C\"", "init-author-name",
                  "A \"B\" C", false},
        NpmrcCase{"single quoted", "cache='/var/cache/npm'", "cache", "/var/cache/npm", false},
        NpmrcCase{"bare key", "save-exact", "save-exact", "true", false},
        NpmrcCase{"crlf and comments", "; comment\r\n# another\r\nfund=false\r\n", "fund", "false",
                  false},
        NpmrcCase{"certfile is a path", "//h/:certfile=/etc/ssl/c.pem", "//h/:certfile",
                  "/etc/ssl/c.pem", false}),
    [](const auto& param_info) {
      std::string n = param_info.param.what;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(NpmrcTest, LinesAndGarbage) {
  auto s =
      ParseNpmrc("\n; c\n=novalue\nregistry=https://a.example.test/\n[section]\n\n_authToken=x\n",
                 "f", "user");
  ASSERT_TRUE(s.has_value());
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ((*s)[0].line, 4);
  EXPECT_EQ((*s)[1].line, 7);
  EXPECT_TRUE((*s)[1].secret);
  EXPECT_FALSE(ParseNpmrc(std::string("a=b\0c", 5), "f", "user").has_value());
  // The literal token never survives parsing.
  auto t = ParseNpmrc("//h/:_authToken=npm_TOPSECRET123", "f", "project");
  ASSERT_TRUE(t.has_value());
  for (const NpmrcSetting& x : *t) EXPECT_EQ(x.value.find("TOPSECRET"), std::string::npos);
}

TEST(NpmrcTest, FilesInOrderAndRegistryInForce) {
  TestDir dir;
  std::filesystem::create_directories(dir / "proj");
  std::filesystem::create_directories(dir / "home");
  std::ofstream(dir / "proj/.npmrc") << "fund=false\n";
  std::ofstream(dir / "home/.npmrc")
      << "registry=https://user.example.test/\nregistry=https://user2.example.test/\n";
  std::map<std::string, std::string> env{{"HOME", dir / "home"}};
  auto getenv = [&](const std::string& k) { return env.contains(k) ? env[k] : std::string(); };
  const auto files = NpmrcFiles(dir / "proj", "", getenv);
  ASSERT_GE(files.size(), 3u);
  EXPECT_EQ(files[0].path, dir / "proj/.npmrc");
  EXPECT_EQ(files[0].scope, "project");
  EXPECT_EQ(files[1].path, dir / "home/.npmrc");
  EXPECT_EQ(files[1].scope, "user");
  // The user's file wins over the global ones; its last line wins.
  const RegistryInForce r = ProjectRegistry(dir / "proj", getenv);
  EXPECT_EQ(r.url, "https://user2.example.test/");
  EXPECT_EQ(r.scope, "user");
  // The project's file wins over the user's.
  std::ofstream(dir / "proj/.npmrc", std::ios::app) << "registry=https://proj.example.test/\n";
  EXPECT_EQ(ProjectRegistry(dir / "proj", getenv).url, "https://proj.example.test/");
  // npm_config_userconfig moves the user file; the environment beats files.
  env["npm_config_userconfig"] = dir / "elsewhere";
  EXPECT_EQ(NpmrcFiles(dir / "proj", "", getenv)[1].path, dir / "elsewhere");
  env["npm_config_registry"] = "https://env.example.test/";
  const RegistryInForce e = ProjectRegistry(dir / "proj", getenv);
  EXPECT_EQ(e.url, "https://env.example.test/");
  EXPECT_EQ(e.scope, "env");
  // A container root: its own /root/.npmrc, not the host's user file.
  const auto in_container = NpmrcFiles("/proc/1/root/app", "/proc/1/root", getenv);
  EXPECT_EQ(in_container[1].path, "/proc/1/root/root/.npmrc");
}

TEST(NpmrcTest, RegistryFromSettingsTakesTheFirstFileThatNamesIt) {
  auto a = ParseNpmrc("fund=false\n", "/p/.npmrc", "project");
  auto b =
      ParseNpmrc("@acme:registry=https://acme.example.test/\nregistry=https://u.example.test/\n",
                 "/u/.npmrc", "user");
  std::vector<NpmrcSetting> all = *a;
  all.insert(all.end(), b->begin(), b->end());
  EXPECT_EQ(RegistryFromSettings(all).url, "https://u.example.test/");
  EXPECT_EQ(RegistryFromSettings(all, "@acme:registry").url, "https://acme.example.test/");
  EXPECT_EQ(RegistryFromSettings(all, "@none:registry").url, "");
}

}  // namespace
}  // namespace deminer
