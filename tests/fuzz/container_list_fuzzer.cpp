// Fuzzes the Docker API's /containers/json parser (the socket is untrusted).
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/docker_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  (void)deminer::ParseContainerList(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
