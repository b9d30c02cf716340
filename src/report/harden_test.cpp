#include "report/harden.h"

#include <gtest/gtest.h>
#include <yaml-cpp/yaml.h>

#include "checks/test_facts.h"

namespace deminer {
namespace {

ContainerConfig WeakDb() {
  ContainerConfig c;
  c.source = ConfigSource::kCompose;
  c.name = "db";
  c.file = "docker-compose.yml";
  c.line = 4;
  c.lines["ports"] = 7;
  c.lines["cap_add"] = 9;
  c.image = "postgres:15";
  c.cap_add = {"SYS_ADMIN"};
  c.host_pid = true;
  c.ports.push_back({"", 5432, 5432, "tcp", true, 8});
  c.ports.push_back({"", 8080, 8080, "tcp", true, 0});
  c.mounts.push_back({"bind", "/var/run/docker.sock", "/var/run/docker.sock", false, "", 11});
  c.mounts.push_back({"volume", "pgdata", "/var/lib/postgresql/data", false, "", 12});
  c.mounts.push_back({"tmpfs", "", "/run/app", false, "size=1m", 0});
  return c;
}

TEST(HardenTest, HardenedContainerNeedsNothing) {
  EXPECT_TRUE(PlanHardening(HardenedContainer()).Empty());
}

TEST(HardenTest, PlanKeepsWhatTheDatabaseNeedsAndEditsWhatAnOverrideCannot) {
  const HardenPlan plan = PlanHardening(WeakDb());
  std::map<std::string, std::vector<std::string>> set;
  for (const auto& s : plan.set) set[s.key] = s.values;
  EXPECT_EQ(set["read_only"], std::vector<std::string>{"true"});
  EXPECT_EQ(set["tmpfs"].size(), 2u);
  EXPECT_EQ(set["cap_drop"], std::vector<std::string>{"ALL"});
  // The postgres image starts as root and steps down: its capabilities stay, no user is set.
  EXPECT_EQ(set["cap_add"],
            (std::vector<std::string>{"CHOWN", "SETUID", "SETGID", "FOWNER", "DAC_OVERRIDE"}));
  EXPECT_FALSE(set.contains("user"));
  EXPECT_TRUE(set.contains("mem_limit") && set.contains("cpus") && set.contains("pids_limit"));
  std::vector<std::string> edits;
  for (const auto& e : plan.edits) edits.push_back(std::to_string(e.line) + " " + e.what);
  EXPECT_EQ(edits,
            (std::vector<std::string>{"9 remove SYS_ADMIN from cap_add", "4 remove pid: host",
                                      "8 ports \"5432:5432\" -> \"127.0.0.1:5432:5432\"",
                                      "11 remove the volume "
                                      "/var/run/docker.sock:/var/run/docker.sock"}));
}

TEST(HardenTest, ComposeOverrideIsYamlWithTheSettings) {
  ContainerConfig web = HardenedContainer("web");
  web.source = ConfigSource::kCompose;
  web.read_only_rootfs.reset();
  web.user.reset();
  const std::string text = RenderComposeOverride({WeakDb(), web, HardenedContainer()}, "dc.yml");
  const YAML::Node y = YAML::Load(text);
  ASSERT_TRUE(y["services"]["db"]) << text;
  EXPECT_TRUE(y["services"]["db"]["read_only"].as<bool>());
  EXPECT_EQ(y["services"]["db"]["tmpfs"][0].as<std::string>(),
            "/tmp:rw,noexec,nosuid,nodev,size=64m");
  EXPECT_EQ(y["services"]["db"]["security_opt"][0].as<std::string>(), "no-new-privileges:true");
  EXPECT_EQ(y["services"]["web"]["user"].as<std::string>(), "1000:1000");
  EXPECT_FALSE(y["services"]["hard"]);  // nothing to change
  EXPECT_NE(text.find("# edit dc.yml:8: ports \"5432:5432\" -> \"127.0.0.1:5432:5432\""),
            std::string::npos);
  EXPECT_NE(text.find("read_only: true  # "), std::string::npos);  // a comment on each line
}

TEST(HardenTest, NothingToHardenIsStillValidYaml) {
  const std::string text = RenderComposeOverride({HardenedContainer()}, "");
  EXPECT_TRUE(YAML::Load(text)["services"].IsMap());
}

TEST(HardenTest, DockerRunFlagsQuoteValuesAndListWhatIsLeftOut) {
  ContainerConfig c = WeakDb();
  c.source = ConfigSource::kLive;
  c.name = "db";
  c.cmd = {"postgres", "-c", "log_statement=all; touch x"};
  const std::string run = RenderDockerRun(c);
  EXPECT_NE(run.find("-p 127.0.0.1:5432:5432"), std::string::npos) << run;
  EXPECT_NE(run.find("-p 8080:8080"), std::string::npos);
  EXPECT_NE(run.find("-v pgdata:/var/lib/postgresql/data"), std::string::npos);
  EXPECT_NE(run.find("--tmpfs /run/app:size=1m"), std::string::npos);
  EXPECT_NE(run.find("# left out: --pid=host"), std::string::npos);
  EXPECT_NE(run.find("# left out: -v /var/run/docker.sock"), std::string::npos);
  EXPECT_NE(run.find("'log_statement=all; touch x'"), std::string::npos);
  EXPECT_EQ(run.find("--cap-add SYS_ADMIN  "), std::string::npos);
}

}  // namespace
}  // namespace deminer
