#include "watch/proc_events.h"

#include <gtest/gtest.h>
#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>

#include <cstring>
#include <string>

namespace deminer {
namespace {

// One datagram as the kernel sends it: nlmsghdr, cn_msg, proc_event.
std::string Datagram(const proc_event& ev, uint32_t len_override = 0) {
  std::string buf(NLMSG_LENGTH(sizeof(cn_msg) + sizeof ev), '\0');
  nlmsghdr h{};
  h.nlmsg_len = len_override != 0 ? len_override : static_cast<uint32_t>(buf.size());
  h.nlmsg_type = NLMSG_DONE;
  cn_msg m{};
  m.id.idx = CN_IDX_PROC;
  m.id.val = CN_VAL_PROC;
  m.len = sizeof ev;
  std::memcpy(buf.data(), &h, sizeof h);
  std::memcpy(buf.data() + NLMSG_HDRLEN, &m, sizeof m);
  std::memcpy(buf.data() + NLMSG_HDRLEN + sizeof m, &ev, sizeof ev);
  return buf;
}

TEST(ProcEventsTest, ParsesExecForkAndExitOfProcessesNotThreads) {
  proc_event exec{};
  exec.what = proc_event::PROC_EVENT_EXEC;
  exec.timestamp_ns = 77;
  exec.event_data.exec.process_pid = 812;
  exec.event_data.exec.process_tgid = 812;
  proc_event fork{};
  fork.what = proc_event::PROC_EVENT_FORK;
  fork.event_data.fork.parent_tgid = 1;
  fork.event_data.fork.child_pid = 900;
  fork.event_data.fork.child_tgid = 900;
  proc_event thread = fork;
  thread.event_data.fork.child_pid = 901;  // a thread of 900
  proc_event exit{};
  exit.what = proc_event::PROC_EVENT_EXIT;
  exit.event_data.exit.process_pid = 812;
  exit.event_data.exit.process_tgid = 812;
  std::string all = Datagram(exec) + Datagram(fork) + Datagram(thread) + Datagram(exit);
  std::vector<ProcEvent> out;
  ParseProcEvents(all.data(), all.size(), out);
  ASSERT_EQ(out.size(), 3u);
  EXPECT_EQ(out[0].what, ProcEvent::What::kExec);
  EXPECT_EQ(out[0].pid, 812);
  EXPECT_EQ(out[0].ns, 77u);
  EXPECT_EQ(out[1].what, ProcEvent::What::kFork);
  EXPECT_EQ(out[1].pid, 900);
  EXPECT_EQ(out[1].parent, 1);
  EXPECT_EQ(out[2].what, ProcEvent::What::kExit);
}

TEST(ProcEventsTest, TruncatedAndLyingLengthsAreSkipped) {
  proc_event exec{};
  exec.what = proc_event::PROC_EVENT_EXEC;
  exec.event_data.exec.process_tgid = 5;
  const std::string good = Datagram(exec);
  std::vector<ProcEvent> out;
  for (size_t n = 0; n < good.size(); ++n) ParseProcEvents(good.data(), n, out);
  const std::string lying = Datagram(exec, 1 << 20);
  ParseProcEvents(lying.data(), lying.size(), out);
  const std::string tiny = Datagram(exec, 3);
  ParseProcEvents(tiny.data(), tiny.size(), out);
  EXPECT_TRUE(out.empty());
}

TEST(ProcEventsTest, PaddingPastTheDatagramsEndStopsTheWalk) {
  // Found by watch_fuzzer: an unaligned last length whose padding runs past
  // the end made the walk read beyond the buffer.
  proc_event exec{};
  exec.what = proc_event::PROC_EVENT_EXEC;
  exec.event_data.exec.process_tgid = 7;
  const std::string good = Datagram(exec);
  const std::string odd = Datagram(exec, static_cast<uint32_t>(good.size() - 1));
  std::vector<ProcEvent> out;
  ParseProcEvents(odd.data(), odd.size() - 1, out);
  ASSERT_LE(out.size(), 1u);
  if (!out.empty()) {
    EXPECT_EQ(out[0].pid, 7);
  }
}

TEST(ProcEventsTest, SeesARealExec) {
  auto events = ProcEvents::Open();
  if (!events) GTEST_SKIP() << "no process events connector here: " << events.error().message();
  ASSERT_EQ(system("/bin/true"), 0);
  std::vector<ProcEvent> out;
  for (int i = 0; i < 50 && out.empty(); ++i) {
    ASSERT_TRUE(events->Read(out));
    std::erase_if(out, [](const ProcEvent& e) { return e.what != ProcEvent::What::kExec; });
    if (out.empty()) usleep(10000);
  }
  EXPECT_FALSE(out.empty());
}

}  // namespace
}  // namespace deminer
