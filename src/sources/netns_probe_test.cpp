#include "sources/netns_probe.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace deminer {
namespace {

// A loopback TCP listener on a free port, closed on destruction.
class LoopbackListener {
 public:
  LoopbackListener() {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 && listen(fd_, 8) == 0 &&
        getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
      port_ = ntohs(a.sin_port);
    }
  }
  ~LoopbackListener() { close(fd_); }
  uint16_t port() const { return port_; }

 private:
  int fd_ = -1;
  uint16_t port_ = 0;
};

TEST(NetnsProbeTest, AddressesAreInTheBenchmarkRangeAndDifferByPid) {
  const ProbeAddresses a = ProbeAddressesFor(1234);
  EXPECT_EQ(a.host4, "198.18.19.73");
  EXPECT_EQ(a.probe4, "198.18.19.74");
  EXPECT_EQ(a.host6, "fdde:4d1e:7e57:4d2::1");
  EXPECT_EQ(a.probe6, "fdde:4d1e:7e57:4d2::2");
  // The top of the /15 still fits.
  const ProbeAddresses top = ProbeAddressesFor(32767);
  EXPECT_EQ(top.host4, "198.19.255.253");
  EXPECT_EQ(top.probe4, "198.19.255.254");
  EXPECT_NE(ProbeAddressesFor(1).host4, ProbeAddressesFor(2).host4);
}

TEST(NetnsProbeTest, DestinationsByBoundAddress) {
  const ProbeAddresses a = ProbeAddressesFor(7);
  struct Case {
    int family;
    std::string bound;
    std::string want;  // "" when not probed
  };
  const Case cases[] = {
      {4, "0.0.0.0", a.host4},
      {4, "10.1.2.3", "10.1.2.3"},
      {4, "127.0.0.1", ""},
      {4, "127.0.0.53", ""},
      {4, "garbage", ""},
      {6, "::", a.host6},
      {6, "::1", ""},
      {6, "fe80::1%eth0", ""},
      {6, "2001:db8::5", "2001:db8::5"},
      {6, "::ffff:10.0.0.9", "10.0.0.9"},
      {6, "::ffff:127.0.0.1", ""},
  };
  for (const Case& c : cases) {
    const ProbeDestination d = ProbeDestinationFor(c.family, c.bound, a);
    EXPECT_EQ(d.address, c.want) << c.bound;
    EXPECT_EQ(d.why_not.empty(), !c.want.empty()) << c.bound << ": " << d.why_not;
  }
  EXPECT_NE(ProbeDestinationFor(4, "127.0.0.1", a).why_not.find("by construction"),
            std::string::npos);
}

TEST(NetnsProbeTest, WithoutIpv6NoIpv6Destination) {
  ProbeAddresses a = ProbeAddressesFor(7);
  a.host6.clear();
  const ProbeDestination d = ProbeDestinationFor(6, "::", a);
  EXPECT_TRUE(d.address.empty());
  EXPECT_NE(d.why_not.find("IPv6"), std::string::npos);
}

TEST(NetnsProbeTest, ProbeTcpTellsAnsweredFromRefusedOnLoopback) {
  LoopbackListener open;
  ASSERT_NE(open.port(), 0);
  uint16_t closed_port = 0;
  {
    LoopbackListener gone;  // a port that was free a moment ago
    closed_port = gone.port();
  }
  const auto results = ProbeTcp(
      {{4, "127.0.0.1", open.port()}, {4, "127.0.0.1", closed_port}, {4, "not-an-address", 80}},
      std::chrono::milliseconds(2000));
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].outcome, ProbeOutcome::kAnswered);
  EXPECT_EQ(results[1].outcome, ProbeOutcome::kRefused) << results[1].detail;
  EXPECT_EQ(results[2].outcome, ProbeOutcome::kError);
  EXPECT_EQ(ProbeOutcomeName(results[1].outcome), "refused");
}

TEST(NetnsProbeTest, ManyTargetsAreProbedInBatches) {
  LoopbackListener open;
  ASSERT_NE(open.port(), 0);
  std::vector<ProbeTarget> targets(300, ProbeTarget{4, "127.0.0.1", open.port()});
  const auto results = ProbeTcp(targets, std::chrono::milliseconds(200));
  ASSERT_EQ(results.size(), 300u);
  // The backlog of 8 may not take them all, but none is lost track of.
  size_t decided = 0;
  for (const ProbeResult& r : results) {
    if (r.outcome != ProbeOutcome::kError) ++decided;
  }
  EXPECT_EQ(decided, 300u);
  EXPECT_EQ(results[0].outcome, ProbeOutcome::kAnswered);
}

}  // namespace
}  // namespace deminer
