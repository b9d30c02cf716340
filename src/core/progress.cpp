#include "core/progress.h"

#include <fmt/format.h>
#include <unistd.h>

namespace deminer {
namespace {

void WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) return;  // a progress bar is not worth retrying or failing for
    off += static_cast<size_t>(n);
  }
}

}  // namespace

Progress::Progress(std::string verb, std::string unit, uint64_t total)
    : Progress(std::move(verb), std::move(unit), total, STDERR_FILENO, isatty(STDERR_FILENO) == 1) {}

Progress::Progress(std::string verb, std::string unit, uint64_t total, int fd, bool enabled)
    : verb_(std::move(verb)), unit_(std::move(unit)), total_(total), fd_(fd), enabled_(enabled) {}

Progress::~Progress() { Clear(); }

std::string Progress::Line(const std::string& verb, const std::string& unit, uint64_t done,
                           uint64_t total, int width) {
  if (done > total) done = total;
  const int pct = total == 0 ? 100 : static_cast<int>(done * 100 / total);
  const int filled = total == 0 ? width : static_cast<int>(done * width / total);
  std::string bar(static_cast<size_t>(filled), '=');
  if (filled < width) {
    bar += '>';
    bar.append(static_cast<size_t>(width - filled - 1), ' ');
  }
  return fmt::format("{} {}/{} {} [{}] {}%", verb, done, total, unit, bar, pct);
}

void Progress::Add(uint64_t n) {
  done_.fetch_add(n);
  if (enabled_) Draw(false);
}

void Progress::Draw(bool force) {
  std::unique_lock lock(mutex_, std::try_to_lock);
  if (!lock.owns_lock()) return;  // another thread is drawing; its line is as good
  const auto now = std::chrono::steady_clock::now();
  if (!force && drawn_ && now - last_ < std::chrono::milliseconds(100)) return;
  last_ = now;
  drawn_ = true;
  WriteAll(fd_, "\r\033[K" + Line(verb_, unit_, done_.load(), total_));
}

void Progress::Clear() {
  if (!enabled_) return;
  std::lock_guard lock(mutex_);
  if (!drawn_) return;
  WriteAll(fd_, "\r\033[K");
  drawn_ = false;
}

}  // namespace deminer
