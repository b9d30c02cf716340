#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerCapabilities;
namespace {

TEST(ContainerCapabilitiesCheckTest, DangerousAddsAndKeptDefaults) {
  ContainerConfig c = HardenedContainer("web");
  c.cap_drop.clear();
  c.cap_add = {"SYS_ADMIN", "NET_BIND_SERVICE"};
  const auto out = RunOnConfigs(kContainerCapabilities, {c, HardenedContainer()});
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(out[0].severity, Severity::kHigh);
  EXPECT_EQ(out[0].evidence["dangerous_capabilities"],
            nlohmann::ordered_json::array({"SYS_ADMIN"}));
  EXPECT_EQ(out[1].severity, Severity::kLow);
  EXPECT_EQ(out[1].evidence["effective_capabilities"].size(), 15u);  // 14 defaults + SYS_ADMIN
}

TEST(ContainerCapabilitiesCheckTest, PodmansExpandedDropOfAllCounts) {
  ContainerConfig c = HardenedContainer();
  // What Podman answers for --cap-drop ALL: its defaults, without AUDIT_WRITE, MKNOD, NET_RAW.
  c.cap_drop = {"CHOWN",   "DAC_OVERRIDE", "FOWNER",  "FSETID", "KILL",      "NET_BIND_SERVICE",
                "SETFCAP", "SETGID",       "SETPCAP", "SETUID", "SYS_CHROOT"};
  EXPECT_TRUE(RunOnConfigs(kContainerCapabilities, {c}).empty());
  c.cap_drop.pop_back();
  EXPECT_EQ(RunOnConfigs(kContainerCapabilities, {c}).size(), 1u);
}

}  // namespace
}  // namespace deminer
