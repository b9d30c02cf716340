// Sinks render a scan's findings. They all implement one small interface
// (Begin / Emit / End) so the scan, and later the watch daemon, hand findings
// to any of them the same way. The format is an enum: an unknown one is a
// compile error, not a runtime string chain.
#pragma once

#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>

#include "checks/scanner.h"

namespace deminer {

enum class Format { kText, kJson, kJsonl, kSarif, kHtml };

std::optional<Format> ParseFormat(std::string_view s);

struct RunInfo {
  std::string tool_version;
  std::string rules_version;
  const ScanResult* scan = nullptr;  // for Begin/End: host, timing, gaps, counts
};

class Sink {
 public:
  virtual ~Sink() = default;
  virtual void Begin(const RunInfo& run) = 0;
  virtual void Emit(const Finding& finding) = 0;
  virtual void End(const RunInfo& run) = 0;
};

struct SinkOptions {
  bool color = false;  // text only: ANSI colours (a terminal)
};

std::unique_ptr<Sink> MakeSink(Format format, std::ostream& out, const SinkOptions& options = {});

// Begin, every finding, End.
void Render(Sink& sink, const RunInfo& run);

// The scan as the JSON object of the JSON format (also used by tests).
nlohmann::ordered_json ScanToJson(const RunInfo& run);
nlohmann::ordered_json FindingToJson(const Finding& f);
// One row of the exposure table as the JSON report and `verify exposure` write it.
nlohmann::ordered_json ExposureRowToJson(const ExposureRow& row);

}  // namespace deminer
