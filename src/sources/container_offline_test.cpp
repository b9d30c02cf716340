#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/test_dir.h"
#include "sources/container_config.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

std::string FixturePath(const std::string& rel) {
  return std::string(DEMINER_SOURCE_DIR) + "/tests/testdata/containers/" + rel;
}

std::string ReadFixture(const std::string& rel) {
  std::ifstream in(FixturePath(rel));
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// Writes `text` to `rel` under `dir`, making its parents; the file's path.
std::string Write(const TestDir& dir, const std::string& rel, const std::string& text) {
  const fs::path p = fs::path(dir.path()) / rel;
  fs::create_directories(p.parent_path());
  std::ofstream(p) << text;
  return p.string();
}

// ---------------------------------------------------------------------------
// Compose

TEST(ContainerOfflineComposeTest, WeakServicesKeepEveryOpenDefault) {
  const auto configs =
      ParseCompose(ReadFixture("weak/docker-compose.yml"), "weak/docker-compose.yml");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 2u);
  const ContainerConfig& web = (*configs)[0];
  EXPECT_EQ(web.source, ConfigSource::kCompose);
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.file, "weak/docker-compose.yml");
  EXPECT_EQ(web.line, 3);
  EXPECT_TRUE(web.runtime_settings);
  EXPECT_FALSE(web.tools_known);
  EXPECT_EQ(web.image, "node:20");
  EXPECT_EQ(web.LineOf("image"), 4);
  EXPECT_TRUE(web.privileged);
  EXPECT_EQ(web.LineOf("privileged"), 6);
  EXPECT_TRUE(web.host_pid);
  EXPECT_EQ(web.LineOf("pid"), 7);
  EXPECT_FALSE(web.user.has_value());
  EXPECT_FALSE(web.read_only_rootfs.has_value());
  EXPECT_FALSE(web.no_new_privileges.has_value());
  EXPECT_EQ(web.memory_limit, 0);
  EXPECT_EQ(web.cpu_limit, 0);
  EXPECT_EQ(web.pids_limit, 0);
  EXPECT_EQ(web.LineOf("mem_limit"), 3);  // not given: the service's line
  ASSERT_EQ(web.ports.size(), 1u);
  EXPECT_EQ(web.ports[0].host_ip, "");
  EXPECT_EQ(web.ports[0].host_port, 3000);
  EXPECT_EQ(web.ports[0].container_port, 3000);
  EXPECT_TRUE(web.ports[0].published);
  EXPECT_EQ(web.ports[0].line, 9);
  ASSERT_EQ(web.mounts.size(), 2u);
  EXPECT_EQ(web.mounts[0].type, "bind");
  EXPECT_EQ(web.mounts[0].source, "/var/run/docker.sock");
  EXPECT_EQ(web.mounts[0].target, "/var/run/docker.sock");
  EXPECT_FALSE(web.mounts[0].read_only);
  EXPECT_EQ(web.mounts[0].line, 11);
  EXPECT_EQ(web.mounts[1].type, "bind");
  EXPECT_EQ(web.mounts[1].source, "./src");
  EXPECT_EQ(web.LineOf("volumes"), 10);

  const ContainerConfig& db = (*configs)[1];
  EXPECT_EQ(db.name, "postgres");
  EXPECT_EQ(db.line, 15);
  EXPECT_FALSE(db.privileged);
  EXPECT_EQ(db.cap_add, std::vector<std::string>{"SYS_ADMIN"});
  EXPECT_EQ(db.LineOf("cap_add"), 17);
  ASSERT_EQ(db.ports.size(), 1u);
  EXPECT_EQ(db.ports[0].host_port, 5432);
  EXPECT_EQ(db.ports[0].container_port, 5432);
  EXPECT_EQ(db.ports[0].proto, "tcp");
  EXPECT_EQ(db.LineOf("ports"), 19);
  ASSERT_EQ(db.mounts.size(), 1u);
  EXPECT_EQ(db.mounts[0].type, "volume");
  EXPECT_EQ(db.mounts[0].source, "pgdata");
}

TEST(ContainerOfflineComposeTest, HardenedServicesWithMergedAnchor) {
  const auto configs =
      ParseCompose(ReadFixture("hardened/docker-compose.yml"), "hardened/docker-compose.yml");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 2u);  // x-hardening is not a service
  const ContainerConfig& web = (*configs)[0];
  EXPECT_EQ(web.name, "web");
  EXPECT_EQ(web.line, 13);
  EXPECT_EQ(web.read_only_rootfs, std::optional<bool>(true));
  EXPECT_EQ(web.LineOf("read_only"), 3);  // where the anchor says it
  EXPECT_EQ(web.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_TRUE(web.DroppedAll());
  EXPECT_EQ(web.no_new_privileges, std::optional<bool>(true));
  EXPECT_EQ(web.LineOf("security_opt"), 8);
  EXPECT_EQ(web.pids_limit, 200);
  EXPECT_EQ(web.memory_limit, 512 * 1024 * 1024);
  EXPECT_EQ(web.LineOf("mem_limit"), 17);
  EXPECT_DOUBLE_EQ(web.cpu_limit, 0.5);
  EXPECT_EQ(web.user, std::optional<std::string>("1000:1000"));
  EXPECT_EQ(web.LineOf("user"), 16);
  EXPECT_FALSE(web.RunsAsRoot());
  ASSERT_EQ(web.ports.size(), 1u);
  EXPECT_EQ(web.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(web.ports[0].host_port, 3000);
  EXPECT_EQ(web.network_mode, "backend");
  EXPECT_EQ(web.networks, std::vector<std::string>{"backend"});
  EXPECT_FALSE(web.host_network);
  EXPECT_EQ(web.LineOf("network"), 21);
  ASSERT_EQ(web.mounts.size(), 1u);
  EXPECT_EQ(web.mounts[0].type, "tmpfs");
  EXPECT_EQ(web.mounts[0].target, "/tmp");
  EXPECT_EQ(web.mounts[0].options, "noexec,nosuid,size=64m");
  EXPECT_EQ(web.mounts[0].line, 5);
  EXPECT_EQ(web.LineOf("tmpfs"), 4);

  const ContainerConfig& db = (*configs)[1];
  EXPECT_EQ(db.name, "postgres");
  EXPECT_EQ(db.user, std::optional<std::string>("999:999"));
  EXPECT_EQ(db.cap_add.size(), 5u);
  EXPECT_EQ(db.memory_limit, int64_t{1} << 30);
  EXPECT_DOUBLE_EQ(db.cpu_limit, 1.0);
  EXPECT_EQ(db.pids_limit, 200);  // pids_limit wins over deploy's
  EXPECT_EQ(db.LineOf("pids_limit"), 10);
  EXPECT_EQ(db.LineOf("mem_limit"), 31);
  ASSERT_EQ(db.ports.size(), 1u);
  EXPECT_EQ(db.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(db.ports[0].host_port, 5432);
  EXPECT_EQ(db.ports[0].container_port, 5432);
  EXPECT_EQ(db.ports[0].line, 35);
  ASSERT_EQ(db.mounts.size(), 3u);
  EXPECT_EQ(db.mounts[0].type, "volume");
  EXPECT_EQ(db.mounts[0].source, "pgdata");
  EXPECT_EQ(db.mounts[0].target, "/var/lib/postgresql/data");
  EXPECT_EQ(db.mounts[0].line, 40);
  EXPECT_EQ(db.mounts[1].type, "tmpfs");
  EXPECT_EQ(db.mounts[1].target, "/run/postgresql");
  EXPECT_EQ(db.mounts[1].options, "size=16m");
  EXPECT_EQ(db.mounts[2].type, "tmpfs");  // the anchor's, merged after the own keys
  EXPECT_EQ(db.mounts[2].target, "/tmp");
  EXPECT_EQ(db.network_mode, "backend");
}

TEST(ContainerOfflineComposeTest, ShortPortForms) {
  struct Case {
    std::string spec;
    std::vector<std::tuple<std::string, int, int, std::string>> want;  // ip, host, container, proto
  };
  const std::vector<Case> cases = {
      {"\"5432:5432\"", {{"", 5432, 5432, "tcp"}}},
      {"\"127.0.0.1:5432:5432\"", {{"127.0.0.1", 5432, 5432, "tcp"}}},
      {"8080", {{"", 0, 8080, "tcp"}}},
      {"\"[::1]:80:80\"", {{"::1", 80, 80, "tcp"}}},
      {"6379/udp", {{"", 0, 6379, "udp"}}},
      {"\"127.0.0.1::9000\"", {{"127.0.0.1", 0, 9000, "tcp"}}},
      {"\"8000-8001:8000-8001\"", {{"", 8000, 8000, "tcp"}, {"", 8001, 8001, "tcp"}}},
      {"\"${WEB_PORT:-8080}:80\"", {{"", 8080, 80, "tcp"}}},
      {"\"0.0.0.0:53:53/UDP\"", {{"0.0.0.0", 53, 53, "udp"}}},
      {"garbage", {}},
      {"\"99999:80\"", {}},
      {"\"80:0\"", {}},
      {"\"80/icmp\"", {}},
      {"\"[::1:80:80\"", {}},
      {"\"18446744073709551617:80\"", {}},
  };
  for (const Case& c : cases) {
    const auto configs = ParseCompose("services:\n  s:\n    ports:\n      - " + c.spec + "\n", "f");
    ASSERT_TRUE(configs) << c.spec;
    ASSERT_EQ(configs->size(), 1u) << c.spec;
    const auto& ports = (*configs)[0].ports;
    ASSERT_EQ(ports.size(), c.want.size()) << c.spec;
    for (size_t i = 0; i < ports.size(); ++i) {
      EXPECT_EQ(ports[i].host_ip, std::get<0>(c.want[i])) << c.spec;
      EXPECT_EQ(ports[i].host_port, std::get<1>(c.want[i])) << c.spec;
      EXPECT_EQ(ports[i].container_port, std::get<2>(c.want[i])) << c.spec;
      EXPECT_EQ(ports[i].proto, std::get<3>(c.want[i])) << c.spec;
      EXPECT_TRUE(ports[i].published);
      EXPECT_EQ(ports[i].line, 4);
    }
  }
}

TEST(ContainerOfflineComposeTest, PortRangesAreBounded) {
  const auto configs = ParseCompose("services:\n  s:\n    ports: [\"1-65535:1-65535\"]\n", "f");
  ASSERT_TRUE(configs);
  EXPECT_EQ((*configs)[0].ports.size(), 64u);
}

TEST(ContainerOfflineComposeTest, SizesSecurityOptsAndNamespaces) {
  const auto configs = ParseCompose(R"(version: "3.9"
services:
  a:
    image: ${IMAGE:-app}:latest
    mem_limit: 1g
    cpus: "1.5"
    pids_limit: -1
    user: 1000
    network_mode: host
    ipc: host
    security_opt:
      - no-new-privileges
      - seccomp=unconfined
      - apparmor:unconfined
    cap_add: [cap_net_admin]
  b:
    mem_limit: 268435456
    security_opt: ["no-new-privileges:false", "label:disable"]
    read_only: false
    privileged: "${PRIV:-false}"
  c:
    mem_limit: 99999999999999999999999g
    cpus: lots
    pids_limit: 99999999999999999999999
    ports: {not: a list}
    volumes: 7
  d:
)",
                                    "f");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 3u);  // d has no settings
  const ContainerConfig& a = (*configs)[0];
  EXPECT_EQ(a.image, "${IMAGE:-app}:latest");  // kept as written
  EXPECT_EQ(a.memory_limit, int64_t{1} << 30);
  EXPECT_DOUBLE_EQ(a.cpu_limit, 1.5);
  EXPECT_EQ(a.pids_limit, -1);
  EXPECT_EQ(a.user, std::optional<std::string>("1000"));
  EXPECT_TRUE(a.host_network);
  EXPECT_EQ(a.network_mode, "host");
  EXPECT_EQ(a.LineOf("network"), 9);
  EXPECT_TRUE(a.host_ipc);
  EXPECT_EQ(a.no_new_privileges, std::optional<bool>(true));
  EXPECT_TRUE(a.seccomp_unconfined);
  EXPECT_TRUE(a.apparmor_unconfined);
  EXPECT_EQ(a.cap_add, std::vector<std::string>{"NET_ADMIN"});
  const ContainerConfig& b = (*configs)[1];
  EXPECT_EQ(b.memory_limit, 268435456);
  EXPECT_EQ(b.no_new_privileges, std::optional<bool>(false));
  EXPECT_FALSE(b.seccomp_unconfined);
  EXPECT_EQ(b.read_only_rootfs, std::optional<bool>(false));
  EXPECT_FALSE(b.privileged);
  const ContainerConfig& c = (*configs)[2];
  EXPECT_EQ(c.memory_limit, 0);
  EXPECT_EQ(c.cpu_limit, 0);
  EXPECT_EQ(c.pids_limit, 0);
  EXPECT_EQ(c.LineOf("mem_limit"), 22);  // given, even if unreadable
  EXPECT_TRUE(c.ports.empty());
  EXPECT_TRUE(c.mounts.empty());
}

TEST(ContainerOfflineComposeTest, VolumeForms) {
  const auto configs = ParseCompose(R"(services:
  s:
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock:ro
      - data:/var/lib/x
      - /anonymous
      - ~/cache:/cache:rw,z
      - "${DOCKER_SOCK:-/var/run/docker.sock}:/sock"
      - type: bind
        source: /
        target: /host
        read_only: true
      - {type: tmpfs, target: /scratch, tmpfs: {size: 1000000, mode: 1777}}
      - {source: nowhere}
      - a:b:c:d
    tmpfs: /run:size=1m
)",
                                    "f");
  ASSERT_TRUE(configs);
  const auto& m = (*configs)[0].mounts;
  ASSERT_EQ(m.size(), 8u);
  EXPECT_EQ(m[0].type, "bind");
  EXPECT_TRUE(m[0].read_only);
  EXPECT_EQ(m[0].line, 4);
  EXPECT_EQ(m[1].type, "volume");
  EXPECT_EQ(m[1].source, "data");
  EXPECT_EQ(m[2].type, "volume");
  EXPECT_EQ(m[2].source, "");
  EXPECT_EQ(m[2].target, "/anonymous");
  EXPECT_EQ(m[3].type, "bind");
  EXPECT_FALSE(m[3].read_only);
  EXPECT_EQ(m[4].source, "/var/run/docker.sock");
  EXPECT_EQ(m[4].target, "/sock");
  EXPECT_EQ(m[5].type, "bind");
  EXPECT_EQ(m[5].source, "/");
  EXPECT_EQ(m[5].target, "/host");
  EXPECT_TRUE(m[5].read_only);
  EXPECT_EQ(m[5].line, 9);
  EXPECT_EQ(m[6].type, "tmpfs");
  EXPECT_EQ(m[6].target, "/scratch");
  EXPECT_EQ(m[6].options, "size=1000000,mode=1777");
  EXPECT_EQ(m[7].type, "tmpfs");
  EXPECT_EQ(m[7].target, "/run");
  EXPECT_EQ(m[7].options, "size=1m");
  EXPECT_EQ(m[7].line, 16);
}

TEST(ContainerOfflineComposeTest, LongPortsAndExpose) {
  const auto configs = ParseCompose(R"(services:
  s:
    ports:
      - target: 80
        published: "8080"
      - target: 53
        protocol: udp
      - target: nope
    expose: ["3000", "9000-9001/udp"]
)",
                                    "f");
  ASSERT_TRUE(configs);
  const auto& p = (*configs)[0].ports;
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].host_port, 8080);
  EXPECT_EQ(p[0].container_port, 80);
  EXPECT_EQ(p[0].line, 4);
  EXPECT_EQ(p[1].host_port, 0);
  EXPECT_EQ(p[1].proto, "udp");
  EXPECT_TRUE(p[1].published);
  EXPECT_EQ(p[2].container_port, 3000);
  EXPECT_FALSE(p[2].published);
  EXPECT_EQ(p[4].container_port, 9001);
  EXPECT_EQ(p[4].proto, "udp");
}

TEST(ContainerOfflineComposeTest, MergeKeysOverrideAndChain) {
  const auto configs = ParseCompose(R"(x-base: &base
  privileged: true
  user: root
x-more: &more
  <<: *base
  pid: host
services:
  s:
    <<: [*more]
    user: app
  "<<":
    image: literal-key
)",
                                    "f");
  ASSERT_TRUE(configs);
  ASSERT_EQ(configs->size(), 2u);
  const ContainerConfig& s = (*configs)[0];
  EXPECT_TRUE(s.privileged);
  EXPECT_TRUE(s.host_pid);
  EXPECT_EQ(s.user, std::optional<std::string>("app"));  // own key wins over the merge
  EXPECT_EQ(s.LineOf("user"), 10);
  EXPECT_EQ((*configs)[1].name, "<<");
}

TEST(ContainerOfflineComposeTest, SelfReferencingAnchorIsBounded) {
  const auto configs = ParseCompose("services:\n  s: &a\n    <<: *a\n    image: x\n", "f");
  if (configs) {
    ASSERT_EQ(configs->size(), 1u);
    EXPECT_EQ((*configs)[0].image, "x");
  }
}

TEST(ContainerOfflineComposeTest, LegacyVersionOneFile) {
  const auto configs = ParseCompose(R"(web:
  image: nginx
  privileged: true
worker:
  build: .
x-note:
  image: not-a-service
notes: just text
)",
                                    "f");
  ASSERT_TRUE(configs);
  ASSERT_EQ(configs->size(), 2u);
  EXPECT_EQ((*configs)[0].name, "web");
  EXPECT_TRUE((*configs)[0].privileged);
  EXPECT_EQ((*configs)[1].name, "worker");
  EXPECT_EQ((*configs)[1].line, 4);
}

TEST(ContainerOfflineComposeTest, MalformedInputsFailWithFileAndLine) {
  const auto bad_yaml = ParseCompose("services:\n  web:\n    image: [unclosed\n", "c.yml");
  ASSERT_FALSE(bad_yaml);
  EXPECT_EQ(bad_yaml.error().code(), ErrorCode::kInvalidInput);
  EXPECT_TRUE(bad_yaml.error().message().starts_with("c.yml:")) << bad_yaml.error().message();

  const auto list = ParseCompose("services:\n  - web\n  - db\n", "c.yml");
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().message(), "c.yml:1: services: expected a mapping of service names");

  const auto scalar = ParseCompose("just a string\n", "c.yml");
  EXPECT_FALSE(scalar);

  const auto empty = ParseCompose("", "c.yml");
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->empty());

  const auto odd = ParseCompose("services:\n  web: 7\n  db:\n    image: pg\n", "c.yml");
  ASSERT_TRUE(odd);
  ASSERT_EQ(odd->size(), 1u);  // a service that is not a mapping is skipped
  EXPECT_EQ((*odd)[0].name, "db");
}

// ---------------------------------------------------------------------------
// Kubernetes

TEST(ContainerOfflineKubernetesTest, WeakManifestsEveryContainer) {
  const auto configs = ParseKubernetes(ReadFixture("weak/k8s.yaml"), "weak/k8s.yaml");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 3u);  // the Service is not a workload
  const ContainerConfig& app = (*configs)[0];
  EXPECT_EQ(app.source, ConfigSource::kKubernetes);
  EXPECT_EQ(app.name, "Deployment web, container app");
  EXPECT_EQ(app.file, "weak/k8s.yaml");
  EXPECT_EQ(app.line, 15);
  EXPECT_TRUE(app.runtime_settings);
  EXPECT_FALSE(app.pids_limit_settable);
  EXPECT_EQ(app.image, "node:20");
  EXPECT_EQ(app.LineOf("image"), 16);
  EXPECT_TRUE(app.privileged);
  EXPECT_EQ(app.LineOf("privileged"), 18);
  EXPECT_TRUE(app.host_network);
  EXPECT_EQ(app.network_mode, "host");
  EXPECT_EQ(app.LineOf("network"), 13);
  EXPECT_FALSE(app.host_pid);
  EXPECT_EQ(app.memory_limit, 0);
  EXPECT_EQ(app.LineOf("mem_limit"), 15);
  EXPECT_FALSE(app.user.has_value());
  ASSERT_EQ(app.ports.size(), 1u);
  EXPECT_TRUE(app.ports[0].published);
  EXPECT_EQ(app.ports[0].host_port, 3000);
  EXPECT_EQ(app.ports[0].host_ip, "");
  EXPECT_EQ(app.ports[0].line, 20);
  ASSERT_EQ(app.mounts.size(), 1u);
  EXPECT_EQ(app.mounts[0].type, "hostPath");
  EXPECT_EQ(app.mounts[0].source, "/var/run/docker.sock");
  EXPECT_EQ(app.mounts[0].target, "/var/run/docker.sock");
  EXPECT_EQ(app.mounts[0].line, 23);
  EXPECT_EQ(app.LineOf("volumes"), 22);

  const ContainerConfig& dump = (*configs)[1];
  EXPECT_EQ(dump.name, "CronJob backup, container dump");
  EXPECT_EQ(dump.line, 60);
  EXPECT_EQ(dump.no_new_privileges, std::optional<bool>(false));
  EXPECT_EQ(dump.user, std::optional<std::string>("0"));
  EXPECT_EQ(dump.LineOf("user"), 64);
  EXPECT_TRUE(dump.RunsAsRoot());
  EXPECT_TRUE(dump.seccomp_unconfined);  // the pod's legacy annotation
  EXPECT_EQ(dump.LineOf("security_opt"), 50);

  const ContainerConfig& fetch = (*configs)[2];
  EXPECT_EQ(fetch.name, "CronJob backup, init container fetch");
  EXPECT_EQ(fetch.line, 54);
  EXPECT_EQ(fetch.cap_add, (std::vector<std::string>{"NET_RAW", "SYS_PTRACE"}));
  EXPECT_EQ(fetch.LineOf("cap_add"), 58);
}

TEST(ContainerOfflineKubernetesTest, HardenedDeployment) {
  const auto configs = ParseKubernetes(ReadFixture("hardened/k8s.yaml"), "hardened/k8s.yaml");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 1u);
  const ContainerConfig& app = (*configs)[0];
  EXPECT_EQ(app.line, 18);
  EXPECT_EQ(app.user, std::optional<std::string>("1000"));  // from the pod
  EXPECT_EQ(app.LineOf("user"), 14);
  EXPECT_EQ(app.run_as_non_root, std::optional<bool>(true));
  EXPECT_FALSE(app.RunsAsRoot());
  EXPECT_FALSE(app.seccomp_unconfined);
  EXPECT_EQ(app.no_new_privileges, std::optional<bool>(true));
  EXPECT_EQ(app.LineOf("security_opt"), 21);
  EXPECT_EQ(app.read_only_rootfs, std::optional<bool>(true));
  EXPECT_EQ(app.LineOf("read_only"), 22);
  EXPECT_EQ(app.cap_drop, std::vector<std::string>{"ALL"});
  EXPECT_EQ(app.LineOf("cap_drop"), 24);
  EXPECT_EQ(app.memory_limit, 512 * 1024 * 1024);
  EXPECT_EQ(app.LineOf("mem_limit"), 27);
  EXPECT_DOUBLE_EQ(app.cpu_limit, 0.5);
  EXPECT_EQ(app.LineOf("cpus"), 28);
  ASSERT_EQ(app.ports.size(), 1u);
  EXPECT_FALSE(app.ports[0].published);
  EXPECT_EQ(app.ports[0].container_port, 3000);
  ASSERT_EQ(app.mounts.size(), 1u);
  EXPECT_EQ(app.mounts[0].type, "emptyDir");
  EXPECT_EQ(app.mounts[0].target, "/tmp");
  EXPECT_EQ(app.mounts[0].options, "medium=Memory");
}

TEST(ContainerOfflineKubernetesTest, PodListAndConfinement) {
  const auto configs = ParseKubernetes(R"(apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: Pod
    metadata:
      name: p
      annotations:
        container.apparmor.security.beta.kubernetes.io/c: unconfined
    spec:
      hostPID: true
      hostIPC: true
      securityContext:
        seccompProfile: {type: Unconfined}
      containers:
        - image: busybox
          name: c
          securityContext:
            allowPrivilegeEscalation: false
          resources:
            limits: {memory: "1G", cpu: 2}
          ports:
            - {containerPort: 8080, hostPort: 80, hostIP: 127.0.0.1, protocol: UDP}
        - name: d
          securityContext:
            seccompProfile: {type: RuntimeDefault}
            appArmorProfile: {type: Unconfined}
          resources:
            limits: {memory: 1.5Gi, cpu: lots}
  - apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: s}
    spec: {template: {spec: {containers: [{name: x, resources: {limits: {memory: 100}}}]}}}
)",
                                       "l.yaml");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 3u);
  const ContainerConfig& c = (*configs)[0];
  EXPECT_EQ(c.name, "Pod p, container c");
  EXPECT_EQ(c.line, 16);  // the item's first line, whatever key comes first
  EXPECT_TRUE(c.host_pid);
  EXPECT_TRUE(c.host_ipc);
  EXPECT_EQ(c.LineOf("pid"), 11);
  EXPECT_TRUE(c.seccomp_unconfined);
  EXPECT_TRUE(c.apparmor_unconfined);
  EXPECT_EQ(c.LineOf("security_opt"), 14);
  EXPECT_EQ(c.memory_limit, 1000000000);
  EXPECT_DOUBLE_EQ(c.cpu_limit, 2.0);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].host_ip, "127.0.0.1");
  EXPECT_EQ(c.ports[0].host_port, 80);
  EXPECT_EQ(c.ports[0].container_port, 8080);
  EXPECT_EQ(c.ports[0].proto, "udp");
  const ContainerConfig& d = (*configs)[1];
  EXPECT_FALSE(d.seccomp_unconfined);  // the container's profile wins over the pod's
  EXPECT_TRUE(d.apparmor_unconfined);
  EXPECT_EQ(d.memory_limit, 1610612736);
  EXPECT_EQ(d.cpu_limit, 0);
  const ContainerConfig& x = (*configs)[2];
  EXPECT_EQ(x.name, "StatefulSet s, container x");
  EXPECT_EQ(x.memory_limit, 100);
}

TEST(ContainerOfflineKubernetesTest, MalformedDocumentIsSkippedWhenOthersRead) {
  const std::string good =
      "apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec:\n"
      "  containers:\n    - name: c\n      image: x\n";
  const auto mixed = ParseKubernetes("kind: [broken\n---\n" + good, "m.yaml");
  ASSERT_TRUE(mixed) << mixed.error().message();
  ASSERT_EQ(mixed->size(), 1u);
  EXPECT_EQ((*mixed)[0].line, 8);  // lines count from the file's start

  const auto broken =
      ParseKubernetes("apiVersion: v1\n---\nkind: Pod\nspec: [unclosed\n", "b.yaml");
  ASSERT_FALSE(broken);
  EXPECT_TRUE(broken.error().message().starts_with("b.yaml:")) << broken.error().message();

  const auto odd = ParseKubernetes(
      "kind: Deployment\nspec: {template: {spec: {containers: [7, {name: c}], "
      "initContainers: {a: b}, volumes: 3}}}\n---\n[1, 2]\n---\nkind: Pod\nspec: 5\n",
      "o.yaml");
  ASSERT_TRUE(odd);
  ASSERT_EQ(odd->size(), 1u);
  EXPECT_EQ((*odd)[0].name, "Deployment, container c");
}

// ---------------------------------------------------------------------------
// Dockerfile

TEST(ContainerOfflineDockerfileTest, WeakFinalStage) {
  const auto configs = ParseDockerfile(ReadFixture("weak/Dockerfile"), "weak/Dockerfile");
  ASSERT_TRUE(configs) << configs.error().message();
  ASSERT_EQ(configs->size(), 1u);
  const ContainerConfig& c = (*configs)[0];
  EXPECT_EQ(c.source, ConfigSource::kDockerfile);
  EXPECT_FALSE(c.runtime_settings);
  EXPECT_EQ(c.name, "Dockerfile final stage (FROM postgres:15-alpine)");
  EXPECT_EQ(c.file, "weak/Dockerfile");
  EXPECT_EQ(c.line, 7);
  EXPECT_EQ(c.image, "postgres:15-alpine");
  EXPECT_FALSE(c.user.has_value());
  EXPECT_TRUE(c.tools_known);
  EXPECT_EQ(c.tools,
            (std::vector<std::string>{"curl (apk add, line 8)", "wget (apk add, line 8)"}));
  EXPECT_EQ(c.LineOf("tools"), 8);
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].container_port, 5432);
  EXPECT_FALSE(c.ports[0].published);
  EXPECT_EQ(c.LineOf("ports"), 12);
  EXPECT_EQ(c.cmd, std::vector<std::string>{"postgres"});
  EXPECT_TRUE(c.entrypoint.empty());
}

TEST(ContainerOfflineDockerfileTest, HardenedFinalStage) {
  const auto configs = ParseDockerfile(ReadFixture("hardened/Dockerfile"), "hardened/Dockerfile");
  ASSERT_TRUE(configs) << configs.error().message();
  const ContainerConfig& c = (*configs)[0];
  EXPECT_EQ(c.line, 7);
  EXPECT_EQ(c.user, std::optional<std::string>("node"));
  EXPECT_EQ(c.LineOf("user"), 12);
  EXPECT_TRUE(c.tools_known);
  EXPECT_TRUE(c.tools.empty());  // curl is removed in the same RUN
  ASSERT_EQ(c.ports.size(), 1u);
  EXPECT_EQ(c.ports[0].container_port, 3000);
  EXPECT_EQ(c.entrypoint, (std::vector<std::string>{"/bin/sh", "-c", "node /app/server.js"}));
}

TEST(ContainerOfflineDockerfileTest, InstallAndRemoveForms) {
  const auto configs = ParseDockerfile(R"(ARG BASE=debian:12
FROM ${BASE} AS base
RUN apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    # the tools the healthcheck needs
    curl=7.88.1-10 netcat-openbsd ca-certificates
from base as final
run sudo apt-get -o Dpkg::Options::=--force-confold install -y wget \
 && apt-get purge -y --auto-remove netcat-openbsd
RUN apk add --virtual .fetch socat && apk del .fetch
RUN ["/bin/sh", "-c", "dnf install -y ncat"]
RUN rm -f /usr/bin/ncat; yum -y install nmap-ncat
RUN --mount=type=cache,target=/var/cache/apt apt install curl
USER 1000:1000
USER app
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
CMD exec node server.js
)",
                                       "Dockerfile");
  ASSERT_TRUE(configs) << configs.error().message();
  const ContainerConfig& c = (*configs)[0];
  EXPECT_EQ(c.name, "Dockerfile final stage (FROM base)");
  EXPECT_EQ(c.line, 6);
  // The final stage starts from `base`: curl stays; netcat is purged.
  EXPECT_EQ(c.tools, (std::vector<std::string>{"curl (apt-get install, line 3)",
                                               "wget (apt-get install, line 7)",
                                               "nmap-ncat (yum install, line 11)"}));
  EXPECT_EQ(c.LineOf("tools"), 3);
  EXPECT_EQ(c.user, std::optional<std::string>("app"));
  EXPECT_EQ(c.LineOf("user"), 14);
  EXPECT_EQ(c.cmd,
            (std::vector<std::string>{"/bin/bash", "-o", "pipefail", "-c", "exec node server.js"}));
}

TEST(ContainerOfflineDockerfileTest, EscapeDirectiveHeredocAndScratch) {
  const auto configs = ParseDockerfile(R"(# escape=`
FROM golang:1.22 AS build
RUN <<EOF
apk add curl
EOF
FROM scratch
COPY <<-EOT /etc/motd
	FROM not-an-instruction
	EOT
RUN <<EOF bash
set -e
apk add wget
EOF
EXPOSE 8080 `
  9000-9002/udp garbage
)",
                                       "Containerfile");
  ASSERT_TRUE(configs) << configs.error().message();
  const ContainerConfig& c = (*configs)[0];
  EXPECT_EQ(c.image, "scratch");
  EXPECT_EQ(c.line, 6);
  EXPECT_EQ(c.tools, std::vector<std::string>{"wget (apk add, line 10)"});
  ASSERT_EQ(c.ports.size(), 4u);
  EXPECT_EQ(c.ports[3].container_port, 9002);
  EXPECT_EQ(c.ports[3].proto, "udp");
  EXPECT_EQ(c.ports[3].line, 14);
}

TEST(ContainerOfflineDockerfileTest, NoFromIsAnError) {
  const auto none = ParseDockerfile("# nothing here\nRUN echo hi\n", "Dockerfile");
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error().code(), ErrorCode::kInvalidInput);
  EXPECT_FALSE(ParseDockerfile("", "Dockerfile"));
  // Odd text still gives a stage when there is a FROM.
  const auto odd =
      ParseDockerfile("FROM\nUSER\nEXPOSE 0 70000 -\nCMD [1, 2]\nRUN \\", "Dockerfile");
  ASSERT_TRUE(odd);
  EXPECT_TRUE((*odd)[0].ports.empty());
  EXPECT_EQ((*odd)[0].cmd, (std::vector<std::string>{"/bin/sh", "-c", "[1, 2]"}));
}

// ---------------------------------------------------------------------------
// Detection and reading

TEST(ContainerOfflineDetectTest, ByNameAndHead) {
  struct Case {
    std::string path, head;
    ConfigFileKind want;
  };
  const std::vector<Case> cases = {
      {"/srv/app/docker-compose.yml", "", ConfigFileKind::kCompose},
      {"docker-compose.prod.yaml", "", ConfigFileKind::kCompose},
      {"compose.yaml", "", ConfigFileKind::kCompose},
      {"composer.yaml", "", ConfigFileKind::kNone},
      {"docker-compose.json", "", ConfigFileKind::kNone},
      {"/srv/Dockerfile", "", ConfigFileKind::kDockerfile},
      {"Dockerfile.prod", "", ConfigFileKind::kDockerfile},
      {"web.Dockerfile", "", ConfigFileKind::kDockerfile},
      {"Containerfile", "", ConfigFileKind::kDockerfile},
      {"Dockerfile.dockerignore", "", ConfigFileKind::kNone},
      {"Dockerfiles", "", ConfigFileKind::kNone},
      {"inspect.json", "  [{\"Id\": \"x\", \"HostConfig\": {}}]", ConfigFileKind::kInspect},
      {"package.json", "{\"name\": \"x\"}", ConfigFileKind::kNone},
      {"deploy.yaml", "# app\napiVersion: apps/v1\nkind: Deployment\n",
       ConfigFileKind::kKubernetes},
      {"values.yaml", "replicas: 1\n", ConfigFileKind::kNone},
      {"deploy.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {{ .Values.name }}\n",
       ConfigFileKind::kNone},
      {"deploy.yml.bak", "apiVersion: v1\nkind: Pod\n", ConfigFileKind::kNone},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(DetectConfigFile(c.path, c.head), c.want) << c.path;
  }
}

TEST(ContainerOfflineReadTest, FixtureTreesGiveEveryConfig) {
  std::vector<ContainerConfig> out;
  std::vector<Gap> gaps;
  ReadContainerConfigs({FixturePath("weak"), FixturePath("hardened/")}, out, gaps);
  for (const Gap& g : gaps) ADD_FAILURE() << g.what << ": " << g.reason;
  ASSERT_EQ(out.size(), 10u);
  // Each tree sorted by path: the Dockerfile, the Compose file, the manifests.
  EXPECT_EQ(out[0].source, ConfigSource::kDockerfile);
  EXPECT_EQ(out[0].file, FixturePath("weak/Dockerfile"));
  EXPECT_EQ(out[1].source, ConfigSource::kCompose);
  EXPECT_EQ(out[1].name, "web");
  EXPECT_EQ(out[3].source, ConfigSource::kKubernetes);
  EXPECT_EQ(out[3].name, "Deployment web, container app");
  EXPECT_EQ(out[6].file, FixturePath("hardened/Dockerfile"));
  EXPECT_EQ(out[9].source, ConfigSource::kKubernetes);
}

TEST(ContainerOfflineReadTest, GapsForMissingMalformedAndHugeFiles) {
  const TestDir dir;
  Write(dir, "app/docker-compose.yml", "services: [web]\n");
  Write(dir, "app/Dockerfile", "FROM alpine\nUSER app\n");
  Write(dir, "app/node_modules/pkg/Dockerfile", "FROM alpine\n");
  Write(dir, "app/notes.yaml", "a: 1\n");
  Write(dir, "app/inspect.json", "[{\"Name\": \"/x\", \"HostConfig\": {\"Privileged\": true}}]");
  Write(dir, "big/docker-compose.yml", "# " + std::string((size_t{8} << 20) + 16, 'x') + "\n");
  fs::create_symlink(FixturePath("weak"), fs::path(dir.path()) / "app" / "linked");
  const std::string deep = "a/b/c/d/e/f/g/Dockerfile";
  Write(dir, deep, "FROM alpine\n");
  const std::string unrelated = Write(dir, "README.md", "hello\n");

  std::vector<ContainerConfig> out;
  std::vector<Gap> gaps;
  ReadContainerConfigs({dir.path(), dir.path() + "/missing", unrelated}, out, gaps);
  ASSERT_EQ(out.size(), 2u);  // the Dockerfile and the inspect file; nothing from node_modules,
                              // the symlink or below the depth bound
  EXPECT_EQ(out[0].source, ConfigSource::kDockerfile);
  EXPECT_EQ(out[0].user, std::optional<std::string>("app"));
  EXPECT_EQ(out[1].source, ConfigSource::kInspect);
  ASSERT_EQ(gaps.size(), 3u);
  EXPECT_EQ(gaps[0].what, dir.path() + "/app/docker-compose.yml");
  EXPECT_NE(gaps[0].reason.find(":1: services:"), std::string::npos) << gaps[0].reason;
  EXPECT_EQ(gaps[1].what, dir.path() + "/big/docker-compose.yml");
  EXPECT_NE(gaps[1].reason.find("larger than 8 MiB"), std::string::npos) << gaps[1].reason;
  EXPECT_EQ(gaps[2].what, dir.path() + "/missing");
}

TEST(ContainerOfflineReadTest, FileGivenDirectly) {
  std::vector<ContainerConfig> out;
  std::vector<Gap> gaps;
  ReadContainerConfigs({FixturePath("weak/k8s.yaml"), FixturePath("weak/Dockerfile")}, out, gaps);
  EXPECT_TRUE(gaps.empty());
  ASSERT_EQ(out.size(), 4u);
  EXPECT_EQ(out[0].name, "Deployment web, container app");
  EXPECT_EQ(out[3].source, ConfigSource::kDockerfile);
}

}  // namespace
}  // namespace deminer
