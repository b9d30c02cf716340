// Fuzzes what deminer reads from the Docker API (the socket is untrusted): the
// /containers/json parser and the demultiplexing of a container's log stream.
#include <cstddef>
#include <cstdint>
#include <string>

#include "sources/docker_api.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string body(reinterpret_cast<const char*>(data), size);
  (void)deminer::ParseContainerList(body);
  if (deminer::DemuxDockerLogs(body).size() > body.size()) __builtin_trap();
  return 0;
}
