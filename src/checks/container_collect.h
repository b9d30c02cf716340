// The I/O of the containers scope: every container of every engine the host
// runs (inspect through the Docker API; for running ones the mounts their init
// really has and the dropper's tools in their file system), and the container
// configs of PATHs (Compose, Kubernetes, Dockerfiles, inspect JSON, image
// archives). Called by CollectFacts; checks stay pure.
#pragma once

#include <string>
#include <vector>

#include "checks/scanner.h"
#include "sources/file_walker.h"
#include "sources/image_archive.h"

namespace deminer {

// Every container of every engine found (FindDockerSockets): the inspect, and
// for running ones the mounts and namespaces their init really has and the
// dropper's tools in their file system (through proc_root/PID/root).
std::vector<ContainerConfig> ReadLiveContainers(const std::string& proc_root,
                                                std::vector<Gap>& gaps);

void CollectContainerConfigs(const ScanOptions& options, const std::string& proc_root,
                             Facts& facts);

// The image archives among PATHs (docker save, podman save, OCI layouts),
// unpacked into a private work dir for the length of one scan and removed
// with this object: the files and persistence scopes read their merged file
// systems, the containers scope judges their configs. Each image's findings
// name it as their container (runtime "image"). The work dir is
// $DEMINER_WORK_DIR, or /var/cache/deminer as root, or ~/.cache/deminer:
// never a temp dir the files scope walks.
class ImageWorkspace {
 public:
  ImageWorkspace(const std::vector<std::string>& paths, Facts& facts);
  ~ImageWorkspace();
  ImageWorkspace(const ImageWorkspace&) = delete;
  ImageWorkspace& operator=(const ImageWorkspace&) = delete;

  // Walk targets of the images' merged trees, shown as the image sees them.
  std::vector<WalkTarget> Targets() const;
  // The persistence files of each image, against the image.
  void ReadPersistence(Facts& facts) const;
  // The images' configs, for the containers scope.
  void AddConfigs(Facts& facts) const;

 private:
  std::string dir_;
  std::vector<UnpackedImage> images_;
};

}  // namespace deminer
