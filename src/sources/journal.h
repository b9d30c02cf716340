// The systemd journal, read through libsystemd's sd-journal API. libsystemd
// is opened on first use (dlopen), not linked: on a host without it deminer
// still runs and reads the journal through `journalctl -o json`, and records
// a gap when that is missing too.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/error.h"

namespace deminer {

struct JournalEntry {
  std::string message;
  int64_t time = 0;          // unix seconds (the entry's realtime stamp)
  std::string identifier;    // SYSLOG_IDENTIFIER, or the unit
  std::string container_id;  // CONTAINER_ID (Docker's and Podman's journald log driver)
};

struct JournalReadStats {
  uint64_t entries = 0;
};

// Reads the journal files under `dirs` (each as sd_journal_open_directory
// takes it, machine-id subdirectories included) from `since` (unix seconds,
// 0: the start) to `until` (0: the end), calling on_batch for every batch of
// up to `batch` entries in time order. Fails when neither libsystemd nor
// journalctl can read any of them.
Expected<JournalReadStats> ReadJournal(
    const std::vector<std::string>& dirs, int64_t since, int64_t until, size_t batch,
    const std::function<void(const std::vector<JournalEntry>&)>& on_batch);

}  // namespace deminer
