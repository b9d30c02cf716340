// The terminal report: grouped by severity, one line a finding with its
// evidence indented under it and the fix, a closing summary and what was
// skipped. Colour only when writing to a terminal.
#include <fmt/format.h>

#include <array>
#include <map>

#include "core/strings.h"
#include "report/sinks.h"

namespace deminer {
namespace {

constexpr std::string_view kReset = "\033[0m";
constexpr std::string_view kBold = "\033[1m";
constexpr std::string_view kDim = "\033[2m";

std::string_view SeverityColor(Severity s) {
  switch (s) {
    case Severity::kCritical:
      return "\033[1;41;97m";
    case Severity::kHigh:
      return "\033[1;31m";
    case Severity::kMedium:
      return "\033[33m";
    case Severity::kLow:
      return "\033[36m";
    case Severity::kInfo:
      return "\033[2m";
  }
  return "";
}

std::string Scalar(const nlohmann::ordered_json& v, size_t max_len = 300) {
  if (v.is_string()) return Printable(v.get<std::string>(), max_len);
  if (v.is_null()) return "-";
  return DumpJson(v);
}

// "k=v, k=v" for a small object.
std::string Inline(const nlohmann::ordered_json& obj) {
  std::string out;
  for (const auto& [k, v] : obj.items()) {
    if (!out.empty()) out += ", ";
    out += k + "=" + Scalar(v);
  }
  return out;
}

class TextSink final : public Sink {
 public:
  TextSink(std::ostream& out, bool color) : out_(out), color_(color) {}

  void Begin(const RunInfo& run) override {
    const ScanResult& r = *run.scan;
    out_ << Style(kBold) << "deminer " << run.tool_version << Style(kReset) << " (rules "
         << run.rules_version << ") - host " << r.host.hostname << ", kernel " << r.host.kernel
         << ", " << Iso8601(r.started_at) << "\n";
  }

  void Emit(const Finding& f) override { by_severity_[f.severity].push_back(&f); }

  void End(const RunInfo& run) override {
    const ScanResult& r = *run.scan;
    for (int s = kSeverityCount - 1; s >= 0; --s) {
      const auto sev = static_cast<Severity>(s);
      const auto it = by_severity_.find(sev);
      if (it == by_severity_.end()) continue;
      std::string name = ToUpper(SeverityName(sev));
      out_ << "\n"
           << Style(SeverityColor(sev)) << name << Style(kReset) << " (" << it->second.size()
           << ")\n";
      for (const Finding* f : it->second) Print(*f);
    }
    if (r.exposure_scanned) PrintExposure(r.exposure);
    if (!r.skipped.empty()) {
      out_ << "\n"
           << Style(kBold) << "Skipped" << Style(kReset) << " (the scan went on without these):\n";
      for (const Gap& g : r.skipped) {
        out_ << "  - " << Printable(g.what) << ": " << Printable(g.reason);
        if (!g.needs.empty()) out_ << " (needs " << g.needs << ")";
        out_ << "\n";
      }
    }
    std::array<size_t, kSeverityCount> counts{};
    for (const Finding& f : r.findings) ++counts[static_cast<size_t>(f.severity)];
    out_ << "\n"
         << Style(kBold)
         << fmt::format("{} finding{}: {} critical, {} high, {} medium, {} low, {} info",
                        r.findings.size(), r.findings.size() == 1 ? "" : "s", counts[4], counts[3],
                        counts[2], counts[1], counts[0])
         << Style(kReset)
         << fmt::format(
                " - {} processes, {} sockets, {} containers, {} files, {} persistence "
                "files, {} log lines in {} logs in {:.0f} ms\n",
                r.processes, r.sockets, r.containers, r.files, r.persistence_files, r.log_lines,
                r.logs, r.duration_ms);
    if (r.findings.empty()) out_ << "Nothing found.\n";
  }

 private:
  static std::string ToUpper(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(c >= 'a' && c <= 'z' ? c - 32 : c);
    return out;
  }

  std::string_view Style(std::string_view code) const { return color_ ? code : ""; }

  // The exposure table: a count by verdict, then every socket other hosts may
  // reach (or whose verdict is unknown), in aligned columns. Sockets only this
  // host can reach are counted, not listed: they are most of a server's.
  void PrintExposure(const std::vector<ExposureRow>& rows) {
    std::array<size_t, 5> by{};  // Reach order
    for (const ExposureRow& row : rows) ++by[static_cast<size_t>(row.verdict)];
    out_ << "\n"
         << Style(kBold) << "Exposure" << Style(kReset)
         << fmt::format(
                " ({} listening socket{}: {} local only, {} filtered, {} reachable, {} "
                "reachable and sensitive, {} unknown",
                rows.size(), rows.size() == 1 ? "" : "s", by[0], by[1], by[2], by[3], by[4]);
    out_ << (by[0] != 0 ? "; local ones not listed)\n" : ")\n");
    std::vector<std::vector<std::string>> table = {
        {"PROTO", "ADDRESS:PORT", "PROCESS", "CONTAINER", "SERVICE", "VERDICT", "REASON"}};
    std::vector<Reach> verdicts = {Reach::kUnknown};
    for (const ExposureRow& row : rows) {
      if (row.verdict == Reach::kLocal) continue;
      std::string where = row.family == 6 ? "[" + row.address + "]" : row.address;
      std::string owner = row.process.empty() ? "-" : Printable(row.process, 40);
      if (row.pid != 0) owner += fmt::format(" ({})", row.pid);
      std::string container = "-";
      if (row.container) {
        container = Printable(
            row.container->Shown(),
            40);
      }
      table.push_back({row.proto == Proto::kTcp ? "tcp" : "udp",
                       Printable(where, 60) + ":" + std::to_string(row.port), owner, container,
                       row.service.empty() ? "-" : Printable(row.service, 30),
                       std::string(ReachName(row.verdict)), Printable(row.reason, 200)});
      verdicts.push_back(row.verdict);
    }
    if (table.size() == 1) return;
    std::vector<size_t> width(table[0].size(), 0);
    for (const auto& line : table) {
      for (size_t c = 0; c + 1 < line.size(); ++c) width[c] = std::max(width[c], line[c].size());
    }
    for (size_t i = 0; i < table.size(); ++i) {
      std::string line = "  ";
      for (size_t c = 0; c < table[i].size(); ++c) {
        std::string cell = table[i][c];
        if (c + 1 < table[i].size()) cell.resize(width[c] + 2, ' ');
        if (c == 5 && verdicts[i] == Reach::kReachableSensitive) {
          cell = std::string(Style(SeverityColor(Severity::kHigh))) + cell +
                 std::string(Style(kReset));
        }
        line += i == 0 ? std::string(Style(kDim)) + cell + std::string(Style(kReset)) : cell;
      }
      while (!line.empty() && line.back() == ' ') line.pop_back();
      out_ << line << "\n";
    }
  }

  void Print(const Finding& f) {
    out_ << "  " << Style(SeverityColor(f.severity)) << "*" << Style(kReset) << " " << Style(kBold)
         << f.title << Style(kReset) << "  " << Style(kDim) << "[" << f.check << ", ATT&CK "
         << f.attack << "]" << Style(kReset) << "\n";
    out_ << "    " << Printable(f.subject, 300);
    if (f.container) {
      out_ << "  in container "
           << Printable(
                  f.container->Shown(),
                  200);
      if (!f.container->image.empty()) out_ << " (" << Printable(f.container->image, 200) << ")";
    }
    out_ << "\n";
    PrintEvidence(f.evidence, 6);
    out_ << "    " << Style(kBold) << "fix:" << Style(kReset) << " " << f.remediation << "\n";
  }

  void PrintEvidence(const nlohmann::ordered_json& ev, int indent) {
    const std::string pad(static_cast<size_t>(indent), ' ');
    for (const auto& [k, v] : ev.items()) {
      if (v.is_object()) {
        out_ << pad << k << ":\n";
        PrintEvidence(v, indent + 2);
      } else if (v.is_array()) {
        if (v.empty()) continue;
        if (k == "ancestry") {
          out_ << pad << "started by:\n";
          for (const auto& a : v) {
            out_ << pad << "  <- " << Scalar(a.value("pid", nlohmann::ordered_json())) << " "
                 << Scalar(a.value("cmdline", nlohmann::ordered_json()), 120) << "\n";
          }
        } else if (k == "hints") {
          out_ << pad << "why:\n";
          for (const auto& h : v) {
            out_ << pad << "  - " << Scalar(h.value("hint", nlohmann::ordered_json())) << " "
                 << Scalar(h.value("value", nlohmann::ordered_json())) << " (+"
                 << Scalar(h.value("weight", nlohmann::ordered_json()))
                 << "): " << Scalar(h.value("source", nlohmann::ordered_json())) << "\n";
          }
        } else if (v[0].is_object()) {
          out_ << pad << k << ":\n";
          for (const auto& item : v) out_ << pad << "  - " << Inline(item) << "\n";
        } else {
          std::string joined;
          for (const auto& item : v) joined += (joined.empty() ? "" : ", ") + Scalar(item);
          out_ << pad << k << ": " << joined << "\n";
        }
      } else {
        out_ << pad << k << ": " << Scalar(v) << "\n";
      }
    }
  }

  std::ostream& out_;
  bool color_;
  std::map<Severity, std::vector<const Finding*>> by_severity_;
};

}  // namespace

std::unique_ptr<Sink> MakeTextSink(std::ostream& out, bool color) {
  return std::make_unique<TextSink>(out, color);
}

}  // namespace deminer
