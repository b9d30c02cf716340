// deminer diff CLEAN SUSPECT: what a suspect build, tree, image or
// node_modules has that a clean one does not (sources/tree_diff.h), with the
// JS heuristics run on the added text of each hunk alone and on each added
// file, so the report shows the injected snippet, not the whole bundle. Build
// noise (build ids, hashed names, per-build keys, timestamps) is listed apart.
// Exit: 0 nothing suspicious at or above --fail-on, 1 otherwise, 2 error.
#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/commands.h"
#include "core/strings.h"
#include "match/js_heuristics.h"
#include "sources/tree_diff.h"

namespace deminer {

namespace {

using Json = nlohmann::ordered_json;

constexpr size_t kExcerpt = 4096;      // bytes of a hunk side in the JSON report
constexpr size_t kTextExcerpt = 400;   // in the text report
constexpr size_t kTextListMax = 200;   // entries of a list in the text report

// One suspicious change: a hunk of a changed file, or an added file.
struct Suspicious {
  Severity severity = Severity::kMedium;
  const FileChange* change = nullptr;
  const DiffHunk* hunk = nullptr;  // null: the whole added file
};

std::string Mode(uint32_t m) { return fmt::format("{:04o}", m); }

Json SignalsJson(const std::vector<JsSignal>& signals) {
  Json a = Json::array();
  for (const JsSignal& s : signals) {
    a.push_back({{"id", s.id},
                 {"weight", s.weight},
                 {"line", s.line},
                 {"excerpt", Printable(s.excerpt, 512)},
                 {"why", s.why}});
  }
  return a;
}

Json HunkJson(const DiffHunk& h) {
  Json j = {{"line", h.line},
            {"offset", h.offset},
            {"clean_offset", h.clean_offset},
            {"removed", h.removed.substr(0, kExcerpt)},
            {"added", h.added.substr(0, kExcerpt)},
            {"removed_bytes", h.removed_bytes},
            {"added_bytes", h.added_bytes},
            {"truncated", h.removed_bytes > kExcerpt || h.added_bytes > kExcerpt}};
  if (h.score > 0 || !h.signals.empty()) {
    j["score"] = h.score;
    j["signals"] = SignalsJson(h.signals);
  }
  return j;
}

Json FileJson(const FileChange& c) {
  Json j = {{"path", c.path}};
  if (!c.clean_path.empty()) j["clean_path"] = c.clean_path;
  j["type"] = c.type;
  const bool has_clean = c.kind != ChangeKind::kAdded;
  const bool has_suspect = c.kind != ChangeKind::kRemoved;
  if (has_clean && c.kind != ChangeKind::kRemoved && c.clean_type != c.type) {
    j["clean_type"] = c.clean_type;
  }
  if (c.kind == ChangeKind::kRemoved) {
    j["mode"] = Mode(c.clean_mode);
    j["size"] = c.clean_size;
    if (!c.clean_sha256.empty()) j["sha256"] = c.clean_sha256;
    if (!c.clean_link_target.empty()) j["link_target"] = c.clean_link_target;
    return j;
  }
  if (has_suspect) {
    if (has_clean) j["clean_mode"] = Mode(c.clean_mode);
    j["mode"] = Mode(c.mode);
    if (has_clean) j["clean_size"] = c.clean_size;
    j["size"] = c.size;
    if (has_clean && !c.clean_sha256.empty()) j["clean_sha256"] = c.clean_sha256;
    if (!c.sha256.empty()) j["sha256"] = c.sha256;
    if (has_clean && !c.clean_link_target.empty()) j["clean_link_target"] = c.clean_link_target;
    if (!c.link_target.empty()) j["link_target"] = c.link_target;
  }
  j["text"] = c.text;
  if (!c.note.empty()) j["note"] = c.note;
  if (c.kind == ChangeKind::kChanged) {
    Json hunks = Json::array();
    for (const DiffHunk& h : c.hunks) hunks.push_back(HunkJson(h));
    j["hunks"] = std::move(hunks);
    if (c.hunks_omitted > 0) j["hunks_omitted"] = c.hunks_omitted;
  }
  if (c.kind == ChangeKind::kAdded && (c.score > 0 || !c.signals.empty())) {
    j["score"] = c.score;
    j["signals"] = SignalsJson(c.signals);
  }
  return j;
}

struct Counts {
  size_t added = 0, removed = 0, changed = 0, mode = 0;
};

Counts Count(const TreeDiff& d) {
  Counts n;
  for (const FileChange& c : d.changes) {
    switch (c.kind) {
      case ChangeKind::kAdded: ++n.added; break;
      case ChangeKind::kRemoved: ++n.removed; break;
      case ChangeKind::kChanged: ++n.changed; break;
      case ChangeKind::kModeChanged: ++n.mode; break;
    }
  }
  return n;
}

Json ReportJson(const TreeDiff& d, const std::vector<Suspicious>& sus, const RulePack& rules) {
  const Counts n = Count(d);
  Json j;
  j["tool"] = "deminer diff";
  j["version"] = DEMINER_VERSION;
  j["rules"] = rules.name + " " + rules.version;
  j["clean"] = d.clean;
  j["suspect"] = d.suspect;
  j["kind"] = d.kind;
  if (d.kind == "image") {
    j["clean_ref"] = d.clean_ref;
    j["suspect_ref"] = d.suspect_ref;
  }
  j["build_ids"] = {{"clean", d.clean_build_ids}, {"suspect", d.suspect_build_ids}};
  j["summary"] = {{"suspicious", sus.size()},
                  {"highest", sus.empty() ? Json(nullptr) : Json(SeverityName(sus[0].severity))},
                  {"added", n.added},
                  {"removed", n.removed},
                  {"changed", n.changed},
                  {"mode_changed", n.mode},
                  {"noise", d.noise.size()},
                  {"unchanged", d.unchanged},
                  {"skipped", d.skipped.size()},
                  {"clean_entries", d.clean_entries},
                  {"suspect_entries", d.suspect_entries}};
  Json s = Json::array();
  for (const Suspicious& x : sus) {
    Json e = {{"severity", SeverityName(x.severity)},
              {"change", ChangeKindName(x.change->kind)},
              {"path", x.change->path}};
    if (!x.change->clean_path.empty()) e["clean_path"] = x.change->clean_path;
    if (x.hunk != nullptr) {
      e["line"] = x.hunk->line;
      e["offset"] = x.hunk->offset;
      e["score"] = x.hunk->score;
      e["signals"] = SignalsJson(x.hunk->signals);
      e["added"] = x.hunk->added.substr(0, kExcerpt);
      e["added_bytes"] = x.hunk->added_bytes;
    } else {
      e["score"] = x.change->score;
      e["signals"] = SignalsJson(x.change->signals);
      e["size"] = x.change->size;
      e["sha256"] = x.change->sha256;
    }
    s.push_back(std::move(e));
  }
  j["suspicious"] = std::move(s);
  Json added = Json::array();
  Json removed = Json::array();
  Json changed = Json::array();
  Json mode = Json::array();
  for (const FileChange& c : d.changes) {
    switch (c.kind) {
      case ChangeKind::kAdded: added.push_back(FileJson(c)); break;
      case ChangeKind::kRemoved: removed.push_back(FileJson(c)); break;
      case ChangeKind::kChanged: changed.push_back(FileJson(c)); break;
      case ChangeKind::kModeChanged:
        mode.push_back({{"path", c.path},
                        {"type", c.type},
                        {"clean_mode", Mode(c.clean_mode)},
                        {"mode", Mode(c.mode)}});
        break;
    }
  }
  j["added"] = std::move(added);
  j["removed"] = std::move(removed);
  j["changed"] = std::move(changed);
  j["mode_changed"] = std::move(mode);
  Json noise = Json::array();
  for (const NoiseEntry& e : d.noise) {
    noise.push_back({{"clean_path", e.clean_path}, {"path", e.path}, {"reasons", e.reasons}});
  }
  j["noise"] = std::move(noise);
  Json skipped = Json::array();
  for (const Gap& g : d.skipped) skipped.push_back({{"what", g.what}, {"reason", g.reason}});
  j["skipped"] = std::move(skipped);
  return j;
}

void Indented(std::ostream& out, std::string_view prefix, std::string_view text) {
  out << "      " << prefix << Printable(text, kTextExcerpt) << "\n";
}

void ReportText(std::ostream& out, const TreeDiff& d, const std::vector<Suspicious>& sus) {
  const Counts n = Count(d);
  out << fmt::format("deminer diff: {} -> {} ({})\n", Printable(d.clean, 1024),
                     Printable(d.suspect, 1024), d.kind);
  if (d.kind == "image") out << fmt::format("  images: {} -> {}\n", d.clean_ref, d.suspect_ref);
  if (!d.clean_build_ids.empty() || !d.suspect_build_ids.empty()) {
    out << fmt::format("  build ids: {} -> {}\n", Join(d.clean_build_ids, ","),
                       Join(d.suspect_build_ids, ","));
  }
  out << fmt::format(
      "{} suspicious, {} added, {} removed, {} changed, {} mode changed; {} build-noise "
      "entries normalised; {} unchanged; {} skipped\n",
      sus.size(), n.added, n.removed, n.changed, n.mode, d.noise.size(), d.unchanged,
      d.skipped.size());

  if (!sus.empty()) {
    out << "\nSuspicious changes:\n";
    for (const Suspicious& x : sus) {
      const FileChange& c = *x.change;
      if (x.hunk != nullptr) {
        out << fmt::format("  [{}] {} {} line {} offset {} (score {})\n",
                           SeverityName(x.severity), ChangeKindName(c.kind), Printable(c.path),
                           x.hunk->line, x.hunk->offset, x.hunk->score);
      } else {
        out << fmt::format("  [{}] {} {} (score {}, {} bytes)\n", SeverityName(x.severity),
                           ChangeKindName(c.kind), Printable(c.path), c.score, c.size);
      }
      for (const JsSignal& s : x.hunk != nullptr ? x.hunk->signals : c.signals) {
        out << fmt::format("      {} (+{}): {}  {}\n", s.id, s.weight, s.why,
                           Printable(s.excerpt, 160));
      }
      if (x.hunk != nullptr) Indented(out, "+ ", x.hunk->added);
    }
  }
  const auto list = [&](ChangeKind kind, std::string_view title) {
    size_t shown = 0;
    size_t total = 0;
    for (const FileChange& c : d.changes) {
      if (c.kind != kind) continue;
      if (++total == 1) out << "\n" << title << ":\n";
      if (shown >= kTextListMax) continue;
      ++shown;
      std::string line = "  " + Printable(c.path);
      if (!c.clean_path.empty()) line += " (was " + Printable(c.clean_path) + ")";
      if (kind == ChangeKind::kModeChanged) {
        line += fmt::format("  {} -> {}", Mode(c.clean_mode), Mode(c.mode));
      } else if (kind == ChangeKind::kRemoved) {
        line += fmt::format("  {} {} bytes", c.type, c.clean_size);
      } else {
        line += fmt::format("  {} {} bytes", c.type, c.size);
      }
      if (!c.note.empty()) line += "  [" + c.note + "]";
      out << line << "\n";
      if (kind == ChangeKind::kChanged) {
        for (const DiffHunk& h : c.hunks) {
          out << fmt::format("    @ line {} offset {} (-{} +{} bytes)\n", h.line, h.offset,
                             h.removed_bytes, h.added_bytes);
          if (!h.removed.empty()) Indented(out, "- ", h.removed);
          if (!h.added.empty()) Indented(out, "+ ", h.added);
        }
      }
    }
    if (total > shown) {
      out << fmt::format("  ... {} more (--format json lists all)\n", total - shown);
    }
  };
  list(ChangeKind::kAdded, "Added");
  list(ChangeKind::kRemoved, "Removed");
  list(ChangeKind::kChanged, "Changed");
  list(ChangeKind::kModeChanged, "Mode changed");
  if (!d.noise.empty()) {
    out << "\nBuild noise (normalised, not changes):\n";
    size_t shown = 0;
    for (const NoiseEntry& e : d.noise) {
      if (shown++ >= kTextListMax) {
        out << fmt::format("  ... {} more (--format json lists all)\n", d.noise.size() - kTextListMax);
        break;
      }
      std::string line = "  ";
      if (e.clean_path.empty() || e.path.empty() || e.clean_path == e.path) {
        line += Printable(e.path.empty() ? e.clean_path : e.path);
      } else {
        line += Printable(e.clean_path) + " -> " + Printable(e.path);
      }
      line += "  (" + Join(e.reasons, ", ") + ")";
      out << line << "\n";
    }
  }
  if (!d.skipped.empty()) {
    out << "\nSkipped:\n";
    for (const Gap& g : d.skipped) {
      out << fmt::format("  {}: {}\n", Printable(g.what), Printable(g.reason));
    }
  }
}

}  // namespace

int RunDiffCommand(const DiffArgs& args) {
  if (args.format != "text" && args.format != "json") {
    std::cerr << "deminer: unknown format '" << args.format << "' (text, json)\n";
    return kExitError;
  }
  std::optional<Severity> fail_on;
  if (!ParseFailOn(args.fail_on, fail_on)) return kExitError;
  auto rules = LoadRules(args.rules, args.no_default_rules);
  if (!rules) {
    std::cerr << "deminer: " << rules.error().message() << "\n";
    return kExitError;
  }
  // Made on the first change to score: compiling its patterns is most of the
  // time of a diff that finds nothing.
  std::unique_ptr<JsHeuristics> js;
  TreeDiffOptions options;
  options.inspect = [&js, &rules](FileChange& change, std::string_view text) {
    if (!js) js = std::make_unique<JsHeuristics>(*rules);
    const JsHeuristics& heuristics = *js;
    if (change.kind == ChangeKind::kAdded) {
      change.score = heuristics.Score(text, change.signals);
      return;
    }
    // The change alone: a bundle's ordinary code around it must not count.
    for (DiffHunk& h : change.hunks) {
      if (h.added.empty()) continue;
      h.score = heuristics.Score(h.added, h.signals);
      for (JsSignal& s : h.signals) s.line += h.line - 1;  // the file's line, not the hunk's
    }
  };
  auto diff = DiffTrees(args.clean, args.suspect, options);
  if (!diff) {
    std::cerr << "deminer: diff: " << diff.error().message() << "\n";
    return kExitError;
  }

  std::vector<Suspicious> sus;
  for (const FileChange& c : diff->changes) {
    if (c.kind == ChangeKind::kAdded) {
      const Severity s = JsSeverity(c.score, c.signals);
      if (s != Severity::kInfo) sus.push_back({s, &c, nullptr});
    }
    for (const DiffHunk& h : c.hunks) {
      const Severity s = JsSeverity(h.score, h.signals);
      if (s != Severity::kInfo) sus.push_back({s, &c, &h});
    }
  }
  std::stable_sort(sus.begin(), sus.end(), [](const Suspicious& a, const Suspicious& b) {
    return a.severity > b.severity;
  });

  std::ofstream file;
  std::ostream* out = OpenOutput(args.output, file);
  if (!out) return kExitError;
  if (args.format == "json") {
    *out << ReportJson(*diff, sus, *rules)
                .dump(2, ' ', false, nlohmann::json::error_handler_t::replace)
         << "\n";
  } else {
    ReportText(*out, *diff, sus);
  }
  out->flush();
  if (!*out) {
    std::cerr << "deminer: writing the report failed\n";
    return kExitError;
  }
  if (fail_on) {
    for (const Suspicious& x : sus) {
      if (x.severity >= *fail_on) return kExitFindings;
    }
  }
  return kExitClean;
}

}  // namespace deminer
