#include "match/vectorscan_db.h"

#include <fmt/format.h>
#include <hs/hs.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <vector>

namespace deminer {

struct PatternDb::Impl {
  hs_database_t* db = nullptr;
  // Names this database for the per-thread scratch, which a reused address
  // could not.
  uint64_t serial = NextSerial();
  ~Impl() { hs_free_database(db); }

  static uint64_t NextSerial() {
    static std::atomic<uint64_t> next{0};
    return next.fetch_add(1, std::memory_order_relaxed);
  }
};

namespace {

struct ScratchDeleter {
  void operator()(hs_scratch_t* s) const { hs_free_scratch(s); }
};

// Per-thread scratch, grown to fit every database the thread has scanned
// with. hs_alloc_scratch is called once per database and thread: called on
// every scan it cost more than the scans of small files themselves.
hs_scratch_t* ThreadScratch(const hs_database_t* db, uint64_t serial) {
  thread_local std::unique_ptr<hs_scratch_t, ScratchDeleter> scratch;
  thread_local std::vector<uint64_t> fitted;
  if (scratch && std::find(fitted.begin(), fitted.end(), serial) != fitted.end()) {
    return scratch.get();
  }
  hs_scratch_t* raw = scratch.release();
  const hs_error_t rc = hs_alloc_scratch(db, &raw);
  scratch.reset(raw);
  if (rc != HS_SUCCESS) return nullptr;
  if (fitted.size() >= 64) fitted.erase(fitted.begin());  // a test compiling many
  fitted.push_back(serial);
  return raw;
}

}  // namespace

Expected<PatternDb> PatternDb::Compile(const std::vector<PatternSpec>& patterns,
                                       std::vector<PatternRejection>& rejected) {
  std::vector<size_t> live(patterns.size());
  for (size_t i = 0; i < patterns.size(); ++i) live[i] = i;
  // Vectorscan reports the first failing expression; drop it and retry.
  while (!live.empty()) {
    std::vector<const char*> exprs;
    std::vector<unsigned> flags;
    std::vector<unsigned> ids;
    for (size_t k = 0; k < live.size(); ++k) {
      const PatternSpec& p = patterns[live[k]];
      exprs.push_back(p.expression.c_str());
      flags.push_back((p.every_match ? 0U : HS_FLAG_SINGLEMATCH) |
                      (p.caseless ? HS_FLAG_CASELESS : 0U) | (p.dotall ? HS_FLAG_DOTALL : 0U) |
                      (p.prefilter ? HS_FLAG_PREFILTER : 0U));
      ids.push_back(static_cast<unsigned>(k));
    }
    hs_database_t* db = nullptr;
    hs_compile_error_t* err = nullptr;
    const hs_error_t rc =
        hs_compile_multi(exprs.data(), flags.data(), ids.data(), static_cast<unsigned>(live.size()),
                         HS_MODE_BLOCK, nullptr, &db, &err);
    if (rc == HS_SUCCESS) {
      auto impl = std::make_shared<Impl>();
      impl->db = db;
      return PatternDb(std::move(impl), std::move(live));
    }
    const int bad = err != nullptr ? err->expression : -1;
    const std::string msg = err != nullptr ? err->message : "unknown error";
    hs_free_compile_error(err);
    if (bad < 0 || static_cast<size_t>(bad) >= live.size()) {
      return Fail(Error::Internal(fmt::format("vectorscan compile: {}", msg)));
    }
    rejected.push_back({live[static_cast<size_t>(bad)], msg});
    live.erase(live.begin() + bad);
  }
  return Fail(Error::InvalidInput("no pattern could be compiled"));
}

Expected<void> PatternDb::Scan(std::string_view text,
                               const std::function<void(size_t)>& on_match) const {
  return ScanMatches(text, [&on_match](size_t i, size_t) { on_match(i); });
}

Expected<void> PatternDb::ScanMatches(std::string_view text,
                                      const std::function<void(size_t, size_t)>& on_match) const {
  hs_scratch_t* scratch = ThreadScratch(impl_->db, impl_->serial);
  if (scratch == nullptr) return Fail(Error::Internal("vectorscan scratch allocation failed"));
  struct Ctx {
    const std::vector<size_t>* ids;
    const std::function<void(size_t, size_t)>* cb;
  } ctx{&ids_, &on_match};
  const auto handler = [](unsigned id, unsigned long long, unsigned long long to, unsigned,
                          void* user) -> int {
    auto* c = static_cast<Ctx*>(user);
    (*c->cb)((*c->ids)[id], static_cast<size_t>(to));
    return 0;
  };
  const hs_error_t rc = hs_scan(impl_->db, text.data(), static_cast<unsigned>(text.size()), 0,
                                scratch, handler, &ctx);
  if (rc != HS_SUCCESS) return Fail(Error::Internal(fmt::format("vectorscan scan: {}", rc)));
  return {};
}

}  // namespace deminer
