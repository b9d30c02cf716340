#include <gtest/gtest.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kHostRandomxTuning;
namespace {

TEST(HostRandomxTuningCheckTest, GradesEachSignal) {
  Facts none = BaseFacts();
  EXPECT_TRUE(RunCheck(kHostRandomxTuning, none).empty());

  Facts huge = BaseFacts();
  huge.host.nr_hugepages = 1280;
  huge.host.msr_module_loaded = false;
  auto out = RunCheck(kHostRandomxTuning, huge);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kLow);

  Facts both = BaseFacts();
  both.host.nr_hugepages = 1280;
  both.host.msr_module_loaded = true;
  out = RunCheck(kHostRandomxTuning, both);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(out[0].severity, Severity::kMedium);
}

}  // namespace
}  // namespace deminer
