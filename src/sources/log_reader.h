// Log files as chunks of lines, and what a line says. A reader turns one log
// (a file, gzip-compressed or not, or stdin) into chunks of complete lines,
// about 4 MiB each, carrying a partial line over to the next chunk: no line,
// and so no match within a line, is split at a read boundary. The decoders
// take one line of a known format apart: the message a program wrote
// (JSON-decoded for Docker's json-file), its time and its stream.
//
// Thread safety: the functions are pure or own their file; call them from any
// thread.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"

namespace deminer {

enum class LogFormat {
  kPlain,       // one message a line; a time at its start when the program wrote one
  kDockerJson,  // Docker's json-file: {"log":"...\n","stream":"stdout","time":"..."}
  kK8sFile,     // Podman's and CRI's k8s-file: "2026-11-22T21:03:01.5+00:00 stdout F message"
};

std::string_view LogFormatName(LogFormat f);

// The format of a log, from its first line.
LogFormat DetectLogFormat(std::string_view first_line);

struct LogReadStats {
  uint64_t lines = 0;
  uint64_t bytes = 0;
  uint64_t cut_lines = 0;   // longer than the chunk: matched in pieces
  uint64_t end_offset = 0;  // where the text passed on ends in the file
  std::string error;        // why reading stopped early (a truncated gzip); empty when it did not
};

struct LogReadOptions {
  size_t chunk_bytes = size_t{4} << 20;
  uint64_t start_offset = 0;  // of an uncompressed file: where to start (following it)
  uint64_t first_line = 1;    // the number of the line at start_offset
  // Pass a last line without '\n' on too; a follower leaves it for the next
  // read, when the writer has finished it.
  bool final_partial_line = true;
};

// Reads `path` ("-" for stdin), decompressing gzip transparently, and calls
// on_chunk(text, number of its first line) for each run of complete lines.
// A line longer than the chunk is passed in pieces and counted in cut_lines.
// Fails when the log cannot be opened; a read that breaks off later (a
// truncated or corrupt gzip) keeps what was read and says why in `error`.
Expected<LogReadStats> ReadLogChunks(
    const std::string& path, const LogReadOptions& options,
    const std::function<void(std::string_view text, uint64_t first_line)>& on_chunk);

// The start offsets in `raw` of the Docker json-file lines whose "log" value
// holds an escape other than its final "\n" (\" \\ \t \u0026 for '&'...):
// there the raw bytes differ from the message, so those lines are matched
// decoded; all others are matched as they are. Ascending.
std::vector<size_t> EscapedDockerLines(std::string_view raw);

// Appends the message of one Docker json-file line to `out`: the "log" value
// unescaped, without its final newline. A line of another shape gives its
// "log", "message" or "msg" field, or itself when it is not JSON.
void AppendDockerMessage(std::string_view raw_line, std::string& out);

// The number of '\n' in `text`, eight bytes at a time.
uint64_t CountNewlines(std::string_view text);

struct LogLineParts {
  std::string message;  // what the program wrote
  int64_t time = 0;     // unix seconds; 0 when the line has none
  std::string stream;   // "stdout" / "stderr" for container logs
};

// One raw line of `format` taken apart. `year` completes times written
// without one (syslog's "Nov 22 21:03:01").
LogLineParts DecodeLogLine(LogFormat format, std::string_view raw_line, int year);

// The time a log line starts with or carries, in unix seconds; 0 when none is
// found. Reads RFC 3339 and ISO 8601 ("2026-11-22T21:03:01.123Z",
// PostgreSQL's "2026-11-22 21:03:01.123 UTC", nginx's error log
// "2026/11/22 21:03:01"), syslog ("Nov 22 21:03:01", in `year`), Redis
// ("12:M 22 Nov 2026 21:03:01.123") and the access-log bracket
// ("[22/Nov/2026:21:03:01 +0000]"). A time without a zone is taken as UTC.
int64_t ParseLogTime(std::string_view line, int year);

// A --since/--until bound: a time as ParseLogTime reads it, a date
// ("2026-11-22", midnight UTC), or a span back from `now` ("90s", "30m",
// "24h", "7d"). nullopt for anything else.
std::optional<int64_t> ParseTimeBound(std::string_view text, int64_t now);

}  // namespace deminer
