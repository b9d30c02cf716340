#include "match/osv.h"

#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <simdjson.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>

#include "match/rule_pack.h"

namespace deminer {

namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxDetails = 4096;
constexpr size_t kMaxText = 1024;

std::string Bounded(std::string s, size_t max) {
  if (s.size() > max) {
    s.resize(max);
    s += "...";
  }
  return s;
}

using simdjson::dom::array;
using simdjson::dom::element;
using simdjson::dom::object;

// A member of an object; an invalid element when `j` is not an object or
// lacks it (every accessor below then yields nothing).
simdjson::simdjson_result<element> Member(element j, std::string_view key) {
  object o;
  if (j.get_object().get(o) != simdjson::SUCCESS) return simdjson::NO_SUCH_FIELD;
  return o.at_key(key);
}

std::string String(element j, std::string_view key, size_t max = kMaxText) {
  std::string_view v;
  if (Member(j, key).get_string().get(v) != simdjson::SUCCESS) return {};
  return Bounded(std::string(v), max);
}

std::vector<std::string> Strings(element j, std::string_view key) {
  std::vector<std::string> out;
  array a;
  if (Member(j, key).get_array().get(a) != simdjson::SUCCESS) return out;
  for (element e : a) {
    std::string_view v;
    if (e.get_string().get(v) == simdjson::SUCCESS)
      out.push_back(Bounded(std::string(v), kMaxText));
  }
  return out;
}

// database_specific fields a person should read beside the finding: "note",
// "note_*" strings.
std::vector<std::string> Notes(element j) {
  std::vector<std::string> out;
  object ds;
  if (Member(j, "database_specific").get_object().get(ds) != simdjson::SUCCESS) return out;
  for (const auto field : ds) {
    std::string_view v;
    if (field.key.starts_with("note") && field.value.get_string().get(v) == simdjson::SUCCESS) {
      out.push_back(Bounded(std::string(v), kMaxDetails));
    }
  }
  return out;
}

std::string Upper(std::string s) {
  for (char& c : s) {
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  }
  return s;
}

std::string Stem(const std::string& source) {
  // "dir/MAL-0000-x.json" or "all.zip:MAL-0000-x.json" -> "MAL-0000-x"
  std::string name = source;
  if (const size_t slash = name.find_last_of("/:"); slash != std::string::npos) {
    name = name.substr(slash + 1);
  }
  if (name.ends_with(".json")) name.resize(name.size() - 5);
  return name;
}

// Orders events by version: introduced "0" below everything, limit "*" above.
bool EventLess(const OsvEvent& a, const OsvEvent& b) {
  const auto rank = [](const OsvEvent& e) {
    if (!e.zero) return 1;
    return e.type == OsvEvent::Type::kLimit ? 2 : 0;
  };
  if (rank(a) != rank(b)) return rank(a) < rank(b);
  if (rank(a) != 1) return false;
  return SemVer::Compare(a.version, b.version) < 0;
}

// One range's events; nullopt (and a problem) when a version is not SemVer.
std::optional<OsvRange> ReadRange(element r, const std::string& where, std::vector<Gap>& problems) {
  OsvRange range;
  array events;
  if (Member(r, "events").get_array().get(events) != simdjson::SUCCESS) return range;
  for (element e : events) {
    object o;
    if (e.get_object().get(o) != simdjson::SUCCESS || o.size() != 1) continue;
    const auto field = *o.begin();
    std::string_view text;
    if (field.value.get_string().get(text) != simdjson::SUCCESS) continue;
    const std::string_view key = field.key;
    OsvEvent ev;
    if (key == "introduced") {
      ev.type = OsvEvent::Type::kIntroduced;
    } else if (key == "fixed") {
      ev.type = OsvEvent::Type::kFixed;
    } else if (key == "last_affected") {
      ev.type = OsvEvent::Type::kLastAffected;
    } else if (key == "limit") {
      ev.type = OsvEvent::Type::kLimit;
    } else {
      continue;
    }
    ev.text = Bounded(std::string(text), kMaxText);
    if ((ev.type == OsvEvent::Type::kIntroduced && ev.text == "0") ||
        (ev.type == OsvEvent::Type::kLimit && ev.text == "*")) {
      ev.zero = true;
    } else if (auto v = SemVer::Parse(ev.text)) {
      ev.version = std::move(*v);
    } else {
      problems.push_back(
          {where, fmt::format("range {} '{}' is not a SemVer version; range skipped", key, ev.text),
           ""});
      return std::nullopt;
    }
    range.events.push_back(std::move(ev));
  }
  std::stable_sort(range.events.begin(), range.events.end(), EventLess);
  range.every_version =
      !range.events.empty() &&
      std::all_of(range.events.begin(), range.events.end(),
                  [](const OsvEvent& e) { return e.type == OsvEvent::Type::kIntroduced; }) &&
      range.events.front().zero;
  return range;
}

OsvVersion ReadVersion(std::string text) {
  OsvVersion v;
  v.version = SemVer::Parse(text);
  v.text = std::move(text);
  return v;
}

// One OSV record; null when it is withdrawn or names no npm package.
std::shared_ptr<Advisory> ReadRecord(element j, const std::string& source,
                                     std::vector<Gap>& problems) {
  if (!j.is_object()) {
    problems.push_back({source, "not an OSV record (a JSON object)", ""});
    return nullptr;
  }
  if (!String(j, "withdrawn").empty()) return nullptr;
  auto a = std::make_shared<Advisory>();
  a->source = source;
  a->id = String(j, "id");
  a->aliases = Strings(j, "aliases");
  a->related = Strings(j, "related");
  if (a->id.empty()) {
    // Upstream's transient MAL-0000 ingest files have "id": "".
    a->transient = true;
    a->id = !a->aliases.empty() ? a->aliases.front() : Stem(source);
  }
  const std::string stem = Stem(source);
  a->malicious = a->id.starts_with("MAL-") || (a->transient && stem.starts_with("MAL-")) ||
                 std::any_of(a->aliases.begin(), a->aliases.end(),
                             [](const std::string& s) { return s.starts_with("MAL-"); });
  a->summary = String(j, "summary");
  a->details = String(j, "details", kMaxDetails);
  a->published = String(j, "published");
  a->modified = String(j, "modified");
  a->notes = Notes(j);
  element ds;
  if (Member(j, "database_specific").get(ds) == simdjson::SUCCESS) {
    a->severity = Upper(String(ds, "severity"));
  }
  array sev;
  if (Member(j, "severity").get_array().get(sev) == simdjson::SUCCESS) {
    for (element s : sev) {
      const std::string type = String(s, "type");
      if (type.starts_with("CVSS_V3") || (type.starts_with("CVSS") && a->cvss.empty())) {
        a->cvss = String(s, "score");
        if (type.starts_with("CVSS_V3")) break;
      }
    }
  }
  array refs;
  if (Member(j, "references").get_array().get(refs) == simdjson::SUCCESS) {
    for (element r : refs) {
      if (std::string url = String(r, "url"); !url.empty()) a->references.push_back(std::move(url));
    }
  }
  array affected;
  if (Member(j, "affected").get_array().get(affected) != simdjson::SUCCESS) {
    problems.push_back({source, fmt::format("{}: no affected[] list", a->id), ""});
    return nullptr;
  }
  for (element e : affected) {
    element pkg;
    if (Member(e, "package").get(pkg) != simdjson::SUCCESS || String(pkg, "ecosystem") != "npm") {
      continue;
    }
    OsvAffected aff;
    aff.package = String(pkg, "name");
    if (aff.package.empty()) continue;
    const std::string where = fmt::format("{} ({} {})", source, a->id, aff.package);
    array ranges;
    if (Member(e, "ranges").get_array().get(ranges) == simdjson::SUCCESS) {
      for (element r : ranges) {
        const std::string type = String(r, "type");
        if (type != "SEMVER" && type != "ECOSYSTEM") continue;  // GIT: commits, not versions
        if (auto range = ReadRange(r, where, problems); range && !range->events.empty()) {
          aff.ranges.push_back(std::move(*range));
        }
      }
    }
    for (std::string& v : Strings(e, "versions")) aff.versions.push_back(ReadVersion(std::move(v)));
    aff.notes = Notes(e);
    if (aff.ranges.empty() && aff.versions.empty()) continue;
    a->affected.push_back(std::move(aff));
  }
  if (a->affected.empty()) return nullptr;  // another ecosystem's record: not a problem
  return a;
}

// The consolidated list: {"name": {"versions": [...]}}, [] = every version.
bool LooksLikeList(element j) {
  object o;
  if (j.get_object().get(o) != simdjson::SUCCESS || o.size() == 0) return false;
  element unused;
  if (o.at_key("id").get(unused) == simdjson::SUCCESS ||
      o.at_key("affected").get(unused) == simdjson::SUCCESS ||
      o.at_key("schema_version").get(unused) == simdjson::SUCCESS) {
    return false;
  }
  array versions;
  return Member((*o.begin()).value, "versions").get_array().get(versions) == simdjson::SUCCESS;
}

std::shared_ptr<Advisory> ReadList(element j, const std::string& source,
                                   std::vector<Gap>& problems) {
  auto a = std::make_shared<Advisory>();
  a->source = source;
  a->id = Stem(source);
  a->malicious = true;
  a->from_list = true;
  a->summary = fmt::format("Listed as malicious in {}", fs::path(source).filename().string());
  size_t skipped = 0;
  object o;
  if (j.get_object().get(o) != simdjson::SUCCESS) return nullptr;
  a->affected.reserve(o.size());
  for (const auto field : o) {
    array versions;
    if (field.key.empty() ||
        Member(field.value, "versions").get_array().get(versions) != simdjson::SUCCESS) {
      ++skipped;
      continue;
    }
    OsvAffected aff;
    aff.package = Bounded(std::string(field.key), kMaxText);
    for (element v : versions) {
      std::string_view text;
      if (v.get_string().get(text) == simdjson::SUCCESS) {
        aff.versions.push_back(ReadVersion(Bounded(std::string(text), kMaxText)));
      }
    }
    aff.every_version = aff.versions.empty();
    a->affected.push_back(std::move(aff));
  }
  if (skipped > 0) {
    problems.push_back(
        {source, fmt::format("{} entries are not {{\"versions\": [...]}}; skipped", skipped), ""});
  }
  return a->affected.empty() ? nullptr : a;
}

// Reads at most `max` bytes of `path`; nullopt and a problem when it cannot.
std::optional<std::string> ReadBounded(const std::string& path, uint64_t max,
                                       std::vector<Gap>& problems) {
  std::error_code ec;
  const uint64_t size = fs::file_size(path, ec);
  if (ec) {
    problems.push_back({path, ec.message(), ""});
    return std::nullopt;
  }
  if (size > max) {
    problems.push_back(
        {path, fmt::format("{} bytes, over the {} MiB cap for an advisory file", size, max >> 20),
         ""});
    return std::nullopt;
  }
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    problems.push_back({path, Error::FromErrno(errno, path).message(), ""});
    return std::nullopt;
  }
  std::string data(size, '\0');
  const size_t n = std::fread(data.data(), 1, data.size(), f);
  std::fclose(f);
  data.resize(n);
  return data;
}

bool IsZip(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) return false;
  char magic[4] = {};
  const size_t n = std::fread(magic, 1, 4, f);
  std::fclose(f);
  return n == 4 && magic[0] == 'P' && magic[1] == 'K' && magic[2] == 3 && magic[3] == 4;
}

// CVSS v3.x base score (FIRST's specification, section 7.1).
std::optional<double> CvssV3Score(std::string_view vector) {
  if (!vector.starts_with("CVSS:3")) return std::nullopt;
  double av = -1, ac = -1, pr = -1, ui = -1, c = -1, i = -1, av2 = -1;
  char scope = 0;
  char pr_letter = 0;
  size_t pos = 0;
  while (pos < vector.size()) {
    size_t end = vector.find('/', pos);
    if (end == std::string_view::npos) end = vector.size();
    const std::string_view m = vector.substr(pos, end - pos);
    pos = end + 1;
    if (m.size() < 3 || m.find(':') == std::string_view::npos) continue;
    const std::string_view k = m.substr(0, m.find(':'));
    const char v = m.back();
    const auto cia = [v] { return v == 'H' ? 0.56 : v == 'L' ? 0.22 : v == 'N' ? 0.0 : -1.0; };
    if (k == "AV") av = v == 'N' ? 0.85 : v == 'A' ? 0.62 : v == 'L' ? 0.55 : v == 'P' ? 0.2 : -1;
    if (k == "AC") ac = v == 'L' ? 0.77 : v == 'H' ? 0.44 : -1;
    if (k == "PR") pr_letter = v;
    if (k == "UI") ui = v == 'N' ? 0.85 : v == 'R' ? 0.62 : -1;
    if (k == "S") scope = v;
    if (k == "C") c = cia();
    if (k == "I") i = cia();
    if (k == "A") av2 = cia();
  }
  if (scope != 'U' && scope != 'C') return std::nullopt;
  const bool changed = scope == 'C';
  pr = pr_letter == 'N'   ? 0.85
       : pr_letter == 'L' ? (changed ? 0.68 : 0.62)
       : pr_letter == 'H' ? (changed ? 0.5 : 0.27)
                          : -1;
  if (av < 0 || ac < 0 || pr < 0 || ui < 0 || c < 0 || i < 0 || av2 < 0) return std::nullopt;
  const double iss = 1 - (1 - c) * (1 - i) * (1 - av2);
  const double impact =
      changed ? 7.52 * (iss - 0.029) - 3.25 * std::pow(iss - 0.02, 15) : 6.42 * iss;
  if (impact <= 0) return 0.0;
  const double exploitability = 8.22 * av * ac * pr * ui;
  const double base = changed ? std::min(1.08 * (impact + exploitability), 10.0)
                              : std::min(impact + exploitability, 10.0);
  return std::ceil(base * 10 - 1e-9) / 10;
}

// Whether `v` falls in `range` (OSV's evaluation); fills the fix above it.
bool InRange(const OsvRange& range, const SemVer& v, AdvisoryMatch& m) {
  bool affected = false;
  bool limited = false;
  bool below_limit = false;
  for (const OsvEvent& e : range.events) {
    if (e.type == OsvEvent::Type::kLimit) {
      limited = true;
      if (e.zero || SemVer::Compare(v, e.version) < 0) below_limit = true;
      continue;
    }
    const int c = e.zero ? 1 : SemVer::Compare(v, e.version);
    if (e.type == OsvEvent::Type::kIntroduced) {
      if (c >= 0) affected = true;
    } else if (e.type == OsvEvent::Type::kFixed) {
      if (c >= 0) affected = false;
    } else if (c > 0) {  // last_affected
      affected = false;
    }
  }
  if (!affected || (limited && !below_limit)) return false;
  // The end of v's interval: the first fixed / last_affected at or above it.
  for (const OsvEvent& e : range.events) {
    if (e.zero || e.type == OsvEvent::Type::kIntroduced || e.type == OsvEvent::Type::kLimit) {
      continue;
    }
    const int c = SemVer::Compare(v, e.version);
    if (e.type == OsvEvent::Type::kFixed && c < 0) {
      if (std::find(m.fixed.begin(), m.fixed.end(), e.text) == m.fixed.end()) {
        m.fixed.push_back(e.text);
      }
      break;
    }
    if (e.type == OsvEvent::Type::kLastAffected && c <= 0) {
      m.last_affected = e.text;
      break;
    }
  }
  return true;
}

// Rank among malicious matches for de-duplication: a canonical OSV MAL record
// beats a transient ingest file, which beats a bare list entry.
int MaliciousRank(const Advisory& a) {
  if (a.from_list) return 0;
  return a.transient ? 1 : 2;
}

}  // namespace

Severity AdvisorySeverity(const Advisory& a) {
  if (a.malicious) return Severity::kCritical;
  if (a.severity == "CRITICAL") return Severity::kCritical;
  if (a.severity == "HIGH") return Severity::kHigh;
  if (a.severity == "MODERATE" || a.severity == "MEDIUM") return Severity::kMedium;
  if (a.severity == "LOW") return Severity::kLow;
  if (const auto score = CvssV3Score(a.cvss)) {
    if (*score >= 9.0) return Severity::kCritical;
    if (*score >= 7.0) return Severity::kHigh;
    if (*score >= 4.0) return Severity::kMedium;
    return Severity::kLow;
  }
  return Severity::kMedium;
}

void AdvisoryDb::Add(std::shared_ptr<const Advisory> a, std::vector<Gap>& problems) {
  if (advisories_.size() >= kMaxRecords) {
    if (!capped_) {
      problems.push_back(
          {a->source, fmt::format("over {} advisories; the rest are skipped", kMaxRecords), ""});
      capped_ = true;
    }
    return;
  }
  const auto index = static_cast<uint32_t>(advisories_.size());
  for (size_t k = 0; k < a->affected.size(); ++k) {
    index_[a->affected[k].package].push_back({index, static_cast<uint32_t>(k)});
  }
  advisories_.push_back(std::move(a));
}

void AdvisoryDb::LoadJson(std::string_view text, const std::string& source,
                          std::vector<Gap>& problems) {
  simdjson::dom::parser parser;
  LoadJson(parser, text, source, problems);
}

void AdvisoryDb::LoadJson(simdjson::dom::parser& parser, std::string_view text,
                          const std::string& source, std::vector<Gap>& problems) {
  // simdjson (error codes, bounded depth): the advisory set is read on every
  // npm scan, and the consolidated list alone is ~10k entries.
  element j;
  if (const auto err = parser.parse(text.data(), text.size()).get(j); err != simdjson::SUCCESS) {
    problems.push_back(
        {source, fmt::format("not valid JSON ({})", simdjson::error_message(err)), ""});
    return;
  }
  if (LooksLikeList(j)) {
    if (auto a = ReadList(j, source, problems)) Add(std::move(a), problems);
    return;
  }
  array records;
  if (j.get_array().get(records) == simdjson::SUCCESS) {
    for (element r : records) {
      if (auto a = ReadRecord(r, source, problems)) Add(std::move(a), problems);
    }
    return;
  }
  if (auto a = ReadRecord(j, source, problems)) Add(std::move(a), problems);
}

void AdvisoryDb::LoadFile(simdjson::dom::parser& parser, const std::string& path,
                          std::vector<Gap>& problems) {
  if (IsZip(path)) {
    LoadZip(parser, path, problems);
    return;
  }
  if (auto text = ReadBounded(path, kMaxFileBytes, problems)) {
    LoadJson(parser, *text, path, problems);
  }
}

void AdvisoryDb::LoadZip(simdjson::dom::parser& parser, const std::string& path,
                         std::vector<Gap>& problems) {
  std::unique_ptr<archive, decltype(&archive_read_free)> ar(archive_read_new(), archive_read_free);
  if (!ar) {
    problems.push_back({path, "libarchive: out of memory", ""});
    return;
  }
  archive_read_support_format_zip(ar.get());
  archive_read_support_format_tar(ar.get());
  archive_read_support_filter_gzip(ar.get());
  if (archive_read_open_filename(ar.get(), path.c_str(), 1 << 16) != ARCHIVE_OK) {
    problems.push_back(
        {path,
         fmt::format("not a readable zip: {}",
                     archive_error_string(ar.get()) ? archive_error_string(ar.get()) : "?"),
         ""});
    return;
  }
  uint64_t total = 0;
  archive_entry* entry = nullptr;
  std::string data;
  while (true) {
    const int r = archive_read_next_header(ar.get(), &entry);
    if (r == ARCHIVE_EOF) break;
    if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {
      const char* err = archive_error_string(ar.get());
      problems.push_back({path, fmt::format("archive stops here: {}", err ? err : "?"), ""});
      break;
    }
    const char* raw_name = archive_entry_pathname(entry);
    const std::string name = raw_name ? raw_name : "";
    if (archive_entry_filetype(entry) != AE_IFREG || !name.ends_with(".json")) continue;
    const std::string source = path + ":" + name;
    if (archive_entry_size_is_set(entry) &&
        static_cast<uint64_t>(archive_entry_size(entry)) > kMaxFileBytes) {
      problems.push_back({source, "over the advisory file size cap; skipped", ""});
      continue;
    }
    data.clear();
    char buf[1 << 16];
    bool too_big = false;
    bool failed = false;
    while (true) {
      const la_ssize_t n = archive_read_data(ar.get(), buf, sizeof buf);
      if (n < 0) {
        failed = true;
        break;
      }
      if (n == 0) break;
      data.append(buf, static_cast<size_t>(n));
      total += static_cast<uint64_t>(n);
      if (data.size() > kMaxFileBytes || total > kMaxArchiveBytes) {
        too_big = true;
        break;
      }
    }
    if (failed) {
      const char* err = archive_error_string(ar.get());
      problems.push_back({source, fmt::format("cannot be extracted: {}", err ? err : "?"), ""});
      break;
    }
    if (too_big) {
      problems.push_back(
          {source, "over the advisory size cap; the rest of the archive is skipped", ""});
      break;
    }
    LoadJson(parser, data, source, problems);
  }
}

Expected<void> AdvisoryDb::Load(const std::string& path, std::vector<Gap>& problems) {
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    return Fail(Error::NotFound(fmt::format("advisories {} do not exist", path)));
  }
  simdjson::dom::parser parser;
  if (fs::is_regular_file(st)) {
    LoadFile(parser, path, problems);
    return {};
  }
  if (!fs::is_directory(st)) {
    return Fail(Error::InvalidInput(
        fmt::format("advisories {}: not a file, directory or zip archive", path)));
  }
  std::vector<std::string> files;
  fs::recursive_directory_iterator it(path, fs::directory_options::skip_permission_denied, ec);
  if (ec) return Fail(Error::Io(fmt::format("{}: {}", path, ec.message())));
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) {
      problems.push_back({path, fmt::format("walk stopped: {}", ec.message()), ""});
      break;
    }
    const std::string ext = it->path().extension().string();
    if ((ext == ".json" || ext == ".zip") && it->is_regular_file(ec)) {
      files.push_back(it->path().string());
    }
  }
  std::sort(files.begin(), files.end());
  for (const std::string& f : files) LoadFile(parser, f, problems);
  return {};
}

std::vector<AdvisoryMatch> AdvisoryDb::Match(std::string_view name,
                                             std::string_view version) const {
  std::vector<AdvisoryMatch> out;
  const auto it = index_.find(std::string(name));
  if (it == index_.end()) return out;
  const std::optional<SemVer> v = SemVer::Parse(version);
  for (const Ref& ref : it->second) {
    const Advisory& a = *advisories_[ref.advisory];
    const OsvAffected& aff = a.affected[ref.affected];
    AdvisoryMatch m{&a, &aff, {}, {}, false, false};
    bool hit = false;
    if (aff.every_version) {
      hit = m.every_version = true;
    }
    for (const OsvRange& range : aff.ranges) {
      if (v ? InRange(range, *v, m) : range.every_version) {
        hit = true;
        if (range.every_version) m.every_version = true;
      }
    }
    for (const OsvVersion& listed : aff.versions) {
      if (v && listed.version ? SemVer::Compare(*v, *listed.version) == 0
                              : listed.text == version) {
        hit = m.by_list = true;
        break;
      }
    }
    if (hit) out.push_back(std::move(m));
  }
  if (out.size() < 2) return out;
  // De-duplicate: one advisory id once (the latest `modified` wins), and
  // malicious transients / list entries only when no better record matched.
  int best_rank = -1;
  for (const AdvisoryMatch& m : out) {
    if (m.advisory->malicious) best_rank = std::max(best_rank, MaliciousRank(*m.advisory));
  }
  std::vector<AdvisoryMatch> kept;
  for (AdvisoryMatch& m : out) {
    if (m.advisory->malicious && MaliciousRank(*m.advisory) < best_rank) continue;
    auto same = std::find_if(kept.begin(), kept.end(), [&](const AdvisoryMatch& k) {
      return k.advisory->id == m.advisory->id;
    });
    if (same == kept.end()) {
      kept.push_back(std::move(m));
    } else if (m.advisory->modified > same->advisory->modified) {
      *same = std::move(m);
    }
  }
  return kept;
}

Expected<void> AddAdvisories(RulePack& rules, const std::string& path) {
  auto db = rules.advisories ? std::make_shared<AdvisoryDb>(*rules.advisories)
                             : std::make_shared<AdvisoryDb>();
  if (auto r = db->Load(path, rules.problems); !r) return r;
  rules.advisories = std::move(db);
  return {};
}

}  // namespace deminer
