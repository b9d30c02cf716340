#include "sources/file_hash.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <vector>

namespace deminer {
namespace {

struct CtxDeleter {
  void operator()(EVP_MD_CTX* c) const { EVP_MD_CTX_free(c); }
};
using Ctx = std::unique_ptr<EVP_MD_CTX, CtxDeleter>;

std::string Hex(EVP_MD_CTX* ctx) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md.data(), &len);
  std::string out(size_t{len} * 2, '0');
  for (unsigned int i = 0; i < len; ++i) {
    out[2 * i] = kDigits[md[i] >> 4];
    out[2 * i + 1] = kDigits[md[i] & 0xf];
  }
  return out;
}

}  // namespace

struct MdDeleter {
  void operator()(EVP_MD* m) const { EVP_MD_free(m); }
};
using Md = std::unique_ptr<EVP_MD, MdDeleter>;

struct Hasher::Impl {
  Ctx md5, sha1, sha256;
  // Fetched once: EVP_md5() and friends fetch from the provider store, under
  // a lock, on every init, which costs more than hashing a small file.
  Md md5_md, sha1_md, sha256_md;
  uint64_t size = 0;

  void Init() {
    if (md5) EVP_DigestInit_ex2(md5.get(), md5_md.get(), nullptr);
    if (sha1) EVP_DigestInit_ex2(sha1.get(), sha1_md.get(), nullptr);
    if (sha256) EVP_DigestInit_ex2(sha256.get(), sha256_md.get(), nullptr);
    size = 0;
  }
};

Hasher::Hasher(HashSet which) : impl_(std::make_unique<Impl>()) {
  if (which.md5) {
    impl_->md5.reset(EVP_MD_CTX_new());
    impl_->md5_md.reset(EVP_MD_fetch(nullptr, "MD5", nullptr));
  }
  if (which.sha1) {
    impl_->sha1.reset(EVP_MD_CTX_new());
    impl_->sha1_md.reset(EVP_MD_fetch(nullptr, "SHA1", nullptr));
  }
  if (which.sha256) {
    impl_->sha256.reset(EVP_MD_CTX_new());
    impl_->sha256_md.reset(EVP_MD_fetch(nullptr, "SHA2-256", nullptr));
  }
  impl_->Init();
}

Hasher::~Hasher() = default;

void Hasher::Update(const void* data, size_t size) {
  impl_->size += size;
  for (EVP_MD_CTX* c : {impl_->md5.get(), impl_->sha1.get(), impl_->sha256.get()}) {
    if (c != nullptr) EVP_DigestUpdate(c, data, size);
  }
}

FileHashes Hasher::Finish() {
  FileHashes out;
  out.size = impl_->size;
  if (impl_->md5) out.md5 = Hex(impl_->md5.get());
  if (impl_->sha1) out.sha1 = Hex(impl_->sha1.get());
  if (impl_->sha256) out.sha256 = Hex(impl_->sha256.get());
  impl_->Init();
  return out;
}

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
  Hasher hasher(which);
  std::vector<unsigned char> buf(size_t{1} << 20);
  uint64_t total = 0;
  while (true) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      close(fd);
      return Fail(Error::FromErrno(err, path));
    }
    if (n == 0) break;
    total += static_cast<uint64_t>(n);
    if (total > max_bytes) {  // grew while we read
      close(fd);
      return Fail(Error::InvalidInput(path + ": grew over the size bound while hashed"));
    }
    hasher.Update(buf.data(), static_cast<size_t>(n));
  }
  close(fd);
  return hasher.Finish();
}

}  // namespace deminer
