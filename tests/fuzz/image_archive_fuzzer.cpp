// Fuzzes what reads image tarballs, which an intruder may have built: the
// image config parser, and the whole unpacking (outer tar, manifest.json /
// index.json / repositories, nested layer tars, whiteouts, links) of the
// input taken as an archive, into a temp dir under $TMPDIR. Besides not
// crashing, nothing may appear beside the input and the output dir.
#include <stdlib.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "sources/image_archive.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace deminer;
  namespace fs = std::filesystem;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)ParseImageConfig(text, "fuzz:1", "fuzz.tar");
  if (size == 0 || text.front() == '{') return 0;  // a config: not worth a tar pass

  static const std::string work = [] {
    const char* tmp = getenv("TMPDIR");
    std::string tmpl = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/var/tmp") +
                       "/deminer-image-fuzz.XXXXXX";
    if (mkdtemp(tmpl.data()) == nullptr) __builtin_trap();
    return tmpl;
  }();
  const std::string input = work + "/in.tar", out = work + "/out";
  std::ofstream(input, std::ios::binary | std::ios::trunc)
      .write(text.data(), static_cast<std::streamsize>(size));
  ImageLimits limits;
  limits.max_total_bytes = 16 << 20;
  limits.max_file_bytes = 4 << 20;
  limits.max_entries = 10000;
  limits.max_read_bytes = 64 << 20;
  std::vector<Gap> gaps;
  (void)IsImageArchive(input);
  (void)UnpackImages(input, out, limits, gaps);
  std::error_code ec;
  fs::remove_all(out, ec);
  for (const auto& e : fs::directory_iterator(work)) {
    if (e.path().filename() != "in.tar") __builtin_trap();  // written outside dest
  }
  return 0;
}
