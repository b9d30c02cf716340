#include "checks/exposure_table.h"

namespace deminer {

std::string_view ReachName(Reach r) {
  switch (r) {
    case Reach::kLocal:
      return "local";
    case Reach::kFiltered:
      return "filtered";
    case Reach::kReachable:
      return "reachable";
    case Reach::kReachableSensitive:
      return "reachable-sensitive";
    case Reach::kUnknown:
      return "unknown";
  }
  return "unknown";
}

std::vector<ExposureRow> BuildExposureTable(const Facts& /*facts*/) { return {}; }

}  // namespace deminer
