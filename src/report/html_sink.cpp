// The HTML report: one self-contained page for a person to read, print or
// attach to an incident ticket. A summary with the verdict on top, a timeline
// of what happened when, the findings grouped by container and by check with
// their evidence, fix and the flagged process's ancestry drawn as a tree, the
// exposure table and what was skipped. Everything is inline (CSS in <style>,
// no scripts, no fonts, no images), so it opens without a network and loads
// nothing; every string from the scanned host is escaped.
#include "report/html_sink.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>

#include "checks/check.h"
#include "report/sinks.h"
#include "sources/log_reader.h"

namespace deminer {

namespace {

std::string Plural(size_t n, std::string_view one, std::string_view many) {
  return fmt::format("{} {}", n, n == 1 ? one : many);
}

}  // namespace

std::string HtmlEscape(std::string_view s) {
  static constexpr std::string_view kReplacement = "\xEF\xBF\xBD";
  std::string out;
  out.reserve(s.size() + s.size() / 8);
  size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      switch (c) {
        case '&':
          out += "&amp;";
          break;
        case '<':
          out += "&lt;";
          break;
        case '>':
          out += "&gt;";
          break;
        case '"':
          out += "&quot;";
          break;
        case '\'':
          out += "&#39;";
          break;
        default:
          if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
            out += kReplacement;
          } else {
            out += static_cast<char>(c);
          }
      }
      ++i;
      continue;
    }
    // A well-formed UTF-8 sequence is copied; anything else is one U+FFFD a byte.
    size_t len = 0;
    unsigned char lo = 0x80;
    unsigned char hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      if (c == 0xE0) lo = 0xA0;  // overlong
      if (c == 0xED) hi = 0x9F;  // surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      if (c == 0xF0) lo = 0x90;  // overlong
      if (c == 0xF4) hi = 0x8F;  // above U+10FFFF
    }
    bool ok = len != 0 && i + len <= s.size();
    for (size_t k = 1; ok && k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      ok = k == 1 ? b >= lo && b <= hi : b >= 0x80 && b <= 0xBF;
    }
    if (ok) {
      out.append(s.substr(i, len));
      i += len;
    } else {
      out += kReplacement;
      ++i;
    }
  }
  return out;
}

Verdict JudgeFindings(const std::vector<Finding>& findings) {
  size_t compromise_high = 0;
  size_t compromise_lower = 0;
  size_t weaknesses = 0;
  const Finding* worst = nullptr;
  for (const Finding& f : findings) {
    if (f.kind == Kind::kCompromise) {
      if (f.severity >= Severity::kHigh) {
        ++compromise_high;
        if (worst == nullptr || f.severity > worst->severity) worst = &f;
      } else if (f.severity >= Severity::kLow) {
        ++compromise_lower;
      }
    } else if (f.severity >= Severity::kLow) {
      ++weaknesses;
    }
  }
  const std::string lower =
      compromise_lower == 0
          ? std::string()
          : fmt::format("; {} to review",
                        Plural(compromise_lower, "lower-severity sign of compromise",
                               "lower-severity signs of compromise"));
  if (compromise_high != 0) {
    return {"compromised",
            fmt::format("{} at high or above, the worst: {} ({})",
                        Plural(compromise_high, "sign of compromise", "signs of compromise"),
                        worst->title, worst->subject)};
  }
  if (weaknesses != 0) {
    return {"weak", fmt::format("no sign of compromise at high or above, but {} could let one in{}",
                                Plural(weaknesses, "weakness", "weaknesses"), lower)};
  }
  if (compromise_lower != 0) {
    return {"clean",
            fmt::format("no sign of compromise at high or above and no weakness{}", lower)};
  }
  return {"clean", "no sign of compromise and no weakness in what was scanned"};
}

namespace {

using Json = nlohmann::ordered_json;

std::string Str(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return {};
  const auto it = obj.find(key);
  if (it == obj.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  if (it->is_null()) return {};
  return DumpJson(*it);
}

// The process a finding is about: its evidence (process checks) or the
// evidence's "process" object (socket checks); null when none.
const Json* ProcessEvidence(const Finding& f) {
  if (f.evidence.is_object() && f.evidence.contains("pid") && f.evidence.contains("ancestry")) {
    return &f.evidence;
  }
  const auto it = f.evidence.find("process");
  if (it != f.evidence.end() && it->is_object() && it->contains("pid")) return &*it;
  return nullptr;
}

std::string ProcessLabel(const Json& p) {
  std::string cmd = Str(p, "cmdline");
  if (cmd.empty()) cmd = Str(p, "exe");
  return fmt::format("pid {} {}", Str(p, "pid"), cmd);
}

}  // namespace

std::vector<TimelineEvent> BuildTimeline(const std::vector<Finding>& findings) {
  std::vector<TimelineEvent> events;
  std::map<std::string, size_t> by_key;  // what + detail + time -> events index
  const auto add = [&](size_t index, const std::string& when, std::string what,
                       std::string detail) {
    const auto t = ParseTimeBound(when, 0);  // the ISO times the checks write
    if (!t) return;
    const std::string key = fmt::format("{}\n{}\n{}", *t, what, detail);
    auto [it, fresh] = by_key.try_emplace(key, events.size());
    if (fresh) {
      TimelineEvent e;
      e.time = *t;
      e.what = std::move(what);
      e.detail = std::move(detail);
      e.severity = findings[index].severity;
      events.push_back(std::move(e));
    }
    TimelineEvent& e = events[it->second];
    if (std::find(e.findings.begin(), e.findings.end(), index) == e.findings.end()) {
      e.findings.push_back(index);
    }
    e.severity = std::max(e.severity, findings[index].severity);
  };
  for (size_t i = 0; i < findings.size(); ++i) {
    const Finding& f = findings[i];
    const Json& ev = f.evidence;
    if (!ev.is_object()) continue;
    if (const Json* p = ProcessEvidence(f)) {
      add(i, Str(*p, "started_at"), "process started", ProcessLabel(*p));
    }
    std::string thing = Str(ev, "path");
    if (thing.empty()) thing = f.path.empty() ? f.subject : f.path;
    const std::string modified = Str(ev, "modified");
    const std::string changed = Str(ev, "changed");
    add(i, modified, "file modified", thing);
    if (changed != modified) {
      add(i, changed, modified.empty() ? "file changed" : "file status changed (ctime)", thing);
    }
    const std::string first = Str(ev, "first_seen");
    const std::string last = Str(ev, "last_seen");
    const std::string rule = Str(ev, "rule");
    const std::string log = Str(ev, "log").empty() ? f.subject : Str(ev, "log");
    const std::string about = rule.empty() ? log : fmt::format("{} in {}", rule, log);
    add(i, first, "first matching log line", about);
    if (last != first) add(i, last, "last matching log line", about);
    add(i, Str(ev, "created"), "created", f.subject);
    add(i, Str(ev, "first_seen_from_it"), "first seen in the logs", f.subject);
  }
  std::stable_sort(events.begin(), events.end(),
                   [](const TimelineEvent& a, const TimelineEvent& b) { return a.time < b.time; });
  return events;
}

namespace {

constexpr std::string_view kStyle = R"css(
:root {
  --ink: #1f2933; --muted: #616e7c; --line: #d9e2ec; --paper: #ffffff; --wash: #f5f7fa;
  --critical: #b42318; --high: #dc6803; --medium: #b54708; --low: #1570ef; --info: #667085;
  --critical-bg: #fef3f2; --high-bg: #fffaeb; --medium-bg: #fefbe8; --low-bg: #eff8ff;
  --info-bg: #f2f4f7; --ok: #067647; --ok-bg: #ecfdf3;
  --mono: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace;
}
* { box-sizing: border-box; }
html { background: var(--wash); }
body {
  margin: 0 auto; max-width: 1180px; padding: 24px 28px 48px; color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
}
h1, h2, h3, h4 { line-height: 1.25; margin: 0; }
h2 { font-size: 20px; margin: 36px 0 14px; padding-bottom: 6px;
  border-bottom: 2px solid var(--line); }
h2 .count { color: var(--muted); font-weight: 400; font-size: 15px; }
code, pre, .mono { font-family: var(--mono); font-size: 13px; }
code { background: var(--wash); border: 1px solid var(--line); border-radius: 4px; padding: 0 4px;
  overflow-wrap: anywhere; }
pre { margin: 4px 0; padding: 8px 10px; background: var(--wash); border: 1px solid var(--line);
  border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
a { color: #175cd3; text-decoration: none; }
a:hover { text-decoration: underline; }
.muted { color: var(--muted); }

/* Summary */
#summary { background: var(--paper); border: 1px solid var(--line); border-radius: 12px;
  padding: 22px 24px; box-shadow: 0 1px 2px rgba(16, 24, 40, .06); }
.brand { display: flex; justify-content: space-between; gap: 12px; flex-wrap: wrap;
  color: var(--muted); font-size: 13px; }
.brand strong { color: var(--ink); letter-spacing: .02em; }
#summary h1 { font-size: 26px; margin: 6px 0 16px; }
#summary h1 .host { font-family: var(--mono); font-size: 24px; }
#verdict { display: flex; align-items: center; gap: 16px; border-radius: 10px; padding: 14px 18px;
  border: 1px solid; border-left-width: 8px; }
#verdict .word { font-size: 24px; font-weight: 800; text-transform: uppercase;
  letter-spacing: .06em; }
#verdict .reason { font-size: 15px; }
#verdict.compromised { background: var(--critical-bg); border-color: var(--critical);
  color: #7a271a; }
#verdict.compromised .word { color: var(--critical); }
#verdict.weak { background: var(--high-bg); border-color: var(--high); color: #7a2e0e; }
#verdict.weak .word { color: var(--high); }
#verdict.clean { background: var(--ok-bg); border-color: var(--ok); color: #054f31; }
#verdict.clean .word { color: var(--ok); }
.cards { display: grid; grid-template-columns: repeat(7, minmax(0, 1fr)); gap: 10px;
  margin: 16px 0; }
.card { border: 1px solid var(--line); border-top: 4px solid var(--info); border-radius: 8px;
  padding: 8px 12px; background: var(--paper); }
.card .n { font-size: 26px; font-weight: 700; display: block; }
.card .label { color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .05em; }
.card.zero { opacity: .45; }
.card.sev-critical { border-top-color: var(--critical);
  } .card.sev-critical .n { color: var(--critical); }
.card.sev-high { border-top-color: var(--high); } .card.sev-high .n { color: var(--high); }
.card.sev-medium { border-top-color: var(--medium); } .card.sev-medium .n { color: var(--medium); }
.card.sev-low { border-top-color: var(--low); } .card.sev-low .n { color: var(--low); }
.card.kind { border-top-color: var(--ink); }
.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0;
  font-size: 14px; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; }
.chip { display: inline-block; margin: 1px 4px 1px 0; padding: 0 8px; border-radius: 999px;
  background: var(--wash); border: 1px solid var(--line); font-size: 13px; }
.chip .mono { font-size: 12px; }
nav.toc { margin: 14px 0 0; font-size: 14px; }
nav.toc a { margin-right: 14px; }

/* Badges */
.badge { display: inline-block; min-width: 64px; text-align: center; padding: 1px 8px;
  border-radius: 999px; font-size: 12px; font-weight: 700; text-transform: uppercase;
  letter-spacing: .04em; color: #fff; background: var(--info); }
.badge.sev-critical { background: var(--critical); }
.badge.sev-high { background: var(--high); }
.badge.sev-medium { background: var(--medium); }
.badge.sev-low { background: var(--low); }
.kind-tag { font-size: 12px; color: var(--muted); text-transform: uppercase;
  letter-spacing: .05em; }
.kind-tag.compromise { color: var(--critical); }

/* Timeline */
ol.timeline { list-style: none; margin: 0; padding: 0 0 0 18px;
  border-left: 2px solid var(--line); }
ol.timeline li { position: relative; margin: 0 0 10px; padding: 8px 12px; background: var(--paper);
  border: 1px solid var(--line); border-radius: 8px; display: grid;
  grid-template-columns: 190px 1fr; gap: 2px 14px; }
ol.timeline li::before { content: ""; position: absolute; left: -26px; top: 13px; width: 12px;
  height: 12px; border-radius: 50%; background: var(--info); border: 2px solid var(--paper);
  box-shadow: 0 0 0 1px var(--line); }
ol.timeline li.sev-critical::before { background: var(--critical); }
ol.timeline li.sev-high::before { background: var(--high); }
ol.timeline li.sev-medium::before { background: var(--medium); }
ol.timeline li.sev-low::before { background: var(--low); }
ol.timeline li.marker { background: var(--wash); border-style: dashed; }
ol.timeline li.marker::before { background: var(--ink); }
ol.timeline time { font-family: var(--mono); font-size: 13px; }
ol.timeline .ago { display: block; color: var(--muted); font-size: 12px; }
ol.timeline .what { font-weight: 600; }
ol.timeline .detail { font-family: var(--mono); font-size: 13px; overflow-wrap: anywhere; }
ol.timeline .links { font-size: 13px; }

/* Findings */
.group { margin: 0 0 26px; }
.group > h3 { font-size: 17px; margin: 0 0 10px; padding: 10px 14px; background: var(--paper);
  border: 1px solid var(--line); border-left: 6px solid var(--ink); border-radius: 8px; }
.group > h3 .sub { font-weight: 400; color: var(--muted); font-size: 14px; }
.check-group { margin: 0 0 14px 14px; }
.check-group > h4 { font-size: 14px; margin: 0 0 8px; color: var(--muted); font-weight: 600; }
.check-group > h4 code { color: var(--ink); }
.finding { background: var(--paper); border: 1px solid var(--line);
  border-left: 6px solid var(--info);
  border-radius: 8px; padding: 12px 16px; margin: 0 0 12px; }
.finding.sev-critical { border-left-color: var(--critical); }
.finding.sev-high { border-left-color: var(--high); }
.finding.sev-medium { border-left-color: var(--medium); }
.finding.sev-low { border-left-color: var(--low); }
.finding-head { display: flex; align-items: baseline; gap: 10px; flex-wrap: wrap; }
.finding-head .title { font-size: 16px; font-weight: 700; }
.finding-head .meta { margin-left: auto; color: var(--muted); font-size: 12px; }
.subject { margin: 6px 0; font-family: var(--mono); font-size: 14px; overflow-wrap: anywhere; }
.subject .where { font-family: inherit; color: var(--muted); }
.finding-body { display: flex; flex-direction: column; gap: 8px; }
.fix { margin-top: 10px; padding: 8px 12px; background: var(--ok-bg); border: 1px solid #abefc6;
  border-radius: 6px; font-size: 14px; }
.fix strong { color: var(--ok); margin-right: 6px; }
details > summary { cursor: pointer; font-weight: 600; font-size: 13px; color: var(--muted);
  margin: 4px 0; }
table { border-collapse: collapse; width: 100%; }
table.evidence { font-size: 13px; }
table.evidence th { text-align: left; vertical-align: top; color: var(--muted); font-weight: 500;
  padding: 3px 10px 3px 0; width: 1%; white-space: nowrap; }
table.evidence td { padding: 3px 0; vertical-align: top; overflow-wrap: anywhere; }
table.evidence .long { font-family: var(--mono); font-size: 12px; white-space: pre-wrap;
  overflow-wrap: anywhere; background: var(--wash); border: 1px solid var(--line);
    border-radius: 4px;
  padding: 3px 6px; }
table.evidence table.evidence { margin: 2px 0; border-left: 2px solid var(--line); }
table.evidence table.evidence th, table.evidence table.evidence td { padding-left: 8px; }
table.grid { font-size: 13px; border: 1px solid var(--line); }
table.grid th { text-align: left; background: var(--wash); color: var(--muted); font-weight: 600;
  padding: 5px 8px; border-bottom: 1px solid var(--line); }
table.grid td { padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top;
  overflow-wrap: anywhere; }
table.grid tr.reachable-sensitive td.verdict { color: var(--critical); font-weight: 700; }
table.grid tr.reachable td.verdict { color: var(--high); font-weight: 600; }

/* Ancestry tree */
.ancestry { font-size: 13px; }
.ancestry .label { font-weight: 600; color: var(--muted); font-size: 13px; margin: 4px 0; }
.tree, .tree ul { list-style: none; margin: 0; padding: 0; }
.tree ul { margin-left: 10px; }
.tree li { position: relative; padding: 4px 0 0 18px; }
.tree li::before { content: ""; position: absolute; left: 0; top: -4px; width: 13px; height: 20px;
  border-left: 2px solid #98a2b3; border-bottom: 2px solid #98a2b3;
  border-bottom-left-radius: 6px; }
.tree > li { padding-left: 0; }
.tree > li::before { display: none; }
.tree .node { display: flex; width: fit-content; gap: 8px; align-items: baseline; max-width: 100%;
  padding: 2px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--wash); }
.tree .node .pid { font-family: var(--mono); font-weight: 700; font-size: 12px; color: var(--muted);
  flex: none; }
.tree .node .cmd { font-family: var(--mono); font-size: 12px; overflow-wrap: anywhere; }
.tree li.flagged > .node { background: var(--critical-bg); border-color: var(--critical);
  box-shadow: 0 0 0 1px var(--critical); }
.tree li.flagged > .node .pid { color: var(--critical); }
.tree li.flagged > .node::after { content: "flagged"; flex: none; font-size: 10px; font-weight: 700;
  text-transform: uppercase; color: var(--critical); letter-spacing: .05em; }

#skipped ul { margin: 0; padding-left: 20px; }
#skipped li { margin: 2px 0; }
footer { margin-top: 40px; color: var(--muted); font-size: 12px; text-align: center; }
.empty { padding: 14px; background: var(--paper); border: 1px dashed var(--line);
  border-radius: 8px;
  color: var(--muted); }

@media (max-width: 820px) {
  .cards { grid-template-columns: repeat(4, minmax(0, 1fr)); }
  ol.timeline li { grid-template-columns: 1fr; }
}

@media print {
  html, body { background: #fff; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  @page { margin: 1.4cm; }
  #summary, .finding, .group > h3, ol.timeline li, .card, .tree .node, pre, code, .fix {
    box-shadow: none; background: #fff !important; }
  #verdict { background: #fff !important; }
  nav.toc { display: none; }
  details > summary { list-style: none; }
  details > *, details::details-content { display: block !important; content-visibility: visible; }
  .finding, ol.timeline li, .tree, tr { break-inside: avoid; }
  h2, h3, h4 { break-after: avoid; }
  a { color: inherit; }
  .badge { color: #000; background: #fff !important; border: 1px solid #000; }
  .cards { grid-template-columns: repeat(7, minmax(0, 1fr)); }
}
)css";

// At most `max` bytes of `s`, cut at a UTF-8 character boundary, with an ellipsis when cut.
std::string Shorten(const std::string& s, size_t max) {
  if (s.size() <= max) return s;
  size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return fmt::format("{}\u2026", s.substr(0, end));
}

std::string SevClass(Severity s) { return fmt::format("sev-{}", SeverityName(s)); }

// "3 h 12 min before the scan", for a person reading the timeline.
std::string BeforeScan(int64_t t, int64_t scan) {
  const int64_t d = scan - t;
  if (d < 0) return "after the scan started";
  if (d < 60) return fmt::format("{} s before the scan", d);
  if (d < 3600) return fmt::format("{} min before the scan", d / 60);
  if (d < 86400) return fmt::format("{} h {} min before the scan", d / 3600, (d % 3600) / 60);
  return fmt::format("{} d {} h before the scan", d / 86400, (d % 86400) / 3600);
}

std::string HumanTime(int64_t t) {
  const std::string iso = FormatTime(t);  // 2026-11-22T18:00:00Z
  return fmt::format("{} {} UTC", iso.substr(0, 10), iso.substr(11, 8));
}

class HtmlSink final : public Sink {
 public:
  explicit HtmlSink(std::ostream& out) : out_(out) {}

  void Begin(const RunInfo&) override {}
  void Emit(const Finding& f) override { findings_.push_back(f); }

  void End(const RunInfo& run) override {
    const ScanResult& r = *run.scan;
    const Verdict verdict = JudgeFindings(findings_);
    std::string h;
    h += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    h += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
    // No script, style or image may come from anywhere but this file.
    h += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
         "style-src 'unsafe-inline'\">\n";
    h +=
        fmt::format("<title>deminer: {} - {}</title>\n", HtmlEscape(r.host.hostname), verdict.word);
    h += "<style>";
    h += kStyle;
    h += "</style>\n</head>\n<body>\n";
    Summary(run, verdict, h);
    Timeline(r, h);
    Findings(r, h);
    if (r.exposure_scanned) Exposure(r.exposure, h);
    Skipped(r.skipped, h);
    h += fmt::format(
        "<footer>deminer {} &middot; rules {} &middot; scan started {} &middot; this page has no "
        "scripts and loads nothing from the network</footer>\n",
        HtmlEscape(run.tool_version), HtmlEscape(run.rules_version),
        HtmlEscape(Iso8601(r.started_at)));
    h += "</body>\n</html>\n";
    out_ << h;
    out_.flush();
  }

 private:
  void Summary(const RunInfo& run, const Verdict& verdict, std::string& h) const {
    const ScanResult& r = *run.scan;
    h += "<header id=\"summary\">\n";
    h += fmt::format(
        "<div class=\"brand\"><span><strong>deminer</strong> {} &middot; rules {}</span>"
        "<span>scan started {} &middot; {:.0f} ms</span></div>\n",
        HtmlEscape(run.tool_version), HtmlEscape(run.rules_version),
        HtmlEscape(HumanTime(
            std::chrono::duration_cast<std::chrono::seconds>(r.started_at.time_since_epoch())
                .count())),
        r.duration_ms);
    h += fmt::format("<h1>Scan of <span class=\"host\">{}</span></h1>\n",
                     HtmlEscape(r.host.hostname.empty() ? "this host" : r.host.hostname));
    h += fmt::format(
        "<div id=\"verdict\" class=\"{0}\"><span class=\"word\">{0}</span>"
        "<span class=\"reason\">{1}</span></div>\n",
        verdict.word, HtmlEscape(verdict.reason));

    std::array<size_t, kSeverityCount> by_sev{};
    size_t compromise = 0;
    for (const Finding& f : findings_) {
      ++by_sev[static_cast<size_t>(f.severity)];
      compromise += f.kind == Kind::kCompromise ? 1 : 0;
    }
    h += "<div class=\"cards\" id=\"counts\">";
    for (int s = kSeverityCount - 1; s >= 0; --s) {
      const auto sev = static_cast<Severity>(s);
      const size_t n = by_sev[static_cast<size_t>(s)];
      h += fmt::format(
          "<div class=\"card {}{}\"><span class=\"n\">{}</span><span class=\"label\">{}</span>"
          "</div>",
          SevClass(sev), n == 0 ? " zero" : "", n, SeverityName(sev));
    }
    const size_t weakness = findings_.size() - compromise;
    h += fmt::format(
        "<div class=\"card kind{}\"><span class=\"n\">{}</span><span class=\"label\">compromise"
        "</span></div><div class=\"card kind{}\"><span class=\"n\">{}</span><span "
        "class=\"label\">weakness</span></div></div>\n",
        compromise == 0 ? " zero" : "", compromise, weakness == 0 ? " zero" : "", weakness);

    h += "<dl class=\"facts\">\n";
    h += fmt::format(
        "<dt>Host</dt><dd><span class=\"mono\">{}</span> <span class=\"muted\">"
        "kernel {}</span></dd>\n",
        HtmlEscape(r.host.hostname), HtmlEscape(r.host.kernel));
    // Containers named by findings, most findings first.
    std::map<std::string, std::pair<const ContainerRef*, size_t>> containers;
    std::set<std::string> remotes;
    for (const Finding& f : findings_) {
      if (f.container) {
        auto& slot = containers[f.container->id];
        slot.first = &*f.container;
        ++slot.second;
      }
      for (const char* key : {"remote", "pool_domain"}) {
        const std::string v = Str(f.evidence, key);
        if (!v.empty()) remotes.insert(v);
      }
      const auto pools = f.evidence.find("pools");
      if (pools != f.evidence.end() && pools->is_array()) {
        for (const Json& p : *pools) {
          if (p.is_string()) remotes.insert(p.get<std::string>());
        }
      }
    }
    h += "<dt>Containers involved</dt><dd>";
    if (containers.empty()) {
      h += fmt::format("<span class=\"muted\">none ({} seen)</span>", r.containers);
    }
    for (const auto& [id, slot] : containers) {
      const ContainerRef& c = *slot.first;
      h += fmt::format("<span class=\"chip\" title=\"{}\">{}", HtmlEscape(c.id),
                       HtmlEscape(c.Shown()));
      if (!c.image.empty())
        h += fmt::format(" <span class=\"mono\">{}</span>", HtmlEscape(c.image));
      h += fmt::format(" &middot; {}</span>", Plural(slot.second, "finding", "findings"));
    }
    h += "</dd>\n";
    if (!remotes.empty()) {
      h += "<dt>Remote hosts named</dt><dd>";
      for (const std::string& remote : remotes) {
        h += fmt::format("<span class=\"chip\"><span class=\"mono\">{}</span></span>",
                         HtmlEscape(remote));
      }
      h += "</dd>\n";
    }
    h += fmt::format(
        "<dt>Scanned</dt><dd>{} processes, {} sockets, {} containers, {} files, {} persistence "
        "files, {} log lines in {} logs</dd>\n",
        r.processes, r.sockets, r.containers, r.files, r.persistence_files, r.log_lines, r.logs);
    h += "</dl>\n<nav class=\"toc\"><a href=\"#timeline\">Timeline</a><a href=\"#findings\">"
         "Findings</a>";
    if (r.exposure_scanned) h += "<a href=\"#exposure\">Exposure</a>";
    if (!r.skipped.empty()) h += "<a href=\"#skipped\">Skipped</a>";
    h += "</nav>\n</header>\n";
  }

  void Timeline(const ScanResult& r, std::string& h) const {
    const std::vector<TimelineEvent> events = BuildTimeline(findings_);
    const int64_t scan =
        std::chrono::duration_cast<std::chrono::seconds>(r.started_at.time_since_epoch()).count();
    h += fmt::format(
        "<section id=\"timeline\">\n<h2>Timeline <span class=\"count\">{} from file times, "
        "process start times and log lines</span></h2>\n",
        Plural(events.size(), "event", "events"));
    h += "<ol class=\"timeline\">\n";
    for (const TimelineEvent& e : events) {
      h += fmt::format(
          "<li class=\"event {}\"><div><time datetime=\"{}\">{}</time><span class=\"ago\">{}"
          "</span></div><div><span class=\"what\">{}</span> <span class=\"detail\">{}</span>"
          "<div class=\"links\">",
          SevClass(e.severity), FormatTime(e.time), HumanTime(e.time), BeforeScan(e.time, scan),
          HtmlEscape(e.what), HtmlEscape(Shorten(e.detail, 200)));
      std::set<std::string> titles;  // one link a title: the first finding that has it
      for (const size_t i : e.findings) {
        const Finding& f = findings_[i];
        if (!titles.insert(f.title).second) continue;
        h += fmt::format("{}<a href=\"#f-{}\">{}</a>", titles.size() == 1 ? "" : " &middot; ", i,
                         HtmlEscape(f.title));
      }
      h += "</div></div></li>\n";
    }
    h += fmt::format(
        "<li class=\"marker\"><div><time datetime=\"{}\">{}</time></div><div><span "
        "class=\"what\">deminer scan</span> <span class=\"muted\">{} found</span></div></li>\n",
        HtmlEscape(Iso8601(r.started_at)), HumanTime(scan),
        Plural(findings_.size(), "finding", "findings"));
    h += "</ol>\n</section>\n";
  }

  void Findings(const ScanResult& r, std::string& h) const {
    h += fmt::format(
        "<section id=\"findings\">\n<h2>Findings <span class=\"count\">{}</span></h2>\n",
        findings_.size());
    if (findings_.empty()) {
      h += "<p class=\"empty\">Nothing found.</p>\n</section>\n";
      return;
    }
    // Container id ("" for the host) -> check id -> findings, each level most
    // severe first, then in the order the scan gave them.
    struct CheckGroup {
      std::string check;
      Severity worst = Severity::kInfo;
      std::vector<size_t> items;
    };
    struct Group {
      std::string id;
      const ContainerRef* container = nullptr;
      Severity worst = Severity::kInfo;
      size_t first = 0;
      std::vector<CheckGroup> checks;
    };
    std::vector<Group> groups;
    for (size_t i = 0; i < findings_.size(); ++i) {
      const Finding& f = findings_[i];
      const std::string id = f.container ? f.container->id : std::string();
      auto g =
          std::find_if(groups.begin(), groups.end(), [&](const Group& x) { return x.id == id; });
      if (g == groups.end()) {
        groups.push_back({id, f.container ? &*f.container : nullptr, f.severity, i, {}});
        g = groups.end() - 1;
      }
      g->worst = std::max(g->worst, f.severity);
      auto c = std::find_if(g->checks.begin(), g->checks.end(),
                            [&](const CheckGroup& x) { return x.check == f.check; });
      if (c == g->checks.end()) {
        g->checks.push_back({f.check, f.severity, {}});
        c = g->checks.end() - 1;
      }
      c->worst = std::max(c->worst, f.severity);
      c->items.push_back(i);
    }
    std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
      return a.worst != b.worst ? a.worst > b.worst : a.first < b.first;
    });
    for (size_t gi = 0; gi < groups.size(); ++gi) {
      Group& g = groups[gi];
      std::stable_sort(g.checks.begin(), g.checks.end(),
                       [](const CheckGroup& a, const CheckGroup& b) { return a.worst > b.worst; });
      size_t count = 0;
      for (const CheckGroup& c : g.checks) count += c.items.size();
      h += fmt::format("<section class=\"group\" id=\"group-{}\" data-container=\"{}\">\n<h3>", gi,
                       HtmlEscape(g.id));
      if (g.container == nullptr) {
        h += fmt::format("Host <span class=\"mono\">{}</span>", HtmlEscape(r.host.hostname));
        h += " <span class=\"sub\">(not in a container)";
      } else {
        h += fmt::format("Container <span class=\"mono\">{}</span> <span class=\"sub\">",
                         HtmlEscape(g.container->Shown()));
        if (!g.container->image.empty()) {
          h += fmt::format("image {} &middot; ", HtmlEscape(g.container->image));
        }
        if (!g.container->runtime.empty()) {
          h += fmt::format("{} &middot; ", HtmlEscape(g.container->runtime));
        }
        h += fmt::format("id {}", HtmlEscape(g.container->id.substr(0, 12)));
      }
      h += fmt::format(" &middot; {}</span></h3>\n", Plural(count, "finding", "findings"));
      for (const CheckGroup& c : g.checks) {
        const Check* check = FindCheck(c.check);
        h += fmt::format(
            "<section class=\"check-group\" data-check=\"{}\">\n<h4><code>{}</code> "
            "{} ({})</h4>\n",
            HtmlEscape(c.check), HtmlEscape(c.check),
            check != nullptr ? HtmlEscape(check->info.title) : std::string(), c.items.size());
        for (const size_t i : c.items) FindingHtml(i, h);
        h += "</section>\n";
      }
      h += "</section>\n";
    }
    h += "</section>\n";
  }

  void FindingHtml(size_t index, std::string& h) const {
    const Finding& f = findings_[index];
    h += fmt::format(
        "<article class=\"finding {}\" id=\"f-{}\" data-check=\"{}\" data-severity=\"{}\">\n"
        "<div class=\"finding-head\"><span class=\"badge {}\">{}</span><span class=\"title\">{}"
        "</span><span class=\"kind-tag {}\">{}</span><span class=\"meta\">{}",
        SevClass(f.severity), index, HtmlEscape(f.check), SeverityName(f.severity),
        SevClass(f.severity), SeverityName(f.severity), HtmlEscape(f.title), KindName(f.kind),
        KindName(f.kind), HtmlEscape(f.check));
    if (!f.attack.empty()) h += fmt::format(" &middot; ATT&amp;CK {}", HtmlEscape(f.attack));
    h += "</span></div>\n";
    h += fmt::format("<div class=\"subject\">{}", HtmlEscape(f.subject));
    if (!f.path.empty() && f.line > 0) {
      h += fmt::format(" <span class=\"where\">{}:{}</span>", HtmlEscape(f.path), f.line);
    }
    h += "</div>\n<div class=\"finding-body\">";
    if (const Json* p = ProcessEvidence(f)) h += AncestryTree(*p);
    h += "<details open><summary>Evidence</summary>";
    h += EvidenceTable(f.evidence, 0);
    h += "</details></div>\n";
    if (!f.remediation.empty()) {
      h += fmt::format("<div class=\"fix\"><strong>Fix</strong>{}</div>\n",
                       HtmlEscape(f.remediation));
    }
    h += "</article>\n";
  }

  // The chain from the topmost ancestor (pid 1, or a container's init) down to
  // the flagged process, as nested lists the stylesheet draws as a tree.
  static std::string AncestryTree(const Json& p) {
    std::vector<const Json*> chain;
    const auto anc = p.find("ancestry");
    if (anc != p.end() && anc->is_array()) {
      for (auto it = anc->rbegin(); it != anc->rend(); ++it) chain.push_back(&*it);
    }
    chain.push_back(&p);
    std::string h = "<div class=\"ancestry\"><div class=\"label\">Process ancestry</div>";
    h += "<ul class=\"tree\">";
    for (size_t i = 0; i < chain.size(); ++i) {
      const Json& node = *chain[i];
      std::string cmd = Str(node, "cmdline");
      if (cmd.empty()) cmd = Str(node, "exe");
      const bool flagged = i + 1 == chain.size();
      // Ancestors' command lines can be long (a runtime's environment); the
      // whole line is in the title, the flagged process's is shown in full.
      h += fmt::format(
          "<li{}><span class=\"node\" title=\"{}\"><span class=\"pid\">{}</span>"
          "<span class=\"cmd\">{}</span></span>",
          flagged ? " class=\"flagged\"" : "", HtmlEscape(Shorten(cmd, 1024)),
          HtmlEscape(Str(node, "pid")), HtmlEscape(flagged ? cmd : Shorten(cmd, 160)));
      if (!flagged) h += "<ul>";
    }
    for (size_t i = 0; i < chain.size(); ++i) h += i == 0 ? "</li>" : "</ul></li>";
    h += "</ul></div>";
    return h;
  }

  static std::string Scalar(const Json& v) {
    if (v.is_string()) {
      const std::string& text = v.get_ref<const std::string&>();
      if (text.size() > 90) return fmt::format("<div class=\"long\">{}</div>", HtmlEscape(text));
      return fmt::format("<code>{}</code>", HtmlEscape(text));
    }
    if (v.is_null()) return "<span class=\"muted\">-</span>";
    return HtmlEscape(DumpJson(v));
  }

  static std::string EvidenceTable(const Json& ev, int depth) {
    if (!ev.is_object()) return Scalar(ev);
    std::string h = "<table class=\"evidence\">";
    for (const auto& [key, v] : ev.items()) {
      if (key == "ancestry") continue;  // drawn as the tree
      h += fmt::format("<tr><th>{}</th><td>", HtmlEscape(key));
      if (v.is_object()) {
        h += depth < 4 ? EvidenceTable(v, depth + 1) : HtmlEscape(DumpJson(v));
      } else if (v.is_array()) {
        h += EvidenceArray(key, v, depth);
      } else {
        h += Scalar(v);
      }
      h += "</td></tr>";
    }
    h += "</table>";
    return h;
  }

  static std::string EvidenceArray(const std::string& key, const Json& v, int depth) {
    if (v.empty()) return "<span class=\"muted\">none</span>";
    if (key == "lines") {
      std::string text;
      for (const Json& line : v) {
        text += line.is_string() ? line.get<std::string>() : DumpJson(line);
        text += '\n';
      }
      return fmt::format("<pre>{}</pre>", HtmlEscape(text));
    }
    bool objects = true;
    for (const Json& item : v) objects = objects && item.is_object();
    if (!objects) {
      std::string h;
      for (const Json& item : v) {
        h += Scalar(item);
        h += ' ';
      }
      return h;
    }
    // A list of objects with the same keys is a table; anything else, one table each.
    std::vector<std::string> columns;
    for (const auto& [k, ignored] : v[0].items()) columns.push_back(k);
    bool uniform = true;
    for (const Json& item : v) {
      uniform = uniform && item.size() == columns.size();
      for (const std::string& c : columns) uniform = uniform && item.contains(c);
    }
    std::string h;
    if (!uniform) {
      for (const Json& item : v) h += EvidenceTable(item, depth + 1);
      return h;
    }
    h = "<table class=\"grid\"><tr>";
    for (const std::string& c : columns) h += fmt::format("<th>{}</th>", HtmlEscape(c));
    h += "</tr>";
    for (const Json& item : v) {
      h += "<tr>";
      for (const std::string& c : columns) {
        const Json& cell = item.at(c);
        h += fmt::format("<td>{}</td>", cell.is_string() ? HtmlEscape(cell.get<std::string>())
                                                         : HtmlEscape(DumpJson(cell)));
      }
      h += "</tr>";
    }
    h += "</table>";
    return h;
  }

  // Every socket other hosts may reach or whose verdict is unknown; those only
  // this host reaches are counted, as in the text report.
  static void Exposure(const std::vector<ExposureRow>& rows, std::string& h) {
    std::array<size_t, 5> by{};  // Reach order
    for (const ExposureRow& row : rows) ++by[static_cast<size_t>(row.verdict)];
    h += fmt::format(
        "<section id=\"exposure\">\n<h2>Exposure <span class=\"count\">{}: {} local only, {} "
        "filtered, {} reachable, {} reachable and sensitive, {} unknown</span></h2>\n",
        Plural(rows.size(), "listening socket", "listening sockets"), by[0], by[1], by[2], by[3],
        by[4]);
    if (rows.size() == by[0]) {
      h += "<p class=\"empty\">Only this host can reach its listening sockets.</p>\n</section>\n";
      return;
    }
    h += "<table class=\"grid exposure\"><tr><th>Proto</th><th>Address:port</th><th>Process</th>"
         "<th>Container</th><th>Service</th><th>Verdict</th><th>Reason</th></tr>\n";
    for (const ExposureRow& row : rows) {
      if (row.verdict == Reach::kLocal) continue;
      const std::string where = row.family == 6 ? fmt::format("[{}]", row.address) : row.address;
      std::string owner = row.process.empty() ? "-" : row.process;
      if (row.pid != 0) owner += fmt::format(" ({})", row.pid);
      h += fmt::format(
          "<tr class=\"{}\"><td>{}</td><td class=\"mono\">{}:{}</td><td class=\"mono\">{}</td>"
          "<td>{}</td><td>{}</td><td class=\"verdict\">{}</td><td>{}</td></tr>\n",
          ReachName(row.verdict), row.proto == Proto::kTcp ? "tcp" : "udp", HtmlEscape(where),
          row.port, HtmlEscape(owner), row.container ? HtmlEscape(row.container->Shown()) : "-",
          row.service.empty() ? "-" : HtmlEscape(row.service), ReachName(row.verdict),
          HtmlEscape(row.reason));
    }
    h += "</table>\n</section>\n";
  }

  static void Skipped(const std::vector<Gap>& gaps, std::string& h) {
    if (gaps.empty()) return;
    h += fmt::format(
        "<section id=\"skipped\">\n<h2>Skipped <span class=\"count\">{}; the scan went on "
        "without them</span></h2>\n<ul>\n",
        Plural(gaps.size(), "gap", "gaps"));
    for (const Gap& g : gaps) {
      h += fmt::format("<li class=\"gap\"><strong>{}</strong>: {}", HtmlEscape(g.what),
                       HtmlEscape(g.reason));
      if (!g.needs.empty())
        h += fmt::format(" <span class=\"muted\">(needs {})</span>", HtmlEscape(g.needs));
      h += "</li>\n";
    }
    h += "</ul>\n</section>\n";
  }

  std::ostream& out_;
  std::vector<Finding> findings_;
};

}  // namespace

std::unique_ptr<Sink> MakeHtmlSink(std::ostream& out) { return std::make_unique<HtmlSink>(out); }

}  // namespace deminer
