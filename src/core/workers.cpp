#include "core/workers.h"

#include <system_error>
#include <thread>
#include <vector>

namespace deminer {

void RunOnThreads(unsigned n, const std::function<void()>& job) {
  std::vector<std::thread> pool;
  for (unsigned t = 1; t < n; ++t) {
    try {
      pool.emplace_back(job);
    } catch (const std::system_error&) {
      break;  // no more threads to be had: the calling thread does the rest
    }
  }
  job();
  for (auto& t : pool) t.join();
}

}  // namespace deminer
