#include "watch/cpu_tracker.h"

namespace deminer {

std::vector<CpuTracker::Busy> CpuTracker::Add(const std::map<std::string, uint64_t>& ticks,
                                              double seconds, double ticks_per_second) {
  std::vector<Busy> busy;
  std::map<std::string, State> now;
  for (const auto& [key, t] : ticks) {
    State s{t, 0};
    if (const auto it = last_.find(key);
        it != last_.end() && seconds > 0 && t >= it->second.ticks) {
      const double cores = static_cast<double>(t - it->second.ticks) / ticks_per_second / seconds;
      if (cores >= threshold_) {
        s.streak = it->second.streak + 1;
        if (s.streak >= need_) busy.push_back({key, cores, s.streak});
      }
    }
    now.emplace(key, s);
  }
  last_ = std::move(now);
  return busy;
}

}  // namespace deminer
