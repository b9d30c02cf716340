#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kContainerImageTools;
namespace {

TEST(ContainerImageToolsCheckTest, FetchersNotShellsAlone) {
  ContainerConfig fetch = HardenedContainer("a");
  fetch.tools = {"curl /usr/bin/curl", "sh /bin/sh"};
  ContainerConfig shell = HardenedContainer("b");
  shell.tools = {"sh /bin/sh"};
  ContainerConfig unknown = HardenedContainer("c");
  unknown.tools = {"curl /usr/bin/curl"};
  unknown.tools_known = false;
  const auto out = RunOnConfigs(kContainerImageTools, {fetch, shell, unknown});
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].evidence["tools"][0], "curl /usr/bin/curl");
  EXPECT_EQ(out[0].evidence["shells"][0], "sh /bin/sh");
}

}  // namespace
}  // namespace deminer
