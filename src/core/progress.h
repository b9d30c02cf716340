// A one-line progress bar on stderr for long work ("verifying 812/3021
// packages [=====>    ] 27%"), redrawn at most ten times a second and cleared
// when the work ends. Silent when stderr is not a terminal, so machine output
// and logs never see it. Thread-safe: workers call Add() concurrently.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>

namespace deminer {

class Progress {
 public:
  // `verb` and `unit` frame the line: "<verb> done/total <unit> [bar] pct%".
  // Draws on stderr when it is a terminal.
  Progress(std::string verb, std::string unit, uint64_t total);
  // For tests: draws on `fd` when `enabled`, whatever it is.
  Progress(std::string verb, std::string unit, uint64_t total, int fd, bool enabled);
  ~Progress();  // clears the line
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void Add(uint64_t n = 1);
  // Clears the line now (to print a message above it); the next Add redraws it.
  void Clear();
  uint64_t done() const { return done_.load(); }

  // The text of the line for done/total, without control characters. Pure.
  static std::string Line(const std::string& verb, const std::string& unit, uint64_t done,
                          uint64_t total, int width = 30);

 private:
  void Draw(bool force);
  std::string verb_;
  std::string unit_;
  uint64_t total_;
  int fd_;
  bool enabled_;
  std::atomic<uint64_t> done_{0};
  std::mutex mutex_;
  std::chrono::steady_clock::time_point last_{};
  bool drawn_ = false;
};

}  // namespace deminer
