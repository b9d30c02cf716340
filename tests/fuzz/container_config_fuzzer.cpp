// Fuzzes the container-config parsers: Compose files, Kubernetes manifests,
// Dockerfiles and inspect JSON come from repositories and engines a scan does
// not trust.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "sources/container_config.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)deminer::ParseCompose(text, "docker-compose.yml");
  (void)deminer::ParseKubernetes(text, "k8s.yaml");
  (void)deminer::ParseDockerfile(text, "Dockerfile");
  (void)deminer::ParseInspect(text, "inspect.json", deminer::ConfigSource::kInspect);
  (void)deminer::ParseInspect(text, "", deminer::ConfigSource::kLive);
  (void)deminer::DetectConfigFile("k8s.yaml", text);
  (void)deminer::DetectConfigFile("inspect.json", text);
  return 0;
}
