// Constructors of the concrete sinks and helpers they share; internal to report/.
#pragma once

#include <chrono>
#include <memory>
#include <ostream>
#include <string>

#include "report/sink.h"

namespace deminer {

std::unique_ptr<Sink> MakeTextSink(std::ostream& out, bool color);
std::unique_ptr<Sink> MakeJsonSink(std::ostream& out);
std::unique_ptr<Sink> MakeJsonlSink(std::ostream& out);
std::unique_ptr<Sink> MakeSarifSink(std::ostream& out);

std::string Iso8601(std::chrono::system_clock::time_point t);
nlohmann::ordered_json SummaryJson(const std::vector<Finding>& findings);

}  // namespace deminer
