#include "sources/log_reader.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <optional>

#include "core/strings.h"

namespace deminer {

std::string_view LogFormatName(LogFormat f) {
  switch (f) {
    case LogFormat::kPlain:
      return "plain";
    case LogFormat::kDockerJson:
      return "docker-json";
    case LogFormat::kK8sFile:
      return "k8s-file";
  }
  return "plain";
}

namespace {

bool Digits(std::string_view s, size_t at, size_t n) {
  if (at + n > s.size()) return false;
  for (size_t i = at; i < at + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
  }
  return true;
}

int Num(std::string_view s, size_t at, size_t n) {
  int v = 0;
  for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

// "Jan".."Dec" -> 0..11, or -1.
int Month(std::string_view s, size_t at) {
  static constexpr std::array<std::string_view, 12> kMonths = {
      "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  if (at + 3 > s.size()) return -1;
  const std::string_view m = s.substr(at, 3);
  for (size_t i = 0; i < kMonths.size(); ++i) {
    if (kMonths[i] == m) return static_cast<int>(i);
  }
  return -1;
}

int64_t ToEpoch(int year, int month0, int day, int hour, int minute, int second) {
  if (year < 1970 || month0 < 0 || month0 > 11 || day < 1 || day > 31 || hour > 23 || minute > 59 ||
      second > 60) {
    return 0;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month0;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  return static_cast<int64_t>(timegm(&tm));
}

// A zone after a time at `at`: "Z", "UTC", "+09:00", "+0900", " +0000"; the
// offset to subtract in seconds (0 when absent or unknown).
int64_t ZoneOffset(std::string_view s, size_t at) {
  while (at < s.size() && s[at] == ' ') ++at;
  if (at >= s.size() || (s[at] != '+' && s[at] != '-')) return 0;
  const int64_t sign = s[at] == '-' ? -1 : 1;
  if (Digits(s, at + 1, 2) && at + 3 < s.size() && s[at + 3] == ':' && Digits(s, at + 4, 2)) {
    return sign * (Num(s, at + 1, 2) * 3600 + Num(s, at + 4, 2) * 60);
  }
  if (Digits(s, at + 1, 4)) return sign * (Num(s, at + 1, 2) * 3600 + Num(s, at + 3, 2) * 60);
  return 0;
}

// "2026-11-22T21:03:01" or "2026-11-22 21:03:01" or "2026/11/22 21:03:01" at `at`.
std::optional<int64_t> IsoAt(std::string_view s, size_t at) {
  if (!Digits(s, at, 4) || at + 19 > s.size()) return std::nullopt;
  const char d = s[at + 4];
  if ((d != '-' && d != '/') || s[at + 7] != d || !Digits(s, at + 5, 2) || !Digits(s, at + 8, 2) ||
      (s[at + 10] != 'T' && s[at + 10] != ' ') || !Digits(s, at + 11, 2) || s[at + 13] != ':' ||
      !Digits(s, at + 14, 2) || s[at + 16] != ':' || !Digits(s, at + 17, 2)) {
    return std::nullopt;
  }
  const int64_t t = ToEpoch(Num(s, at, 4), Num(s, at + 5, 2) - 1, Num(s, at + 8, 2),
                            Num(s, at + 11, 2), Num(s, at + 14, 2), Num(s, at + 17, 2));
  if (t == 0) return std::nullopt;
  size_t z = at + 19;
  if (z < s.size() && (s[z] == '.' || s[z] == ',')) {
    ++z;
    while (z < s.size() && s[z] >= '0' && s[z] <= '9') ++z;
  }
  return t - ZoneOffset(s, z);
}

// A day of the month of one or two digits at `p`, which it moves past.
std::optional<int> DayAt(std::string_view s, size_t& p) {
  const size_t n = Digits(s, p, 2) ? 2 : Digits(s, p, 1) ? 1 : 0;
  if (n == 0) return std::nullopt;
  const int day = Num(s, p, n);
  p += n;
  return day;
}

// "Nov 22 21:03:01" (day space-padded or not) at `at`, in `year`.
std::optional<int64_t> SyslogAt(std::string_view s, size_t at, int year) {
  const int month = Month(s, at);
  if (month < 0 || at + 15 > s.size() || s[at + 3] != ' ') return std::nullopt;
  size_t p = at + 4;
  if (s[p] == ' ') ++p;
  const auto day = DayAt(s, p);
  if (!day) return std::nullopt;
  if (p + 9 > s.size() || s[p] != ' ' || !Digits(s, p + 1, 2) || s[p + 3] != ':' ||
      !Digits(s, p + 4, 2) || s[p + 6] != ':' || !Digits(s, p + 7, 2)) {
    return std::nullopt;
  }
  const int64_t t =
      ToEpoch(year, month, *day, Num(s, p + 1, 2), Num(s, p + 4, 2), Num(s, p + 7, 2));
  if (t == 0) return std::nullopt;
  return t;
}

// "22 Nov 2026 21:03:01" at `at` (Redis).
std::optional<int64_t> DayMonthYearAt(std::string_view s, size_t at) {
  size_t p = at;
  const auto day = DayAt(s, p);
  if (!day) return std::nullopt;
  if (p + 18 > s.size() || s[p] != ' ') return std::nullopt;
  const int month = Month(s, p + 1);
  if (month < 0 || s[p + 4] != ' ' || !Digits(s, p + 5, 4) || s[p + 9] != ' ' ||
      !Digits(s, p + 10, 2) || s[p + 12] != ':' || !Digits(s, p + 13, 2) || s[p + 15] != ':' ||
      !Digits(s, p + 16, 2)) {
    return std::nullopt;
  }
  const int64_t t = ToEpoch(Num(s, p + 5, 4), month, *day, Num(s, p + 10, 2), Num(s, p + 13, 2),
                            Num(s, p + 16, 2));
  if (t == 0) return std::nullopt;
  return t;
}

// "[22/Nov/2026:21:03:01 +0000]" anywhere in the line (access logs).
std::optional<int64_t> AccessBracket(std::string_view s) {
  for (size_t at = s.find('['); at != std::string_view::npos && at < 512;
       at = s.find('[', at + 1)) {
    const size_t p = at + 1;
    if (!Digits(s, p, 2) || p + 20 > s.size() || s[p + 2] != '/') continue;
    const int month = Month(s, p + 3);
    if (month < 0 || s[p + 6] != '/' || !Digits(s, p + 7, 4) || s[p + 11] != ':' ||
        !Digits(s, p + 12, 2) || s[p + 14] != ':' || !Digits(s, p + 15, 2) || s[p + 17] != ':' ||
        !Digits(s, p + 18, 2)) {
      continue;
    }
    const int64_t t = ToEpoch(Num(s, p + 7, 4), month, Num(s, p, 2), Num(s, p + 12, 2),
                              Num(s, p + 15, 2), Num(s, p + 18, 2));
    if (t != 0) return t - ZoneOffset(s, p + 20);
  }
  return std::nullopt;
}

// Appends the UTF-8 encoding of code point `cp`.
void AppendUtf8(std::string& out, uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<uint32_t> Hex4(std::string_view s, size_t at) {
  if (at + 4 > s.size()) return std::nullopt;
  uint32_t v = 0;
  for (size_t i = at; i < at + 4; ++i) {
    const char c = s[i];
    v <<= 4;
    if (c >= '0' && c <= '9') {
      v |= static_cast<uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      v |= static_cast<uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      v |= static_cast<uint32_t>(c - 'A' + 10);
    } else {
      return std::nullopt;
    }
  }
  return v;
}

// The JSON string starting after the opening quote at `at`, unescaped into
// `out`; the index after its closing quote, or npos when it is not closed.
size_t UnescapeJsonString(std::string_view s, size_t at, std::string& out) {
  size_t i = at;
  while (i < s.size()) {
    // Copy the run up to the next quote or backslash at once.
    size_t stop = i;
    while (stop < s.size() && s[stop] != '"' && s[stop] != '\\') ++stop;
    out.append(s.data() + i, stop - i);
    i = stop;
    if (i >= s.size()) return std::string_view::npos;
    if (s[i] == '"') return i + 1;
    if (i + 1 >= s.size()) return std::string_view::npos;
    const char e = s[i + 1];
    i += 2;
    switch (e) {
      case 'n':
        out += '\n';
        break;
      case 't':
        out += '\t';
        break;
      case 'r':
        out += '\r';
        break;
      case 'b':
        out += '\b';
        break;
      case 'f':
        out += '\f';
        break;
      case 'u': {
        auto cp = Hex4(s, i);
        if (!cp) return std::string_view::npos;
        i += 4;
        if (*cp >= 0xD800 && *cp < 0xDC00 && s.substr(i, 2) == "\\u") {
          if (auto lo = Hex4(s, i + 2); lo && *lo >= 0xDC00 && *lo < 0xE000) {
            *cp = 0x10000 + ((*cp - 0xD800) << 10) + (*lo - 0xDC00);
            i += 6;
          }
        }
        AppendUtf8(out, *cp);
        break;
      }
      default:  // \" \\ \/ and anything else: the character itself
        out += e;
    }
  }
  return std::string_view::npos;
}

// The value of string field `key` in a JSON object line, unescaped; empty
// when the line has none. Only for Docker's flat objects.
std::string JsonField(std::string_view line, std::string_view key) {
  const std::string needle = "\"" + std::string(key) + "\":\"";
  const size_t at = line.find(needle);
  if (at == std::string_view::npos) return {};
  std::string out;
  if (UnescapeJsonString(line, at + needle.size(), out) == std::string_view::npos) return {};
  return out;
}

}  // namespace

LogFormat DetectLogFormat(std::string_view first_line) {
  if (first_line.starts_with("{")) return LogFormat::kDockerJson;
  // "2026-11-22T21:03:01.123456789+00:00 stdout F ..."
  const size_t sp = first_line.find(' ');
  if (sp != std::string_view::npos && sp >= 19 && first_line[10] == 'T' && IsoAt(first_line, 0)) {
    const std::string_view rest = first_line.substr(sp + 1);
    if ((rest.starts_with("stdout ") || rest.starts_with("stderr ")) && rest.size() >= 9 &&
        (rest[7] == 'F' || rest[7] == 'P') && rest[8] == ' ') {
      return LogFormat::kK8sFile;
    }
  }
  return LogFormat::kPlain;
}

Expected<LogReadStats> ReadLogChunks(
    const std::string& path, const LogReadOptions& options,
    const std::function<void(std::string_view text, uint64_t first_line)>& on_chunk) {
  const int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  // zlib reads from the descriptor's offset.
  if (options.start_offset != 0 &&
      lseek(fd, static_cast<off_t>(options.start_offset), SEEK_SET) < 0) {
    const int err = errno;
    close(fd);
    return Fail(Error::FromErrno(err, path));
  }
  gzFile gz = gzdopen(fd, "rb");
  if (gz == nullptr) {
    close(fd);
    return Fail(Error::Internal(path + ": cannot start the gzip reader"));
  }
  gzbuffer(gz, 1U << 17);
  LogReadStats stats;
  stats.end_offset = options.start_offset;
  std::string buf(std::max<size_t>(options.chunk_bytes, 64), '\0');
  size_t held = 0;  // bytes of a partial line carried over
  uint64_t line = options.first_line;
  bool failed = false;
  std::string error;
  const auto emit = [&](size_t len) {
    const std::string_view text(buf.data(), len);
    on_chunk(text, line);
    const uint64_t n = CountNewlines(text);
    line += n;
    stats.lines += n;
    stats.end_offset += len;
  };
  while (true) {
    const int n = gzread(gz, buf.data() + held, static_cast<unsigned>(buf.size() - held));
    if (n < 0) {
      int code = 0;
      error = gzerror(gz, &code);
      failed = true;
      break;
    }
    if (n == 0) break;
    stats.bytes += static_cast<uint64_t>(n);
    const size_t have = held + static_cast<size_t>(n);
    const size_t last_nl = std::string_view(buf.data(), have).rfind('\n');
    if (last_nl == std::string_view::npos) {
      if (have < buf.size()) {
        held = have;  // a short read; wait for more
        continue;
      }
      ++stats.cut_lines;  // one line fills the chunk: match it in pieces
      emit(have);
      held = 0;
      continue;
    }
    emit(last_nl + 1);
    held = have - (last_nl + 1);
    std::memmove(buf.data(), buf.data() + last_nl + 1, held);
  }
  if (held != 0 && options.final_partial_line) {
    emit(held);
    ++stats.lines;  // the last line, without its newline
  }
  // gzclose reports a gzip stream that ended in the middle.
  const int closed = gzclose(gz);
  if (failed) {
    stats.error = error;
  } else if (closed == Z_BUF_ERROR) {
    stats.error = "the gzip stream ends early (truncated)";
  } else if (closed != Z_OK) {
    stats.error = fmt::format("gzip error {}", closed);
  }
  return stats;
}

namespace {
constexpr std::string_view kDockerPrefix = "{\"log\":\"";

}  // namespace

// Hand-written for Docker's fixed shape ({"log":"...","stream":...}): a JSON
// library's per-line parse costs more than matching the line. Other shapes
// go to nlohmann-json.
void AppendDockerMessage(std::string_view line, std::string& out) {
  const size_t before = out.size();
  if (line.starts_with(kDockerPrefix) &&
      UnescapeJsonString(line, kDockerPrefix.size(), out) != std::string_view::npos) {
    if (out.size() > before && out.back() == '\n') out.pop_back();
    if (out.size() > before && out.back() == '\r') out.pop_back();
    return;
  }
  out.resize(before);
  const auto j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_object()) {
    for (const char* k : {"log", "message", "MESSAGE", "msg"}) {
      const auto it = j.find(k);
      if (it != j.end() && it->is_string()) {
        std::string m = it->get<std::string>();
        while (!m.empty() && (m.back() == '\n' || m.back() == '\r')) m.pop_back();
        out += m;
        return;
      }
    }
  }
  out.append(line);
}

std::vector<size_t> EscapedDockerLines(std::string_view raw) {
  std::vector<size_t> out;
  size_t at = 0;
  while (at < raw.size()) {
    const void* hit = std::memchr(raw.data() + at, '\\', raw.size() - at);
    if (hit == nullptr) break;
    const size_t b = static_cast<size_t>(static_cast<const char*>(hit) - raw.data());
    // The final newline of the value: \n then the closing quote (a quote in
    // the message would be escaped, \").
    if (raw.substr(b + 1, 2) == "n\"") {
      at = b + 3;
      continue;
    }
    const size_t nl = b == 0 ? std::string_view::npos : raw.rfind('\n', b - 1);
    out.push_back(nl == std::string_view::npos ? 0 : nl + 1);
    const size_t end = raw.find('\n', b);
    if (end == std::string_view::npos) break;
    at = end + 1;
  }
  return out;
}

uint64_t CountNewlines(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  constexpr uint64_t kLow7 = 0x7f7f7f7f7f7f7f7fULL;
  uint64_t n = 0;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t w = 0;
    std::memcpy(&w, text.data() + i, 8);
    const uint64_t x = w ^ (kOnes * '\n');  // zero bytes where '\n' was
    const uint64_t t = ((x & kLow7) + kLow7) | x;
    // One bit a newline, in each byte's low bit; their sum lands in the top byte.
    n += (((~t & kHigh) >> 7) * kOnes) >> 56;
  }
  for (; i < text.size(); ++i) n += text[i] == '\n' ? 1 : 0;
  return n;
}

LogLineParts DecodeLogLine(LogFormat format, std::string_view raw, int year) {
  LogLineParts p;
  if (!raw.empty() && raw.back() == '\n') raw.remove_suffix(1);
  if (!raw.empty() && raw.back() == '\r') raw.remove_suffix(1);
  switch (format) {
    case LogFormat::kDockerJson: {
      AppendDockerMessage(raw, p.message);
      p.stream = JsonField(raw, "stream");
      const std::string time = JsonField(raw, "time");
      p.time = IsoAt(time, 0).value_or(0);
      if (p.time == 0) p.time = ParseLogTime(p.message, year);
      return p;
    }
    case LogFormat::kK8sFile: {
      // TIME STREAM F|P MESSAGE
      const size_t s1 = raw.find(' ');
      const size_t s2 = s1 == std::string_view::npos ? s1 : raw.find(' ', s1 + 1);
      const size_t s3 = s2 == std::string_view::npos ? s2 : raw.find(' ', s2 + 1);
      if (s3 == std::string_view::npos) {
        p.message = raw;
        p.time = ParseLogTime(raw, year);
        return p;
      }
      p.time = IsoAt(raw, 0).value_or(0);
      p.stream = raw.substr(s1 + 1, s2 - s1 - 1);
      p.message = raw.substr(s3 + 1);
      return p;
    }
    case LogFormat::kPlain:
      break;
  }
  p.message = raw;
  p.time = ParseLogTime(raw, year);
  return p;
}

int64_t ParseLogTime(std::string_view s, int year) {
  if (auto t = IsoAt(s, 0)) return *t;
  if (auto t = SyslogAt(s, 0, year)) return *t;
  // "<13>" syslog priority, or a journal-like "host " prefix is not handled;
  // Redis: "PID:R DD Mon YYYY HH:MM:SS.mmm".
  if (const size_t colon = s.find(':'); colon != std::string_view::npos && colon < 12 &&
                                        colon + 3 < s.size() && s[colon + 2] == ' ') {
    if (auto t = DayMonthYearAt(s, colon + 3)) return *t;
  }
  if (auto t = AccessBracket(s)) return *t;
  // A time a little way in ("LOG:  2026-..." or "[pid] 2026-...").
  for (size_t i = 1; i < std::min<size_t>(s.size(), 64); ++i) {
    if (s[i - 1] == ' ' || s[i - 1] == '[') {
      if (auto t = IsoAt(s, i)) return *t;
    }
  }
  return 0;
}

std::optional<int64_t> ParseTimeBound(std::string_view text, int64_t now) {
  text = Trim(text);
  if (text.size() >= 2 && Digits(text, 0, text.size() - 1)) {
    const char unit = text.back();
    int64_t n = 0;
    const std::string_view digits = text.substr(0, text.size() - 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    const int64_t scale = unit == 's'   ? 1
                          : unit == 'm' ? 60
                          : unit == 'h' ? 3600
                          : unit == 'd' ? 86400
                                        : 0;
    if (scale != 0 && n <= 100LL * 365 * 86400 / scale) return now - n * scale;
    return std::nullopt;
  }
  if (text.size() == 10 && Digits(text, 0, 4) && text[4] == '-' && Digits(text, 5, 2) &&
      text[7] == '-' && Digits(text, 8, 2)) {
    const int64_t t = ToEpoch(Num(text, 0, 4), Num(text, 5, 2) - 1, Num(text, 8, 2), 0, 0, 0);
    if (t != 0) return t;
    return std::nullopt;
  }
  if (auto t = IsoAt(text, 0)) return *t;
  return std::nullopt;
}

}  // namespace deminer
