#include "watch/proc_events.h"

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>

namespace deminer {

ProcEvents& ProcEvents::operator=(ProcEvents&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

ProcEvents::~ProcEvents() {
  if (fd_ >= 0) close(fd_);
}

Expected<ProcEvents> ProcEvents::Open() {
  const int fd = socket(PF_NETLINK, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_CONNECTOR);
  if (fd < 0) return Fail(Error::FromErrno(errno, "netlink connector socket"));
  ProcEvents events(fd);
  sockaddr_nl addr{};
  addr.nl_family = AF_NETLINK;
  addr.nl_groups = CN_IDX_PROC;
  addr.nl_pid = 0;  // the kernel assigns a port id
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    return Fail(Error::FromErrno(errno, "bind to the process events connector"));
  }
  // A bigger receive buffer rides out bursts (a build forks thousands a second).
  const int rcvbuf = 4 << 20;
  setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

  // nlmsghdr, cn_msg (its data is a flexible array), then the operation and,
  // since Linux 6.6, the events wanted (struct proc_input, declared here for
  // older headers): only execs, so forks and exits cost the host no delivery
  // and the daemon no wake-up. Older kernels take the operation alone from
  // the first 4 bytes and send every event, which Read filters.
  struct ProcInput {
    uint32_t op;
    uint32_t events;
  };
  alignas(nlmsghdr) char request[NLMSG_LENGTH(sizeof(cn_msg) + sizeof(ProcInput))] = {};
  nlmsghdr header{};
  header.nlmsg_len = sizeof request;
  header.nlmsg_type = NLMSG_DONE;
  cn_msg message{};
  message.id.idx = CN_IDX_PROC;
  message.id.val = CN_VAL_PROC;
  message.len = sizeof(ProcInput);
  const ProcInput input{PROC_CN_MCAST_LISTEN, proc_event::PROC_EVENT_EXEC};
  std::memcpy(request, &header, sizeof header);
  std::memcpy(request + NLMSG_HDRLEN, &message, sizeof message);
  std::memcpy(request + NLMSG_HDRLEN + sizeof message, &input, sizeof input);
  if (send(fd, request, sizeof request, 0) < 0) {
    return Fail(Error::FromErrno(errno, "subscribe to process events"));
  }
  return events;
}

void ParseProcEvents(const char* data, size_t size, std::vector<ProcEvent>& out) {
  // Read field by field with memcpy: the datagram's bytes come unaligned from
  // the caller's point of view, and the kernel's structs end in flexible arrays.
  size_t at = 0;
  while (at < size && size - at >= sizeof(nlmsghdr)) {
    nlmsghdr h{};
    std::memcpy(&h, data + at, sizeof h);
    if (h.nlmsg_len < sizeof h || h.nlmsg_len > size - at) return;
    // The last message's padding may run past the datagram's end.
    const size_t next = std::min(size, at + NLMSG_ALIGN(h.nlmsg_len));
    const size_t body = at + NLMSG_HDRLEN;
    const size_t end = at + h.nlmsg_len;
    at = next;
    if (h.nlmsg_type == NLMSG_ERROR || h.nlmsg_type == NLMSG_NOOP) continue;
    if (end < body + sizeof(cn_msg)) continue;
    cn_msg msg{};
    std::memcpy(&msg, data + body, sizeof msg);
    if (msg.id.idx != CN_IDX_PROC || msg.id.val != CN_VAL_PROC) continue;
    const size_t payload = body + sizeof(cn_msg);
    const size_t len = std::min<size_t>(msg.len, end - payload);
    proc_event ev{};
    if (len < offsetof(proc_event, event_data)) continue;
    std::memcpy(&ev, data + payload, std::min(len, sizeof ev));
    ProcEvent e;
    e.ns = ev.timestamp_ns;
    switch (ev.what) {
      case proc_event::PROC_EVENT_FORK:
        // A new thread is not a new process.
        if (ev.event_data.fork.child_pid != ev.event_data.fork.child_tgid) continue;
        e.what = ProcEvent::What::kFork;
        e.pid = ev.event_data.fork.child_tgid;
        e.parent = ev.event_data.fork.parent_tgid;
        break;
      case proc_event::PROC_EVENT_EXEC:
        e.what = ProcEvent::What::kExec;
        e.pid = ev.event_data.exec.process_tgid;
        break;
      case proc_event::PROC_EVENT_EXIT:
        if (ev.event_data.exit.process_pid != ev.event_data.exit.process_tgid) continue;
        e.what = ProcEvent::What::kExit;
        e.pid = ev.event_data.exit.process_tgid;
        break;
      default:
        continue;
    }
    out.push_back(e);
  }
}

Expected<void> ProcEvents::Read(std::vector<ProcEvent>& out) {
  alignas(nlmsghdr) char buf[8192];
  while (true) {
    const ssize_t n = recv(fd_, buf, sizeof buf, 0);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return {};
      return Fail(Error::FromErrno(errno, "read process events"));
    }
    if (n == 0) return {};
    ParseProcEvents(buf, static_cast<size_t>(n), out);
  }
}

}  // namespace deminer
