// SARIF 2.1.0 for code-scanning dashboards and CI. Rules come from the check
// catalog; each result carries the finding's fingerprint as a partial
// fingerprint and its evidence in properties. Validated against the official
// schema in the tests.
#include <fmt/format.h>

#include "checks/check.h"
#include "report/sinks.h"

namespace deminer {
namespace {

std::string_view Level(Severity s) {
  switch (s) {
    case Severity::kCritical:
    case Severity::kHigh:
      return "error";
    case Severity::kMedium:
      return "warning";
    case Severity::kLow:
    case Severity::kInfo:
      return "note";
  }
  return "note";
}

// GitHub code scanning reads this property to rank security results.
std::string_view SecuritySeverity(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "9.5";
    case Severity::kHigh:
      return "8.0";
    case Severity::kMedium:
      return "5.5";
    case Severity::kLow:
      return "3.0";
    case Severity::kInfo:
      return "0.0";
  }
  return "0.0";
}

// file:// URI of an absolute path, percent-encoding what a URI may not hold.
std::string FileUri(const std::string& path) {
  std::string out = "file://";
  for (const char c : path) {
    const auto u = static_cast<unsigned char>(c);
    const bool plain = (u >= 'a' && u <= 'z') || (u >= 'A' && u <= 'Z') || (u >= '0' && u <= '9') ||
                       c == '/' || c == '-' || c == '_' || c == '.' || c == '~';
    out += plain ? std::string(1, c) : fmt::format("%{:02X}", u);
  }
  return out;
}

class SarifSink final : public Sink {
 public:
  explicit SarifSink(std::ostream& out) : out_(out) {}
  void Begin(const RunInfo&) override {}
  void Emit(const Finding& f) override { findings_.push_back(&f); }

  void End(const RunInfo& run) override {
    using json = nlohmann::ordered_json;
    json rules = json::array();
    std::map<std::string, size_t> index;
    for (const Check* c : Catalog()) {
      const CheckInfo& i = c->info;
      index[std::string(i.id)] = rules.size();
      rules.push_back({{"id", i.id},
                       {"name", i.id},
                       {"shortDescription", {{"text", i.title}}},
                       {"fullDescription", {{"text", i.description}}},
                       {"help", {{"text", i.remediation}}},
                       {"defaultConfiguration", {{"level", Level(i.severity)}}},
                       {"properties",
                        {{"tags", json::array({"security", std::string(KindName(i.kind)),
                                               "external/mitre-attack/" + std::string(i.attack)})},
                         {"security-severity", SecuritySeverity(i.severity)}}}});
    }
    json results = json::array();
    for (const Finding* f : findings_) {
      json r = {{"ruleId", f->check},
                {"level", Level(f->severity)},
                {"message", {{"text", f->title + ": " + f->subject}}}};
      if (const auto it = index.find(f->check); it != index.end()) r["ruleIndex"] = it->second;
      if (!f->path.empty() && f->path.starts_with('/')) {
        json physical = {{"artifactLocation", {{"uri", FileUri(f->path)}}}};
        if (f->line > 0) physical["region"] = {{"startLine", f->line}};
        r["locations"] = json::array({{{"physicalLocation", std::move(physical)}}});
      }
      r["partialFingerprints"] = {{"deminerFingerprint/v1", f->fingerprint}};
      json props = {{"severity", SeverityName(f->severity)},
                    {"kind", KindName(f->kind)},
                    {"subject", f->subject},
                    {"attack", f->attack},
                    {"evidence", f->evidence}};
      if (f->container) {
        props["container"] = {{"id", f->container->id}, {"name", f->container->name}};
      }
      r["properties"] = std::move(props);
      results.push_back(std::move(r));
    }
    json notifications = json::array();
    for (const Gap& g : run.scan->skipped) {
      notifications.push_back(
          {{"level", "warning"},
           {"message",
            {{"text",
              g.what + ": " + g.reason + (g.needs.empty() ? "" : " (needs " + g.needs + ")")}}}});
    }
    json doc = {
        {"$schema", "https://json.schemastore.org/sarif-2.1.0.json"},
        {"version", "2.1.0"},
        {"runs",
         json::array({{{"tool",
                        {{"driver",
                          {{"name", "deminer"},
                           {"version", run.tool_version},
                           {"semanticVersion", run.tool_version},
                           {"rules", std::move(rules)}}}}},
                       {"invocations",
                        json::array({{{"executionSuccessful", true},
                                      {"startTimeUtc", Iso8601(run.scan->started_at)},
                                      {"toolExecutionNotifications", std::move(notifications)}}})},
                       {"results", std::move(results)}}})}};
    out_ << DumpJson(doc, 2) << '\n';
  }

 private:
  std::ostream& out_;
  std::vector<const Finding*> findings_;
};

}  // namespace

std::unique_ptr<Sink> MakeSarifSink(std::ostream& out) { return std::make_unique<SarifSink>(out); }

}  // namespace deminer
