#include "harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/socket.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace deminer::it {
namespace fs = std::filesystem;

TempDir::TempDir() {
  std::string tmpl = "/tmp/deminer-it-XXXXXX";
  path_ = mkdtemp(tmpl.data());
  chmod(path_.c_str(), 0755);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

namespace {

std::vector<char*> CStrings(std::vector<std::string>& v) {
  std::vector<char*> out;
  for (std::string& s : v) out.push_back(s.data());
  out.push_back(nullptr);
  return out;
}

std::vector<std::string> Environment(const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> env;
  for (char** e = environ; *e != nullptr; ++e) {
    const std::string kv = *e;
    const size_t eq = kv.find('=');
    if (eq != std::string::npos) env[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  for (const auto& [k, v] : extra) env[k] = v;
  std::vector<std::string> out;
  for (const auto& [k, v] : env) out.push_back(k + "=" + v);
  return out;
}

std::string Slurp(int fd) {
  std::string out;
  char buf[65536];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

}  // namespace

Child::Child(const std::string& exe, const std::vector<std::string>& argv,
             const std::map<std::string, std::string>& env) {
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = Environment(env);
  auto cargs = CStrings(args);
  auto cenv = CStrings(envs);
  pid_ = fork();
  if (pid_ == 0) {
    setpgid(0, 0);
    const int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    execve(exe.c_str(), cargs.data(), cenv.data());
    _exit(127);
  }
}

Child::~Child() {
  if (pid_ > 0) {
    kill(-pid_, SIGKILL);  // its process group: children it spawned too
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
}

bool WaitForFile(const std::string& path, std::chrono::milliseconds timeout) {
  const auto end = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < end) {
    if (access(path.c_str(), F_OK) == 0) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

std::unique_ptr<Child> StartImitation(const TempDir& dir, const std::string& name,
                                      const std::vector<std::string>& argv,
                                      std::map<std::string, std::string> env) {
  const std::string exe = dir / name;
  const std::string ready = dir / (name + ".ready");
  CopyTool("imitation_miner", exe);
  env["IMITATION_READY"] = ready;
  auto child = std::make_unique<Child>(exe, argv, env);
  if (!WaitForFile(ready)) return nullptr;
  return child;
}

std::string ToolPath(const std::string& tool) {
  return std::string(DEMINER_TOOLS_DIR) + "/" + tool;
}

void CopyTool(const std::string& tool, const std::string& dest) {
  fs::copy_file(ToolPath(tool), dest, fs::copy_options::overwrite_existing);
  chmod(dest.c_str(), 0755);
}

CommandResult RunCommand(const std::vector<std::string>& argv,
                         const std::map<std::string, std::string>& env) {
  // Output goes to unlinked temp files, not pipes: daemons a command leaves
  // behind (podman run -d leaves conmon) would hold a pipe open forever.
  CommandResult r;
  char out_name[] = "/tmp/deminer-it-out-XXXXXX";
  char err_name[] = "/tmp/deminer-it-err-XXXXXX";
  const int out = mkstemp(out_name);
  const int err = mkstemp(err_name);
  unlink(out_name);
  unlink(err_name);
  std::vector<std::string> args = argv;
  std::vector<std::string> envs = Environment(env);
  auto cargs = CStrings(args);
  auto cenv = CStrings(envs);
  const pid_t pid = fork();
  if (pid == 0) {
    dup2(out, 1);
    dup2(err, 2);
    const int devnull = open("/dev/null", O_RDONLY);
    dup2(devnull, 0);
    execvpe(cargs[0], cargs.data(), cenv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  lseek(out, 0, SEEK_SET);
  lseek(err, 0, SEEK_SET);
  r.out = Slurp(out);
  r.err = Slurp(err);
  close(out);
  close(err);
  return r;
}

CommandResult RunDeminer(const std::vector<std::string>& args,
                         const std::map<std::string, std::string>& env) {
  std::vector<std::string> argv = {DEMINER_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return RunCommand(argv, env);
}

nlohmann::json ScanJson(const std::vector<std::string>& args,
                        const std::map<std::string, std::string>& env, int* exit_code) {
  std::vector<std::string> argv = {"scan", "--format", "json", "--rules", MachineRulesDir()};
  argv.insert(argv.end(), args.begin(), args.end());
  const CommandResult r = RunDeminer(argv, env);
  if (exit_code != nullptr) *exit_code = r.exit_code;
  EXPECT_NE(r.exit_code, 2) << r.err;
  try {
    return nlohmann::json::parse(r.out);
  } catch (const nlohmann::json::exception& e) {
    ADD_FAILURE() << "deminer printed no JSON: " << e.what() << "\nstderr: " << r.err;
    return nlohmann::json::object();
  }
}

std::vector<nlohmann::json> FindingsOf(const nlohmann::json& scan, const std::string& check,
                                       const std::string& needle) {
  std::vector<nlohmann::json> out;
  if (!scan.contains("findings")) return out;
  for (const auto& f : scan["findings"]) {
    if (f["check"] == check && f["subject"].get<std::string>().find(needle) != std::string::npos) {
      out.push_back(f);
    }
  }
  return out;
}

std::string MachineRulesDir() {
  return std::string(DEMINER_SOURCE_DIR) + "/tests/integration/testdata/machine-rules";
}

NetNs::NetNs() : name_(fmt::format("deminer-it-{}", getpid())) {
  RunCommand({"ip", "netns", "del", name_});
  ok_ = RunCommand({"ip", "netns", "add", name_}).exit_code == 0 &&
        RunCommand({"ip", "-n", name_, "link", "set", "lo", "up"}).exit_code == 0;
}

NetNs::~NetNs() { RunCommand({"ip", "netns", "del", name_}); }

std::string WhyNoNetnsTests() {
  if (getuid() != 0) return "network namespaces and PostgreSQL as its user need root";
  for (const char* tool : {"nft", "busybox", "ss"}) {
    if (RunCommand({"sh", "-c", fmt::format("command -v {}", tool)}).exit_code != 0) {
      return fmt::format("{} is not installed", tool);
    }
  }
  return "";
}

bool NetNs::WaitListening(const std::vector<uint16_t>& ports) const {
  for (int i = 0; i < 100; ++i) {
    const CommandResult r = RunCommand({"ip", "netns", "exec", name_, "ss", "-Hltn"});
    bool all = true;
    for (const uint16_t p : ports) {
      all = all && r.out.find(fmt::format(":{} ", p)) != std::string::npos;
    }
    if (all) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return false;
}

std::unique_ptr<Child> NetNs::Listen(uint16_t port) const {
  // `ip netns exec` execs busybox, so the Child's pid is the listener's.
  auto child = std::make_unique<Child>(
      "/usr/sbin/ip", std::vector<std::string>{"ip", "netns", "exec", name_, "busybox", "nc", "-ll",
                                               "-p", std::to_string(port), "-e", "/bin/true"});
  return WaitListening({port}) ? std::move(child) : nullptr;
}

uint16_t FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  uint16_t port = 0;
  if (bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  close(fd);
  return port;
}

std::string Postgres::BinDir() {
  std::error_code ec;
  std::string best;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    if (fs::exists(e.path() / "bin/initdb")) best = std::max(best, (e.path() / "bin").string());
  }
  return best;
}

CommandResult Postgres::AsPostgres(std::vector<std::string> argv) {
  argv.insert(argv.begin(), {"runuser", "-u", "postgres", "--"});
  return RunCommand(argv);
}

Postgres::Postgres(Options options) : options_(std::move(options)) {
  bin_ = BinDir();
  if (bin_.empty() || getpwnam("postgres") == nullptr) {
    why_not_ = "Debian's postgresql package is not installed (scripts/deps.sh installs it)";
    return;
  }
  port_ = options_.port != 0 ? options_.port : FreePort();
  chown(dir_.path().c_str(), getpwnam("postgres")->pw_uid, getpwnam("postgres")->pw_gid);
  std::vector<std::string> init = {bin_ + "/initdb", "-D",        data_dir(), "-A",
                                   options_.auth,    "-U",        "postgres", "--no-sync"};
  if (options_.auth != "trust") {
    std::ofstream(dir_ / "pwfile") << "secret\n";
    chown((dir_ / "pwfile").c_str(), getpwnam("postgres")->pw_uid, 0);
    init.push_back("--pwfile=" + dir_ / "pwfile");
  }
  const auto r = AsPostgres(init);
  if (r.exit_code != 0) {
    why_not_ = "initdb: " + r.err;
    return;
  }
  ok_ = Start();
}

bool Postgres::Start() {
  std::string settings = fmt::format(
      "-c listen_addresses='{}' -c unix_socket_directories='{}' -c port={} "
      "-c log_statement=all -c log_line_prefix='%m [%p] '",
      options_.listen_addresses, dir_.path(), port_);
  for (const std::string& s : options_.settings) settings += " -c " + s;
  std::vector<std::string> start = {bin_ + "/pg_ctl", "-D", data_dir(), "-l",   log(),
                                    "-w",           "-o", settings,   "start"};
  if (!options_.netns.empty()) {
    // The server stays in the namespace; psql still reaches it by its Unix socket.
    start.insert(start.begin(), {"ip", "netns", "exec", options_.netns, "runuser", "-u",
                                 "postgres", "--"});
  }
  const auto r = options_.netns.empty() ? AsPostgres(start) : RunCommand(start);
  if (r.exit_code != 0) why_not_ = "pg_ctl start: " + r.err + r.out;
  return r.exit_code == 0;
}

Postgres::~Postgres() {
  if (ok_) AsPostgres({bin_ + "/pg_ctl", "-D", data_dir(), "-m", "immediate", "stop"});
}

CommandResult Postgres::Sql(const std::string& sql) const {
  return AsPostgres({bin_ + "/psql", "-h", dir_.path(), "-p", std::to_string(port_), "-U",
                     "postgres", "-d", "postgres", "-X", "-q", "-A", "-t", "-c", sql});
}

bool Postgres::Reconfigure(const std::string& pg_hba,
                           const std::vector<std::string>& alter_system) {
  if (!pg_hba.empty()) std::ofstream(data_dir() + "/pg_hba.conf", std::ios::trunc) << pg_hba;
  for (const std::string& a : alter_system) {
    if (Sql("ALTER SYSTEM SET " + a).exit_code != 0) return false;
  }
  return Sql("SELECT pg_reload_conf()").exit_code == 0;
}

bool Postgres::Restart() {
  if (!ok_) return false;
  AsPostgres({bin_ + "/pg_ctl", "-D", data_dir(), "-m", "fast", "-w", "stop"});
  ok_ = Start();
  return ok_;
}

Podman::Podman() {
  if (RunCommand({"podman", "--version"}).exit_code != 0) {
    why_not_ = "podman is not installed (scripts/deps.sh installs it)";
    return;
  }
  // Podman's defaults fail here (RLIMIT_NOFILE, crun on hybrid cgroups).
  std::ofstream(dir_ / "containers.conf")
      << "[containers]\ndefault_ulimits = []\n[engine]\ncgroup_manager = \"cgroupfs\"\n"
         "runtime = \"runc\"\n";
  const std::string rootfs = dir_ / "rootfs";
  fs::create_directories(rootfs + "/bin");
  fs::create_directories(rootfs + "/tmp");
  fs::create_directories(rootfs + "/app");
  fs::copy_file("/bin/busybox", rootfs + "/bin/busybox");
  for (const char* applet : {"sh", "sleep", "ls", "cat", "ps", "cp", "mkdir"}) {
    fs::create_symlink("busybox", rootfs + "/bin/" + applet);
  }
  CopyTool("imitation_miner", rootfs + "/tmp/javae");
  CopyTool("imitation_miner", rootfs + "/app/node");
  image_ = fmt::format("localhost/deminer-it-{}:1", getpid());
  const std::string tar = dir_ / "rootfs.tar";
  if (RunCommand({"tar", "-C", rootfs, "-cf", tar, "."}).exit_code != 0) {
    why_not_ = "tar failed";
    return;
  }
  const CommandResult imported = RunCommand({"podman", "import", tar, image_}, Env());
  if (imported.exit_code != 0) {
    why_not_ = "podman import failed: " + imported.err;
    return;
  }
  socket_ = dir_ / "docker.sock";
  service_ = std::make_unique<Child>(
      "/usr/bin/podman",
      std::vector<std::string>{"podman", "system", "service", "--time=0", "unix://" + socket_},
      Env());
  struct stat st {};
  for (int i = 0; i < 300 && stat(socket_.c_str(), &st) != 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ok_ = S_ISSOCK(st.st_mode);
  if (!ok_) why_not_ = "podman system service did not create its socket in 15 s";
}

Podman::~Podman() {
  for (const std::string& c : containers_) RunCommand({"podman", "rm", "-f", "-t", "0", c}, Env());
  service_.reset();
  if (!image_.empty()) RunCommand({"podman", "rmi", "-f", image_}, Env());
  for (const std::string& i : images_) RunCommand({"podman", "rmi", "-f", i}, Env());
}

std::map<std::string, std::string> Podman::Env() const {
  return {{"CONTAINERS_CONF", dir_ / "containers.conf"}};
}

namespace {

std::string StartContainer(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env) {
  const CommandResult r = RunCommand(argv, env);
  if (r.exit_code != 0) {
    ADD_FAILURE() << argv[1] << " failed: " << r.err;
    return "";
  }
  std::string id = r.out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  return id;
}

}  // namespace

std::string Podman::RunDetached(const std::string& name, const std::vector<std::string>& args,
                                const std::vector<std::string>& cmd, const std::string& image) {
  std::vector<std::string> argv = {"podman", "run", "-d", "--name", name};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(image.empty() ? image_ : image);
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  containers_.push_back(name);
  return StartContainer(argv, Env());
}

std::string Podman::Create(const std::string& name, const std::vector<std::string>& args,
                           const std::vector<std::string>& cmd, const std::string& image) {
  std::vector<std::string> argv = {"podman", "create", "--name", name};
  argv.insert(argv.end(), args.begin(), args.end());
  argv.push_back(image.empty() ? image_ : image);
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  containers_.push_back(name);
  return StartContainer(argv, Env());
}

bool Podman::ImportImage(const std::string& rootfs, const std::string& name) {
  const std::string tar = rootfs + ".tar";
  if (RunCommand({"tar", "-C", rootfs, "-cf", tar, "."}).exit_code != 0) return false;
  images_.push_back(name);
  const CommandResult r = RunCommand({"podman", "import", tar, name}, Env());
  if (r.exit_code != 0) ADD_FAILURE() << "podman import failed: " << r.err;
  return r.exit_code == 0;
}

}  // namespace deminer::it
