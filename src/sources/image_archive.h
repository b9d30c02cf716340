// Container image tarballs (`docker save`, `podman save`, OCI layouts) unpacked
// into a directory, so the file checks can scan an image the way they scan a
// mounted root, and the container checks can judge its config.
//
// Formats read (compression of the outer tar and of each layer is detected:
// gzip, zstd, xz, bzip2, lz4):
//   - docker-archive: manifest.json ([{Config, RepoTags, Layers}]) naming the
//     config and the layer tars inside the archive, as `docker save` and
//     `podman save --format docker-archive` write it (layers may be symlinks
//     to other members, `<id>/layer.tar -> ../<diff-id>.tar`); Docker 25's
//     saves (manifest.json pointing into blobs/sha256/) too;
//   - the legacy format without manifest.json: `repositories` and
//     `<id>/json` + `<id>/layer.tar` chained by "parent";
//   - OCI image layouts (oci-layout, index.json, blobs/<alg>/<hex>) as a tar
//     (`podman save --format oci-archive`) or a directory, nested indexes
//     included (attestation manifests are skipped);
//   - a containers/image `dir:` directory (manifest.json as a registry
//     manifest, blobs named by their hex digest).
//
// Layers apply in order with overlayfs semantics: `.wh.NAME` deletes NAME of
// the lower layers, `.wh..wh..opq` hides everything the lower layers had in its
// directory; neither touches what the same layer adds, whatever the tar order
// (overlayfs' own 0/0 character-device whiteouts work too). A directory of an
// upper layer replaces a lower non-directory at its path (overlay2's merged
// view). Files keep their mtime; directories do not.
//
// Memory and disk: a layer is streamed out of the outer tar straight into the
// tree (no temp copy, never held in memory); the member is reached by a seek
// when the outer tar is uncompressed (what docker and podman write), by a
// rescan when it is compressed. Small JSON members are kept in memory (64 MiB
// at most). At most 256 images of one archive are unpacked.
//
// Safety: the archives are hostile. Everything is written through file
// descriptors below dest/<n> (openat with O_NOFOLLOW, created with O_EXCL
// after unlinking what was there, so a symlink or hard link never redirects a
// write): absolute names and `..` components are refused, a path through a
// symlink the same layer made is refused (a symlink of a lower layer is
// replaced by a directory, as overlay2 shows it), hard links must name a file
// already below dest/<n>. Device nodes, FIFOs and sockets are skipped;
// setuid, setgid and sticky bits are dropped (the other permission bits,
// exec bits included, are kept, and the owner gets rwx on directories and rw
// on files so the tree can be scanned and removed); ownership is not restored
// (files belong to the caller). Sizes, entry counts and the bytes read from
// (decompressed) layer streams are bounded (ImageLimits). Nothing is executed
// (only libarchive's built-in decompressors are enabled).
//
// Errors: an archive that cannot be opened or is not an image is an Error; a
// config, layer or entry that cannot be read or is refused is a Gap and the
// rest still applies. Nothing throws.
// Thread safety: no shared state (no chdir); calls may run concurrently on
// different dests.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "core/finding.h"
#include "sources/container_config.h"

namespace deminer {

// Bounds of one UnpackImages call, over all its images.
struct ImageLimits {
  uint64_t max_total_bytes = 4ull << 30;   // bytes written; reaching it stops the unpacking
  uint64_t max_file_bytes = 512ull << 20;  // a larger file is skipped (a gap), not truncated
  // Entries of the outer archive (more are ignored), and apart those of all
  // layers together (reaching it stops the unpacking).
  uint64_t max_entries = 500000;
  // Decompressed bytes read from all layer streams, skipped entries included:
  // a decompression bomb or a layer of huge skipped files is then a gap, not
  // minutes of inflating. Reaching it stops the unpacking.
  uint64_t max_read_bytes = 16ull << 30;
};

struct UnpackedImage {
  // "repo:tag" from the manifest (the first of RepoTags; for OCI the
  // io.containerd.image.name annotation, else org.opencontainers.image.ref.name),
  // else the config digest.
  std::string ref;
  std::string config_digest;  // "sha256:<hex>" of the config blob as read
  std::string root;           // dest/<n>: the merged file system of the image
  // source kImage, runtime_settings false, name = image = ref, file = the
  // archive path; user (the config's User, "" when unset: root), entrypoint,
  // cmd, ports (Config.ExposedPorts, published false), tools found in the
  // merged tree, tools_known true. Defaults with a gap when the config is
  // unreadable.
  ContainerConfig config;
  // The layers in order: their digests (OCI, Docker 25) or member paths
  // (docker-archive "<hex>.tar", legacy "<id>/layer.tar").
  std::vector<std::string> layers;
  uint64_t files = 0;  // regular files written, over all layers (overwritten ones count again)
  uint64_t bytes = 0;  // their bytes
};

// Unpacks every image of `archive_path` (a tar, compressed or not, or an OCI
// layout / dir: directory; see the formats above) into dest/0, dest/1, ...
// (dest is created if missing; dest/<n> must not exist). Errors: NotFound or
// PermissionDenied for the archive, InvalidInput when it is not an image
// archive or its manifest / index is malformed or names no image. Everything
// else is a gap in `gaps` (layer unreadable or truncated, entry refused or
// skipped, limits reached, config missing) and the rest still unpacks.
Expected<std::vector<UnpackedImage>> UnpackImages(const std::string& archive_path,
                                                  const std::string& dest,
                                                  const ImageLimits& limits,
                                                  std::vector<Gap>& gaps);

// Whether `path` looks like an image archive or layout. Cheap: for a tar, its
// first 64 entry headers (no more than 256 MiB inflated when it is
// compressed): oci-layout, blobs/sha256/..., <id>/layer.tar, or a
// manifest.json shaped like docker save's; for a directory, its oci-layout,
// manifest.json or repositories. A web app's manifest.json is not an image.
bool IsImageArchive(const std::string& path);

// Parses an image config (the JSON blob a manifest's Config names; "config" or
// "Config" holding User, ExposedPorts, Entrypoint, Cmd) into a kImage
// ContainerConfig named `ref` from `file`. tools stay unknown. InvalidInput
// when the text is not a JSON object. Pure; fuzzed.
Expected<ContainerConfig> ParseImageConfig(std::string_view json, const std::string& ref,
                                           const std::string& file);

}  // namespace deminer
