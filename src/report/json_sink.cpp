#include <fmt/chrono.h>
#include <fmt/format.h>

#include <cmath>
#include <ctime>

#include "report/sink.h"
#include "report/sinks.h"

namespace deminer {

std::string Iso8601(std::chrono::system_clock::time_point t) {
  const auto secs = std::chrono::time_point_cast<std::chrono::seconds>(t);
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t - secs).count();
  const std::time_t tt = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03}Z", tm, ms);
}

std::string DumpJson(const nlohmann::ordered_json& j, int indent) {
  return j.dump(indent, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

namespace {

nlohmann::ordered_json ContainerToJson(const std::optional<ContainerRef>& c) {
  if (!c) return nullptr;
  return {{"id", c->id},
          {"name", c->name},
          {"image", c->image},
          {"runtime", c->runtime},
          {"compose_project", c->compose_project}};
}

}  // namespace

nlohmann::ordered_json ExposureRowToJson(const ExposureRow& r) {
  nlohmann::ordered_json j;
  j["proto"] = r.proto == Proto::kTcp ? "tcp" : "udp";
  j["family"] = r.family;
  j["address"] = r.address;
  j["port"] = r.port;
  j["pid"] = r.pid != 0 ? nlohmann::ordered_json(r.pid) : nlohmann::ordered_json(nullptr);
  j["process"] = r.process;
  j["container"] = ContainerToJson(r.container);
  j["service"] = r.service;
  j["sensitive"] = r.sensitive;
  j["verdict"] = ReachName(r.verdict);
  j["reason"] = r.reason;
  return j;
}

nlohmann::ordered_json FindingToJson(const Finding& f) {
  nlohmann::ordered_json j;
  j["check"] = f.check;
  j["severity"] = SeverityName(f.severity);
  j["kind"] = KindName(f.kind);
  j["title"] = f.title;
  j["subject"] = f.subject;
  if (!f.path.empty()) j["path"] = f.path;
  if (f.line > 0) j["line"] = f.line;
  j["evidence"] = f.evidence;
  j["container"] = ContainerToJson(f.container);
  j["attack"] = f.attack;
  j["remediation"] = f.remediation;
  j["fingerprint"] = f.fingerprint;
  return j;
}

nlohmann::ordered_json SummaryJson(const std::vector<Finding>& findings) {
  std::array<int, kSeverityCount> counts{};
  for (const Finding& f : findings) ++counts[static_cast<size_t>(f.severity)];
  nlohmann::ordered_json s;
  for (int i = kSeverityCount - 1; i >= 0; --i) {
    s[std::string(SeverityName(static_cast<Severity>(i)))] = counts[static_cast<size_t>(i)];
  }
  return s;
}

nlohmann::ordered_json ScanToJson(const RunInfo& run) {
  const ScanResult& r = *run.scan;
  nlohmann::ordered_json j;
  j["tool"] = {{"name", "deminer"}, {"version", run.tool_version}, {"rules", run.rules_version}};
  j["host"] = {{"hostname", r.host.hostname}, {"kernel", r.host.kernel}};
  j["started_at"] = Iso8601(r.started_at);
  j["duration_ms"] = std::llround(r.duration_ms);
  auto findings = nlohmann::ordered_json::array();
  for (const Finding& f : r.findings) findings.push_back(FindingToJson(f));
  j["findings"] = std::move(findings);
  auto skipped = nlohmann::ordered_json::array();
  for (const Gap& g : r.skipped) {
    skipped.push_back({{"what", g.what}, {"reason", g.reason}, {"needs", g.needs}});
  }
  j["skipped"] = std::move(skipped);
  j["summary"] = SummaryJson(r.findings);
  j["counts"] = {{"processes", r.processes},
                 {"sockets", r.sockets},
                 {"containers", r.containers},
                 {"files", r.files},
                 {"persistence_files", r.persistence_files},
                 {"logs", r.logs},
                 {"log_lines", r.log_lines}};
  // Only when the exposure scope ran: other scans keep their shape.
  if (r.exposure_scanned) {
    auto exposure = nlohmann::ordered_json::array();
    for (const ExposureRow& row : r.exposure) exposure.push_back(ExposureRowToJson(row));
    j["exposure"] = std::move(exposure);
  }
  return j;
}

namespace {

// One JSON object for the whole scan, written at End.
class JsonSink final : public Sink {
 public:
  explicit JsonSink(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo&) override {}
  void Emit(const Finding&) override {}  // the scan object carries them
  void End(const RunInfo& run) override { out_ << DumpJson(ScanToJson(run), 2) << '\n'; }

 private:
  std::ostream& out_;
};

// One finding per line, as it comes: for log shippers and the watch daemon.
class JsonlSink final : public Sink {
 public:
  explicit JsonlSink(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo&) override {}
  void Emit(const Finding& f) override { out_ << DumpJson(FindingToJson(f)) << '\n'; }
  void End(const RunInfo&) override { out_.flush(); }

 private:
  std::ostream& out_;
};

}  // namespace

std::unique_ptr<Sink> MakeJsonSink(std::ostream& out) { return std::make_unique<JsonSink>(out); }
std::unique_ptr<Sink> MakeJsonlSink(std::ostream& out) { return std::make_unique<JsonlSink>(out); }

}  // namespace deminer
