#include "sources/proc_parse.h"

#include <gtest/gtest.h>

namespace deminer {
namespace {

TEST(ParseStatTest, ReadsFieldsAndCommWithSpacesAndParens) {
  const std::string stat =
      "4242 (evil) (x y)) S 4000 4242 4242 0 -1 4194560 120 0 0 0 1500 250 0 0 20 0 7 0 "
      "987654 1000000 100 18446744073709551615\n";
  const auto f = ParseStat(stat);
  ASSERT_TRUE(f.has_value()) << f.error().message();
  EXPECT_EQ(f->pid, 4242);
  EXPECT_EQ(f->comm, "evil) (x y)");
  EXPECT_EQ(f->state, 'S');
  EXPECT_EQ(f->ppid, 4000);
  EXPECT_EQ(f->utime, 1500u);
  EXPECT_EQ(f->stime, 250u);
  EXPECT_EQ(f->threads, 7u);
  EXPECT_EQ(f->start_ticks, 987654u);
  EXPECT_EQ(f->flags & kPfKthread, 0u);
}

TEST(ParseStatTest, RecognisesKernelThreadFlag) {
  const std::string stat =
      "9 (kworker/0:0-events) I 2 0 0 0 -1 69238880 0 0 0 0 0 0 0 0 20 0 1 0 3 0 0 "
      "18446744073709551615\n";
  const auto f = ParseStat(stat);
  ASSERT_TRUE(f.has_value());
  EXPECT_NE(f->flags & kPfKthread, 0u);
  EXPECT_EQ(f->ppid, 2);
}

TEST(ParseStatTest, RejectsMalformedInput) {
  for (const char* bad : {"", "12", "12 (x", "x (y) S 1",
                          "12 (x) S notanumber 1 2 3 4 5 6 7 8 9 "
                          "10 11 12 13 14 15 16 17 18 19 20"}) {
    EXPECT_FALSE(ParseStat(bad).has_value()) << bad;
  }
}

TEST(ParseStatusTest, ReadsRealUidAndHugePages) {
  const auto f = ParseStatus("Name:\txmrig\nUid:\t1001\t0\t0\t0\nHugetlbPages:\t 2359296 kB\n");
  EXPECT_EQ(f.uid, 1001u);
  EXPECT_EQ(f.hugetlb_kb, 2359296u);
}

TEST(ParseCmdlineTest, SplitsOnNulAndDropsTrailingNul) {
  constexpr char kRaw[] = "/tmp/javae\0-o\0pool.supportxmr.com:443\0";
  const std::string raw(kRaw, sizeof kRaw - 1);
  const auto argv = ParseCmdline(raw);
  ASSERT_EQ(argv.size(), 3u);
  EXPECT_EQ(argv[0], "/tmp/javae");
  EXPECT_EQ(argv[2], "pool.supportxmr.com:443");
  EXPECT_TRUE(ParseCmdline("").empty());
}

struct CgroupCase {
  const char* name;
  const char* text;
  const char* runtime;  // nullptr: no container
  const char* id;
};

constexpr const char* kId = "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe";

class ParseCgroupTest : public testing::TestWithParam<CgroupCase> {};

TEST_P(ParseCgroupTest, FindsContainer) {
  const CgroupCase& c = GetParam();
  const auto got = ParseCgroup(c.text);
  if (c.runtime == nullptr) {
    EXPECT_FALSE(got.has_value()) << c.name;
    return;
  }
  ASSERT_TRUE(got.has_value()) << c.name;
  EXPECT_EQ(got->runtime, c.runtime);
  EXPECT_EQ(got->id, c.id);
}

INSTANTIATE_TEST_SUITE_P(
    Runtimes, ParseCgroupTest,
    testing::Values(
        CgroupCase{
            "docker_v1_cgroupfs",
            "12:pids:/docker/84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n"
            "1:name=systemd:/docker/"
            "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
            "docker", kId},
        CgroupCase{
            "docker_v2_systemd",
            "0::/system.slice/"
            "docker-84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe.scope\n",
            "docker", kId},
        CgroupCase{"podman_cgroupfs_v1",
                   "9:name=systemd:/libpod_parent/"
                   "libpod-84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
                   "podman", kId},
        CgroupCase{"podman_systemd_v2",
                   "0::/machine.slice/"
                   "libpod-84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe.scope/"
                   "container\n",
                   "podman", kId},
        CgroupCase{"podman_conmon_is_not_a_container",
                   "0::/machine.slice/"
                   "libpod-conmon-84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe."
                   "scope\n",
                   nullptr, nullptr},
        CgroupCase{"containerd_kubernetes",
                   "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod1.slice/"
                   "cri-containerd-"
                   "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe.scope\n",
                   "containerd", kId},
        CgroupCase{"kubepods_cgroupfs",
                   "4:memory:/kubepods/besteffort/pod1234/"
                   "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
                   "kubernetes", kId},
        CgroupCase{"crio",
                   "0::/kubepods.slice/"
                   "crio-84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe.scope\n",
                   "cri-o", kId},
        CgroupCase{"host_process", "0::/user.slice/user-1000.slice/session-2.scope\n", nullptr,
                   nullptr},
        // A 32-hex sandbox group (this CI machine's own) is not a container.
        CgroupCase{"other_hex_group",
                   "4:memory:/process_api/b55f472afb46991aea1b937d39748974\n0::/\n", nullptr,
                   nullptr},
        CgroupCase{"garbage", "::::\n\n:x\n", nullptr, nullptr},
        CgroupCase{
            "containerd_cgroupfs_systemd_names",
            "0::/system.slice/containerd.service/kubepods-besteffort-pod1.slice:cri-containerd:"
            "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
            "containerd", kId},
        CgroupCase{
            "docker_in_docker_innermost",
            "0::/docker/1111111111111111111111111111111111111111111111111111111111111111/docker/"
            "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
            "docker", kId},
        CgroupCase{"amazon_ecs",
                   "0::/ecs/5a0d5ceddf6c44c1928d367a815d890f/"
                   "84bfa30fbfeee7d2bfade6e8267b6427e0e4317d6084ed98b7e6670c7dbabafe\n",
                   "ecs", kId}),
    [](const testing::TestParamInfo<CgroupCase>& tpi) { return tpi.param.name; });

TEST(ParseBracketInodeTest, ParsesNamespaceAndSocketLinks) {
  EXPECT_EQ(ParseBracketInode("net:[4026531833]", "net"), 4026531833u);
  EXPECT_EQ(ParseBracketInode("socket:[123]", "socket"), 123u);
  EXPECT_FALSE(ParseBracketInode("pipe:[123]", "socket").has_value());
  EXPECT_FALSE(ParseBracketInode("socket:[12", "socket").has_value());
  EXPECT_FALSE(ParseBracketInode("/dev/null", "socket").has_value());
}

TEST(ParseProcNetTest, ParsesIpv4AndIpv6Rows) {
  const std::string tcp =
      "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout "
      "inode\n"
      "   0: 0100007F:A1B2 0100007F:0D05 01 00000000:00000000 00:00000000 00000000  1000        0 "
      "55555 1 0000000000000000 20 4 30 10 -1\n";
  const auto v4 = ParseProcNet(tcp, Proto::kTcp, 4);
  ASSERT_TRUE(v4.has_value()) << v4.error().message();
  ASSERT_EQ(v4->size(), 1u);
  EXPECT_EQ((*v4)[0].local_addr, "127.0.0.1");
  EXPECT_EQ((*v4)[0].local_port, 0xA1B2);
  EXPECT_EQ((*v4)[0].remote_port, 3333);
  EXPECT_EQ((*v4)[0].state, 1);
  EXPECT_EQ((*v4)[0].uid, 1000u);
  EXPECT_EQ((*v4)[0].inode, 55555u);

  const std::string tcp6 =
      "  sl  local_address                         remote_address                        st "
      "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A "
      "00000000:00000000 00:00000000 00000000     0        0 777 1 0000000000000000 100 0 0 10 0\n";
  const auto v6 = ParseProcNet(tcp6, Proto::kTcp, 6);
  ASSERT_TRUE(v6.has_value()) << v6.error().message();
  ASSERT_EQ(v6->size(), 1u);
  EXPECT_EQ((*v6)[0].local_addr, "::1");
  EXPECT_EQ((*v6)[0].local_port, 8080);
  EXPECT_TRUE((*v6)[0].Listening());
}

TEST(ParseProcNetTest, UnmapsIpv4PeersOfDualStackSockets) {
  const std::string tcp6 =
      "  sl  local_address                         remote_address                        st "
      "tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
      "   0: 0000000000000000FFFF00000500000A:A1B2 0000000000000000FFFF0000104A3E48:1151 01 "
      "00000000:00000000 00:00000000 00000000     0        0 778 1 0000000000000000 100 0 0 10 0\n";
  const auto v6 = ParseProcNet(tcp6, Proto::kTcp, 6);
  ASSERT_TRUE(v6.has_value()) << v6.error().message();
  ASSERT_EQ(v6->size(), 1u);
  EXPECT_EQ((*v6)[0].remote_addr, "72.62.74.16");
  EXPECT_EQ((*v6)[0].remote_port, 4433);
  EXPECT_EQ((*v6)[0].local_addr, "10.0.0.5");
}

TEST(ParseProcNetTest, RejectsTruncatedRows) {
  const std::string bad = "header\n   0: 0100007F:A1B2 0100007F\n";
  EXPECT_FALSE(ParseProcNet(bad, Proto::kTcp, 4).has_value());
  EXPECT_FALSE(ParseProcNet("h\n 0: ZZZZ:1 0:0 01 0 0 0 0 0 1\n", Proto::kTcp, 4).has_value());
}

}  // namespace
}  // namespace deminer

namespace deminer {
namespace {

TEST(ParseMountInfoTest, OverlayUpperdirAndTmpfs) {
  const auto mounts = ParseMountInfo(
      "1057 980 0:112 / / rw,relatime master:1 - overlay overlay "
      "rw,lowerdir=/var/lib/docker/overlay2/l/A:/var/lib/docker/overlay2/l/B,upperdir=/var/lib/"
      "docker/overlay2/abc/diff,workdir=/var/lib/docker/overlay2/abc/work\n"
      "1060 1057 0:115 / /tmp rw,nosuid,nodev,noexec - tmpfs tmpfs rw,size=65536k\n"
      "1061 1057 0:116 / /my\\040dir rw - ext4 /dev/vda rw\n"
      "garbage line\n");
  ASSERT_EQ(mounts.size(), 3u);
  EXPECT_EQ(mounts[0].mount_point, "/");
  EXPECT_EQ(mounts[0].SuperOption("upperdir"), "/var/lib/docker/overlay2/abc/diff");
  EXPECT_EQ(mounts[0].SuperOption("nope"), "");
  EXPECT_EQ(mounts[1].fstype, "tmpfs");
  EXPECT_EQ(mounts[1].options, "rw,nosuid,nodev,noexec");
  EXPECT_EQ(mounts[2].mount_point, "/my dir");
}

}  // namespace
}  // namespace deminer
