#include "checks/container_collect.h"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "core/strings.h"
#include "sources/docker_api.h"
#include "sources/persistence.h"
#include "sources/proc_parse.h"
#include "sources/proc_reader.h"

namespace deminer {
namespace {

// What the init of a running container really has mounted at its root and
// temp dirs, which beats what the config asked for: the engine adds mounts
// (Podman's tmpfs on /var/tmp, Docker's noexec /dev/shm) and an image's
// VOLUME makes /tmp a writable volume on a read-only root.
void ReadLiveMounts(const std::string& proc_root, ContainerConfig& c, std::vector<Gap>& gaps) {
  auto text = ReadSmallFile(fmt::format("{}/{}/mountinfo", proc_root, c.pid), size_t{4} << 20);
  if (!text) {
    gaps.push_back(
        {"mounts of container " + c.name, text.error().message(), "root or CAP_SYS_PTRACE"});
    return;
  }
  const std::vector<MountEntry> mounts = ParseMountInfo(*text);
  for (const char* path : {"/", "/tmp", "/var/tmp", "/dev/shm"}) {
    const MountEntry* best = nullptr;
    const std::string_view p = path;
    for (const MountEntry& m : mounts) {
      const std::string_view t = m.mount_point;
      const bool covers = p == t || t == "/" || (p.starts_with(t) && p[t.size()] == '/');
      if (covers && (best == nullptr || t.size() >= best->mount_point.size())) best = &m;
    }
    if (best == nullptr) continue;
    if (best->mount_point == "/") {
      c.read_only_rootfs = HasOption(best->options, "ro");
      continue;
    }
    const bool read_only = HasOption(best->options, "ro");
    const auto configured =
        std::find_if(c.mounts.begin(), c.mounts.end(),
                     [&](const ConfigMount& m) { return m.target == best->mount_point; });
    if (configured != c.mounts.end()) {
      configured->options = best->options;
      configured->read_only = read_only;
    } else {
      c.mounts.push_back(
          {best->fstype, best->source, best->mount_point, read_only, best->options, 0, true});
    }
  }
}

// Whether a running container shares the host's PID, network or IPC
// namespace, by the namespaces' inodes: what the engine reports can be wrong
// (Podman's compatible API answers "shareable" for --ipc host).
void ReadLiveNamespaces(const std::string& proc_root, ContainerConfig& c) {
  const auto same = [&](const char* ns) {
    struct stat own {
    }, its{};
    return stat(fmt::format("{}/self/ns/{}", proc_root, ns).c_str(), &own) == 0 &&
           stat(fmt::format("{}/{}/ns/{}", proc_root, c.pid, ns).c_str(), &its) == 0 &&
           own.st_ino == its.st_ino && own.st_dev == its.st_dev;
  };
  c.host_pid = c.host_pid || same("pid");
  c.host_network = c.host_network || same("net");
  c.host_ipc = c.host_ipc || same("ipc");
}

}  // namespace

std::vector<ContainerConfig> ReadLiveContainers(const std::string& proc_root,
                                                std::vector<Gap>& gaps) {
  std::vector<ContainerConfig> out;
  const std::vector<std::string> sockets = FindDockerSockets("/");
  if (sockets.empty()) {
    gaps.push_back({"containers",
                    "no Docker API socket found (DOCKER_HOST, /var/run/docker.sock, "
                    "/run/podman/podman.sock, rootless engines under /run/user)",
                    "a running engine, and access to its socket"});
    return out;
  }
  for (const std::string& sock : sockets) {
    auto configs = DockerApi(sock).InspectAll(gaps);
    if (!configs) {
      gaps.push_back({"containers of " + sock, configs.error().message(),
                      "access to the Docker or Podman socket"});
      continue;
    }
    for (ContainerConfig& c : *configs) {
      if (c.running && c.pid > 0) {
        ReadLiveMounts(proc_root, c, gaps);
        ReadLiveNamespaces(proc_root, c);
        c.tools = FindDropperTools(fmt::format("{}/{}/root", proc_root, c.pid));
        c.tools_known = true;
      }
      out.push_back(std::move(c));
    }
  }
  return out;
}

void CollectContainerConfigs(const ScanOptions& options, const std::string& proc_root,
                             Facts& facts) {
  if (options.root == "/") {
    for (ContainerConfig& c : ReadLiveContainers(proc_root, facts.gaps)) {
      facts.containers.emplace(c.ref.id, c.ref);
      facts.container_configs.push_back(std::move(c));
    }
  }
  ReadContainerConfigs(options.paths, facts.container_configs, facts.gaps);
}

namespace {

std::string WorkBase() {
  if (const char* d = std::getenv("DEMINER_WORK_DIR"); d && *d) return d;
  if (geteuid() == 0) return "/var/cache/deminer";
  if (const char* x = std::getenv("XDG_CACHE_HOME"); x && *x) return std::string(x) + "/deminer";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.cache/deminer";
}

// The key that stands for an image where a container id would.
std::string ImageKey(const UnpackedImage& image) { return "image:" + image.ref; }

}  // namespace

ImageWorkspace::ImageWorkspace(const std::vector<std::string>& paths, Facts& facts) {
  for (const std::string& path : paths) {
    if (!IsImageArchive(path)) continue;
    if (dir_.empty()) {
      const std::string base = WorkBase();
      std::error_code ec;
      std::filesystem::create_directories(base, ec);
      std::string tmpl = base + "/unpack.XXXXXX";
      if (ec || mkdtemp(tmpl.data()) == nullptr) {
        facts.gaps.push_back({"image " + path, "no work dir under " + base + " to unpack it in",
                              "a writable " + base + " (or DEMINER_WORK_DIR)"});
        return;
      }
      dir_ = tmpl;
    }
    const std::string dest = fmt::format("{}/{}", dir_, images_.size());
    auto unpacked = UnpackImages(path, dest, ImageLimits{}, facts.gaps);
    if (!unpacked) {
      facts.gaps.push_back({"image " + path, unpacked.error().message(), ""});
      continue;
    }
    for (UnpackedImage& image : *unpacked) {
      ContainerRef ref;
      ref.id = ImageKey(image);
      ref.name = image.ref;
      ref.image = image.ref;
      ref.runtime = "image";
      facts.containers.emplace(ref.id, ref);
      images_.push_back(std::move(image));
    }
  }
}

ImageWorkspace::~ImageWorkspace() {
  if (dir_.empty()) return;
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
}

std::vector<WalkTarget> ImageWorkspace::Targets() const {
  std::vector<WalkTarget> out;
  for (const UnpackedImage& image : images_) {
    out.push_back({image.root, "/", "image", ImageKey(image)});
  }
  return out;
}

void ImageWorkspace::ReadPersistence(Facts& facts) const {
  for (const UnpackedImage& image : images_) {
    PersistenceSweep sweep = deminer::ReadPersistence(image.root);
    for (PersistItem& item : sweep.items) {
      item.container_id = ImageKey(image);
      facts.persistence.push_back(std::move(item));
    }
    for (Gap& g : sweep.gaps) {
      g.what += " in image " + image.ref;
      facts.gaps.push_back(std::move(g));
    }
  }
}

void ImageWorkspace::AddConfigs(Facts& facts) const {
  for (const UnpackedImage& image : images_) facts.container_configs.push_back(image.config);
}

}  // namespace deminer
