#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kDbDockerApiTcp;
namespace {

std::vector<Finding> Judge(DockerTcpEndpoint e) {
  Facts facts = BaseFacts();
  facts.docker_tcp = {std::move(e)};
  return RunCheck(kDbDockerApiTcp, facts);
}

DockerTcpEndpoint Socket(const std::string& host, DockerProbe probe) {
  DockerTcpEndpoint e;
  e.where = host + ":2375";
  e.source = "socket";
  e.host = host;
  e.port = 2375;
  e.process = "dockerd";
  e.probe = probe;
  return e;
}

TEST(DbDockerApiTcpCheckTest, PlainHttpSeverityFollowsReach) {
  auto out = Judge(Socket("127.0.0.1", DockerProbe::kPlainHttp));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_TRUE(out[0].evidence["fix"].get<std::string>().starts_with(
      R"(remove "tcp://127.0.0.1:2375" from "hosts")"));
  EXPECT_EQ(out[0].evidence["fix_file"], "/etc/docker/daemon.json");
  EXPECT_EQ(Judge(Socket("0.0.0.0", DockerProbe::kPlainHttp)).at(0).severity, Severity::kCritical);
}

TEST(DbDockerApiTcpCheckTest, TlsWithoutClientVerificationIsCritical) {
  const auto out = Judge(Socket("127.0.0.1", DockerProbe::kTlsNoClientCert));
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_NE(out[0].subject.find("TLS without client verification"), std::string::npos);
  EXPECT_EQ(out[0].evidence["fix"], R"("tlsverify": true)");
}

TEST(DbDockerApiTcpCheckTest, RefusedOrNotAnEngineIsQuiet) {
  EXPECT_TRUE(Judge(Socket("0.0.0.0", DockerProbe::kTlsRefused)).empty());
  EXPECT_TRUE(Judge(Socket("0.0.0.0", DockerProbe::kNoAnswer)).empty());
}

TEST(DbDockerApiTcpCheckTest, OfflineConfigIsJudgedByItsKeys) {
  DockerTcpEndpoint e;
  e.where = "tcp://0.0.0.0:2376";
  e.source = "daemon.json";
  e.host = "0.0.0.0";
  e.port = 2376;
  e.path = "/etc/docker/daemon.json";
  e.line = 3;
  e.tls = true;
  auto out = Judge(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kCritical);
  EXPECT_EQ(out[0].path, "/etc/docker/daemon.json");
  EXPECT_EQ(out[0].line, 3);
  EXPECT_NE(out[0].subject.find("TLS without client verification"), std::string::npos);
  e.tlsverify = true;
  EXPECT_TRUE(Judge(e).empty());
  e.tls.reset();
  e.tlsverify.reset();
  e.host = "127.0.0.1";
  out = Judge(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_NE(out[0].subject.find("no TLS"), std::string::npos);
}

TEST(DbDockerApiTcpCheckTest, UnitSourcedFixPointsAtTheUnit) {
  DockerTcpEndpoint e = Socket("0.0.0.0", DockerProbe::kPlainHttp);
  e.source = "systemd unit";
  e.path = "/etc/systemd/system/docker.service.d/override.conf";
  e.line = 3;
  const auto out = Judge(e);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["fix_file"], e.path);
}

}  // namespace
}  // namespace deminer
