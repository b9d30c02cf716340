#include "sources/file_hash.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <memory>
#include <vector>

namespace deminer {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

std::string Hex(EVP_MD_CTX* ctx) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md.data(), &len);
  std::string out;
  out.reserve(size_t{len} * 2);
  for (unsigned int i = 0; i < len; ++i) out += fmt::format("{:02x}", md[i]);
  return out;
}

}  // namespace

Expected<FileHashes> HashFile(const std::string& path, HashSet which, uint64_t max_bytes) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Fail(Error::FromErrno(errno, path));
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    close(fd);
    return Fail(Error::InvalidInput(path + ": not a regular file"));
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    close(fd);
    return Fail(Error::InvalidInput(
        fmt::format("{}: {} bytes, over the {} byte bound", path, st.st_size, max_bytes)));
  }
  Ctx md5(which.md5 ? EVP_MD_CTX_new() : nullptr);
  Ctx sha1(which.sha1 ? EVP_MD_CTX_new() : nullptr);
  Ctx sha256(which.sha256 ? EVP_MD_CTX_new() : nullptr);
  if (md5) EVP_DigestInit_ex(md5.get(), EVP_md5(), nullptr);
  if (sha1) EVP_DigestInit_ex(sha1.get(), EVP_sha1(), nullptr);
  if (sha256) EVP_DigestInit_ex(sha256.get(), EVP_sha256(), nullptr);
  std::vector<unsigned char> buf(size_t{1} << 20);
  FileHashes out;
  while (true) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Fail(Error::FromErrno(err, path));
    }
    if (n == 0) break;
    out.size += static_cast<uint64_t>(n);
    if (out.size > max_bytes) {  // grew while we read
      close(fd);
      return Fail(Error::InvalidInput(path + ": grew over the size bound while hashed"));
    }
    for (EVP_MD_CTX* c : {md5.get(), sha1.get(), sha256.get()}) {
      if (c != nullptr) EVP_DigestUpdate(c, buf.data(), static_cast<size_t>(n));
    }
  }
  close(fd);
  if (md5) out.md5 = Hex(md5.get());
  if (sha1) out.sha1 = Hex(sha1.get());
  if (sha256) out.sha256 = Hex(sha256.get());
  return out;
}

}  // namespace deminer
