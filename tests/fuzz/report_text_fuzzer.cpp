// Fuzzes what deminer collect and the HTML report do to host text before it is
// written: redaction of command lines, environments and JSON, bundle names of
// host paths, and HTML escaping (every string comes from the scanned host).
#include <cstddef>
#include <cstdint>
#include <string>

#include "core/redact.h"
#include "report/evidence_collect.h"
#include "report/html_sink.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  const std::string redacted = deminer::RedactText(text);
  // Redaction only ever replaces values: what it returns is stable.
  if (deminer::RedactText(redacted) != redacted) __builtin_trap();
  (void)deminer::RedactEnvEntry(text);
  (void)deminer::RedactArgv({text, text});
  nlohmann::ordered_json j = nlohmann::ordered_json::parse(text, nullptr, false);
  if (!j.is_discarded()) deminer::RedactJson(j);
  const std::string name = deminer::BundlePath(text);
  // A bundle name is printable ASCII with no "." or ".." component.
  for (const char c : name) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f)
      __builtin_trap();
  }
  if (name == ".." || name.starts_with("../") || name.find("/../") != std::string::npos)
    __builtin_trap();
  const std::string html = deminer::HtmlEscape(text);
  if (html.find('<') != std::string::npos || html.find('"') != std::string::npos) __builtin_trap();
  return 0;
}
