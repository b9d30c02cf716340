#include "core/redact.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(RedactTest, SecretNames) {
  for (const char* n : {"PASSWORD", "DB_PASS", "POSTGRES_PASSWORD", "API_TOKEN", "--client-secret",
                        "AWS_SECRET_ACCESS_KEY", "_authToken", "DATABASE_URL", "STRIPE_KEY",
                        "--password", "GITHUB_TOKEN", "SENTRY_DSN"}) {
    EXPECT_TRUE(SecretName(n)) << n;
  }
  for (const char* n : {"PATH", "HOME", "PWD", "OLDPWD", "NODE_ENV", "--url", "-o", "--user",
                        "HOSTNAME", "KEYBOARD_LAYOUT", ""}) {
    EXPECT_FALSE(SecretName(n)) << n;
  }
}

TEST(RedactTest, EnvEntries) {
  EXPECT_EQ(RedactEnvEntry("DB_PASSWORD=hunter2"), "DB_PASSWORD=[redacted]");
  EXPECT_EQ(RedactEnvEntry("PATH=/usr/bin:/bin"), "PATH=/usr/bin:/bin");
  EXPECT_EQ(RedactEnvEntry("REDIS=redis://app:s3cret@10.0.0.5:6379/0"),
            "REDIS=redis://app:[redacted]@10.0.0.5:6379/0");
  EXPECT_EQ(RedactEnvEntry("EMPTY_TOKEN="), "EMPTY_TOKEN=");
  EXPECT_EQ(RedactEnvEntry("no equals sign"), "no equals sign");
}

// What a responder needs stays: the pool, the wallet, the paths.
TEST(RedactTest, MinerCommandLineKeepsItsEvidence) {
  const std::string seed =
      "/tmp/javae -o pool.supportxmr.com:443 -u "
      "44AFFq5kSiGBoZ4NMDwYtN18obc8AemS33DBLWs3H7otXft3XjrpDtQGv7SqSsaBYBb98uNbr2VBBEt7f2wfn3RVGQBE"
      "P3A"
      " -k --tls";
  EXPECT_EQ(RedactText(seed), seed);
}

TEST(RedactTest, CommandLineSecrets) {
  EXPECT_EQ(RedactText("app --password hunter2 --port 80"), "app --password [redacted] --port 80");
  EXPECT_EQ(RedactText("app --api-key=abc123 -v"), "app --api-key=[redacted] -v");
  EXPECT_EQ(RedactText("env PGPASSWORD=x psql -h db"), "env PGPASSWORD=[redacted] psql -h db");
  EXPECT_EQ(RedactText("curl -H Authorization: Bearer eyJabc http://h/"),
            "curl -H Authorization: Bearer [redacted] http://h/");
  EXPECT_EQ(RedactText("curl https://u:pw@h/x.sh | sh"), "curl https://u:[redacted]@h/x.sh | sh");
  EXPECT_EQ(RedactText("{\"password\":\"x\", \"user\": \"a\"}"),
            "{\"password\":\"[redacted]\", \"user\": \"a\"}");
  EXPECT_EQ(RedactText("password: hunter2\n  next"), "password: [redacted]\n  next");
  EXPECT_EQ(RedactText("  keep\tspacing  "), "  keep\tspacing  ");
  // A flag without a value takes nothing; a value never runs onto the next line.
  EXPECT_EQ(RedactText("api --auth-required --port 80"), "api --auth-required --port 80");
  EXPECT_EQ(RedactText("api --auth-required\n   1216 next"), "api --auth-required\n   1216 next");
}

TEST(RedactTest, ArgumentListsCarryAFlagToItsValue) {
  EXPECT_EQ(RedactArgv({"app", "--password", "hunter2", "--port", "80"}),
            (std::vector<std::string>{"app", "--password", "[redacted]", "--port", "80"}));
  EXPECT_EQ(RedactEnvEntry("JAVA_OPTS=-Xmx1g --password x"),
            "JAVA_OPTS=-Xmx1g --password [redacted]");
  EXPECT_EQ(RedactText("https://admin:pw@h/?access_token=x"),
            "https://admin:[redacted]@h/?access_token=[redacted]");
}

// Redacting what is redacted changes nothing (the fuzzer checks it on any input).
TEST(RedactTest, RedactingTwiceIsRedactingOnce) {
  for (const char* text : {"pw=x", "PASSWORD=x", "pw:x", "{\"password\":\"x\"}", "--password x",
                           "password: x", "Authorization: Bearer x", "a://u:p@x@h/",
                           "https://admin:pw@h/?access_token=x", "k=v token=[x] [pw=y]",
                           // the password holds the first '=': found by the fuzzer
                           "x://u:p=v@h/?auth=s"}) {
    const std::string once = RedactText(text);
    EXPECT_EQ(RedactText(once), once) << text;
  }
}

TEST(RedactTest, JsonOfAnInspect) {
  nlohmann::ordered_json j = {
      {"Config",
       {{"Env", {"API_TOKEN=planted", "PATH=/bin"}},
        {"Cmd", {"node", "server.js", "--secret=s", "--db-password", "planted"}},
        {"Labels", {{"db_password", "x"}, {"app", "web"}}}}}};
  RedactJson(j);
  EXPECT_EQ(j["Config"]["Env"][0], "API_TOKEN=[redacted]");
  EXPECT_EQ(j["Config"]["Env"][1], "PATH=/bin");
  EXPECT_EQ(j["Config"]["Cmd"][2], "--secret=[redacted]");
  EXPECT_EQ(j["Config"]["Cmd"][4], "[redacted]");
  EXPECT_EQ(j["Config"]["Labels"]["db_password"], "[redacted]");
  EXPECT_EQ(j["Config"]["Labels"]["app"], "web");
  EXPECT_EQ(j.dump().find("planted"), std::string::npos);
}

}  // namespace
}  // namespace deminer
