// Hashes a file once for every digest asked for (MD5, SHA-1, SHA-256 through
// OpenSSL EVP), reading it in 1 MiB chunks up to a bound. Used for IOC hashes
// of running executables (through /proc/PID/exe, which still reads a deleted
// program). Thread-safe; each call owns its buffers.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "core/error.h"

namespace deminer {

struct HashSet {
  bool md5 = false;
  bool sha1 = false;
  bool sha256 = false;
  bool Any() const { return md5 || sha1 || sha256; }
};

struct FileHashes {
  std::string md5;  // lower-case hex; empty when not asked for
  std::string sha1;
  std::string sha256;
  uint64_t size = 0;
};

// Digests over data fed in pieces. Reusable: Finish() resets it for the next
// file, so a thread keeps one and pays for the OpenSSL contexts once.
// Not thread-safe; one per thread.
class Hasher {
 public:
  explicit Hasher(HashSet which);
  ~Hasher();
  Hasher(const Hasher&) = delete;
  Hasher& operator=(const Hasher&) = delete;

  void Update(const void* data, size_t size);
  FileHashes Finish();  // the digests asked for, and the bytes fed since the last Finish

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// Fails with InvalidInput when the file is larger than max_bytes.
Expected<FileHashes> HashFile(const std::string& path, HashSet which, uint64_t max_bytes);

}  // namespace deminer
