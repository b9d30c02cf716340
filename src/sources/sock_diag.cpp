#include "sources/sock_diag.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <fmt/format.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sched.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <system_error>
#include <thread>

namespace deminer {
namespace {

// The NLMSG_* macros of <linux/netlink.h>, without their C casts and sign mixing.
constexpr size_t Align(size_t len) {
  return (len + NLMSG_ALIGNTO - 1) & ~size_t{NLMSG_ALIGNTO - 1};
}
constexpr size_t kHeaderLen = Align(sizeof(nlmsghdr));
bool MessageOk(const nlmsghdr* h, size_t remaining) {
  return remaining >= sizeof(nlmsghdr) && h->nlmsg_len >= sizeof(nlmsghdr) &&
         h->nlmsg_len <= remaining;
}
const void* MessageData(const nlmsghdr* h) { return reinterpret_cast<const char*>(h) + kHeaderLen; }

}  // namespace

Expected<SockDiag> SockDiag::Open() {
  const int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return Fail(Error::FromErrno(errno, "netlink sock_diag socket"));
  return SockDiag(fd);
}

Expected<SockDiag> SockDiag::OpenIn(const std::string& ns_path) {
  const int nsfd = open(ns_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (nsfd < 0) return Fail(Error::FromErrno(errno, ns_path));
  // setns changes only the calling thread's namespace, so a short-lived thread
  // enters it, creates the socket there and ends; the socket keeps the namespace.
  int fd = -1;
  int err = 0;
  try {
    std::thread([&] {
      if (setns(nsfd, CLONE_NEWNET) != 0) {
        err = errno;
        return;
      }
      fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
      if (fd < 0) err = errno;
    }).join();
  } catch (const std::system_error& e) {
    err = e.code().value();  // no thread to be had; the caller falls back to /proc
  }
  close(nsfd);
  if (fd < 0) return Fail(Error::FromErrno(err, "setns " + ns_path));
  return SockDiag(fd);
}

SockDiag& SockDiag::operator=(SockDiag&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

SockDiag::~SockDiag() {
  if (fd_ >= 0) close(fd_);
}

Expected<std::vector<Socket>> SockDiag::DumpAll() {
  std::vector<Socket> out;
  for (const int family : {AF_INET, AF_INET6}) {
    for (const int proto : {IPPROTO_TCP, IPPROTO_UDP}) {
      // A dump the kernel marks interrupted (sockets changed under it) is
      // taken again once, whole.
      const size_t before = out.size();
      auto r = Dump(family, proto, out);
      if (!r && r.error().code() == ErrorCode::kUnavailable) {
        out.resize(before);
        r = Dump(family, proto, out);
      }
      if (!r) return Fail(r.error());
    }
  }
  return out;
}

Expected<void> SockDiag::Dump(int family, int protocol, std::vector<Socket>& out) {
  struct {
    nlmsghdr nlh;
    inet_diag_req_v2 req;
  } request{};
  request.nlh.nlmsg_len = sizeof request;
  request.nlh.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  request.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
  request.nlh.nlmsg_seq = 1;
  request.req.sdiag_family = static_cast<__u8>(family);
  request.req.sdiag_protocol = static_cast<__u8>(protocol);
  request.req.idiag_states = ~0U;

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;
  if (sendto(fd_, &request, sizeof request, 0, reinterpret_cast<sockaddr*>(&kernel),
             sizeof kernel) < 0) {
    return Fail(Error::FromErrno(errno, "sock_diag request"));
  }

  alignas(nlmsghdr) static thread_local std::array<char, size_t{64} << 10> buf;
  bool interrupted = false;
  while (true) {
    const ssize_t n = recv(fd_, buf.data(), buf.size(), 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      return Fail(Error::FromErrno(errno, "sock_diag recv"));
    }
    if (n == 0) break;
    size_t remaining = static_cast<size_t>(n);
    for (const auto* h = reinterpret_cast<const nlmsghdr*>(buf.data()); MessageOk(h, remaining);
         remaining -= std::min(remaining, Align(h->nlmsg_len)),
                     h = reinterpret_cast<const nlmsghdr*>(reinterpret_cast<const char*>(h) +
                                                           Align(h->nlmsg_len))) {
      interrupted = interrupted || (h->nlmsg_flags & NLM_F_DUMP_INTR) != 0;
      if (h->nlmsg_type == NLMSG_DONE) {
        if (interrupted) return Fail(Error::Unavailable("sock_diag dump interrupted"));
        return {};
      }
      if (h->nlmsg_type == NLMSG_ERROR) {
        if (h->nlmsg_len < kHeaderLen + sizeof(nlmsgerr)) {
          return Fail(Error::Io("sock_diag: truncated error message"));
        }
        const auto* e = static_cast<const nlmsgerr*>(MessageData(h));
        // Protocols the kernel lacks (UDP diag is a module) answer ENOENT.
        if (e->error == -ENOENT) return {};
        return Fail(Error::FromErrno(-e->error, "sock_diag dump"));
      }
      if (h->nlmsg_len < kHeaderLen + sizeof(inet_diag_msg)) continue;
      const auto* m = static_cast<const inet_diag_msg*>(MessageData(h));
      Socket s;
      s.proto = protocol == IPPROTO_TCP ? Proto::kTcp : Proto::kUdp;
      s.family = m->idiag_family == AF_INET ? 4 : 6;
      std::array<char, INET6_ADDRSTRLEN> a{};
      inet_ntop(m->idiag_family, m->id.idiag_src, a.data(), static_cast<socklen_t>(a.size()));
      s.local_addr = a.data();
      inet_ntop(m->idiag_family, m->id.idiag_dst, a.data(), static_cast<socklen_t>(a.size()));
      s.remote_addr = a.data();
      UnmapIpv4(s.local_addr);
      UnmapIpv4(s.remote_addr);
      s.local_port = ntohs(m->id.idiag_sport);
      s.remote_port = ntohs(m->id.idiag_dport);
      s.state = m->idiag_state;
      s.uid = m->idiag_uid;
      s.inode = m->idiag_inode;
      out.push_back(std::move(s));
    }
  }
  return {};
}

}  // namespace deminer
