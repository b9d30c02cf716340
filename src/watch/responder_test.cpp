#include "watch/responder.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "core/test_dir.h"
#include "sources/proc_reader.h"

namespace deminer {
namespace {

Finding MinerFinding(int pid, std::string path) {
  Finding f;
  f.check = "proc.miner";
  f.severity = Severity::kCritical;
  f.subject = "pid " + std::to_string(pid);
  f.path = std::move(path);
  f.evidence["pid"] = pid;
  return f;
}

Policy KillAndQuarantine() {
  Policy p;
  p.check = "proc.*";
  p.process = Response::kKill;
  p.quarantine = true;
  return p;
}

class ResponderTest : public testing::Test {
 protected:
  void SetUp() override {
    file_ = dir_ / "xmrig";
    std::ofstream(file_) << "imitation\n";
    child_ = fork();
    ASSERT_GE(child_, 0);
    if (child_ == 0) {
      pause();
      _exit(0);
    }
  }
  void TearDown() override {
    if (child_ > 0) {
      kill(child_, SIGKILL);
      waitpid(child_, nullptr, 0);
    }
  }
  ResponderOptions Options(std::vector<Policy> policies) const {
    ResponderOptions o;
    o.policies = std::move(policies);
    o.state_dir = dir_ / "state";
    o.self_pid = getpid();
    return o;
  }
  TestDir dir_{"/var/tmp/deminer-responder-test"};
  std::string file_;
  pid_t child_ = -1;
};

TEST_F(ResponderTest, DoesWhatThePolicySaysAndRecordsIt) {
  Responder r(Options({KillAndQuarantine()}));
  const auto done = r.Respond(MinerFinding(child_, file_), nullptr);
  ASSERT_TRUE(done.is_array()) << done.dump();
  ASSERT_EQ(done.size(), 2u);
  EXPECT_EQ(done[0]["action"], "kill");
  EXPECT_EQ(done[0]["result"], "done");
  EXPECT_EQ(done[1]["action"], "quarantine");
  EXPECT_EQ(done[1]["result"], "done");
  EXPECT_FALSE(std::filesystem::exists(file_));
  EXPECT_EQ(r.done(), 2u);
  int status = 0;
  ASSERT_EQ(waitpid(child_, &status, 0), child_);
  child_ = -1;
  EXPECT_TRUE(WIFSIGNALED(status));
}

TEST_F(ResponderTest, DryRunAndTheAllowListHoldEveryActionBack) {
  ResponderOptions o = Options({KillAndQuarantine()});
  o.dry_run = true;
  const auto dry = Responder(o).Respond(MinerFinding(child_, file_), nullptr);
  ASSERT_EQ(dry.size(), 2u);
  EXPECT_EQ(dry[0]["result"], "dry run: not done");
  EXPECT_EQ(dry[1]["result"], "dry run: not done");
  o.dry_run = false;
  o.allow = {file_};
  const auto allowed = Responder(o).Respond(MinerFinding(child_, file_), nullptr);
  EXPECT_EQ(allowed[1]["result"], "refused: in the allow-list (" + file_ + ")");
  EXPECT_TRUE(std::filesystem::exists(file_));
  EXPECT_EQ(kill(child_, 0), 0) << "still running";
}

TEST_F(ResponderTest, NothingWhenNoPolicyMatches) {
  Policy high_net;
  high_net.check = "net.*";
  high_net.block = true;
  EXPECT_TRUE(
      Responder(Options({high_net})).Respond(MinerFinding(child_, file_), nullptr).is_null());
  EXPECT_TRUE(Responder(Options({})).Respond(MinerFinding(child_, file_), nullptr).is_null());
  Finding low = MinerFinding(child_, file_);
  low.severity = Severity::kHigh;  // under the policy's critical floor
  EXPECT_TRUE(Responder(Options({KillAndQuarantine()})).Respond(low, nullptr).is_null());
}

TEST_F(ResponderTest, AGoneProcessIsSaidSo) {
  kill(child_, SIGKILL);
  waitpid(child_, nullptr, 0);
  const pid_t gone = child_;
  child_ = -1;
  Policy kill_only;
  kill_only.process = Response::kKill;
  const auto done = Responder(Options({kill_only})).Respond(MinerFinding(gone, ""), nullptr);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0]["result"], "process gone");
}

}  // namespace
}  // namespace deminer
