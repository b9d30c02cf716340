#include "core/strings.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(UrlHostTest, StripsSchemeUserPortAndPath) {
  EXPECT_EQ(UrlHost("https://User:pw@Mirror.Corp.Test:8443/npm/-/a-1.0.0.tgz"), "mirror.corp.test");
  EXPECT_EQ(UrlHost("pool.supportxmr.com:443"), "pool.supportxmr.com");
  EXPECT_EQ(UrlHost("http://[::1]:4873/"), "[::1]");
  EXPECT_EQ(UrlHost("https://host.test?x=a@b"), "host.test");
  EXPECT_EQ(UrlHost(""), "");
}

}  // namespace
}  // namespace deminer
