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
// One self-contained HTML page, written at End (see html_sink.cpp).
std::unique_ptr<Sink> MakeHtmlSink(std::ostream& out);

// JSON text of `j`. Strings from the scanned host (command lines, paths) may
// hold bytes that are not UTF-8 -- an attacker can name a process so -- and are
// written with U+FFFD in their place instead of failing the whole report.
std::string DumpJson(const nlohmann::ordered_json& j, int indent = -1);

std::string Iso8601(std::chrono::system_clock::time_point t);
nlohmann::ordered_json SummaryJson(const std::vector<Finding>& findings);

}  // namespace deminer
