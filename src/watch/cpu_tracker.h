// Sustained CPU, measured between the daemon's process sweeps rather than
// over a process's whole life (which is what scan's proc.high-cpu can do): a
// process or a container that used at least `threshold` cores in each of
// `need` consecutive intervals. A miner throttled to look idle on average
// over days still shows here once it runs flat out for a minute. Pure
// bookkeeping; not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace deminer {

class CpuTracker {
 public:
  CpuTracker(double threshold_cores, unsigned need) : threshold_(threshold_cores), need_(need) {}

  struct Busy {
    std::string key;
    double cores = 0;     // over the last interval
    unsigned streak = 0;  // consecutive busy intervals
  };

  // One sweep: CPU ticks so far by key (a process as "pid:start", a
  // container by id), `seconds` since the previous sweep. Keys not seen are
  // forgotten. Returns the keys busy for `need` intervals or more.
  std::vector<Busy> Add(const std::map<std::string, uint64_t>& ticks, double seconds,
                        double ticks_per_second);

 private:
  struct State {
    uint64_t ticks = 0;
    unsigned streak = 0;
  };
  double threshold_;
  unsigned need_;
  std::map<std::string, State> last_;
};

}  // namespace deminer
