#include <gtest/gtest.h>
#include <netinet/tcp.h>

#include "checks/test_facts.h"

namespace deminer {
extern const Check kNetPoolConnection;
namespace {

// From 10.0.0.5:41000, as the subjects below expect.
Socket Conn(std::string remote, uint16_t port, uint64_t inode, int state = TCP_ESTABLISHED) {
  Socket s = MakeSocket(std::move(remote), port, inode, state);
  s.local_port = 41000;
  return s;
}

TEST(NetPoolConnectionCheckTest, GradesByPortAddressAndOwner) {
  Facts facts = BaseFacts();
  Process miner = MakeProcess(812, 700, {"/tmp/xmrig", "--donate-level=1", "-a", "rx/0"});
  miner.socket_inodes = {1};
  Process app = MakeProcess(813, 1, {"/usr/bin/app"});
  app.socket_inodes = {2, 3};
  facts.processes.insert(facts.processes.end(), {miner, app});
  facts.sockets = {Conn("198.51.100.7", 3333, 1), Conn("198.51.100.8", 3333, 2),
                   Conn("198.51.100.9", 443, 3), Conn("198.51.100.10", 3333, 4, TCP_TIME_WAIT)};
  facts.pool_addresses["198.51.100.9"] = "pool.supportxmr.com";
  facts.sockets[0].pids = {812};
  facts.sockets[1].pids = {813};
  facts.sockets[2].pids = {813};
  const auto out = RunCheck(kNetPoolConnection, facts);
  ASSERT_EQ(out.size(), 3u);                        // the TIME_WAIT socket is no connection
  EXPECT_EQ(out[0].severity, Severity::kCritical);  // miner-looking owner on a pool port
  EXPECT_EQ(out[0].subject, "tcp 10.0.0.5:41000 -> 198.51.100.7:3333 (pid 812 xmrig)");
  EXPECT_EQ(out[0].evidence["process"]["ancestry"][0]["cmdline"], "node server.js");
  EXPECT_EQ(out[1].severity, Severity::kMedium);    // port alone
  EXPECT_EQ(out[2].severity, Severity::kCritical);  // resolved pool address
  EXPECT_EQ(out[2].evidence["pool_domain"], "pool.supportxmr.com");
}

TEST(NetPoolConnectionCheckTest, IgnoresListenersAndOtherPorts) {
  Facts facts = BaseFacts();
  Socket listen = Conn("0.0.0.0", 0, 5, TCP_LISTEN);
  listen.local_port = 3333;
  facts.sockets = {listen, Conn("198.51.100.7", 443, 6), Conn("198.51.100.7", 5432, 7)};
  EXPECT_TRUE(RunCheck(kNetPoolConnection, facts).empty());
}

}  // namespace
}  // namespace deminer
