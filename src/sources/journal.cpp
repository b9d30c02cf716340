#include "sources/journal.h"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string_view>

#include "core/dynamic_lib.h"

namespace deminer {
namespace {

struct sd_journal;

// libsystemd's journal functions, opened on first use.
struct JournalLib {
  int (*open_directory)(sd_journal**, const char*, int);
  void (*close)(sd_journal*);
  int (*next)(sd_journal*);
  int (*get_data)(sd_journal*, const char*, const void**, size_t*);
  int (*get_realtime_usec)(sd_journal*, uint64_t*);
  int (*seek_realtime_usec)(sd_journal*, uint64_t);
  int (*set_data_threshold)(sd_journal*, size_t);
  std::string error;

  static const JournalLib& Get() {
    static const JournalLib lib = Load();
    return lib;
  }

 private:
  static JournalLib Load() {
    JournalLib l{};
    DynamicLib so("libsystemd.so.0");
    so.Sym("sd_journal_open_directory", l.open_directory);
    so.Sym("sd_journal_close", l.close);
    so.Sym("sd_journal_next", l.next);
    so.Sym("sd_journal_get_data", l.get_data);
    so.Sym("sd_journal_get_realtime_usec", l.get_realtime_usec);
    so.Sym("sd_journal_seek_realtime_usec", l.seek_realtime_usec);
    so.Sym("sd_journal_set_data_threshold", l.set_data_threshold);
    l.error = so.error();
    return l;  // the handle stays open for the life of the process
  }
};

// A field's value ("MESSAGE=text" -> "text"), or empty.
std::string Field(const JournalLib& lib, sd_journal* j, const char* name) {
  const void* data = nullptr;
  size_t len = 0;
  if (lib.get_data(j, name, &data, &len) < 0 || data == nullptr) return {};
  const std::string_view field(static_cast<const char*>(data), len);
  const size_t eq = field.find('=');
  return eq == std::string_view::npos ? std::string() : std::string(field.substr(eq + 1));
}

// A JSON field as text: journalctl gives binary-safe fields as byte arrays.
std::string JsonText(const nlohmann::json& j, const char* key) {
  const auto it = j.find(key);
  if (it == j.end()) return {};
  if (it->is_string()) return it->get<std::string>();
  std::string out;
  if (it->is_array()) {
    for (const auto& b : *it) {
      if (b.is_number_unsigned()) out += static_cast<char>(b.get<unsigned>() & 0xff);
    }
  }
  return out;
}

// Without libsystemd: `journalctl -o json --directory DIR`, one entry a line.
Expected<JournalReadStats> ReadWithJournalctl(
    const std::vector<std::string>& dirs, int64_t since, int64_t until, size_t batch,
    const std::function<void(const std::vector<JournalEntry>&)>& on_batch) {
  JournalReadStats stats;
  bool ran = false;
  std::string last_error = "journalctl not found";
  std::vector<JournalEntry> entries;
  for (const std::string& dir : dirs) {
    std::vector<std::string> args = {"journalctl", "-o", "json", "--no-pager", "--directory", dir};
    if (since > 0) args.push_back("--since=@" + std::to_string(since));
    if (until > 0) args.push_back("--until=@" + std::to_string(until));
    int pipefd[2];
    if (pipe2(pipefd, O_CLOEXEC) != 0) return Fail(Error::FromErrno(errno, "pipe"));
    const pid_t pid = fork();
    if (pid < 0) {
      close(pipefd[0]);
      close(pipefd[1]);
      return Fail(Error::FromErrno(errno, "fork"));
    }
    if (pid == 0) {
      dup2(pipefd[1], STDOUT_FILENO);
      const int devnull = open("/dev/null", O_WRONLY);
      if (devnull >= 0) dup2(devnull, STDERR_FILENO);
      std::vector<char*> argv;
      for (std::string& a : args) argv.push_back(a.data());
      argv.push_back(nullptr);
      execvp("journalctl", argv.data());
      _exit(127);
    }
    close(pipefd[1]);
    FILE* in = fdopen(pipefd[0], "r");
    char* line = nullptr;
    size_t cap = 0;
    ssize_t n = 0;
    while (in != nullptr && (n = getline(&line, &cap, in)) > 0) {
      const auto j =
          nlohmann::json::parse(std::string_view(line, static_cast<size_t>(n)), nullptr, false);
      if (!j.is_object()) continue;
      JournalEntry e;
      e.message = JsonText(j, "MESSAGE");
      e.time = std::strtoll(JsonText(j, "__REALTIME_TIMESTAMP").c_str(), nullptr, 10) / 1000000;
      e.identifier = JsonText(j, "SYSLOG_IDENTIFIER");
      if (e.identifier.empty()) e.identifier = JsonText(j, "_SYSTEMD_UNIT");
      e.container_id = JsonText(j, "CONTAINER_ID_FULL");
      if (e.container_id.empty()) e.container_id = JsonText(j, "CONTAINER_ID");
      entries.push_back(std::move(e));
      ++stats.entries;
      if (entries.size() >= batch) {
        on_batch(entries);
        entries.clear();
      }
    }
    free(line);
    if (in != nullptr) {
      fclose(in);
    } else {
      close(pipefd[0]);
    }
    int status = 0;
    waitpid(pid, &status, 0);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ran = true;
    } else {
      last_error = WIFEXITED(status) && WEXITSTATUS(status) == 127 ? "journalctl not found"
                                                                   : "journalctl failed on " + dir;
    }
  }
  if (!entries.empty()) on_batch(entries);
  if (!ran) return Fail(Error::NotFound(last_error));
  return stats;
}

}  // namespace

Expected<JournalReadStats> ReadJournal(
    const std::vector<std::string>& dirs, int64_t since, int64_t until, size_t batch,
    const std::function<void(const std::vector<JournalEntry>&)>& on_batch) {
  // DEMINER_JOURNAL_READER=journalctl takes the fallback on purpose (tests).
  const char* forced = std::getenv("DEMINER_JOURNAL_READER");
  const bool use_journalctl = forced != nullptr && std::string_view(forced) == "journalctl";
  const JournalLib& lib = JournalLib::Get();
  if (use_journalctl || !lib.error.empty()) {
    auto viajournalctl = ReadWithJournalctl(dirs, since, until, batch, on_batch);
    if (!viajournalctl && !lib.error.empty()) {
      return Fail(Error::NotFound(lib.error + "; " + viajournalctl.error().message()));
    }
    return viajournalctl;
  }
  JournalReadStats stats;
  bool opened = false;
  std::string last_error;
  std::vector<JournalEntry> entries;
  for (const std::string& dir : dirs) {
    sd_journal* j = nullptr;
    if (const int rc = lib.open_directory(&j, dir.c_str(), 0); rc < 0) {
      last_error = dir + ": " + std::strerror(-rc);
      continue;
    }
    opened = true;
    lib.set_data_threshold(j, 64 << 10);  // a message's first 64 KiB
    if (since > 0) lib.seek_realtime_usec(j, static_cast<uint64_t>(since) * 1000000);
    while (lib.next(j) > 0) {
      uint64_t usec = 0;
      lib.get_realtime_usec(j, &usec);
      const auto time = static_cast<int64_t>(usec / 1000000);
      if (until > 0 && time > until) break;
      JournalEntry e;
      e.message = Field(lib, j, "MESSAGE");
      e.time = time;
      e.identifier = Field(lib, j, "SYSLOG_IDENTIFIER");
      if (e.identifier.empty()) e.identifier = Field(lib, j, "_SYSTEMD_UNIT");
      e.container_id = Field(lib, j, "CONTAINER_ID_FULL");
      if (e.container_id.empty()) e.container_id = Field(lib, j, "CONTAINER_ID");
      entries.push_back(std::move(e));
      ++stats.entries;
      if (entries.size() >= batch) {
        on_batch(entries);
        entries.clear();
      }
    }
    lib.close(j);
  }
  if (!entries.empty()) on_batch(entries);
  if (!opened) return Fail(Error::NotFound("no journal could be opened: " + last_error));
  return stats;
}

}  // namespace deminer
