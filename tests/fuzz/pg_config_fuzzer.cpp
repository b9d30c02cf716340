// Fuzzes the PostgreSQL config parsers: pg_hba.conf and postgresql.conf come
// from disks and images a scan does not trust.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/postgres.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const deminer::PgHbaFile hba = deminer::ParsePgHba(text);
  for (const deminer::PgHbaRule& r : hba.rules) {
    if (r.line <= 0 || r.method.empty() || r.type.empty()) __builtin_trap();
  }
  const deminer::PgConfFile conf = deminer::ParsePgConf(text);
  deminer::PgServer s;
  deminer::ApplyPgConf(s, "postgresql.conf", conf);
  deminer::ApplyPgHba(s, "pg_hba.conf", hba);
  (void)s.Setting("listen_addresses");
  return 0;
}
