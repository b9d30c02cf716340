#include "watch/respawn.h"

namespace deminer {

std::optional<RespawnTracker::Comeback> RespawnTracker::Ran(const std::string& name,
                                                            const std::string& sha256, int pid,
                                                            int64_t now_ms,
                                                            const std::function<bool(int)>& alive) {
  const std::string name_key = "n:" + name;
  const std::string hash_key = sha256.empty() ? "" : "h:" + sha256;
  auto it = by_key_.find(name_key);
  if (it == by_key_.end() && !hash_key.empty()) it = by_key_.find(hash_key);
  if (it == by_key_.end()) {
    // Bounded: a host that runs thousands of distinct temp programs keeps the first.
    if (records_.size() >= kMaxPayloads) return std::nullopt;
    records_.push_back({name, {pid}, {now_ms}, 0});
    const size_t i = records_.size() - 1;
    by_key_[name_key] = i;
    if (!hash_key.empty()) by_key_[hash_key] = i;
    return std::nullopt;
  }
  const size_t i = it->second;
  Record& r = records_[i];
  by_key_.emplace(name_key, i);
  if (!hash_key.empty()) by_key_.emplace(hash_key, i);
  if (r.running.contains(pid)) return std::nullopt;
  std::erase_if(r.running, [&](int p) { return !alive(p); });
  const bool came_back = r.running.empty();
  r.running.insert(pid);
  if (r.times.size() < kMaxTimes) r.times.push_back(now_ms);
  if (!came_back) return std::nullopt;
  ++r.comebacks;
  Comeback c;
  c.count = r.comebacks;
  c.times = r.times;
  c.name = r.name;
  if (r.times.size() > 1) {
    c.period_s = static_cast<double>(r.times.back() - r.times.front()) / 1000.0 /
                 static_cast<double>(r.times.size() - 1);
  }
  return c;
}

}  // namespace deminer
