#include "sources/postgres.h"

namespace deminer {

PgLoginResult TryPasswordlessLogin(const std::string& /*host*/, uint16_t /*port*/,
                                   const std::string& /*user*/, const std::string& /*dbname*/,
                                   int /*timeout_s*/) {
  return {false, "not built yet", ""};
}

}  // namespace deminer
