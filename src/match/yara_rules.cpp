#include "match/yara_rules.h"

#include <fmt/format.h>
#include <yara.h>

#include <cstdio>
#include <mutex>

#include "core/strings.h"

namespace deminer {
namespace {

constexpr size_t kMaxStrings = 6;
constexpr size_t kMaxStringBytes = 80;

// libyara's global state: started once, kept for the life of the process.
Expected<void> StartYara() {
  static std::once_flag once;
  static int rc = ERROR_SUCCESS;
  std::call_once(once, [] { rc = yr_initialize(); });
  if (rc != ERROR_SUCCESS) return Fail(Error::Internal(fmt::format("yr_initialize: error {}", rc)));
  return {};
}

struct CompilerDeleter {
  void operator()(YR_COMPILER* c) const { yr_compiler_destroy(c); }
};
using CompilerPtr = std::unique_ptr<YR_COMPILER, CompilerDeleter>;

struct CompileErrors {
  std::vector<std::string> messages;
};

void OnCompilerMessage(int level, const char* file, int line, const YR_RULE* /*rule*/,
                       const char* message, void* user) {
  if (level != YARA_ERROR_LEVEL_ERROR) return;
  static_cast<CompileErrors*>(user)->messages.push_back(
      fmt::format("{}:{}: {}", file != nullptr ? file : "?", line, message));
}

Expected<CompilerPtr> NewCompiler(CompileErrors& errors) {
  YR_COMPILER* raw = nullptr;
  if (yr_compiler_create(&raw) != ERROR_SUCCESS) {
    return Fail(Error::Internal("yr_compiler_create failed"));
  }
  CompilerPtr c(raw);
  yr_compiler_set_callback(c.get(), OnCompilerMessage, &errors);
  for (const char* name : {"filename", "filepath", "extension"}) {
    yr_compiler_define_string_variable(c.get(), name, "");
  }
  return c;
}

// Adds one file; false (with errors recorded) when it does not compile.
bool AddFile(YR_COMPILER* c, const std::string& path, CompileErrors& errors) {
  FILE* f = std::fopen(path.c_str(), "re");
  if (f == nullptr) {
    errors.messages.push_back(Error::FromErrno(errno, path).message());
    return false;
  }
  std::string ns(Basename(path));
  ns = ns.substr(0, ns.rfind('.'));
  const int failures = yr_compiler_add_file(c, f, ns.c_str(), path.c_str());
  std::fclose(f);
  return failures == 0;
}

}  // namespace

std::string YaraMatch::Meta(std::string_view key) const {
  for (const auto& [k, v] : meta) {
    if (k == key) return v;
  }
  return {};
}

struct YaraRules::Impl {
  YR_RULES* rules = nullptr;
};

YaraRules::YaraRules(std::unique_ptr<Impl> impl, size_t rule_count)
    : impl_(std::move(impl)), rule_count_(rule_count) {}

YaraRules::~YaraRules() {
  if (impl_ && impl_->rules != nullptr) yr_rules_destroy(impl_->rules);
}

Expected<std::shared_ptr<const YaraRules>> YaraRules::Compile(const std::vector<std::string>& files,
                                                              std::vector<Gap>& problems) {
  if (auto started = StartYara(); !started) return Fail(started.error());
  // A compiler cannot be used after an error, so each file is first tried in
  // a compiler of its own; the good ones are then compiled together.
  std::vector<std::string> good;
  for (const std::string& path : files) {
    CompileErrors errors;
    auto trial = NewCompiler(errors);
    if (!trial) return Fail(trial.error());
    if (AddFile(trial->get(), path, errors)) {
      good.push_back(path);
    } else {
      problems.push_back({"YARA rules in " + path,
                          errors.messages.empty() ? "did not compile" : Join(errors.messages, "; "),
                          "a fix to the rule file"});
    }
  }
  if (good.empty()) return Fail(Error::InvalidInput("no YARA rule file compiled"));
  CompileErrors errors;
  auto compiler = NewCompiler(errors);
  if (!compiler) return Fail(compiler.error());
  for (const std::string& path : good) {
    if (!AddFile(compiler->get(), path, errors)) {
      return Fail(Error::InvalidInput("YARA rules: " + Join(errors.messages, "; ")));
    }
  }
  auto impl = std::make_unique<Impl>();
  if (yr_compiler_get_rules(compiler->get(), &impl->rules) != ERROR_SUCCESS) {
    return Fail(Error::Internal("yr_compiler_get_rules failed"));
  }
  size_t count = 0;
  const YR_RULE* rule = nullptr;
  yr_rules_foreach(impl->rules, rule) { ++count; }
  return std::shared_ptr<const YaraRules>(new YaraRules(std::move(impl), count));
}

struct YaraRules::Scanner::Impl {
  YR_SCANNER* scanner = nullptr;
  std::vector<YaraMatch> matches;
  ~Impl() {
    if (scanner != nullptr) yr_scanner_destroy(scanner);
  }
};

YaraRules::Scanner::Scanner(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
YaraRules::Scanner::~Scanner() = default;

namespace {

int OnScanMessage(YR_SCAN_CONTEXT* context, int message, void* data, void* user) {
  if (message != CALLBACK_MSG_RULE_MATCHING) return CALLBACK_CONTINUE;
  const auto* rule = static_cast<const YR_RULE*>(data);
  auto& out = *static_cast<std::vector<YaraMatch>*>(user);
  YaraMatch m;
  m.rule = rule->identifier;
  m.ns = rule->ns != nullptr ? rule->ns->name : "";
  const YR_META* meta = nullptr;
  yr_rule_metas_foreach(rule, meta) {
    std::string value;
    switch (meta->type) {
      case META_TYPE_STRING:
        value = meta->string;
        break;
      case META_TYPE_BOOLEAN:
        value = meta->integer != 0 ? "true" : "false";
        break;
      default:
        value = std::to_string(meta->integer);
    }
    m.meta.emplace_back(meta->identifier, std::move(value));
  }
  const YR_STRING* string = nullptr;
  yr_rule_strings_foreach(rule, string) {
    const YR_MATCH* match = nullptr;
    yr_string_matches_foreach(context, string, match) {
      if (m.strings.size() < kMaxStrings) {
        const auto len = static_cast<size_t>(std::max(0, match->data_length));
        const std::string_view bytes(reinterpret_cast<const char*>(match->data),
                                     std::min(len, kMaxStringBytes));
        m.strings.emplace_back(string->identifier, Printable(bytes, kMaxStringBytes));
      }
      if (m.first_offset < 0 || match->base + match->offset < m.first_offset) {
        m.first_offset = match->base + match->offset;
      }
      break;  // the first match of each string is enough evidence
    }
  }
  out.push_back(std::move(m));
  return CALLBACK_CONTINUE;
}

}  // namespace

Expected<std::unique_ptr<YaraRules::Scanner>> YaraRules::NewScanner(int timeout_s) const {
  auto impl = std::make_unique<Scanner::Impl>();
  if (yr_scanner_create(impl_->rules, &impl->scanner) != ERROR_SUCCESS) {
    return Fail(Error::Internal("yr_scanner_create failed"));
  }
  yr_scanner_set_timeout(impl->scanner, timeout_s);
  yr_scanner_set_callback(impl->scanner, OnScanMessage, &impl->matches);
  return std::unique_ptr<Scanner>(new Scanner(std::move(impl)));
}

Expected<std::vector<YaraMatch>> YaraRules::Scanner::Scan(std::string_view bytes,
                                                          std::string_view path) {
  const std::string filepath(path);
  const std::string filename(Basename(path));
  const size_t dot = filename.rfind('.');
  const std::string extension =
      dot == std::string::npos || dot == 0 ? "" : filename.substr(dot + 1);
  yr_scanner_define_string_variable(impl_->scanner, "filepath", filepath.c_str());
  yr_scanner_define_string_variable(impl_->scanner, "filename", filename.c_str());
  yr_scanner_define_string_variable(impl_->scanner, "extension", extension.c_str());
  impl_->matches.clear();
  const int rc = yr_scanner_scan_mem(impl_->scanner, reinterpret_cast<const uint8_t*>(bytes.data()),
                                     bytes.size());
  if (rc == ERROR_SCAN_TIMEOUT) return Fail(Error::Internal("YARA scan timed out"));
  if (rc != ERROR_SUCCESS) return Fail(Error::Internal(fmt::format("YARA scan: error {}", rc)));
  return std::move(impl_->matches);
}

}  // namespace deminer
