#include "watch/nft_block.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include "core/subprocess.h"

namespace deminer {
namespace {

TEST(NftBlockTest, BlocksOnlyAddressesItIsSafeToBlock) {
  EXPECT_EQ(BlockableFamily("141.94.96.144"), 4);
  EXPECT_EQ(BlockableFamily("2001:db8::1"), 6);
  for (const char* bad :
       {"127.0.0.1", "127.9.9.9", "::1", "0.0.0.0", "::", "224.0.0.1", "255.255.255.255",
        "::ffff:1.2.3.4", "pool.supportxmr.com", "1.2.3.4; flush ruleset", "1.2.3.4 }", ""}) {
    EXPECT_EQ(BlockableFamily(bad), 0) << bad;
  }
}

TEST(NftBlockTest, AddsTheAddressToItsOwnTableWithATimeout) {
  if (getuid() != 0 || access("/usr/sbin/nft", X_OK) != 0) GTEST_SKIP() << "needs root and nft";
  const std::string table = "deminer_test_" + std::to_string(getpid());
  NftBlocker blocker("/usr/sbin/nft", table);
  auto r = blocker.Block("192.0.2.77", 60);
  if (!r && r.error().message().find("Operation not permitted") != std::string::npos) {
    GTEST_SKIP() << "nftables not allowed here: " << r.error().message();
  }
  ASSERT_TRUE(r) << r.error().message();
  ASSERT_TRUE(blocker.Block("2001:db8::77", 60));
  auto listed = RunTool({"/usr/sbin/nft", "list", "table", "inet", table});
  RunTool({"/usr/sbin/nft", "delete", "table", "inet", table});
  ASSERT_TRUE(listed);
  EXPECT_NE(listed->out.find("192.0.2.77"), std::string::npos) << listed->out;
  EXPECT_NE(listed->out.find("2001:db8::77"), std::string::npos) << listed->out;
  EXPECT_NE(listed->out.find("ip daddr @blocked4"), std::string::npos) << listed->out;
  EXPECT_FALSE(blocker.Block("127.0.0.1", 60));
}

}  // namespace
}  // namespace deminer
