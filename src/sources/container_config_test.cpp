#include "sources/container_config.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/test_dir.h"

namespace deminer {
namespace {

std::string Fixture(const std::string& name) {
  std::ifstream in(std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/containers/" + name);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// A real inspect from Podman's Docker API of a container run with the seeds'
// weak defaults plus SYS_ADMIN, seccomp off, the host's PIDs and /var/run.
TEST(ParseInspectTest, PodmanInspectOfAWeakContainer) {
  const std::string file = "inspect-podman-weak.json";
  auto configs = ParseInspect(Fixture(file), file, ConfigSource::kInspect);
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 1u);
  const ContainerConfig& c = configs->front();
  EXPECT_EQ(c.name, "weak2");
  EXPECT_EQ(c.image, "localhost/deminer-test:1");
  EXPECT_EQ(c.ref.compose_project, "shop");
  EXPECT_EQ(c.compose_service, "db");
  EXPECT_TRUE(c.running);
  EXPECT_FALSE(c.privileged);
  EXPECT_EQ(c.read_only_rootfs, false);
  EXPECT_EQ(c.cap_add, std::vector<std::string>{"SYS_ADMIN"});
  EXPECT_FALSE(c.DroppedAll());
  EXPECT_TRUE(c.seccomp_unconfined);
  EXPECT_EQ(c.no_new_privileges, false);
  EXPECT_TRUE(c.host_pid);
  EXPECT_FALSE(c.host_network);
  EXPECT_EQ(c.memory_limit, 0);
  EXPECT_EQ(c.cpu_limit, 0);
  EXPECT_EQ(c.pids_limit, 0);
  EXPECT_TRUE(c.RunsAsRoot());
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].container_port, 5432);
  EXPECT_EQ(c.ports[0].host_port, 5432);
  EXPECT_EQ(c.ports[0].host_ip, "");
  const ConfigMount* run = c.MountAt("/var/run/host-run/docker.sock");
  ASSERT_NE(run, nullptr);
  EXPECT_EQ(run->source, "/var/run");
  EXPECT_EQ(run->type, "bind");
  EXPECT_EQ(c.cmd, (std::vector<std::string>{"sleep", "100000"}));
  // Lines of the settings in the file, for findings.
  EXPECT_EQ(c.line, 2);
  EXPECT_EQ(c.LineOf("pid"), 79);
  EXPECT_EQ(c.LineOf("privileged"), 80);
  EXPECT_EQ(c.LineOf("cap_add"), 65);
}

TEST(ParseInspectTest, LoneObjectTmpfsAndLimits) {
  auto configs = ParseInspect(R"({"Id":"abc","Name":"/web","Config":{"User":"node","Image":"app"},
      "State":{"Running":true,"Pid":42},
      "HostConfig":{"ReadonlyRootfs":true,"CapDrop":["ALL"],"SecurityOpt":["no-new-privileges:true"],
        "Tmpfs":{"/tmp":"rw,noexec"},"Memory":1048576,"CpuQuota":50000,"CpuPeriod":100000,
        "PidsLimit":64,"NetworkMode":"host","IpcMode":"host"}})",
                              "", ConfigSource::kLive);
  ASSERT_TRUE(configs);
  const ContainerConfig& c = configs->front();
  EXPECT_EQ(c.name, "web");
  EXPECT_EQ(c.pid, 42);
  EXPECT_TRUE(c.DroppedAll());
  EXPECT_TRUE(c.EffectiveCaps().empty());
  EXPECT_EQ(c.no_new_privileges, true);
  EXPECT_DOUBLE_EQ(c.cpu_limit, 0.5);
  EXPECT_TRUE(c.host_network);
  EXPECT_TRUE(c.host_ipc);
  EXPECT_FALSE(c.RunsAsRoot());
  ASSERT_NE(c.MountAt("/tmp/x"), nullptr);
  EXPECT_TRUE(HasOption(c.MountAt("/tmp/x")->options, "noexec"));
  EXPECT_EQ(c.MountAt("/var/tmp"), nullptr);
  EXPECT_EQ(c.line, 0);  // live: no file, no lines
}

TEST(ParseInspectTest, BadInputIsAnErrorNotACrash) {
  EXPECT_FALSE(ParseInspect("{not json", "f.json", ConfigSource::kInspect));
  EXPECT_FALSE(ParseInspect("[]", "f.json", ConfigSource::kInspect));
  // An image's inspect has no HostConfig: not a container.
  EXPECT_FALSE(
      ParseInspect(R"([{"Id":"sha256:1","Config":{}}])", "f.json", ConfigSource::kInspect));
  // Wrong types are ignored field by field.
  auto odd = ParseInspect(R"([{"HostConfig":{"CapAdd":"SYS_ADMIN","Memory":"1g","PortBindings":
      {"x/tcp":[{}],"70000/tcp":[{}],"80/tcp":[{"HostPort":"99999"}]}}}, 5])",
                          "f.json", ConfigSource::kInspect);
  ASSERT_TRUE(odd);
  EXPECT_TRUE(odd->front().cap_add.empty());
  ASSERT_EQ(odd->front().ports.size(), 1u);
  EXPECT_EQ(odd->front().ports[0].host_port, 0);
}

TEST(ContainerConfigTest, NormalizeCapAndRootUsers) {
  EXPECT_EQ(NormalizeCap(" cap_sys_admin"), "SYS_ADMIN");
  ContainerConfig c;
  for (const char* root : {"", "root", "0", "0:0", "root:root"}) {
    c.user = root;
    EXPECT_TRUE(c.RunsAsRoot()) << root;
  }
  c.user = "1000";
  EXPECT_FALSE(c.RunsAsRoot());
  c.user.reset();
  EXPECT_TRUE(c.RunsAsRoot());
  c.run_as_non_root = true;
  EXPECT_FALSE(c.RunsAsRoot());
}

TEST(ContainerConfigTest, DropperToolsByNameWithoutFollowingLinks) {
  TestDir dir;
  namespace fs = std::filesystem;
  fs::create_directories(dir / "usr/bin");
  fs::create_directories(dir / "bin");
  std::ofstream(dir / "usr/bin/curl") << "x";
  std::ofstream(dir / "bin/busybox") << "x";
  fs::create_symlink("busybox", dir / "bin/sh");
  // An absolute link that would point at the host's file: named, never followed.
  fs::create_symlink("/usr/bin/wget", dir / "bin/wget");
  const auto tools = FindDropperTools(dir.path());
  EXPECT_EQ(tools, (std::vector<std::string>{"curl /usr/bin/curl", "wget /bin/wget",
                                             "wget (busybox applet, /bin/busybox)",
                                             "nc (busybox applet, /bin/busybox)", "sh /bin/sh"}));
  EXPECT_TRUE(FindDropperTools(dir / "nothing-here").empty());
}

}  // namespace
}  // namespace deminer
